"""Loading one sheet of an Excel workbook into the DuckDB `raw` table.

Workbooks are checked before parsing: zip bombs (entry count, total size, compression
ratio) and XML entity tricks (any DOCTYPE or ENTITY declaration) are refused. Real
spreadsheets have titles above the table, notes below it and sometimes two header rows
(a series label above years); the header is detected unless the person gives its row.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from studio.datasources.errors import DatasetError
from studio.datasources.models import IngestOptions
from studio.datasources.tabular import RawTable, clean_header

MAX_ENTRIES = 10_000
MAX_UNCOMPRESSED = 1024**3
MAX_RATIO = 200
RATIO_MIN_SIZE = 1024**2
FORBIDDEN_XML = (b"<!DOCTYPE", b"<!ENTITY")
FORMULA_TEXT = re.compile(r'="(.*)"')
Row = list[str | None]
MAX_NOTES = 40
MAX_TITLED_SHEETS = 60
TITLE_ROWS = 5
TITLE_LENGTH = 120


def check_workbook(path: Path) -> None:
    """Raise a DatasetError when the file is not a safe, well-formed xlsx zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_sizes(infos)
            names = {i.filename for i in infos}
            if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
                raise DatasetError("xlsx.invalid")
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    _check_xml(archive, info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise DatasetError("xlsx.invalid") from exc


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise DatasetError("xlsx.unsafe", {"detail": f"{len(infos)} entries"})
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise DatasetError("xlsx.unsafe", {"detail": f"{total} bytes once uncompressed"})
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_SIZE and ratio > MAX_RATIO:
            raise DatasetError(
                "xlsx.unsafe", {"detail": f"{info.filename} compressed {ratio:.0f} times"}
            )


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse DTDs: they are never needed in xlsx and enable entity expansion attacks."""
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(1024**2):
            window = tail + chunk
            if any(marker in window for marker in FORBIDDEN_XML):
                raise DatasetError(
                    "xlsx.unsafe", {"detail": f"{info.filename} declares a DTD or entities"}
                )
            tail = chunk[-16:]


def load_xlsx(con: duckdb.DuckDBPyConnection, path: Path, options: IngestOptions) -> RawTable:
    """Return the description of the `raw` table loaded from one sheet of a workbook."""
    check_workbook(path)
    sheet, sheets, rows, titles = read_sheet(path, options.sheet)
    header_rows, names = _header(rows, options.header_row, sheet)
    body = _body(rows, header_rows[-1] + 1)
    if not body:
        raise DatasetError("csv.no_data")
    width = len(names)
    columns = {
        f"c{i}": pa.array([r[i] if i < len(r) else None for _, r in body], pa.string())
        for i in range(width)
    }
    con.register("raw_arrow", pa.table(columns))
    con.execute("CREATE TABLE raw AS SELECT * FROM raw_arrow")
    con.unregister("raw_arrow")
    line_numbers = [index + 1 for index, _ in body]
    after = body[-1][0] + 1
    return RawTable(
        names=names,
        line_of=lambda rowid: line_numbers[rowid],
        source={
            "format": "xlsx",
            "sheet": sheet,
            "sheets": sheets,
            "sheet_titles": titles,
            "header_row": header_rows[0] + 1,
            "header_rows": len(header_rows),
        },
        notes_before=_texts(rows[: header_rows[0]]),
        notes_after=_texts(rows[after : after + MAX_NOTES]),
    )


def _texts(rows: list[Row]) -> list[str]:
    """Return the text of each non-empty row (titles above a table, notes below it)."""
    texts = (" ".join(v for v in row if v) for row in rows)
    return [" ".join(t.split())[:500] for t in texts if t.strip()]


def read_sheet(
    path: Path, wanted: str | None
) -> tuple[str, list[str], list[Row], dict[str, str]]:
    """Return the chosen sheet's name, every sheet name, the sheet's cells as text, and each
    sheet's title (its first text in the first rows), for choosing a sheet."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a corrupt workbook
        raise DatasetError("xlsx.invalid") from exc
    try:
        sheets = list(workbook.sheetnames)
        name = _sheet_name(sheets, wanted)
        rows = [[cell_text(c) for c in row] for row in workbook[name].iter_rows()]
        titles = {s: _title(workbook[s]) for s in sheets[:MAX_TITLED_SHEETS]}
    finally:
        workbook.close()
    return name, sheets, rows, {s: t for s, t in titles.items() if t}


def _title(sheet: Any) -> str:
    """Return the first text of a sheet's first rows ("Tableau 11 Répartition des…")."""
    for row in sheet.iter_rows(max_row=TITLE_ROWS, max_col=6, values_only=True):
        text = next((str(v).strip() for v in row if isinstance(v, str) and v.strip()), "")
        if text:
            return " ".join(text.split())[:TITLE_LENGTH]
    return ""


RE_NOT_A_TABLE = re.compile(
    r"sommaire|table des mati|contents|lisez|read ?me|notice|pr[ée]sentation|m[ée]thod"
    r"|d[ée]finition|avertissement|^index$|^infos?$|^notes?$|^sources?$|^accueil$",
    re.IGNORECASE,
)
"""Names of the sheets that describe a workbook rather than hold a table."""


def _sheet_name(sheets: list[str], wanted: str | None) -> str:
    if wanted is None:
        return next((s for s in sheets if not RE_NOT_A_TABLE.search(s.strip())), sheets[0])
    for name in sheets:
        if name == wanted or name.strip() == wanted.strip():
            return name
    raise DatasetError("xlsx.no_sheet", {"sheet": wanted, "sheets": sheets})


def cell_text(cell: Any) -> str | None:
    """Return a cell's value as the text a CSV would hold (percent cells as "12.5 %")."""
    value = getattr(cell, "value", None)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        fmt = getattr(cell, "number_format", "") or ""
        if "%" in fmt:
            return f"{_number(round(value * 100, 10))} %"
        return _number(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    text = str(value).strip()
    match = FORMULA_TEXT.fullmatch(text)
    return (match.group(1) if match else text) or None


def _number(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _filled(row: Row) -> int:
    return sum(1 for v in row if v is not None)


def _header(rows: list[Row], header_row: int | None, sheet: str) -> tuple[list[int], list[str]]:
    """Return the index(es) of the header row(s) and the column names."""
    if header_row is not None:
        if not 1 <= header_row <= len(rows):
            raise DatasetError("header.row_out_of_range", {"header_row": header_row})
        return [header_row - 1], [clean_header(v) for v in rows[header_row - 1]]
    index = _first_dense_row(rows, sheet)
    if _is_sub_header(rows, index + 1):
        return [index, index + 1], _two_row_names(rows[index], rows[index + 1])
    above = rows[index - 1] if index > 0 else []
    if _filled(above) >= 2:
        return [index - 1, index], _two_row_names(above, rows[index])
    return [index], [clean_header(v) for v in rows[index]]


def _is_sub_header(rows: list[Row], index: int) -> bool:
    """True when a row labels columns its parent left empty, and leaves key columns empty."""
    if index + 1 >= len(rows):
        return False
    parent, row, data = rows[index - 1], rows[index], rows[index + 1]

    def cell(r: Row, i: int) -> str | None:
        return r[i] if i < len(r) else None

    width = max(len(parent), len(row))
    labels_new = any(cell(row, i) and not cell(parent, i) for i in range(width))
    leaves_keys = any(not cell(row, i) and cell(parent, i) and cell(data, i) for i in range(width))
    return labels_new and leaves_keys


def _first_dense_row(rows: list[Row], sheet: str) -> int:
    """Return the first row filled at least half as much as the table's typical row."""
    counts = [_filled(r) for r in rows]
    wide = [c for c in counts if c >= 2]
    if not wide:
        raise DatasetError("xlsx.no_table", {"sheet": sheet})
    typical = max(set(wide), key=wide.count)
    return next(i for i, c in enumerate(counts) if c >= max(2, typical / 2))


def _two_row_names(parent: Row, child: Row) -> list[str]:
    """Return names joining a group label (merged over its columns) and each sub-label."""
    width = max(len(parent), len(child))
    names: list[str] = []
    group: str | None = None
    group_kind: bool | None = None
    for i in range(width):
        top = parent[i] if i < len(parent) else None
        sub = child[i] if i < len(child) else None
        if top is not None and sub is not None:
            group, group_kind = top, _starts_with_digit(sub)
        elif top is not None or sub is None or _starts_with_digit(sub) != group_kind:
            group = None
        label = top if sub is None else " ".join(p for p in (group, sub) if p)
        names.append(clean_header(label))
    return names


def _starts_with_digit(text: str) -> bool:
    return text[:1].isdigit()


def _body(rows: list[Row], start: int) -> list[tuple[int, Row]]:
    """Return (row index, cells) of the data: up to the first empty row, notes trimmed."""
    body: list[tuple[int, Row]] = []
    while start < len(rows) and _filled(rows[start]) == 0:
        start += 1
    for index in range(start, len(rows)):
        if _filled(rows[index]) == 0:
            break
        body.append((index, rows[index]))
    while body and _filled(body[-1][1]) <= 1:
        body.pop()
    return body
