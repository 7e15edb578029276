"""A whole dashboard as a PDF: A4 landscape, one page per section, every tile drawn whole.

Pure like the other renderers: `(DashboardSpec, each tile's results, header, locale) ->
bytes`. Nothing is screenshotted: charts, KPI figures, tables, text and choropleth maps are
drawn with reportlab's canvas from the same aggregated results the page shows, using the
same data preparation (`chart.collect`, `kpi.compute_change`, `map.class_breaks`…).

Page layout: the section's 12-column grid is scaled to the page width; rows get the height
that fits the section on one page, down to a minimum, past which the section continues on
more pages, cut between rows that no tile crosses (a tile is never split).
Every user text is drawn as text (canvas strings), or escaped before it reaches reportlab's
paragraph mini-markup.
"""

from __future__ import annotations

import html as html_lib
import io
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Paragraph

from studio.components import chart as chart_mod
from studio.components import kpi as kpi_mod
from studio.components import map as map_mod
from studio.components.format import (
    format_category,
    format_change,
    format_date,
    format_number,
    format_period,
    is_number,
    normalize_locale,
)
from studio.components.messages import message
from studio.components.palettes import (
    BAD_COLOR,
    GOOD_COLOR,
    NEUTRAL_COLOR,
    NO_DATA_COLOR,
    palette_colors,
    sequential_colors,
)
from studio.components.render import missing_data_message
from studio.components.table import build_rows, column_label, totals_row
from studio.components.text import placeholder_values
from studio.spec.dashboard import DashboardSpec, GridItem
from studio.spec.query import QueryResult
from studio.spec.tiles import NumberFormat

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 28.0
GAP = 6.0
MAX_ROW = 44.0
MIN_ROW = 24.0
GRID_COLUMNS = 12
FONT, BOLD = "StudioSans", "StudioSans-Bold"
INK, MUTED, RULE = HexColor("#161616"), HexColor("#666666"), HexColor("#d0d0d0")

TEXTS = {
    "fr": {
        "printed": "Édité le {day}",
        "filters": "Filtres : {items}",
        "no_filter": "Aucun filtre",
        "cross": "Filtré par {field} : {value}",
        "more_rows": "… et {n} autres lignes",
        "page": "Page {n}/{total}",
        "from": "du {start}",
        "to": "au {end}",
    },
    "en": {
        "printed": "Printed on {day}",
        "filters": "Filters: {items}",
        "no_filter": "No filter",
        "cross": "Filtered by {field}: {value}",
        "more_rows": "… and {n} more rows",
        "page": "Page {n}/{total}",
        "from": "from {start}",
        "to": "to {end}",
    },
}


def _text(key: str, locale: str, **values: object) -> str:
    return TEXTS[normalize_locale(locale)][key].format(**values)


def pdf_safe(text: Any) -> str:
    """Text the embedded font can draw (the narrow no-break space becomes a no-break space)."""
    return str(text).replace("\u202f", "\u00a0")


_fonts_ready = False


