"""Chart tiles as plotly figures in `dcc.Graph`.

The data are prepared in Python (sorting, top N with "others", shares for 100 % stacks),
values are formatted here for hover and labels, so the browser only draws: no plotly
locale bundle, no CDN, no logo. Every user text put in a figure is HTML-escaped, because
plotly reads a subset of HTML in names, titles and annotations.
"""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from dash import dcc

from studio.components.common import (
    Component,
    Rendered,
    TileDataError,
    component_id,
    data_table,
    rows_as_dicts,
    value_label,
)
from studio.components.format import (
    axis_affixes,
    d3_format,
    format_category,
    format_number,
    format_value,
    is_number,
    normalize_locale,
    plotly_separators,
    slugify,
    to_date,
)
from studio.components.messages import message
from studio.components.palettes import palette_colors
from studio.spec.query import QueryResult
from studio.spec.tiles import ChartTile, NumberFormat, ValueField

GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
}
"""`dcc.Graph` config: no logo and no link to external services."""

FONT = {"family": "Marianne, Arial, sans-serif", "size": 13}


@dataclass
class Series:
    """One coloured series: a name and one value per category."""

    name: str
    values: list[float | None]
    key: str = ""


@dataclass
class ChartData:
    """Categories (raw and as labels) and the series drawn over them."""

    categories: list[Any]
    labels: list[str]
    series: list[Series]


def esc(text: str) -> str:
    """Text safe to put where plotly reads pseudo-HTML."""
    return html_lib.escape(text, quote=False)


def graph_config(locale: str, filename: str) -> dict[str, Any]:
    """The `dcc.Graph` config for a tile: the common config and the PNG download's options.

    The modebar's camera button draws the PNG in the browser with the bundled plotly.js
    (nothing is fetched); `filename` is used as given (see `image_filename`).
    """
    fallback = "graphique" if normalize_locale(locale) == "fr" else "chart"
    return {
        **GRAPH_CONFIG,
        # the toolbar's tooltips and the time axes' dates (assets/plotly_locale_fr.js)
        "locale": normalize_locale(locale),
        "toImageButtonOptions": {"format": "png", "filename": filename or fallback, "scale": 2},
    }


def image_filename(tile: ChartTile) -> str:
    """The PNG's file name: the tile's title as a slug (its id when it has no title)."""
    return slugify(tile.title) or tile.id


def _number(value: Any) -> float | None:
    return float(value) if is_number(value) else None


def _measure_name(v: ValueField, locale: str) -> str:
    return value_label(v.label, v.field, v.agg, locale)


def _category_order(categories: list[Any], time_axis: bool) -> list[Any]:
    if time_axis:
        return sorted(categories, key=lambda c: (to_date(c) is None, to_date(c) or 0, str(c)))
    return categories


def collect(tile: ChartTile, result: QueryResult, locale: str) -> ChartData:
    """Categories and series of a bar/line/area/pie/treemap chart, before sorting."""
    dim = tile.dimension.key
    rows = rows_as_dicts(result)
    categories = _category_order(list(dict.fromkeys(r[dim] for r in rows)),
                                 tile.dimension.grain is not None)
    index = {c: i for i, c in enumerate(categories)}
    series: list[Series] = []
    if tile.series is not None:
        key, measure = tile.series.key, tile.measures[0].key
        by_name: dict[str, Series] = {}
        for r in rows:
            name = format_category(r[key], locale, tile.series.grain)
            s = by_name.setdefault(name, Series(name, [None] * len(categories), key=name))
            s.values[index[r[dim]]] = _number(r[measure])
        series = list(by_name.values())
    else:
        for v in [*tile.measures, *tile.secondary]:
            values: list[float | None] = [None] * len(categories)
            for r in rows:
                values[index[r[dim]]] = _number(r[v.key])
            series.append(Series(_measure_name(v, locale), values, key=v.key))
    labels = [format_category(c, locale, tile.dimension.grain) for c in categories]
    return ChartData(categories, labels, series)


def _totals(data: ChartData, keys: set[str] | None = None) -> list[float]:
    chosen = [s for s in data.series if keys is None or s.key in keys]
    return [sum(s.values[i] or 0 for s in chosen) for i in range(len(data.categories))]


def _reorder(data: ChartData, order: list[int]) -> ChartData:
    return ChartData(
        [data.categories[i] for i in order],
        [data.labels[i] for i in order],
        [Series(s.name, [s.values[i] for i in order], s.key) for s in data.series],
    )


