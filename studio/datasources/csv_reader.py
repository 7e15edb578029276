"""Loading a CSV/TSV file into the DuckDB `raw` table (text columns), streaming."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb

from studio.datasources.errors import DatasetError
from studio.datasources.models import IngestOptions
from studio.datasources.sniff import (
    check_text,
    decoded_sample,
    detect_delimiter,
    detect_encoding,
    read_head,
    sample_rows,
    to_utf8,
)
from studio.datasources.tabular import RawTable, clean_header

UTF8 = ("utf-8", "utf-8-sig")


def load_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    filename: str,
    options: IngestOptions,
    work_dir: Path,
) -> RawTable:
    """Return the description of the `raw` table loaded from a CSV file."""
    check_text(read_head(path), filename)
    encoding = detect_encoding(path)
    if encoding not in UTF8:
        utf8_path = work_dir / "utf8.csv"
        encoding = to_utf8(path, encoding, utf8_path)
        path = utf8_path
    sample = decoded_sample(path, "utf-8")
    delimiter = "\t" if filename.lower().endswith(".tsv") else detect_delimiter(sample)
    header_line, header = _header(sample_rows(sample, delimiter, 1000), options.header_row)
    names = [clean_header(h) for h in header]
    _read_into_raw(con, path, delimiter, header_line, len(names))
    return RawTable(
        names=names,
        line_of=lambda rowid: header_line + 1 + rowid,
        source={
            "format": "csv",
            "encoding": encoding,
            "delimiter": delimiter,
            "header_row": header_line,
        },
    )


def _header(rows: list[list[str]], header_row: int | None) -> tuple[int, list[str]]:
    """Return the 1-based line of the header and its cells."""
    if header_row is not None:
        if not 1 <= header_row <= len(rows) or not rows[header_row - 1]:
            raise DatasetError("header.row_out_of_range", {"header_row": header_row})
        return header_row, rows[header_row - 1]
    for index, row in enumerate(rows):
        if any(cell.strip() for cell in row):
            return index + 1, row
    raise DatasetError("csv.no_data")


def _read_into_raw(
    con: duckdb.DuckDBPyConnection, path: Path, delimiter: str, header_line: int, width: int
) -> None:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    sql = (
        "CREATE TABLE raw AS SELECT * FROM read_csv(?, delim = ?, header = false, skip = ?, "
        f"columns = {columns}, quote = '\"', escape = '\"', auto_detect = false, "
        "store_rejects = true, null_padding = false)"
    )
    try:
        con.execute(sql, [str(path), delimiter, header_line])
    except duckdb.Error as exc:
        raise DatasetError("csv.unreadable", {"detail": _first_line(str(exc))}) from exc
    _raise_rejects(con, path, width, delimiter)


def _raise_rejects(con: duckdb.DuckDBPyConnection, path: Path, width: int, delimiter: str) -> None:
    """Raise the first rejected line as a precise error (ragged row or unreadable)."""
    reject = con.execute(
        "SELECT line, error_type, csv_line FROM reject_errors ORDER BY line LIMIT 1"
    ).fetchone()
    if reject is None:
        return
    line, kind, raw_line = reject
    if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        raw_line = _line_number(path, int(line)) or raw_line
        rows = sample_rows(raw_line or "", delimiter, 1)
        found = len(rows[0]) if rows else "?"
        raise DatasetError(
            "csv.ragged_row",
            {"found": found, "expected": width},
            row=int(line),
            raw=raw_line,
        )
    raise DatasetError(
        "csv.unreadable", {"detail": f"line {line}: {kind}"}, row=int(line), raw=raw_line
    )


def _line_number(path: Path, number: int) -> str | None:
    """Return line `number` (1-based) of the UTF-8 file, as the person sees it."""
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as f:
        line = next(itertools.islice(f, number - 1, None), None)
    return line.rstrip("\r\n") if line is not None else None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