def _register_fonts() -> None:
    """Embed Bitstream Vera (shipped with reportlab): accents, €, − and no-break spaces."""
    global _fonts_ready
    if _fonts_ready:
        return
    import reportlab

    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    pdfmetrics.registerFont(TTFont(FONT, os.path.join(folder, "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, os.path.join(folder, "VeraBd.ttf")))
    _fonts_ready = True


# --- what goes in ---------------------------------------------------------------------------


@dataclass
class TileResults:
    """One tile's results, or the message saying why it has none."""

    results: Mapping[str, QueryResult] = field(default_factory=dict)
    error: str | None = None


@dataclass
class Box:
    """A rectangle in PDF points, from its lower-left corner."""

    x: float
    y: float
    w: float
    h: float

    def inset(self, left: float, bottom: float = 0, right: float = 0, top: float = 0) -> Box:
        """The box with its sides moved in."""
        return Box(
            self.x + left,
            self.y + bottom,
            max(self.w - left - right, 1),
            max(self.h - bottom - top, 1),
        )


def filter_summary(
    spec: DashboardSpec,
    values: Mapping[str, Any],
    cross: Mapping[str, Any] | None,
    locale: str,
) -> list[str]:
    """The active filters as readable lines: "Département : 01, 2A", "Période : T1 2024"."""
    lines = []
    for flt in spec.filters:
        value = values.get(flt.id)
        if value is None or value == []:
            continue
        label = flt.label or flt.field
        lines.append(
            f"{label} : {_filter_value_text(flt, value, locale)}"
            if normalize_locale(locale) == "fr"
            else f"{label}: {_filter_value_text(flt, value, locale)}"
        )
    if cross:
        lines.append(
            _text(
                "cross",
                locale,
                field=cross.get("field", ""),
                value=format_category(cross.get("value"), locale),
            )
        )
    return lines


def _filter_value_text(flt: Any, value: Any, locale: str) -> str:
    if flt.kind == "period":
        return format_period(value, flt.grain, locale)
    if flt.kind == "date_range":
        start, end = value
        parts = []
        if start:
            parts.append(_text("from", locale, start=format_date(start, locale)))
        if end:
            parts.append(_text("to", locale, end=format_date(end, locale)))
        return " ".join(parts)
    if isinstance(value, list):
        return ", ".join(format_category(v, locale) for v in value)
    return format_category(value, locale)


# --- pages ----------------------------------------------------------------------------------


def paginate(items: Sequence[GridItem], rows_per_page: int) -> list[list[GridItem]]:
    """Grid items split into pages of at most `rows_per_page` rows, never through a tile.

    A block of tiles taller than a page gets a page of its own (it is then scaled down).
    """
    if not items:
        return [[]]
    top = min(it.y for it in items)
    end = max(it.y + it.h for it in items)
    cuts = [r for r in range(top + 1, end) if not any(it.y < r < it.y + it.h for it in items)] + [
        end
    ]
    pages: list[list[GridItem]] = []
    start = top
    while start < end:
        fitting = [c for c in cuts if start < c <= start + rows_per_page]
        stop = fitting[-1] if fitting else next(c for c in cuts if c > start)
        pages.append([it for it in items if start <= it.y < stop])
        start = stop
    return [p for p in pages if p] or [[]]


def dashboard_pdf(
    spec: DashboardSpec,
    tiles: Mapping[str, TileResults],
    locale: str = "fr",
    *,
    filters: Sequence[str] = (),
    day: date | None = None,
) -> bytes:
    """The PDF of the dashboard: a header (title, date, filters) and the tiles, per section."""
    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
    canvas.setTitle(pdf_safe(spec.title))
    canvas.setCreator("Studio")
    places = {item.tile: item for item in spec.layout}
    plans: list[tuple[str, list[GridItem], float]] = []
    header_h = _header_height(filters, locale)
    avail = PAGE_H - 2 * MARGIN - header_h
    for section in spec.sections:
        items = [places[tid] for tid in section.tiles if tid in places]
        rows = max((it.y + it.h for it in items), default=1) - min(
            (it.y for it in items), default=0
        )
        row_h = max(MIN_ROW, min(MAX_ROW, avail / max(rows, 1)))
        for page in paginate(items, max(1, math.floor(avail / row_h + 1e-6))):
            plans.append((section.title, page, row_h))
    by_id = {tile.id: tile for tile in spec.tiles}
    for number, (section_title, page, row_h) in enumerate(plans, start=1):
        _draw_header(
            canvas,
            spec.title,
            section_title,
            filters,
            locale,
            day or date.today(),
            number,
            len(plans),
        )
        _draw_page(canvas, page, row_h, avail, by_id, tiles, locale)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _header_height(filters: Sequence[str], locale: str) -> float:
    lines = simpleSplit(pdf_safe(_filters_line(filters, locale)), FONT, 8.5, PAGE_W - 2 * MARGIN)
    return 40 + 11 * min(len(lines), 3)


def _filters_line(filters: Sequence[str], locale: str) -> str:
    if not filters:
        return _text("no_filter", locale)
    return _text("filters", locale, items=" · ".join(filters))


def _draw_header(
    canvas: Canvas,
    title: str,
    section: str,
    filters: Sequence[str],
    locale: str,
    day: date,
    number: int,
    total: int,
) -> None:
    top = PAGE_H - MARGIN
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 16)
    right = _text("printed", locale, day=format_date(day, locale))
    if total > 1:
        right += "  ·  " + _text("page", locale, n=number, total=total)
    canvas.setFont(FONT, 8.5)
    right_w = canvas.stringWidth(pdf_safe(right), FONT, 8.5)
    canvas.drawRightString(PAGE_W - MARGIN, top - 12, pdf_safe(right))
    heading = title + (f" — {section}" if section else "")
    canvas.setFont(BOLD, 16)
    canvas.drawString(MARGIN, top - 14, _fit(heading, BOLD, 16, PAGE_W - 2 * MARGIN - right_w - 12))
    canvas.setFont(FONT, 8.5)
    canvas.setFillColor(MUTED)
    lines = simpleSplit(pdf_safe(_filters_line(filters, locale)), FONT, 8.5, PAGE_W - 2 * MARGIN)
    for i, line in enumerate(lines[:3]):
        canvas.drawString(MARGIN, top - 30 - 11 * i, line)
    canvas.setStrokeColor(RULE)
    y = top - 30 - 11 * min(len(lines), 3) + 2
    canvas.line(MARGIN, y, PAGE_W - MARGIN, y)


def _draw_page(
    canvas: Canvas,
    items: Sequence[GridItem],
    row_h: float,
    avail: float,
    by_id: Mapping[str, Any],
    tiles: Mapping[str, TileResults],
    locale: str,
) -> None:
    if not items:
        return
    top_row = min(it.y for it in items)
    rows = max(it.y + it.h for it in items) - top_row
    scale = min(1.0, avail / (rows * row_h))  # a block taller than a page is scaled down
    col_w = (PAGE_W - 2 * MARGIN) / GRID_COLUMNS
    top = MARGIN + avail
    for it in items:
        tile = by_id.get(it.tile)
        if tile is None:
            continue
        box = Box(
            MARGIN + it.x * col_w + GAP / 2,
            top - (it.y - top_row + it.h) * row_h * scale + GAP / 2,
            it.w * col_w - GAP,
            it.h * row_h * scale - GAP,
        )
        draw_tile(canvas, tile, tiles.get(tile.id, TileResults()), box, locale)


# --- one tile -------------------------------------------------------------------------------


def _fit(text: Any, font: str, size: float, width: float) -> str:
    """The text cut with "…" to fit `width`."""
    text = pdf_safe(text)
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def draw_tile(canvas: Canvas, tile: Any, data: TileResults, box: Box, locale: str) -> None:
    """A tile's frame, title, body and source line inside `box`."""
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.roundRect(box.x, box.y, box.w, box.h, 3, stroke=1, fill=0)
    inner = box.inset(6, 4, 6, 5)
    top = inner.y + inner.h
    if tile.title:
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 9.5)
        top -= 10
        canvas.drawString(inner.x, top, _fit(tile.title, BOLD, 9.5, inner.w))
    if tile.subtitle:
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 7.5)
        top -= 9
        canvas.drawString(inner.x, top, _fit(tile.subtitle, FONT, 7.5, inner.w))
    bottom = inner.y
    if tile.source:
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 6.5)
        canvas.drawString(inner.x, bottom, _fit(tile.source, FONT, 6.5, inner.w))
        bottom += 9
    body = Box(inner.x, bottom, inner.w, max(top - 3 - bottom, 1))
    canvas.setFillColor(INK)
    _draw_body(canvas, tile, data, body, locale)
    canvas.restoreState()