def sort_and_cut(tile: ChartTile, data: ChartData, locale: str) -> ChartData:
    """The data sorted as the tile says, cut to its top N with an "others" category."""
    primary = None if tile.series is not None else {v.key for v in tile.measures}
    totals = _totals(data, primary)
    order = list(range(len(data.categories)))
    if tile.sort == "value_desc" or (tile.top_n and tile.sort == "none"):
        order.sort(key=lambda i: -totals[i])
    elif tile.sort == "value_asc":
        order.sort(key=lambda i: totals[i])
    elif tile.sort == "label":
        order.sort(key=lambda i: data.labels[i].casefold())
    if tile.top_n is None or len(order) <= tile.top_n:
        return _reorder(data, order)
    kept = sorted(order, key=lambda i: -totals[i])[: tile.top_n]
    rest = [i for i in order if i not in set(kept)]
    out = _reorder(data, [i for i in order if i in set(kept)])
    if tile.others:
        out.categories.append(None)
        out.labels.append(message("others", locale))
        for s, full in zip(out.series, data.series, strict=True):
            s.values.append(sum(full.values[i] or 0 for i in rest))
    return out


def to_shares(data: ChartData) -> ChartData:
    """Each value as its share of the category total (for 100 % stacked charts)."""
    totals = _totals(data)
    series = [
        Series(s.name, [(v / totals[i]) if (v is not None and totals[i]) else None
                        for i, v in enumerate(s.values)], s.key)
        for s in data.series
    ]
    return ChartData(data.categories, data.labels, series)


def _texts(values: list[float | None], locale: str, fmt: NumberFormat) -> list[str]:
    return [format_number(v, locale, fmt) for v in values]


def _hover(series: Series, labels: list[str], texts: list[str]) -> list[str]:
    return [f"{esc(series.name)}<br>{esc(lab)} : {esc(t)}" for lab, t in zip(labels, texts,
                                                                              strict=True)]


def _cartesian_traces(tile: ChartTile, data: ChartData, locale: str,
                      fmt: NumberFormat) -> list[go.BaseTraceType]:
    colors = palette_colors(tile.palette, len(data.series))
    secondary = {v.key for v in tile.secondary}
    traces: list[go.BaseTraceType] = []
    shown = [esc(lab) for lab in data.labels]  # axis labels: plotly reads pseudo-HTML there
    for color, s in zip(colors, data.series, strict=True):
        texts = _texts(s.values, locale, fmt)
        common: dict[str, Any] = {
            "name": esc(s.name), "customdata": _hover(s, data.labels, texts),
            "hovertemplate": "%{customdata}<extra></extra>",
        }
        if tile.show_values:
            common["text"] = texts
        if tile.chart in ("column", "bar") or (tile.chart == "combo" and s.key not in secondary):
            traces.append(_bar(tile, shown, s.values, color, common))
        else:
            traces.append(_line(tile, shown, s.values, color, common, s.key in secondary))
    return traces


def _bar(tile: ChartTile, labels: list[str], values: list[float | None], color: str,
         common: dict[str, Any]) -> go.Bar:
    horizontal = tile.chart == "bar"
    if tile.show_values:
        common["textposition"] = "inside" if tile.mode != "grouped" else "outside"
    return go.Bar(
        x=values if horizontal else labels, y=labels if horizontal else values,
        orientation="h" if horizontal else "v", marker={"color": color}, **common,
    )


def _line(tile: ChartTile, labels: list[str], values: list[float | None], color: str,
          common: dict[str, Any], on_secondary: bool) -> go.Scatter:
    mode = "lines+markers" if tile.markers else "lines"
    if tile.show_values:
        mode += "+text"
        common["textposition"] = "top center"
    extra: dict[str, Any] = {}
    if tile.chart == "area":
        if tile.mode == "grouped":
            extra["fill"] = "tozeroy"
        else:
            extra["stackgroup"] = "one"
    if on_secondary:
        extra["yaxis"] = "y2"
    return go.Scatter(x=labels, y=values, mode=mode, line={"color": color},
                      marker={"color": color}, **extra, **common)


def _pie_traces(tile: ChartTile, data: ChartData, locale: str,
                fmt: NumberFormat) -> list[go.BaseTraceType]:
    s = data.series[0]
    texts = _texts(s.values, locale, fmt)
    return [go.Pie(
        labels=[esc(lab) for lab in data.labels], values=s.values,
        hole=0.5 if tile.chart == "donut" else 0,
        marker={"colors": palette_colors(tile.palette, len(data.labels))},
        sort=False, direction="clockwise",
        text=texts, textinfo="percent" if not tile.show_values else "text+percent",
        customdata=_hover(s, data.labels, texts),
        hovertemplate="%{customdata}<extra></extra>",
    )]


