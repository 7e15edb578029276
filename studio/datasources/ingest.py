"""`ingest`: an uploaded file (CSV, TSV, XLSX, GeoJSON, Parquet) becomes a Parquet dataset.

Conventions (documented for the person importing, and for the other layers):

- numbers: decimal comma or point; thousands separated by a space, U+00A0 or U+202F;
  the minus sign U+2212 as well as "-";
- percentages ("12,5 %") are stored as written, 12.5, with `FieldInfo.unit == "%"`;
- dates: dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd, mm/yyyy and yyyy-mm (first day of the month),
  French month names ("31 déc. 2019", "1er janvier 2020", "janv.-24", "décembre 2019") and
  quarters ("T1 2024", "2024-T1", first day of the quarter); a year-only column stays an
  integer unless its name contains "date";
- secrecy and missing markers ("secret statistique", "s", "(s)", "<5", "nd", "n.d.", "NC",
  "-", "…") are empty values, counted per marker in the report; the column keeps its type;
- rows that are not data are set aside and listed in `IngestResult.report`: a title above
  the header, notes and sources below the table (the "Source : …" line becomes
  `source["citation"]`), and total rows ("Total", "Ensemble", "France…", "DOM"), each checked
  against the sum of the other rows (`keep_totals=True` keeps them);
- repeated or empty column names are renamed ("Foyers (2)", "Colonne 3") and reported;
- `unpivot="auto"` turns columns named by years, months or quarters into rows
  (`periode`, `serie` when the names carry several series, `valeur`);
- a workbook's contents sheet ("Sommaire"…) is passed over when no sheet is named;
- codes with leading zeros, and INSEE codes recognised by column name and shape
  (commune, EPCI, département, région), stay text;
- values that do not fit their column's type become NULL and are reported as problems
  with the line the person sees in the file; re-ingest with `types={"col": "text"}` to keep
  them as they are.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from studio.datasources.csv_reader import load_csv
from studio.datasources.errors import DatasetError
from studio.datasources.geojson_reader import load_geojson
from studio.datasources.models import IngestOptions, IngestResult
from studio.datasources.parquet_reader import load_parquet
from studio.datasources.sniff import read_head, sniff_format
from studio.datasources.tabular import RawTable, build_dataset, connect_for_ingest
from studio.datasources.xlsx_reader import load_xlsx

MAX_FILE_BYTES = 2 * 1024**3


def ingest(
    path: str | Path,
    filename: str,
    options: IngestOptions | None = None,
    dest_dir: str | Path = ".",
) -> IngestResult:
    """Return the typed Parquet dataset built from the file at `path`, named `filename`."""
    path, dest_dir = Path(path), Path(dest_dir)
    options = options or IngestOptions()
    _check_size(path, filename)
    kind = sniff_format(read_head(path, 8), filename)
    with tempfile.TemporaryDirectory(prefix="studio-ingest-") as work:
        work_dir = Path(work)
        con = connect_for_ingest(work_dir)
        try:
            raw = _load(con, kind, path, filename, options, work_dir)
            return build_dataset(con, raw, options, dest_dir)
        finally:
            con.close()


def _check_size(path: Path, filename: str) -> None:
    size = path.stat().st_size
    if size == 0:
        raise DatasetError("file.empty", {"filename": filename})
    if size > MAX_FILE_BYTES:
        raise DatasetError("file.too_large", {"filename": filename, "limit": "2 Go"})


def _load(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    path: Path,
    filename: str,
    options: IngestOptions,
    work_dir: Path,
) -> RawTable:
    if kind == "xlsx":
        return load_xlsx(con, path, options)
    if kind == "geojson":
        return load_geojson(con, path)
    if kind == "parquet":
        return load_parquet(con, path)
    return load_csv(con, path, filename, options, work_dir)