def _draw_body(canvas: Canvas, tile: Any, data: TileResults, box: Box, locale: str) -> None:
    if data.error:
        _note(canvas, box, message("error", locale, detail=data.error), error=True)
        return
    problem = missing_data_message(tile, data.results, locale)
    if problem:
        _note(canvas, box, problem, error=True)
        return
    names = list(tile.queries())
    if names and tile.kind != "text" and not data.results[names[0]].rows:
        _note(canvas, box, message("empty", locale))
        return
    drawer = {
        "chart": draw_chart,
        "kpi": draw_kpi,
        "table": draw_table,
        "text": draw_text,
        "map": draw_map,
    }[tile.kind]
    canvas.saveState()
    path = canvas.beginPath()
    path.rect(box.x - 2, box.y - 2, box.w + 4, box.h + 4)
    canvas.clipPath(path, stroke=0, fill=0)
    try:
        drawer(canvas, tile, dict(data.results), box, locale)
    except ValueError as exc:  # TileDataError and bad shapes: the tile says so, the PDF lives
        canvas.restoreState()
        _note(canvas, box, message("bad_data", locale, detail=str(exc)), error=True)
        return
    canvas.restoreState()


def _note(canvas: Canvas, box: Box, text: str, error: bool = False) -> None:
    canvas.setFillColor(HexColor(BAD_COLOR) if error else MUTED)
    canvas.setFont(FONT, 8)
    for i, line in enumerate(simpleSplit(pdf_safe(text), FONT, 8, box.w)[:6]):
        canvas.drawString(box.x, box.y + box.h - 10 - 10 * i, line)


# --- charts ---------------------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering [low, high] (about `count` intervals)."""
    if high == low:
        high = low + (abs(low) or 1)
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _tick_format(fmt: NumberFormat, ticks: Sequence[float]) -> NumberFormat:
    big = max((abs(t) for t in ticks), default=0) >= 10_000
    return fmt.model_copy(update={"compact": fmt.compact or big})


def _legend(canvas: Canvas, names: Sequence[str], colors: Sequence[str], box: Box) -> float:
    """Swatches and names on one or two lines at the top of `box`; returns the height used."""
    x, y = box.x, box.y + box.h - 7
    canvas.setFont(FONT, 7)
    for name, color in zip(names, colors, strict=False):
        label = _fit(name, FONT, 7, box.w / 2)
        width = 10 + pdfmetrics.stringWidth(label, FONT, 7) + 8
        if x + width > box.x + box.w and x > box.x:
            x, y = box.x, y - 9
        canvas.setFillColor(HexColor(color))
        canvas.rect(x, y - 1, 7, 7, stroke=0, fill=1)
        canvas.setFillColor(INK)
        canvas.drawString(x + 10, y, label)
        x += width
    return box.y + box.h - y + 5


def draw_chart(
    canvas: Canvas, tile: Any, results: dict[str, QueryResult], box: Box, locale: str
) -> None:
    """A chart tile from the same prepared data as the page's plotly figure."""
    result = results["data"]
    if tile.chart == "scatter":
        _scatter(canvas, tile, result, box, locale)
        return
    data = chart_mod.sort_and_cut(tile, chart_mod.collect(tile, result, locale), locale)
    fmt = tile.number_format
    if tile.mode == "percent":
        data = chart_mod.to_shares(data)
        fmt = NumberFormat(style="percent", decimals=fmt.decimals)
    if tile.chart in ("pie", "donut", "treemap"):
        series = data.series[0]
        if any(v is not None and v < 0 for v in series.values):
            raise ValueError("negative values cannot be drawn as slices")
        if tile.chart == "treemap":
            _treemap(canvas, tile, data.labels, series.values, box, locale, fmt)
        else:
            _pie(canvas, tile, data.labels, series.values, box, locale, fmt)
        return
    _cartesian(canvas, tile, data, box, locale, fmt)


def _value_range(
    tile: Any, data: chart_mod.ChartData, keys: set[str] | None
) -> tuple[float, float]:
    chosen = [s for s in data.series if keys is None or s.key in keys]
    if tile.mode != "grouped":
        pos = [sum(max(s.values[i] or 0, 0) for s in chosen) for i in range(len(data.labels))]
        neg = [sum(min(s.values[i] or 0, 0) for s in chosen) for i in range(len(data.labels))]
        low, high = min(neg, default=0), max(pos, default=0)
    else:
        values = [v for s in chosen for v in s.values if v is not None]
        low, high = min(values, default=0), max(values, default=0)
    if tile.chart in ("column", "bar", "area", "combo") or low > 0 and high / max(low, 1e-9) > 3:
        low, high = min(low, 0), max(high, 0)
    return low, high


