"""Running a `QueryPlan` inside an external SQL database (pushdown), with SQLAlchemy Core.

Only the aggregated rows come back to Python. Identifiers come from the reflected table,
values are bound parameters; the few SQL keywords we write (time-grain formats) are ours.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from studio.datasources.errors import DatasetError
from studio.datasources.plan import Condition, QueryPlan

_engines: dict[str, Engine] = {}
_tables: dict[tuple[str, str | None, str], sa.Table] = {}
# The structures (see `structure_stamp`) each cached reflection was checked against.
_checked: dict[tuple[str, str | None, str], set[str]] = {}
_lock = threading.Lock()

SIMPLE_AGGREGATES = {"sum": sa.func.sum, "avg": sa.func.avg, "min": sa.func.min, "max": sa.func.max}
BASE_TYPES = ("boolean", "integer", "decimal", "datetime", "date")


def engine_for(url: str) -> Engine:
    """Return the shared SQLAlchemy engine (and its connection pool) for `url`."""
    with _lock:
        if url not in _engines:
            _engines[url] = sa.create_engine(url, pool_pre_ping=True)
        return _engines[url]


def base_type(sql_type: sa.types.TypeEngine) -> str:
    """The Studio field type a SQL column type reads as (before geo codes are recognised)."""
    checks: tuple[tuple[type, str], ...] = (
        (sa.Boolean, "boolean"),
        (sa.Integer, "integer"),
        (sa.Numeric, "decimal"),
        (sa.Float, "decimal"),
        (sa.DateTime, "datetime"),
        (sa.Date, "date"),
    )
    for kind, name in checks:
        if isinstance(sql_type, kind):
            return name
    return "text"


Expected = tuple[tuple[str, str], ...]


def structure_stamp(expected: Expected) -> str:
    """The version stamp of a table's structure as a dataset stored it (in the metadata
    database, shared by every worker and host): its columns' names and types."""
    return "|".join(f"{name}:{type_}" for name, type_ in expected)


def _fits(table: sa.Table, expected: Expected) -> bool:
    """True when the reflected `table` has every expected column, of the expected type."""
    for name, type_ in expected:
        if name not in table.c:
            return False
        want = type_ if type_ in BASE_TYPES else "text"  # geo codes are text columns
        if base_type(table.c[name].type) != want:
            return False
    return True


def reflected_table(
    url: str, table: str, schema: str | None = None, expected: Expected = ()
) -> sa.Table:
    """Return the reflected table or view, cached per process.

    `expected` is the structure the dataset recorded (in the metadata database): when the
    cached reflection does not fit it (another worker or host re-read the table after an
    `ALTER TABLE`), the table is reflected again, so every worker follows the change
    instead of failing on a column it has not seen. Each structure is checked once.
    """
    key = (url, schema, table)
    stamp = structure_stamp(expected)
    with _lock:
        cached = _tables.get(key)
        if cached is not None:
            if stamp in _checked.setdefault(key, set()):
                return cached
            if _fits(cached, expected):
                _checked[key].add(stamp)
                return cached
    fresh = _reflect(url, table, schema)
    with _lock:
        _tables[key] = fresh
        _checked[key] = {stamp}  # reflected for it: reflecting again would not help
    return fresh


def _reflect(url: str, table: str, schema: str | None) -> sa.Table:
    try:
        return sa.Table(table, sa.MetaData(), schema=schema, autoload_with=engine_for(url))
    except sa.exc.NoSuchTableError as exc:
        raise DatasetError("sql.no_such_table", {"table": table}) from exc
    except sa.exc.DBAPIError as exc:
        raise DatasetError("sql.unreachable", {"detail": _short(exc)}) from exc


def forget_table(url: str, table: str, schema: str | None = None) -> None:
    """Drop the cached reflection of a table (after its structure changed)."""
    with _lock:
        _tables.pop((url, schema, table), None)
        _checked.pop((url, schema, table), None)


def build_select(plan: QueryPlan, table: sa.Table, dialect: str) -> sa.Select:
    """Return the SQLAlchemy statement computing `plan` on `table` for `dialect`."""
    dims = [_dimension(table.c[d.field], d.grain, dialect) for d in plan.dimensions]
    measures = [_measure(table, m.field, m.agg, dialect) for m in plan.measures]
    labelled = [expr.label(f"c{i}") for i, expr in enumerate(dims + measures)]
    stmt = sa.select(*labelled).select_from(table)
    where = _where(plan, table)
    if where is not None:
        stmt = stmt.where(where)
    if dims:
        stmt = stmt.group_by(*dims)
    return stmt.order_by(*_order(plan, labelled, dialect)).limit(plan.limit + 1)


def _dimension(col: sa.Column, grain: str | None, dialect: str) -> ColumnElement:
    if grain is None:
        return col
    if dialect == "sqlite":
        return _sqlite_grain(col, grain)
    if dialect in ("mysql", "mariadb"):
        return _mysql_grain(col, grain)
    return sa.cast(sa.func.date_trunc(sa.literal_column(f"'{_GRAINS[grain]}'"), col), sa.Date)


_GRAINS = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}