def _treemap_traces(tile: ChartTile, result: QueryResult, locale: str,
                    fmt: NumberFormat) -> list[go.BaseTraceType]:
    rows = rows_as_dicts(result)
    dim, key = tile.dimension, tile.measures[0].key
    ids: list[str] = []
    labels: list[str] = []
    parents: list[str] = []
    values: list[float] = []
    parent_totals: dict[str, float] = {}
    for r in rows:
        value = _number(r[key])
        if value is None or value < 0:
            continue
        label = format_category(r[dim.key], locale, dim.grain)
        parent = ""
        if tile.series is not None:
            parent = format_category(r[tile.series.key], locale, tile.series.grain)
            parent_totals[parent] = parent_totals.get(parent, 0.0) + value
        ids.append(f"{parent}/{label}")
        labels.append(esc(label))
        parents.append(parent)
        values.append(value)
    for parent, total in parent_totals.items():
        ids.append(parent)
        labels.append(esc(parent))
        parents.append("")
        values.append(total)
    texts = _texts(list(values), locale, fmt)
    colors = palette_colors(tile.palette, max(len(parent_totals), len(labels)))
    return [go.Treemap(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="total",
        text=texts, textinfo="label+text" if tile.show_values else "label",
        marker={"colors": colors[: len(labels)]},
        customdata=[f"{lab} : {esc(t)}" for lab, t in zip(labels, texts, strict=True)],
        hovertemplate="%{customdata}<extra></extra>",
    )]


def _scatter_traces(tile: ChartTile, result: QueryResult, locale: str,
                    fmt: NumberFormat) -> list[go.BaseTraceType]:
    assert tile.x_measure is not None
    rows = rows_as_dicts(result)
    x_key, y_key = tile.x_measure.key, tile.measures[0].key
    size_key = tile.size_measure.key if tile.size_measure else None
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        name = (format_category(r[tile.series.key], locale, tile.series.grain)
                if tile.series else _measure_name(tile.measures[0], locale))
        groups.setdefault(name, []).append(r)
    sizes = [_number(r[size_key]) or 0 for r in rows] if size_key else []
    max_size = max(sizes, default=0) or 1
    colors = palette_colors(tile.palette, len(groups))
    x_name = _measure_name(tile.x_measure, locale)
    y_name = _measure_name(tile.measures[0], locale)
    traces: list[go.BaseTraceType] = []
    for color, (name, members) in zip(colors, groups.items(), strict=True):
        marker: dict[str, Any] = {"color": color, "opacity": 0.8}
        if size_key:
            marker["size"] = [6 + 34 * ((_number(r[size_key]) or 0) / max_size) ** 0.5
                              for r in members]
        hover = [
            f"{esc(format_category(r[tile.dimension.key], locale, tile.dimension.grain))}"
            f"<br>{esc(x_name)} : {esc(format_number(r[x_key], locale, fmt))}"
            f"<br>{esc(y_name)} : {esc(format_number(r[y_key], locale, fmt))}"
            for r in members
        ]
        traces.append(go.Scatter(
            x=[_number(r[x_key]) for r in members], y=[_number(r[y_key]) for r in members],
            mode="markers+text" if tile.show_values else "markers", name=esc(name),
            text=[esc(format_category(r[tile.dimension.key], locale)) for r in members]
            if tile.show_values else None,
            textposition="top center", marker=marker, customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        ))
    return traces


def _reference_value(tile: ChartTile, data: ChartData | None) -> float | None:
    ref = tile.reference_line
    if ref is None:
        return None
    if ref.kind == "target":
        return ref.value
    if data is None:
        return None
    stacked = tile.mode != "grouped"
    primary = None if tile.series is not None else {v.key for v in tile.measures}
    values = (_totals(data, primary) if stacked else
              [v for s in data.series if primary is None or s.key in primary
               for v in s.values if v is not None])
    return sum(values) / len(values) if values else None


def _add_reference(fig: go.Figure, tile: ChartTile, data: ChartData | None, locale: str,
                   fmt: NumberFormat) -> None:
    value = _reference_value(tile, data)
    ref = tile.reference_line
    if value is None or ref is None:
        return
    label = ref.label or message("target" if ref.kind == "target" else "average", locale)
    text = esc(f"{label} : {format_number(value, locale, fmt)}")
    line = {"dash": "dash", "color": "#3a3a3a", "width": 1.5}
    if tile.chart == "bar":
        fig.add_vline(x=value, line=line, annotation_text=text, annotation_position="top")
    else:
        fig.add_hline(y=value, line=line, annotation_text=text,
                      annotation_position="top left")