def _cartesian(
    canvas: Canvas, tile: Any, data: chart_mod.ChartData, box: Box, locale: str, fmt: NumberFormat
) -> None:
    colors = palette_colors(tile.palette, len(data.series))
    if len(data.series) > 1 or tile.secondary:
        box = box.inset(0, 0, 0, _legend(canvas, [s.name for s in data.series], colors, box))
    secondary = {v.key for v in tile.secondary}
    primary = None if tile.series is not None else {v.key for v in tile.measures}
    low, high = _value_range(tile, data, primary)
    reference = chart_mod._reference_value(tile, data)
    if reference is not None:
        low, high = min(low, reference), max(high, reference)
    ticks = nice_ticks(low, high)
    tick_fmt = _tick_format(fmt, ticks)
    tick_texts = [pdf_safe(format_number(t, locale, tick_fmt)) for t in ticks]
    canvas.setFont(FONT, 6.5)
    horizontal = tile.chart == "bar"
    label_w = max(pdfmetrics.stringWidth(t, FONT, 6.5) for t in tick_texts) + 4
    if horizontal:
        cat_w = min(
            box.w * 0.35,
            max(pdfmetrics.stringWidth(pdf_safe(lab), FONT, 6.5) for lab in data.labels) + 4,
        )
        plot = box.inset(cat_w, 10, 6, 2)
    else:
        plot = box.inset(label_w, 12, 6 + (label_w if secondary else 0), 4)
    lo, hi = ticks[0], ticks[-1]

    def scale(v: float) -> float:
        span = plot.w if horizontal else plot.h
        return (v - lo) / (hi - lo) * span

    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.setFillColor(MUTED)
    for value, text in zip(ticks, tick_texts, strict=True):
        if horizontal:
            x = plot.x + scale(value)
            canvas.line(x, plot.y, x, plot.y + plot.h)
            canvas.drawCentredString(x, plot.y - 8, text)
        else:
            y = plot.y + scale(value)
            canvas.line(plot.x, y, plot.x + plot.w, y)
            canvas.drawRightString(plot.x - 3, y - 2, text)
    n = max(len(data.labels), 1)
    slot = (plot.h if horizontal else plot.w) / n
    _category_labels(canvas, data.labels, plot, slot, horizontal)
    bars = [
        s
        for s in data.series
        if tile.chart in ("column", "bar") or (tile.chart == "combo" and s.key not in secondary)
    ]
    lines = [s for s in data.series if s not in bars]
    zero = scale(min(max(0, lo), hi))
    stacked = tile.mode != "grouped"
    base_pos = [zero] * n
    base_neg = [zero] * n
    color_of = {id(s): c for s, c in zip(data.series, colors, strict=True)}
    for j, s in enumerate(bars):
        canvas.setFillColor(HexColor(color_of[id(s)]))
        width = slot * 0.7 / (1 if stacked else len(bars))
        for i, v in enumerate(s.values):
            if v is None:
                continue
            start = slot * i + slot * 0.15 + (0 if stacked else j * width)
            if stacked:
                base = base_pos if v >= 0 else base_neg
                end = base[i] + scale(v) - scale(0) if lo <= 0 else scale(v)
                a, b = base[i], end
                base[i] = end
            else:
                a, b = zero, scale(v)
            if horizontal:
                canvas.rect(
                    plot.x + min(a, b),
                    plot.y + plot.h - start - width,
                    abs(b - a),
                    width,
                    stroke=0,
                    fill=1,
                )
            else:
                canvas.rect(plot.x + start, plot.y + min(a, b), width, abs(b - a), stroke=0, fill=1)
    sec_range = None
    if lines and secondary:
        sec_values = [v for s in lines for v in s.values if v is not None]
        sec_range = nice_ticks(min(min(sec_values, default=0), 0), max(sec_values, default=1))
        canvas.setFillColor(MUTED)
        sec_fmt = _tick_format(fmt, sec_range)
        for value in sec_range:
            y = plot.y + (value - sec_range[0]) / (sec_range[-1] - sec_range[0]) * plot.h
            canvas.drawString(
                plot.x + plot.w + 3, y - 2, pdf_safe(format_number(value, locale, sec_fmt))
            )
    stack_base = [0.0] * n
    for s in lines:
        canvas.setStrokeColor(HexColor(color_of[id(s)]))
        canvas.setFillColor(HexColor(color_of[id(s)]))
        canvas.setLineWidth(1.4)
        points = []
        for i, v in enumerate(s.values):
            if v is None:
                continue
            if tile.chart == "area" and stacked:
                stack_base[i] += v
                v = stack_base[i]
            if s.key in secondary and sec_range:
                y = (v - sec_range[0]) / (sec_range[-1] - sec_range[0]) * plot.h
            else:
                y = scale(v)
            points.append((plot.x + slot * (i + 0.5), plot.y + y))
        _polyline(canvas, points)
        if tile.markers or len(points) == 1:
            for x, y in points:
                canvas.circle(x, y, 1.6, stroke=0, fill=1)
    if reference is not None:
        canvas.setStrokeColor(HexColor("#3a3a3a"))
        canvas.setDash(3, 2)
        canvas.setLineWidth(0.8)
        if horizontal:
            x = plot.x + scale(reference)
            canvas.line(x, plot.y, x, plot.y + plot.h)
        else:
            y = plot.y + scale(reference)
            canvas.line(plot.x, y, plot.x + plot.w, y)
        canvas.setDash()


