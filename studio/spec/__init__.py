"""Pydantic models of everything a user builds (no Dash, Flask, SQLAlchemy or DuckDB here)."""

from studio.spec.base import SCHEMA_VERSION, SpecModel
from studio.spec.query import (
    AGGREGATES,
    FIELD_TYPES,
    GEO_CODE_TYPES,
    GRAINS,
    OPERATORS,
    Dimension,
    Filter,
    Measure,
    Query,
    QueryResult,
    RowFilter,
    Sort,
)

__all__ = [
    "AGGREGATES",
    "FIELD_TYPES",
    "GEO_CODE_TYPES",
    "GRAINS",
    "OPERATORS",
    "SCHEMA_VERSION",
    "Dimension",
    "Filter",
    "Measure",
    "Query",
    "QueryResult",
    "RowFilter",
    "Sort",
    "SpecModel",
]
