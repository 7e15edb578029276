"""`run_query`: a `Query` on a dataset (Parquet with DuckDB, or pushed down to SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from studio.datasources import duck, sqlpush
from studio.datasources.errors import DatasetError
from studio.datasources.infer import GEO_RULES, GEO_WIDTH, normalise_name
from studio.datasources.plan import plan_query
from studio.datasources.schema import FieldInfo
from studio.datasources.values import json_rows
from studio.spec.query import Query, QueryResult, RowFilter

if TYPE_CHECKING:
    from studio.datasources.cache import QueryCache

GEO_SAMPLE = 200
MAX_RESULT_CELLS = 1_000_000  # rows × columns of one result (50,000 rows of 20 columns)


@dataclass(frozen=True)
class ParquetSource:
    """A dataset stored as a Parquet file; `version` changes whenever the file does."""

    path: str | Path
    version: str | int = 0

    @property
    def identity(self) -> str:
        """Text that names this source and version (part of cache keys)."""
        return f"parquet:{Path(self.path)}@{self.version}"


@dataclass(frozen=True)
class SqlSource:
    """A table or view in an external database reached through a SQLAlchemy URL."""

    url: str
    table: str
    version: str | int = 0
    schema: str | None = None

    @property
    def identity(self) -> str:
        """Text that names this source and version, without the password."""
        url = sa.make_url(self.url).render_as_string(hide_password=True)
        return f"sql:{url}:{self.schema or ''}.{self.table}@{self.version}"


Source = ParquetSource | SqlSource


def run_query(
    query: Query,
    source: Source,
    fields: list[FieldInfo],
    *,
    row_filter: RowFilter | None = None,
    cache: QueryCache | None = None,
) -> QueryResult:
    """Return the aggregated, JSON-ready result of `query` on `source`.

    `fields` is the dataset's schema: every field the query or row filter names must be in
    it. `row_filter` None means unrestricted, `[]` means no rows at all.
    """
    plan = plan_query(query, fields, row_filter)
    key = cache.key(query, source.identity, row_filter) if cache is not None else None
    if cache is not None and key is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    if isinstance(source, ParquetSource):
        rows = duck.run_plan(plan, Path(source.path))
    else:
        expected = tuple((f.name, f.type) for f in fields)
        rows = sqlpush.run_plan(plan, source.url, source.table, source.schema, expected)
    if len(rows) * max(len(query.columns), 1) > MAX_RESULT_CELLS:
        raise DatasetError(
            "query.too_large", {"cells": MAX_RESULT_CELLS, "rows": min(len(rows), query.limit)}
        )
    result = QueryResult(
        columns=query.columns,
        rows=json_rows(rows[: query.limit]),
        truncated=len(rows) > query.limit,
    )
    if cache is not None and key is not None:
        cache.set(key, result)
    return result


def inspect_sql_table(url: str, table: str, schema: str | None = None) -> list[FieldInfo]:
    """Return the schema of a table or view, INSEE code columns recognised by name and values."""
    sqlpush.forget_table(url, table, schema)
    reflected = sqlpush.reflected_table(url, table, schema)
    return [_field_of(url, reflected, col) for col in reflected.columns]


def _field_of(url: str, table: sa.Table, col: sa.Column) -> FieldInfo:
    type_ = _field_type(col.type)
    if type_ == "text":
        type_ = _geo_type(url, table, col) or "text"
    return FieldInfo(col.name, type_, description=str(col.comment or ""))


def _field_type(sql_type: sa.types.TypeEngine) -> str:
    return sqlpush.base_type(sql_type)


def _geo_type(url: str, table: sa.Table, col: sa.Column) -> str | None:
    normalised = normalise_name(col.name)
    rules = [(t, shape) for t, pattern, shape in GEO_RULES if pattern.search(normalised)]
    if not rules:
        return None
    stmt = sa.select(col).where(col.is_not(None)).distinct().limit(GEO_SAMPLE)
    try:
        with sqlpush.engine_for(url).connect() as conn:
            values = [str(v).strip().upper() for (v,) in conn.execute(stmt)]
    except sa.exc.DBAPIError as exc:
        raise DatasetError("sql.unreachable", {"detail": str(exc.orig)}) from exc
    for type_, shape in rules:
        if values and all(shape.fullmatch(v) for v in values) and type_ in GEO_WIDTH:
            return type_
    return None