def _polyline(canvas: Canvas, points: Sequence[tuple[float, float]]) -> None:
    if len(points) < 2:
        return
    path = canvas.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    canvas.drawPath(path, stroke=1, fill=0)


def _category_labels(
    canvas: Canvas, labels: Sequence[str], plot: Box, slot: float, horizontal: bool
) -> None:
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 6.5)
    if horizontal:
        step = max(1, math.ceil(8 / max(slot, 0.1)))
        for i in range(0, len(labels), step):
            y = plot.y + plot.h - slot * (i + 0.5) - 2
            canvas.drawRightString(plot.x - 3, y, _fit(labels[i], FONT, 6.5, plot.x - 4))
        return
    widest = max((pdfmetrics.stringWidth(pdf_safe(lab), FONT, 6.5) for lab in labels), default=0)
    step = max(1, math.ceil((min(widest, 60) + 4) / max(slot, 0.1)))
    for i in range(0, len(labels), step):
        x = plot.x + slot * (i + 0.5)
        canvas.drawCentredString(x, plot.y - 8, _fit(labels[i], FONT, 6.5, slot * step - 2))


def _pie(
    canvas: Canvas,
    tile: Any,
    labels: Sequence[str],
    values: Sequence[float | None],
    box: Box,
    locale: str,
    fmt: NumberFormat,
) -> None:
    total = sum(v or 0 for v in values)
    colors = palette_colors(tile.palette, len(labels))
    size = min(box.h, box.w * 0.55)
    cx, cy, r = box.x + size / 2, box.y + box.h / 2, size / 2 - 2
    angle = 90.0
    for v, color in zip(values, colors, strict=True):
        if not v or not total:
            continue
        extent = -360.0 * v / total
        canvas.setFillColor(HexColor(color))
        canvas.setStrokeColor(white)
        canvas.wedge(cx - r, cy - r, cx + r, cy + r, angle, extent, stroke=1, fill=1)
        angle += extent
    if tile.chart == "donut":
        canvas.setFillColor(white)
        canvas.circle(cx, cy, r * 0.5, stroke=0, fill=1)
    legend = Box(box.x + size + 8, box.y, box.w - size - 8, box.h)
    canvas.setFont(FONT, 7)
    for i, (label, v, color) in enumerate(zip(labels, values, colors, strict=True)):
        y = legend.y + legend.h - 9 - 10 * i
        if y < legend.y:
            break
        share = format_number(
            (v or 0) / total if total else None, locale, NumberFormat(style="percent", decimals=1)
        )
        canvas.setFillColor(HexColor(color))
        canvas.rect(legend.x, y - 1, 7, 7, stroke=0, fill=1)
        canvas.setFillColor(INK)
        text = f"{label} : {format_number(v, locale, fmt)} ({share})"
        canvas.drawString(legend.x + 10, y, _fit(text, FONT, 7, legend.w - 10))


def _treemap(
    canvas: Canvas,
    tile: Any,
    labels: Sequence[str],
    values: Sequence[float | None],
    box: Box,
    locale: str,
    fmt: NumberFormat,
) -> None:
    items = sorted(
        ((v or 0, lab) for v, lab in zip(values, labels, strict=True) if v), reverse=True
    )
    colors = palette_colors(tile.palette, len(items))
    rect = Box(box.x, box.y, box.w, box.h)
    remaining = sum(v for v, _ in items)
    for i, ((value, label), color) in enumerate(zip(items, colors, strict=True)):
        share = value / remaining if remaining else 1
        if rect.w >= rect.h:
            cell = Box(rect.x, rect.y, rect.w * share, rect.h)
            rect = Box(rect.x + cell.w, rect.y, rect.w - cell.w, rect.h)
        else:
            cell = Box(rect.x, rect.y + rect.h * (1 - share), rect.w, rect.h * share)
            rect = Box(rect.x, rect.y, rect.w, rect.h - cell.h)
        remaining -= value
        canvas.setFillColor(HexColor(color))
        canvas.setStrokeColor(white)
        canvas.rect(cell.x, cell.y, cell.w, cell.h, stroke=1, fill=1)
        if cell.w > 24 and cell.h > 16:
            canvas.setFillColor(white if i % 8 != 6 else INK)
            canvas.setFont(FONT, 6.5)
            canvas.drawString(cell.x + 2, cell.y + cell.h - 8, _fit(label, FONT, 6.5, cell.w - 4))
            canvas.drawString(
                cell.x + 2,
                cell.y + cell.h - 16,
                _fit(format_number(value, locale, fmt), FONT, 6.5, cell.w - 4),
            )


