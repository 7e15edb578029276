"""Loading an uploaded Parquet file into the DuckDB `raw` table.

Columns with a native type keep it (integers, decimals, dates…); text columns are inferred
like CSV text, so INSEE codes and leading zeros are recognised there too.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from studio.datasources.errors import DatasetError
from studio.datasources.infer import ColumnPlan
from studio.datasources.tabular import RawTable
from studio.datasources.values import quote_ident, sql_string

NATIVE_PLANS = {
    "BOOLEAN": ColumnPlan("boolean", "words"),
    "TINYINT": ColumnPlan("integer", "number"),
    "SMALLINT": ColumnPlan("integer", "number"),
    "INTEGER": ColumnPlan("integer", "number"),
    "BIGINT": ColumnPlan("integer", "number"),
    "UTINYINT": ColumnPlan("integer", "number"),
    "USMALLINT": ColumnPlan("integer", "number"),
    "UINTEGER": ColumnPlan("integer", "number"),
    "FLOAT": ColumnPlan("decimal", "number"),
    "DOUBLE": ColumnPlan("decimal", "number"),
    "DATE": ColumnPlan("date", "ymd"),
    "TIMESTAMP": ColumnPlan("datetime", "ymd_hms"),
}


def load_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> RawTable:
    """Return the description of the `raw` table loaded from a Parquet file."""
    try:
        con.execute(
            f"CREATE TEMP VIEW upload AS SELECT * FROM read_parquet({sql_string(str(path))})"
        )
    except duckdb.Error as exc:
        raise DatasetError("parquet.invalid", {"detail": str(exc).splitlines()[0]}) from exc
    described = con.execute("DESCRIBE upload").fetchall()
    names = [row[0] for row in described]
    plans = {i: _native_plan(row[1]) for i, row in enumerate(described)}
    select = ", ".join(f"CAST({quote_ident(n)} AS VARCHAR) AS c{i}" for i, n in enumerate(names))
    con.execute(f"CREATE TABLE raw AS SELECT {select} FROM upload")
    return RawTable(
        names=names,
        line_of=lambda rowid: rowid + 1,
        plans={i: p for i, p in plans.items() if p is not None},
        source={"format": "parquet"},
    )


def _native_plan(duck_type: str) -> ColumnPlan | None:
    if duck_type.startswith("DECIMAL"):
        return ColumnPlan("decimal", "number")
    if duck_type.startswith("TIMESTAMP"):
        return ColumnPlan("datetime", "ymd_hms")
    return NATIVE_PLANS.get(duck_type)
