"""Loading a CSV/TSV file into the DuckDB `raw` table (text columns), streaming."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import duckdb

from studio.datasources.cleanup import RE_NOTE_START, TAIL_ROWS, is_note_row, row_text
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
    rows = sample_rows(sample, delimiter, 1000)
    header_line, header = _header(rows, options.header_row)
    names = [clean_header(h) for h in header]
    notes_after = _read_into_raw(con, path, delimiter, header_line, len(names))
    return RawTable(
        names=names,
        line_of=lambda rowid: header_line + 1 + rowid,
        notes_before=[t for t in (row_text(r) for r in rows[: header_line - 1]) if t],
        notes_after=notes_after,
        source={
            "format": "csv",
            "encoding": encoding,
            "delimiter": delimiter,
            "header_row": header_line,
        },
    )


def _header(rows: list[list[str]], header_row: int | None) -> tuple[int, list[str]]:
    """Return the 1-based line of the header and its cells.

    Detected, the header is the first line that is not a title: a one-cell line or a note
    above it is passed over."""
    if header_row is not None:
        if not 1 <= header_row <= len(rows) or not rows[header_row - 1]:
            raise DatasetError("header.row_out_of_range", {"header_row": header_row})
        return header_row, rows[header_row - 1]
    filled = [sum(1 for c in row if c.strip()) for row in rows]
    wide = [n for n in filled if n >= 2]
    typical = max(set(wide), key=wide.count) if wide else 1
    for index, row in enumerate(rows):
        if filled[index] and not _is_title(row, filled[index], typical):
            return index + 1, row
    raise DatasetError("csv.no_data")


def _is_title(row: list[str], filled: int, typical: int) -> bool:
    """True for a line above the header: one cell in a wider table, or a note or source
    line ("Source : …") filled less than half as much as the table's lines."""
    if typical < 2:
        return False
    first = next(c for c in row if c.strip())
    return filled == 1 or (bool(RE_NOTE_START.match(first)) and filled < typical / 2)


def _read_into_raw(
    con: duckdb.DuckDBPyConnection, path: Path, delimiter: str, header_line: int, width: int
) -> list[str]:
    """Load the rows after the header; return the note lines that end the file."""
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
    return _raise_rejects(con, path, width, delimiter, header_line)


def _raise_rejects(
    con: duckdb.DuckDBPyConnection, path: Path, width: int, delimiter: str, header_line: int
) -> list[str]:
    """Raise the first rejected line as a precise error (ragged row or unreadable), unless
    the rejected lines are notes after the last row ("Source : DREES"): return those."""
    rejects = con.execute(
        "SELECT line, min(error_type), min(csv_line) FROM reject_errors GROUP BY line "
        "ORDER BY line LIMIT 100"
    ).fetchall()
    if not rejects:
        return []
    loaded = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    notes = _tail_notes(rejects, delimiter, width, header_line + loaded)
    if notes is not None:
        return notes
    line, kind, raw_line = rejects[0]
    raw_line = (raw_line or "").strip("\r\n")
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


def _tail_notes(
    rejects: list[tuple[Any, ...]], delimiter: str, width: int, last_line: int
) -> list[str] | None:
    """Return the texts of rejected lines when they all follow the last loaded row and
    read as notes; None when one of them is a real data row (then it is an error)."""
    if len(rejects) >= 100 or int(rejects[0][0]) <= last_line - TAIL_ROWS:
        return None
    notes: list[str] = []
    for _line, kind, raw_line in rejects:
        if kind not in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
            return None
        text = (raw_line or "").strip().rstrip(delimiter).strip()
        cells = (sample_rows(text, delimiter, 1) or [[]])[0]
        if not is_note_row(cells, width):
            return None
        if text:
            notes.append(text)
    return notes


def _line_number(path: Path, number: int) -> str | None:
    """Return line `number` (1-based) of the UTF-8 file, as the person sees it."""
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as f:
        line = next(itertools.islice(f, number - 1, None), None)
    return line.rstrip("\r\n") if line is not None else None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