def _sqlite_grain(col: sa.Column, grain: str) -> ColumnElement:
    """SQLite keeps dates as ISO text; the result is the first day of the period as text."""
    text = sa.literal_column
    if grain == "day":
        return sa.func.date(col)
    if grain == "week":
        return sa.func.date(col, text("'weekday 0'"), text("'-6 days'"))
    if grain == "month":
        return sa.func.strftime(text("'%Y-%m-01'"), col)
    if grain == "year":
        return sa.func.strftime(text("'%Y-01-01'"), col)
    month = sa.cast(sa.func.strftime(text("'%m'"), col), sa.Integer)
    first = (month - 1) // 3 * 3 + 1
    quarter = sa.func.printf(text("'%s-%02d-01'"), sa.func.strftime(text("'%Y'"), col), first)
    return sa.case((col.is_(None), sa.null()), else_=quarter)  # printf turns NULL into text


def _mysql_grain(col: sa.Column, grain: str) -> ColumnElement:
    text = sa.literal_column
    if grain == "day":
        return sa.func.date(col)
    if grain == "week":
        return sa.func.subdate(sa.func.date(col), sa.func.weekday(col))
    if grain == "month":
        return sa.func.date(sa.func.date_format(col, text("'%Y-%m-01'")))
    if grain == "year":
        return sa.func.makedate(sa.func.year(col), 1)
    first_month = (sa.func.quarter(col) - 1) * 3 + 1
    iso = sa.func.concat(sa.func.year(col), text("'-'"), first_month, text("'-01'"))
    return sa.func.str_to_date(iso, text("'%Y-%c-%d'"))


def _measure(table: sa.Table, field: str | None, agg: str, dialect: str) -> ColumnElement:
    if field is None:
        return sa.func.count()
    col = table.c[field]
    if agg == "count":
        return sa.func.count(col)
    if agg == "count_distinct":
        return sa.func.count(sa.distinct(col))
    if agg == "median":
        return _median(col, dialect)
    return SIMPLE_AGGREGATES[agg](col)


def _median(col: sa.Column, dialect: str) -> ColumnElement:
    if dialect in ("postgresql", "duckdb"):
        return sa.func.percentile_cont(0.5).within_group(col)
    raise DatasetError("query.unsupported", {"feature": "median"})


def _where(plan: QueryPlan, table: sa.Table) -> ColumnElement | None:
    parts = [_condition(c, table) for c in plan.conditions]
    if plan.row_filter is not None:
        parts.append(_row_filter(plan.row_filter, table))
    return sa.and_(*parts) if parts else None


def _row_filter(alternatives: tuple[tuple[Condition, ...], ...], table: sa.Table) -> ColumnElement:
    if not alternatives:
        return sa.false()
    return sa.or_(
        *(sa.and_(sa.true(), *(_condition(c, table) for c in alt)) for alt in alternatives)
    )


def _condition(c: Condition, table: sa.Table) -> ColumnElement:
    col = table.c[c.field]
    values = c.values
    builders = {
        "=": lambda: col == values[0],
        "!=": lambda: col.is_distinct_from(values[0]),
        "in": lambda: col.in_(values),
        "not_in": lambda: sa.or_(col.is_(None), col.not_in(values)),
        "<": lambda: col < values[0],
        "<=": lambda: col <= values[0],
        ">": lambda: col > values[0],
        ">=": lambda: col >= values[0],
        "between": lambda: col.between(values[0], values[1]),
        "contains": lambda: sa.func.lower(col).contains(values[0].lower(), autoescape=True),
        "is_null": lambda: col.is_(None),
        "not_null": lambda: col.is_not(None),
    }
    return builders[c.op]()


def _order(plan: QueryPlan, labelled: list[Any], dialect: str) -> list[Any]:
    """Return ORDER BY terms: the asked sort, then dimensions, nulls last."""
    terms = []
    asked = {i for i, _ in plan.sort}
    order = list(plan.sort) + [(i, False) for i in range(len(plan.dimensions)) if i not in asked]
    for i, desc in order:
        term = labelled[i].desc() if desc else labelled[i].asc()
        terms.append(term if dialect in ("mysql", "mariadb") else term.nulls_last())
    return terms


def run_plan(
    plan: QueryPlan, url: str, table: str, schema: str | None, expected: Expected = ()
) -> list[tuple[Any, ...]]:
    """Return the result rows of `plan` computed by the database (at most limit + 1).

    `expected`: the dataset's recorded structure (see `reflected_table`)."""
    engine = engine_for(url)
    reflected = reflected_table(url, table, schema, expected)
    try:
        stmt = build_select(plan, reflected, engine.dialect.name)
    except KeyError as exc:  # a column dropped from the table since the dataset was made
        column = str(exc.args[0]) if exc.args else ""
        raise DatasetError("sql.column_missing", {"column": column, "table": table}) from None
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(stmt).fetchall()]
    except sa.exc.OperationalError as exc:
        raise DatasetError("sql.unreachable", {"detail": _short(exc)}) from exc
    except sa.exc.DBAPIError as exc:
        raise DatasetError("query.failed", {"detail": _short(exc)}) from exc


def _short(exc: sa.exc.DBAPIError | sa.exc.SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__