def _layout(fig: go.Figure, tile: ChartTile, locale: str, fmt: NumberFormat) -> None:
    prefix, suffix = axis_affixes(fmt, locale)
    value_axis = {"tickformat": d3_format(fmt), "tickprefix": prefix, "ticksuffix": suffix,
                  "title": {"text": esc(tile.y_title or "")}, "gridcolor": "#e5e5e5",
                  "zeroline": True, "zerolinecolor": "#bbbbbb"}
    category_axis = {"title": {"text": esc(tile.x_title or "")}, "type": "category"}
    barmode = {"grouped": "group", "stacked": "relative", "percent": "relative"}[tile.mode]
    layout: dict[str, Any] = {
        "separators": plotly_separators(locale), "font": FONT, "barmode": barmode,
        "margin": {"l": 48, "r": 24, "t": 16, "b": 40}, "plot_bgcolor": "white",
        "paper_bgcolor": "white", "legend": {"orientation": "h", "y": -0.2},
        "hoverlabel": {"namelength": -1}, "autosize": True,
    }
    if tile.chart == "bar":
        layout["xaxis"] = value_axis
        layout["yaxis"] = {**category_axis, "title": {"text": esc(tile.y_title or "")},
                           "autorange": "reversed"}
        value_axis["title"] = {"text": esc(tile.x_title or "")}
    elif tile.chart == "scatter":
        layout["xaxis"] = {**value_axis, "title": {"text": esc(tile.x_title or "")}}
        layout["yaxis"] = value_axis
    else:
        layout["xaxis"] = category_axis
        layout["yaxis"] = value_axis
    if tile.chart == "combo":
        layout["yaxis2"] = {"overlaying": "y", "side": "right", "tickformat": d3_format(fmt),
                            "title": {"text": esc(tile.y2_title or "")}, "showgrid": False}
    fig.update_layout(**layout)


def build_figure(tile: ChartTile, result: QueryResult, locale: str) -> tuple[go.Figure,
                                                                               ChartData | None]:
    """The plotly figure of a chart tile, and the prepared data (None for scatter/treemap)."""
    fmt = tile.number_format
    data: ChartData | None = None
    if tile.chart == "scatter":
        traces = _scatter_traces(tile, result, locale, fmt)
    elif tile.chart == "treemap":
        traces = _treemap_traces(tile, result, locale, fmt)
    else:
        data = sort_and_cut(tile, collect(tile, result, locale), locale)
        if tile.mode == "percent":
            data = to_shares(data)
            fmt = NumberFormat(style="percent", decimals=fmt.decimals)
        if tile.chart in ("pie", "donut"):
            if any(v is not None and v < 0 for v in data.series[0].values):
                raise TileDataError("negative values cannot be drawn as slices")
            traces = _pie_traces(tile, data, locale, fmt)
        else:
            traces = _cartesian_traces(tile, data, locale, fmt)
    fig = go.Figure(data=traces)
    _layout(fig, tile, locale, fmt)
    _add_reference(fig, tile, data, locale, fmt)
    return fig, data


def _chart_table(tile: ChartTile, data: ChartData | None, result: QueryResult, locale: str,
                 id_prefix: str | None) -> Component:
    fmt = tile.number_format
    if data is not None:
        if tile.mode == "percent":
            fmt = NumberFormat(style="percent", decimals=fmt.decimals)
        dim_label = tile.dimension.label or tile.dimension.field
        headers = [dim_label, *[s.name for s in data.series]]
        rows = [[label, *[format_number(s.values[i], locale, fmt) for s in data.series]]
                for i, label in enumerate(data.labels)]
        numeric = [False, *[True] * len(data.series)]
        return data_table(headers, rows, locale, tile_id=tile.id, id_prefix=id_prefix,
                          numeric=numeric)
    labels = {tile.dimension.key: tile.dimension.label or tile.dimension.field}
    if tile.series:
        labels[tile.series.key] = tile.series.label or tile.series.field
    values = [*tile.measures, *([tile.x_measure] if tile.x_measure else []),
              *([tile.size_measure] if tile.size_measure else [])]
    columns = [tile.dimension.key, *([tile.series.key] if tile.series else []),
               *[v.key for v in values]]
    headers = [labels.get(c) or _measure_name(next(v for v in values if v.key == c), locale)
               for c in columns]
    first_value = len(columns) - len(values)
    rows = [[format_value(r[c], locale, fmt) if i >= first_value else format_category(r[c], locale)
             for i, c in enumerate(columns)]
            for r in rows_as_dicts(result)]
    numeric = [i >= first_value for i in range(len(columns))]
    return data_table(headers, rows, locale, tile_id=tile.id, id_prefix=id_prefix,
                      numeric=numeric)


def render_chart(tile: ChartTile, results: dict[str, QueryResult], locale: str = "fr", *,
                 settings: Any = None, id_prefix: str | None = None) -> Rendered:
    """The body of a chart tile (a `dcc.Graph`) and its accessible table."""
    result = results["data"]
    fig, data = build_figure(tile, result, locale)
    graph = dcc.Graph(
        id=component_id(tile.id, "graph", id_prefix),
        figure=fig,
        config=graph_config(locale, image_filename(tile)),
        style={"height": "100%", "minHeight": "260px"},
        className="studio-chart",
    )
    return Rendered(graph, _chart_table(tile, data, result, locale, id_prefix))
