"""A tile's data as a file a viewer downloads: CSV (French or English conventions) or XLSX.

Both formats defuse formula injection: a text cell that starts with `=`, `+`, `-`, `@`, a
tab or a carriage return gets a leading `'`, so a spreadsheet shows it as text instead of
running it (and in XLSX it is stored as a string, never a formula). Numbers, negative ones
included, stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from studio.components.format import format_category, normalize_locale, slugify, to_date
from studio.components.messages import AGG_LABELS
from studio.spec.query import Query, QueryResult
from studio.spec.tiles import GroupField, ValueField

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
ISO_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SHEET_FORBIDDEN_RE = re.compile(r"[\[\]:*?/\\]")
_CSV_CONVENTIONS = {"fr": (";", ",", ("oui", "non")), "en": (",", ".", ("true", "false"))}


def escape_text(value: str) -> str:
    """The text with a leading `'` when a spreadsheet could read it as a formula."""
    return "'" + value if value.startswith(DANGEROUS_PREFIXES) else value


def _csv_cell(value: Any, decimal: str, booleans: tuple[str, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return booleans[0] if value else booleans[1]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "" if value != value else repr(value).replace(".", decimal)
    if isinstance(value, date):
        return value.isoformat()
    return escape_text(str(value))


@dataclass(frozen=True)
class Columns:
    """How a result's columns are written: headers in words, and the time grain of each
    period column (a year is written `2019`, a month `janv. 2026`, a quarter `T1 2024`)."""

    headers: list[str]
    grains: dict[int, str] = field(default_factory=dict)


def _parts(tile: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tile's grouping fields and values, by result column."""
    groups: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for name in type(tile).model_fields:
        found = getattr(tile, name)
        for item in found if isinstance(found, list) else [found]:
            if isinstance(item, GroupField):
                groups.setdefault(item.key, item)
            elif isinstance(item, ValueField):
                values.setdefault(item.key, item)
    return groups, values


def columns_of(tile: Any, query: Query, locale: str = "fr") -> Columns:
    """The headers a person reads for `query`'s result (the tile's labels, else the field and,
    for another aggregate than a sum, its name: `Montant (moyenne)`) and its period columns."""
    groups, values = _parts(tile)
    fr = normalize_locale(locale) == "fr"
    headers: list[str] = []
    grains: dict[int, str] = {}
    for i, dim in enumerate(query.dimensions):
        group = groups.get(dim.key)
        headers.append((group.label if group is not None else None) or dim.field)
        if dim.grain:
            grains[i] = dim.grain
    for measure in query.measures:
        value = values.get(measure.key)
        label = value.label if value is not None else None
        if label:
            headers.append(label)
        elif measure.field is None:
            headers.append(AGG_LABELS["count"][0 if fr else 1])
        elif measure.agg == "sum":
            headers.append(measure.field)
        else:
            headers.append(f"{measure.field} ({AGG_LABELS[measure.agg][0 if fr else 1].lower()})")
    return Columns(headers, grains)


def _period(value: Any, grain: str, locale: str) -> Any:
    """A period's label for a file: plain spaces (the screen's are non-breaking)."""
    if value is None:
        return None
    return format_category(value, locale, grain).replace("\u00a0", " ").replace("\u202f", " ")


def result_to_csv(
    result: QueryResult, locale: str = "fr", columns: Columns | None = None
) -> bytes:
    """The result as CSV bytes: French `;` and decimal comma, or English `,` and dot; headers
    and periods as `columns` says (else the result's column names and values as stored).

    Always UTF-8 with a byte order mark, so Excel opens accents correctly.
    """
    separator, decimal, booleans = _CSV_CONVENTIONS.get(locale, _CSV_CONVENTIONS["fr"])
    columns = columns or Columns([str(c) for c in result.columns])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow([escape_text(h) for h in columns.headers])
    for row in result.rows:
        writer.writerow(
            [
                _csv_cell(_period(v, columns.grains[i], locale) if i in columns.grains else v,
                          decimal, booleans)
                for i, v in enumerate(row)
            ]
        )  # fmt: skip
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | datetime | date):
        return value
    if isinstance(value, float):
        return None if value != value else value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if ISO_DAY_RE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    return escape_text(text)


def safe_sheet_title(title: str) -> str:
    """A valid worksheet name: no `[]:*?/\\`, at most 31 characters, never empty."""
    cleaned = _SHEET_FORBIDDEN_RE.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", title)).strip(" '")
    return cleaned[:31] or "Données"


def _xlsx_period(value: Any, grain: str, locale: str) -> Any:
    """A year as the number 2019; a month or day as a date shown at its grain; a week or
    quarter as its label (`T1 2024`: Excel has no quarter format)."""
    day = to_date(value)
    if day is None:
        return _xlsx_value(value)
    if grain == "year":
        return day.year
    if grain in ("month", "day"):
        return day
    return escape_text(_period(day.isoformat(), grain, locale))


XLSX_DATE_FORMATS = {"month": "mmm yyyy", "day": "dd/mm/yyyy"}


def result_to_xlsx(
    result: QueryResult,
    sheet_title: str = "Données",
    columns: Columns | None = None,
    locale: str = "fr",
) -> bytes:
    """The result as an XLSX workbook: one sheet, a bold header row, text never a formula;
    headers and periods as `columns` says."""
    columns = columns or Columns([str(c) for c in result.columns])
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = safe_sheet_title(sheet_title)
    sheet.append([escape_text(ILLEGAL_CHARACTERS_RE.sub("", h)) for h in columns.headers])
    for row in result.rows:
        grains = columns.grains
        sheet.append(
            [
                _xlsx_period(v, grains[i], locale) if i in grains else _xlsx_value(v)
                for i, v in enumerate(row)
            ]
        )
    for cells in sheet.iter_rows():
        for cell in cells:
            _settle(cell)
    for i, grain in columns.grains.items():
        if grain in XLSX_DATE_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                cell.number_format = XLSX_DATE_FORMATS[grain]
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _settle(cell: Any) -> None:
    """Store text as a string (openpyxl would take `=…` as a formula); format dates."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    elif isinstance(cell.value, date):
        cell.number_format = "yyyy-mm-dd"


def export_filename(title: str, extension: str, day: date | None = None) -> str:
    """A safe download name such as `foyers-allocataires-2024-11-23.csv`."""
    if extension not in MEDIA_TYPES:
        raise ValueError(f"unknown export format {extension!r}")
    stamp = (day or date.today()).isoformat()
    return f"{slugify(title) or 'export'}-{stamp}.{extension}"