def _scatter(canvas: Canvas, tile: Any, result: QueryResult, box: Box, locale: str) -> None:
    rows = [dict(zip(result.columns, r, strict=False)) for r in result.rows]
    x_key, y_key = tile.x_measure.key, tile.measures[0].key
    points = [
        (float(r[x_key]), float(r[y_key]))
        for r in rows
        if is_number(r[x_key]) and is_number(r[y_key])
    ]
    if not points:
        raise ValueError(message("no_value", locale))
    fmt = tile.number_format
    xt = nice_ticks(min(p[0] for p in points), max(p[0] for p in points))
    yt = nice_ticks(min(p[1] for p in points), max(p[1] for p in points))
    canvas.setFont(FONT, 6.5)
    y_texts = [pdf_safe(format_number(v, locale, _tick_format(fmt, yt))) for v in yt]
    plot = box.inset(max(pdfmetrics.stringWidth(t, FONT, 6.5) for t in y_texts) + 4, 12, 6, 4)
    canvas.setStrokeColor(RULE)
    canvas.setFillColor(MUTED)
    for v, text in zip(yt, y_texts, strict=True):
        y = plot.y + (v - yt[0]) / (yt[-1] - yt[0]) * plot.h
        canvas.line(plot.x, y, plot.x + plot.w, y)
        canvas.drawRightString(plot.x - 3, y - 2, text)
    for v in xt:
        x = plot.x + (v - xt[0]) / (xt[-1] - xt[0]) * plot.w
        canvas.drawCentredString(
            x, plot.y - 8, pdf_safe(format_number(v, locale, _tick_format(fmt, xt)))
        )
    canvas.setFillColor(HexColor(palette_colors(tile.palette, 1)[0]))
    for px, py in points:
        canvas.circle(
            plot.x + (px - xt[0]) / (xt[-1] - xt[0]) * plot.w,
            plot.y + (py - yt[0]) / (yt[-1] - yt[0]) * plot.h,
            2,
            stroke=0,
            fill=1,
        )


# --- KPI ------------------------------------------------------------------------------------


def draw_kpi(
    canvas: Canvas, tile: Any, results: dict[str, QueryResult], box: Box, locale: str
) -> None:
    """The big number, its period, its coloured change, reference, target and sparkline."""
    points = kpi_mod.series_points(results["series"], tile.period_field, tile.measure.key)
    if not points:
        _note(canvas, box, message("empty", locale))
        return
    latest_day, latest = points[-1]
    figure = pdf_safe(format_number(latest, locale, tile.number_format))
    size = max(
        10.0, min(30.0, box.h * 0.3, 30.0 * box.w / pdfmetrics.stringWidth(figure, BOLD, 30.0))
    )
    y = box.y + box.h - size
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, size)
    canvas.drawString(box.x, y, _fit(figure, BOLD, size, box.w))
    y -= 11
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(box.x, y, pdf_safe(format_period(latest_day, tile.grain, locale)))
    change = kpi_mod.compute_change(tile, points)
    if change is not None:
        value, before = change
        tone = kpi_mod.change_tone(tile, value)
        color = HexColor({"good": GOOD_COLOR, "bad": BAD_COLOR, "neutral": NEUTRAL_COLOR}[tone])
        y -= 12
        canvas.setFillColor(color)
        _triangle(canvas, box.x + 4, y + 3, 3.5, value)
        text = format_change(
            value, locale, as_percent=tile.change_as == "percent", fmt=tile.number_format
        )
        versus = message(
            "vs_previous" if tile.compare == "previous" else "vs_year_ago",
            locale,
            period=format_period(before, tile.grain, locale),
        )
        canvas.setFont(BOLD, 8.5)
        canvas.drawString(box.x + 11, y, pdf_safe(text))
        width = pdfmetrics.stringWidth(pdf_safe(text), BOLD, 8.5)
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 7.5)
        canvas.drawString(box.x + 15 + width, y, _fit(versus, FONT, 7.5, box.w - 15 - width))
    for line in _kpi_extra_lines(tile, results, latest_day, latest, locale):
        y -= 10
        canvas.setFillColor(INK)
        canvas.setFont(FONT, 7.5)
        canvas.drawString(box.x, y, _fit(line, FONT, 7.5, box.w))
    spark = Box(box.x, box.y, box.w, y - box.y - 6)
    if tile.sparkline and len(points) > 1 and spark.h > 12:
        shown = [(d, v) for d, v in points[-tile.sparkline_points :] if v is not None]
        values = [v for _, v in shown]
        low, high = min(values), max(values)
        span = (high - low) or 1
        canvas.setStrokeColor(HexColor(palette_colors("okabe_ito", 1)[0]))
        canvas.setLineWidth(1.2)
        step = spark.w / max(len(shown) - 1, 1)
        _polyline(
            canvas,
            [
                (spark.x + i * step, spark.y + (v - low) / span * spark.h)
                for i, v in enumerate(values)
            ],
        )


