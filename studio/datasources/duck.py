"""Running a `QueryPlan` on a Parquet file with DuckDB.

The SQL text is made of our keywords and of identifiers quoted from the schema; every
value is a `?` parameter. One DuckDB database per process; one cursor per thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import duckdb

from studio.datasources.errors import DatasetError
from studio.datasources.plan import Condition, QueryPlan
from studio.datasources.values import quote_ident, sql_string

FUNCTIONS = {
    "count": "count",
    "count_distinct": "count",
    "sum": "sum",
    "avg": "avg",
    "min": "min",
    "max": "max",
    "median": "median",
}
GRAIN_UNITS = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}
COMPARISONS = {"=": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

_lock = threading.Lock()
_database: duckdb.DuckDBPyConnection | None = None
_local = threading.local()


def cursor() -> duckdb.DuckDBPyConnection:
    """Return this thread's DuckDB cursor on the shared in-process database."""
    cur = getattr(_local, "cursor", None)
    if cur is None:
        cur = _database_connection().cursor()
        _local.cursor = cur
    return cur


def _database_connection() -> duckdb.DuckDBPyConnection:
    global _database
    with _lock:
        if _database is None:
            _database = duckdb.connect(config={"enable_object_cache": True})
        return _database


def compile_plan(plan: QueryPlan, path: Path) -> tuple[str, list[Any]]:
    """Return the DuckDB SQL text and its parameters for `plan` on a Parquet file."""
    params: list[Any] = []
    dims = [_dimension(d.field, d.grain) for d in plan.dimensions]
    measures = [_measure(m.field, m.agg) for m in plan.measures]
    select = ", ".join(f"{expr} AS c{i}" for i, expr in enumerate(dims + measures))
    sql = f"SELECT {select} FROM read_parquet({sql_string(str(path))})"
    where = where_clause(plan, params)
    if where:
        sql += f" WHERE {where}"
    if dims:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(dims)))
    sql += order_clause(plan)
    sql += f" LIMIT {int(plan.limit) + 1}"
    return sql, params


def _dimension(field: str, grain: str | None) -> str:
    q = quote_ident(field)
    if grain is None:
        return q
    return f"CAST(date_trunc('{GRAIN_UNITS[grain]}', {q}) AS DATE)"


def _measure(field: str | None, agg: str) -> str:
    if field is None:
        return "count(*)"
    distinct = "DISTINCT " if agg == "count_distinct" else ""
    return f"{FUNCTIONS[agg]}({distinct}{quote_ident(field)})"


def where_clause(plan: QueryPlan, params: list[Any]) -> str:
    """Return the WHERE condition (query filters AND row filter), adding values to params."""
    parts = [_condition(c, params) for c in plan.conditions]
    if plan.row_filter is not None:
        parts.append(_row_filter(plan.row_filter, params))
    return " AND ".join(parts)


def _row_filter(alternatives: tuple[tuple[Condition, ...], ...], params: list[Any]) -> str:
    if not alternatives:
        return "FALSE"
    ors = []
    for alt in alternatives:
        ands = [_condition(c, params) for c in alt]
        ors.append("(" + (" AND ".join(ands) if ands else "TRUE") + ")")
    return "(" + " OR ".join(ors) + ")"


def _condition(c: Condition, params: list[Any]) -> str:
    q = quote_ident(c.field)
    op = c.op
    params.extend(c.values)
    marks = ", ".join("?" for _ in c.values)
    if op == "is_null":
        return f"{q} IS NULL"
    if op == "not_null":
        return f"{q} IS NOT NULL"
    if op == "!=":
        return f"{q} IS DISTINCT FROM ?"
    if op == "in":
        return f"{q} IN ({marks})"
    if op == "not_in":
        return f"({q} IS NULL OR {q} NOT IN ({marks}))"
    if op == "between":
        return f"{q} BETWEEN ? AND ?"
    if op == "contains":
        return f"contains(lower({q}), lower(?))"
    return f"{q} {COMPARISONS[op]} ?"


def order_clause(plan: QueryPlan) -> str:
    """Return ORDER BY: the asked sort, then dimensions, so that LIMIT is deterministic."""
    terms = [f"c{i} {'DESC' if desc else 'ASC'} NULLS LAST" for i, desc in plan.sort]
    asked = {i for i, _ in plan.sort}
    terms += [f"c{i} ASC NULLS LAST" for i in range(len(plan.dimensions)) if i not in asked]
    return " ORDER BY " + ", ".join(terms) if terms else ""


def run_plan(plan: QueryPlan, path: Path) -> list[tuple[Any, ...]]:
    """Return the result rows of `plan` on a Parquet file (at most limit + 1 rows)."""
    sql, params = compile_plan(plan, path)
    try:
        return cursor().execute(sql, params).fetchall()
    except duckdb.Error as exc:  # out of memory, a damaged file…: said without internals
        raise DatasetError("query.failed", {"detail": str(exc)}) from exc
