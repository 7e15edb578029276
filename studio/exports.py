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
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from studio.components.format import slugify
from studio.spec.query import QueryResult

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


def result_to_csv(result: QueryResult, locale: str = "fr") -> bytes:
    """The result as CSV bytes: French `;` and decimal comma, or English `,` and dot.

    Always UTF-8 with a byte order mark, so Excel opens accents correctly.
    """
    separator, decimal, booleans = _CSV_CONVENTIONS.get(locale, _CSV_CONVENTIONS["fr"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow([escape_text(str(c)) for c in result.columns])
    for row in result.rows:
        writer.writerow([_csv_cell(v, decimal, booleans) for v in row])
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


def result_to_xlsx(result: QueryResult, sheet_title: str = "Données") -> bytes:
    """The result as an XLSX workbook: one sheet, a bold header row, text never a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = safe_sheet_title(sheet_title)
    sheet.append([escape_text(ILLEGAL_CHARACTERS_RE.sub("", str(c))) for c in result.columns])
    for row in result.rows:
        sheet.append([_xlsx_value(v) for v in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            _settle(cell)
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