def _triangle(canvas: Canvas, x: float, y: float, r: float, change: float) -> None:
    path = canvas.beginPath()
    if change > 0:
        path.moveTo(x - r, y - r)
        path.lineTo(x + r, y - r)
        path.lineTo(x, y + r)
    elif change < 0:
        path.moveTo(x - r, y + r)
        path.lineTo(x + r, y + r)
        path.lineTo(x, y - r)
    else:
        path.moveTo(x - r, y - r)
        path.lineTo(x - r, y + r)
        path.lineTo(x + r, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _kpi_extra_lines(
    tile: Any, results: dict[str, QueryResult], latest_day: date, latest: float | None, locale: str
) -> list[str]:
    lines = []
    ref, result = tile.reference, results.get("reference")
    if ref is not None and result is not None:
        ref_points = kpi_mod.series_points(result, tile.period_field, tile.measure.key)
        value = kpi_mod._lookup(ref_points, latest_day)
        if value is None and ref_points:
            value = ref_points[-1][1]
        lines.append(
            message(
                "reference",
                locale,
                label=ref.label or str(ref.value),
                value=format_number(value, locale, tile.number_format),
            )
        )
    if tile.target is not None and latest is not None:
        if tile.good_direction == "down":
            progress = tile.target / latest if latest else 1.0
        else:
            progress = latest / tile.target if tile.target else 0.0
        lines.append(
            message(
                "target_progress",
                locale,
                label=tile.target_label or message("target", locale),
                target=format_number(tile.target, locale, tile.number_format),
                progress=format_number(progress, locale, NumberFormat(style="percent", decimals=0)),
            )
        )
    return lines


# --- table ----------------------------------------------------------------------------------


def draw_table(
    canvas: Canvas, tile: Any, results: dict[str, QueryResult], box: Box, locale: str
) -> None:
    """The table's rows that fit, the header repeated, and how many rows were left out."""
    rows = build_rows(tile, results["rows"], locale)
    texts = [[r[f"c{i}_text"] for i in range(len(tile.columns))] for r in rows]
    if tile.totals:
        total = totals_row(tile, results["rows"], locale)
        texts.append([total[f"c{i}_text"] for i in range(len(tile.columns))])
    headers = [column_label(c, locale) for c in tile.columns]
    line_h = 10.5
    capacity = max(int(box.h // line_h) - 1, 1)
    shown = texts if len(texts) <= capacity else texts[: capacity - 1]
    col_w = box.w / len(headers)
    y = box.y + box.h - 8
    canvas.setFont(BOLD, 7)
    canvas.setFillColor(INK)
    for i, (header, column) in enumerate(zip(headers, tile.columns, strict=True)):
        _cell_text(canvas, header, box.x + i * col_w, y, col_w, column.is_measure, BOLD)
    canvas.setStrokeColor(RULE)
    canvas.line(box.x, y - 3, box.x + box.w, y - 3)
    canvas.setFont(FONT, 7)
    for row in shown:
        y -= line_h
        for i, (text, column) in enumerate(zip(row, tile.columns, strict=True)):
            _cell_text(canvas, text, box.x + i * col_w, y, col_w, column.is_measure, FONT)
    if len(shown) < len(texts):
        y -= line_h
        canvas.setFillColor(MUTED)
        canvas.drawString(box.x, y, pdf_safe(_text("more_rows", locale, n=len(texts) - len(shown))))


def _cell_text(
    canvas: Canvas, text: str, x: float, y: float, width: float, right: bool, font: str
) -> None:
    fitted = _fit(text, font, 7, width - 6)
    if right:
        canvas.drawRightString(x + width - 3, y, fitted)
    else:
        canvas.drawString(x + 3, y, fitted)


# --- text -----------------------------------------------------------------------------------


def markdown_paragraphs(markdown: str, values: Mapping[str, str]) -> list[tuple[str, str]]:
    """(kind, reportlab markup) per block of the markdown; every user text is escaped.

    Kinds: "h" (heading), "p" (paragraph), "li" (list item). Placeholders are filled with
    their (escaped) values; links keep their text only.
    """
    from markdown_it import MarkdownIt

    from studio.spec.tiles import PLACEHOLDER_RE

    def fill(text: str) -> str:
        return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), f"[{m.group(1)} ?]")), text)

    tags = {"strong_open": "<b>", "strong_close": "</b>", "em_open": "<i>", "em_close": "</i>"}
    blocks: list[tuple[str, str]] = []
    kind = "p"
    in_list = 0
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "heading_open":
            kind = "h"
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            in_list += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            in_list -= 1
        elif token.type == "paragraph_open":
            kind = "li" if in_list else "p"
        elif token.type == "inline":
            parts = []
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(html_lib.escape(pdf_safe(fill(child.content)), quote=False))
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" " if child.type == "softbreak" else "<br/>")
                elif child.type in tags:
                    parts.append(tags[child.type])
            blocks.append((kind, "".join(parts)))
    return blocks


def draw_text(
    canvas: Canvas, tile: Any, results: dict[str, QueryResult], box: Box, locale: str
) -> None:
    """The markdown as wrapped paragraphs, live values filled in; what does not fit is cut."""
    styles = {
        "p": ParagraphStyle("p", fontName=FONT, fontSize=8, leading=10.5, spaceAfter=3),
        "li": ParagraphStyle(
            "li",
            fontName=FONT,
            fontSize=8,
            leading=10.5,
            leftIndent=10,
            bulletIndent=2,
            spaceAfter=1,
        ),
        "h": ParagraphStyle("h", fontName=BOLD, fontSize=9.5, leading=12, spaceAfter=3),
    }
    values = placeholder_values(tile, results, locale)
    story = [
        Paragraph(markup, styles[kind], bulletText="•" if kind == "li" else None)
        for kind, markup in markdown_paragraphs(tile.markdown, values)
    ]
    frame = Frame(
        box.x,
        box.y,
        box.w,
        box.h,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        showBoundary=0,
    )
    frame.addFromList(story, canvas)


# --- maps -----------------------------------------------------------------------------------


