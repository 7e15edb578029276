"""A `Query` checked against a dataset's schema, with filter values coerced to field types.

Both backends (DuckDB on Parquet, SQLAlchemy pushdown) compile a `QueryPlan`, so every
rule about which field, aggregate, operator and value is allowed lives here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from studio.datasources.errors import DatasetError
from studio.datasources.schema import NUMERIC_TYPES, TEMPORAL_TYPES, FieldInfo
from studio.spec.query import Filter, Query, RowFilter

TEXT_LIKE = ("text", "commune", "epci", "departement", "region")
ORDERED_OPS = ("<", "<=", ">", ">=", "between")


@dataclass(frozen=True)
class PlannedDimension:
    """A dimension with its field's type."""

    field: str
    type: str
    grain: str | None


@dataclass(frozen=True)
class PlannedMeasure:
    """A measure; `field` is None for a count of rows."""

    field: str | None
    type: str | None
    agg: str


@dataclass(frozen=True)
class Condition:
    """A filter whose values have the Python type of its field."""

    field: str
    type: str
    op: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class QueryPlan:
    """Everything a backend needs to build its SQL; row_filter None means unrestricted."""

    dimensions: tuple[PlannedDimension, ...]
    measures: tuple[PlannedMeasure, ...]
    conditions: tuple[Condition, ...]
    row_filter: tuple[tuple[Condition, ...], ...] | None
    sort: tuple[tuple[int, bool], ...]
    limit: int


def plan_query(query: Query, fields: list[FieldInfo], row_filter: RowFilter | None) -> QueryPlan:
    """Return the checked plan of `query`, or raise a DatasetError naming the bad field."""
    types = {f.name: f.type for f in fields}
    keys = query.columns
    return QueryPlan(
        dimensions=tuple(_dimension(d.field, d.grain, types) for d in query.dimensions),
        measures=tuple(_measure(m.field, m.agg, types) for m in query.measures),
        conditions=tuple(condition(f, types) for f in query.filters),
        row_filter=None
        if row_filter is None
        else tuple(tuple(condition(f, types) for f in alt) for alt in row_filter),
        sort=tuple((keys.index(s.field), s.desc) for s in query.sort),
        limit=query.limit,
    )


def _type_of(name: str, types: dict[str, str]) -> str:
    if name not in types:
        raise DatasetError("query.unknown_field", {"field": name}, column=name)
    return types[name]


def _dimension(name: str, grain: str | None, types: dict[str, str]) -> PlannedDimension:
    type_ = _type_of(name, types)
    if grain is not None and type_ not in TEMPORAL_TYPES:
        raise DatasetError("query.bad_grain", {"field": name, "grain": grain}, column=name)
    # Geometry (GeoJSON text) may be a dimension: a map's boundaries query lists each
    # territory's code, name and outline.
    return PlannedDimension(name, type_, grain)


def _measure(name: str | None, agg: str, types: dict[str, str]) -> PlannedMeasure:
    if name is None:
        return PlannedMeasure(None, None, agg)
    type_ = _type_of(name, types)
    numeric_only = agg in ("sum", "avg", "median")
    if (numeric_only and type_ not in NUMERIC_TYPES) or (
        type_ in ("geometry", "boolean") and agg not in ("count", "count_distinct")
    ):
        raise DatasetError(
            "query.bad_aggregate", {"agg": agg, "field": name, "type": type_}, column=name
        )
    if type_ == "geometry" and agg == "count_distinct":
        raise DatasetError(
            "query.bad_aggregate", {"agg": agg, "field": name, "type": type_}, column=name
        )
    return PlannedMeasure(name, type_, agg)


def condition(f: Filter, types: dict[str, str]) -> Condition:
    """Return the filter with its field checked and its values of the field's type."""
    type_ = _type_of(f.field, types)
    _check_operator(f.field, f.op, type_)
    if f.value is None:
        values: tuple[Any, ...] = ()
    elif f.op == "contains":
        values = (str(f.value),)
    else:
        raw = f.value if isinstance(f.value, list) else [f.value]
        values = tuple(coerce(v, type_, f.field) for v in raw)
    return Condition(f.field, type_, f.op, values)


def _check_operator(name: str, op: str, type_: str) -> None:
    bad = (
        (type_ == "geometry" and op not in ("is_null", "not_null"))
        or (op == "contains" and type_ not in TEXT_LIKE)
        or (op in ORDERED_OPS and type_ == "boolean")
    )
    if bad:
        raise DatasetError(
            "query.bad_operator", {"op": op, "field": name, "type": type_}, column=name
        )


def coerce(value: Any, type_: str, name: str) -> Any:
    """Return `value` as the Python type of a field of `type_`, or raise query.bad_value."""
    try:
        result = _COERCERS.get(type_, _to_text)(value)
    except (TypeError, ValueError, OverflowError):
        result = None
    if result is None:
        raise DatasetError(
            "query.bad_value", {"value": value, "field": name, "type": type_}, column=name
        )
    return result


def _to_text(value: Any) -> str | None:
    if isinstance(value, bool | date):
        return None
    return str(value)


def _to_integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _to_decimal(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.replace(",", ".")
    result = float(value)
    return None if result != result else result


def _to_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return None


def _to_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=None)
    return None


def _to_boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "oui", "non"):
        return value.lower() in ("true", "oui")
    return None


_COERCERS = {
    "integer": _to_integer,
    "decimal": _to_decimal,
    "date": _to_date,
    "datetime": _to_datetime,
    "boolean": _to_boolean,
}
