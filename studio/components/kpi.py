"""KPI tiles: the latest value, its change with a coloured arrow, comparison, target, trend."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from studio.components.common import Component, Rendered, component_id, data_table, value_label
from studio.components.format import (
    format_change,
    format_number,
    format_percent,
    format_period,
    is_number,
    to_date,
)
from studio.components.messages import message
from studio.components.palettes import BAD_COLOR, GOOD_COLOR, NEUTRAL_COLOR, OKABE_ITO
from studio.spec.query import QueryResult
from studio.spec.tiles import KpiTile

Point = tuple[date, float | None]


def series_points(result: QueryResult, period: str, measure: str) -> list[Point]:
    """(period start, value) pairs of a result, oldest first, rows without a date dropped."""
    points: list[Point] = []
    for p, v in zip(result.column(period), result.column(measure), strict=True):
        day = to_date(p)
        if day is not None:
            points.append((day, float(v) if is_number(v) else None))
    return sorted(points, key=lambda pt: pt[0])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, 28))


def shift_period(day: date, grain: str, steps: int) -> date:
    """The start of the period `steps` periods away at `grain` (negative: earlier)."""
    if grain == "day":
        return day + timedelta(days=steps)
    if grain == "week":
        return day + timedelta(weeks=steps)
    months = {"month": 1, "quarter": 3, "year": 12}[grain] * steps
    return _add_months(day, months)


def year_before(day: date, grain: str) -> date:
    """The start of the same period one year earlier."""
    if grain == "week":
        return day - timedelta(weeks=52)
    if grain == "day":
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year - 1, day=28)
    return shift_period(day, grain, -{"month": 12, "quarter": 4, "year": 1}[grain])


def _lookup(points: list[Point], day: date) -> float | None:
    for d, v in points:
        if d == day:
            return v
    return None


def compute_change(tile: KpiTile, points: list[Point]) -> tuple[float, date] | None:
    """(change, compared period) of the latest value; `None` when it cannot be computed."""
    if tile.compare == "none" or not points or points[-1][1] is None:
        return None
    latest_day, latest = points[-1]
    assert latest is not None
    if tile.compare == "previous":
        before_day = shift_period(latest_day, tile.grain, -1)
    else:
        before_day = year_before(latest_day, tile.grain)
    before = _lookup(points, before_day)
    if before is None:
        return None
    if tile.change_as == "absolute":
        return latest - before, before_day
    if before == 0:
        return None
    return (latest - before) / abs(before), before_day


def change_tone(tile: KpiTile, change: float) -> str:
    """"good", "bad" or "neutral": how a change of this sign reads for this indicator."""
    if change == 0 or tile.good_direction == "neutral":
        return "neutral"
    rising = change > 0
    return "good" if rising == (tile.good_direction == "up") else "bad"


def _change_line(tile: KpiTile, change: float, before_day: date, locale: str,
                 id_prefix: str | None) -> Component:
    tone = change_tone(tile, change)
    color = {"good": GOOD_COLOR, "bad": BAD_COLOR, "neutral": NEUTRAL_COLOR}[tone]
    arrow = "▲" if change > 0 else ("▼" if change < 0 else "►")
    direction = message("up" if change > 0 else ("down" if change < 0 else "stable"), locale)
    text = format_change(change, locale, as_percent=tile.change_as == "percent",
                         fmt=tile.number_format)
    period = format_period(before_day, tile.grain, locale)
    versus = message("vs_previous" if tile.compare == "previous" else "vs_year_ago", locale,
                     period=period)
    return html.P(
        [
            html.Span(arrow, className="studio-kpi-arrow", **{"aria-hidden": "true"}),
            html.Span(f" {text}", className="studio-kpi-change-value"),
            html.Span(f" ({direction})", className="visually-hidden"),
            html.Span(f" {versus}", className="studio-kpi-versus text-muted"),
        ],
        id=component_id(tile.id, "kpi-change", id_prefix),
        className=f"studio-kpi-change studio-kpi-{tone}",
        style={"color": color},
    )


def _reference_line(tile: KpiTile, results: dict[str, QueryResult], latest_day: date,
                    locale: str) -> Component | None:
    ref, result = tile.reference, results.get("reference")
    if ref is None or result is None:
        return None
    points = series_points(result, tile.period_field, tile.measure.key)
    value = _lookup(points, latest_day)
    if value is None and points:
        value = points[-1][1]
    label = ref.label or str(ref.value)
    text = message("reference", locale, label=label,
                   value=format_number(value, locale, tile.number_format))
    return html.P(text, className="studio-kpi-reference small")


def _target_block(tile: KpiTile, value: float, locale: str) -> Component | None:
    if tile.target is None:
        return None
    target = tile.target
    if tile.good_direction == "down":
        progress = target / value if value else 1.0
    else:
        progress = value / target if target else 0.0
    label = tile.target_label or message("target", locale)
    text = message("target_progress", locale, label=label,
                   target=format_number(target, locale, tile.number_format),
                   progress=format_percent(progress, locale, 0))
    return html.Div([
        html.P(text, className="studio-kpi-target small mb-1"),
        dbc.Progress(value=max(0.0, min(100.0, progress * 100)), className="studio-kpi-progress",
                     style={"height": "6px"}),
    ])


def sparkline(tile: KpiTile, points: list[Point], locale: str,
              id_prefix: str | None) -> Component:
    """A tiny static line graph of the latest periods."""
    shown = points[-tile.sparkline_points:]
    fig = go.Figure(go.Scatter(
        x=[format_period(d, tile.grain, locale) for d, _ in shown],
        y=[v for _, v in shown], mode="lines", line={"color": OKABE_ITO[0], "width": 2},
        hoverinfo="skip",
    ))
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=48, showlegend=False,
        xaxis={"visible": False, "type": "category"}, yaxis={"visible": False},
        plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)",
    )
    return dcc.Graph(
        id=component_id(tile.id, "sparkline", id_prefix), figure=fig,
        config={"staticPlot": True, "displayModeBar": False, "displaylogo": False},
        style={"height": "48px"}, className="studio-kpi-sparkline",
    )


def render_kpi(tile: KpiTile, results: dict[str, QueryResult], locale: str = "fr", *,
               settings: Any = None, id_prefix: str | None = None) -> Rendered:
    """The body of a KPI tile and the table of its periods."""
    points = series_points(results["series"], tile.period_field, tile.measure.key)
    if not points:
        return Rendered(html.P(message("empty", locale), role="status"))
    latest_day, latest = points[-1]
    parts: list[Component] = [
        html.P(format_number(latest, locale, tile.number_format),
               id=component_id(tile.id, "kpi-value", id_prefix),
               className="studio-kpi-value display-6 fw-bold mb-0"),
        html.P(format_period(latest_day, tile.grain, locale),
               className="studio-kpi-period text-muted small"),
    ]
    change = compute_change(tile, points)
    if change is not None:
        parts.append(_change_line(tile, change[0], change[1], locale, id_prefix))
    if latest is not None:
        parts.extend(p for p in (_reference_line(tile, results, latest_day, locale),
                                 _target_block(tile, latest, locale)) if p is not None)
    if tile.sparkline and len(points) > 1:
        parts.append(sparkline(tile, points, locale, id_prefix))
    table = data_table(
        [message("period", locale),
         value_label(tile.measure.label, tile.measure.field, tile.measure.agg, locale)],
        [[format_period(d, tile.grain, locale), format_number(v, locale, tile.number_format)]
         for d, v in points],
        locale, tile_id=tile.id, id_prefix=id_prefix, numeric=[False, True],
    )
    return Rendered(html.Div(parts, className="studio-kpi"), table)