def _rings(geometry: Mapping[str, Any]) -> list[list[tuple[float, float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return [
        [(float(p[0]), float(p[1])) for p in ring if len(p) >= 2]
        for polygon in polygons
        for ring in polygon
    ]


def _main_extent(shapes: Sequence[list[list[tuple[float, float]]]]) -> tuple[float, ...]:
    """(west, south, east, north) around the main cluster of shapes (far islands left out)."""
    centres = []
    for rings in shapes:
        xs = [p[0] for ring in rings for p in ring]
        ys = [p[1] for ring in rings for p in ring]
        if xs:
            centres.append(((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, rings))
    mid_x = sorted(c[0] for c in centres)[len(centres) // 2]
    mid_y = sorted(c[1] for c in centres)[len(centres) // 2]
    kept = [c[2] for c in centres if abs(c[0] - mid_x) < 15 and abs(c[1] - mid_y) < 15]
    xs = [p[0] for rings in kept for ring in rings for p in ring]
    ys = [p[1] for rings in kept for ring in rings for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def draw_map(
    canvas: Canvas, tile: Any, results: dict[str, QueryResult], box: Box, locale: str
) -> None:
    """A choropleth drawn from the boundary outlines with its legend (points: dots)."""
    fmt = tile.number_format
    if tile.layer != "choropleth":
        _points_map(canvas, tile, results, box)
        return
    b = tile.boundaries
    values = {
        str(c).strip(): (float(v) if is_number(v) else None)
        for c, v in zip(
            results["values"].column(tile.code_field),
            results["values"].column(tile.measure.key),
            strict=True,
        )
    }
    breaks = map_mod.class_breaks(
        [v for v in values.values() if v is not None], tile.classification
    )
    colors = sequential_colors(tile.palette, len(breaks) + 1)
    shapes = []
    br = results["boundaries"]
    for code, geom in zip(br.column(b.code_field), br.column(b.geometry_field), strict=True):
        geometry = map_mod.parse_geometry(geom)
        rings = _rings(geometry) if geometry else []
        if rings:
            value = values.get(str(code).strip())
            color = NO_DATA_COLOR if value is None else colors[map_mod.class_index(value, breaks)]
            shapes.append((rings, color))
    if not shapes:
        raise ValueError(message("no_value", locale))
    labels = map_mod.class_labels(breaks, locale, fmt)
    legend_w = min(box.w * 0.35, 110) if tile.legend else 0
    area = box.inset(0, 0, legend_w + (6 if legend_w else 0), 0)
    west, south, east, north = _main_extent([s for s, _ in shapes])
    kx = math.cos(math.radians((south + north) / 2))
    scale = min(area.w / max((east - west) * kx, 1e-9), area.h / max(north - south, 1e-9))
    ox = area.x + (area.w - (east - west) * kx * scale) / 2
    oy = area.y + (area.h - (north - south) * scale) / 2
    canvas.setStrokeColor(white)
    canvas.setLineWidth(0.3)
    for rings, color in shapes:
        path = canvas.beginPath()
        for ring in rings:
            path.moveTo(ox + (ring[0][0] - west) * kx * scale, oy + (ring[0][1] - south) * scale)
            for lon, lat in ring[1:]:
                path.lineTo(ox + (lon - west) * kx * scale, oy + (lat - south) * scale)
            path.close()
        canvas.setFillColor(HexColor(color))
        canvas.drawPath(path, stroke=1, fill=1, fillMode=0)
    if tile.legend:
        title = tile.measure.label or tile.measure.field or message("count", locale)
        _map_legend(
            canvas,
            Box(box.x + box.w - legend_w, box.y, legend_w, box.h),
            title,
            colors,
            labels,
            locale,
        )


def _map_legend(
    canvas: Canvas, box: Box, title: str, colors: Sequence[str], labels: Sequence[str], locale: str
) -> None:
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 7)
    y = box.y + box.h - 9
    canvas.drawString(box.x, y, _fit(title, BOLD, 7, box.w))
    canvas.setFont(FONT, 7)
    items = [*zip(colors, labels, strict=True), (NO_DATA_COLOR, message("no_value", locale))]
    for color, label in items:
        y -= 10
        canvas.setFillColor(HexColor(color))
        canvas.rect(box.x, y - 1, 8, 7, stroke=0, fill=1)
        canvas.setFillColor(INK)
        canvas.drawString(box.x + 11, y, _fit(label, FONT, 7, box.w - 11))


def _points_map(canvas: Canvas, tile: Any, results: dict[str, QueryResult], box: Box) -> None:
    result = results["points"]
    places = []
    for raw in result.rows:
        place = map_mod._point_place(tile, dict(zip(result.columns, raw, strict=False)))
        if place is not None:
            places.append(place)
    if not places:
        raise ValueError("no point to draw")
    south, north = min(p[0] for p in places), max(p[0] for p in places)
    west, east = min(p[1] for p in places), max(p[1] for p in places)
    kx = math.cos(math.radians((south + north) / 2))
    scale = min(box.w / max((east - west) * kx, 1e-6), box.h / max(north - south, 1e-6)) * 0.95
    canvas.setFillColor(HexColor("#0072B2"))
    for lat, lon in places:
        canvas.circle(
            box.x + 4 + (lon - west) * kx * scale,
            box.y + 4 + (lat - south) * scale,
            2,
            stroke=0,
            fill=1,
        )
