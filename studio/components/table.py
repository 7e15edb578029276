"""Table tiles as AG Grid: raw values for sorting, display texts and colours from Python.

Cells are formatted here (French separators, units, periods) and carried in the row data
beside the raw value; the column's `valueFormatter` and `cellStyle` only read them back
(`params.data.c0_text`). Those expressions are constants built from our own column ids,
never from user text, and `dangerously_allow_code` stays off.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag

from studio.components.common import Rendered, component_id, data_table
from studio.components.format import format_category, format_value, is_number, normalize_locale
from studio.components.messages import message
from studio.spec.query import QueryResult
from studio.spec.tiles import ColorRule, TableColumn, TableTile

GRID_LOCALE_TEXT = {
    "fr": {"page": "Page", "of": "sur", "to": "à", "next": "Suivante", "previous": "Précédente",
           "first": "Première", "last": "Dernière", "pageSizeSelectorLabel": "Lignes par page :",
           "noRowsToShow": "Aucune ligne", "loadingOoo": "Chargement…",
           # the pager's buttons are named by these (AG Grid 31+), read by screen readers
           "firstPage": "Première page", "previousPage": "Page précédente",
           "nextPage": "Page suivante", "lastPage": "Dernière page",
           "ariaPageSizeSelectorLabel": "Lignes par page", "pageLastRowUnknown": "?",
           "more": "plus", "loadingError": "Erreur"},
    "en": {},
}


def column_label(column: TableColumn, locale: str) -> str:
    """Header of a table column: its label, else its field, else "Nombre"."""
    return column.label or column.field or message("count", locale)


def rule_matches(rule: ColorRule, value: Any) -> bool:
    """True when a numeric cell value meets the colour rule."""
    if not is_number(value):
        return False
    if rule.op == "between":
        low, high = rule.value  # type: ignore[misc]
        return low <= value <= high
    target = rule.value
    return {
        "<": value < target, "<=": value <= target, ">": value > target,
        ">=": value >= target, "=": value == target, "!=": value != target,
    }[rule.op]  # type: ignore[operator]


def cell_style(column: TableColumn, value: Any) -> dict[str, str] | None:
    """CSS of a cell from the first matching colour rule, or `None`."""
    for rule in column.colors:
        if rule_matches(rule, value):
            style = {"backgroundColor": rule.background}
            if rule.color:
                style["color"] = rule.color
            return style
    return None


def _cell(column: TableColumn, value: Any, locale: str, cid: str) -> dict[str, Any]:
    text = (format_value(value, locale, column.number_format) if column.is_measure
            else format_category(value, locale, column.grain))
    cell = {cid: value, f"{cid}_text": text}
    if column.colors:
        cell[f"{cid}_style"] = cell_style(column, value)
    return cell


def build_rows(tile: TableTile, result: QueryResult, locale: str) -> list[dict[str, Any]]:
    """AG Grid row data: per column `cN` (raw), `cN_text` (shown) and `cN_style`."""
    index = [result.columns.index(c.key) for c in tile.columns]
    rows = []
    for raw in result.rows:
        row: dict[str, Any] = {}
        for i, (column, j) in enumerate(zip(tile.columns, index, strict=True)):
            row.update(_cell(column, raw[j], locale, f"c{i}"))
        rows.append(row)
    return rows


def totals_row(tile: TableTile, result: QueryResult, locale: str) -> dict[str, Any]:
    """The totals row: sums and counts added up, "Total" in the first column."""
    row: dict[str, Any] = {}
    for i, column in enumerate(tile.columns):
        cid = f"c{i}"
        value: Any = None
        if column.agg in ("sum", "count"):
            value = sum(v for v in result.column(column.key) if is_number(v))
        row.update(_cell(column, value, locale, cid))
        if value is None:
            row[f"{cid}_text"] = ""
    row["c0_text"] = row["c0_text"] or message("total", locale)
    return row


def column_defs(tile: TableTile, locale: str) -> list[dict[str, Any]]:
    """AG Grid column definitions of the tile's columns."""
    defs = []
    for i, column in enumerate(tile.columns):
        cid = f"c{i}"
        d: dict[str, Any] = {
            "field": cid, "colId": cid, "headerName": column_label(column, locale),
            "sortable": tile.sortable,
            "valueFormatter": {"function": f"params.data.{cid}_text"},
        }
        if column.is_measure:
            d["type"] = "rightAligned"
        if column.colors:
            d["cellStyle"] = {"function": f"params.data.{cid}_style"}
        if column.width:
            d["width"] = column.width
        defs.append(d)
    return defs


def render_table(tile: TableTile, results: dict[str, QueryResult], locale: str = "fr", *,
                 settings: Any = None, id_prefix: str | None = None) -> Rendered:
    """The body of a table tile (an AG Grid) and its plain-table alternative."""
    result = results["rows"]
    rows = build_rows(tile, result, locale)
    options: dict[str, Any] = {
        "localeText": GRID_LOCALE_TEXT[normalize_locale(locale)],
        "domLayout": "autoHeight",
        "suppressCellFocus": False,
        "enableCellTextSelection": True,
    }
    if tile.page_size is not None:
        options.update(pagination=True, paginationPageSize=tile.page_size,
                       paginationPageSizeSelector=False)
    totals = totals_row(tile, result, locale) if tile.totals else None
    if totals is not None:
        options["pinnedBottomRowData"] = [totals]
    grid = dag.AgGrid(
        id=component_id(tile.id, "grid", id_prefix),
        rowData=rows,
        columnDefs=column_defs(tile, locale),
        defaultColDef={"resizable": True, "filter": False, "flex": 1, "minWidth": 90},
        dashGridOptions=options,
        className="ag-theme-quartz studio-table",
        style={"width": "100%"},
    )
    table_rows = [[r[f"c{i}_text"] for i in range(len(tile.columns))] for r in rows]
    if totals is not None:
        table_rows.append([totals[f"c{i}_text"] for i in range(len(tile.columns))])
    alternative = data_table(
        [column_label(c, locale) for c in tile.columns], table_rows, locale,
        tile_id=tile.id, id_prefix=id_prefix, numeric=[c.is_measure for c in tile.columns],
    )
    return Rendered(grid, alternative)
