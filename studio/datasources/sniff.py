"""What kind of file this is: format, text encoding, CSV separator."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from studio.datasources.errors import DatasetError

HEAD_BYTES = 256 * 1024
CHUNK_BYTES = 4 * 1024 * 1024
DELIMITERS = (";", "\t", "|", ",")  # preference order when two fit equally well
SAMPLE_ROWS = 60


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """Return the first `size` bytes of a file."""
    with path.open("rb") as f:
        return f.read(size)


def sniff_format(head: bytes, filename: str) -> str:
    """Return "xlsx", "parquet", "geojson" or "csv", from the content first, then the name."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    suffix = Path(filename).suffix.lower()
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix in (".xls", ".xlsm", ".ods", ".xlsb", ".zip", ".pdf", ".docx"):
        raise DatasetError("file.unsupported", {"filename": filename})
    return "csv"


def check_text(head: bytes, filename: str) -> None:
    """Raise a DatasetError when the file is empty or is not text."""
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
        raise DatasetError("file.empty", {"filename": filename})
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    sample = head[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in sample or controls > len(sample) * 0.01:
        raise DatasetError("file.binary", {"filename": filename})


def detect_encoding(path: Path) -> str:
    """Return "utf-8", "utf-8-sig", "utf-16" or "cp1252"; the whole file is checked."""
    head = read_head(path, 4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        try:
            while chunk := f.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


def to_utf8(path: Path, encoding: str, dest: Path) -> str:
    """Write `path` re-encoded as UTF-8 to `dest`; return the encoding actually used.

    Windows-1252 is tried first (it has € and ’, common in French files), then Latin-1,
    which decodes any byte.
    """
    for candidate in (encoding, "latin-1"):
        try:
            _transcode(path, candidate, dest)
            return candidate
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


def _transcode(path: Path, encoding: str, dest: Path) -> None:
    with (
        path.open("r", encoding=encoding, newline="") as src,
        dest.open("w", encoding="utf-8", newline="") as out,
    ):
        while chunk := src.read(CHUNK_BYTES):
            out.write(chunk)


def decoded_sample(path: Path, encoding: str) -> str:
    """Return the beginning of the file as text, cut at the last complete line."""
    head = read_head(path)
    text = head.decode(encoding, errors="replace")
    if len(head) == HEAD_BYTES and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text.lstrip("\ufeff")


def detect_delimiter(sample: str) -> str:
    """Return the separator that splits the sample's lines into the most regular columns.

    Title lines above the header (one cell, or fewer cells than the table) are not held
    against a separator: the table starts at the first line as wide as most lines."""
    best, best_score = _single_column_delimiter(sample), (0.0, 0)
    for rank, delimiter in enumerate(DELIMITERS):
        rows = sample_rows(sample, delimiter)
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        if not widths or max(widths) < 2:
            continue
        mode = max(set(widths), key=widths.count)
        start = widths.index(mode)
        if mode < 2 or (start and mode < 3):  # a one-column file of "1,5" is not a table
            continue
        table = widths[start:]
        score = (round(table.count(mode) / len(table), 2), -rank)
        if start <= len(widths) // 2 and score > best_score:
            best, best_score = delimiter, score
    return best


def _single_column_delimiter(sample: str) -> str:
    """Return a separator absent from the sample, so a one-column file stays one column."""
    return next((d for d in DELIMITERS if d not in sample), ",")


def sample_rows(sample: str, delimiter: str, limit: int = SAMPLE_ROWS) -> list[list[str]]:
    """Return the first rows of the sample split with `delimiter` (quotes respected)."""
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter, quotechar='"')
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows
