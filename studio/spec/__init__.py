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

from studio.spec.tiles import (  # noqa: E402
    FORM_SLOTS,
    TILE_ADAPTER,
    TILE_KINDS,
    ChartTile,
    KpiTile,
    MapTile,
    NumberFormat,
    TableTile,
    TextTile,
    Tile,
    accepted_field_types,
    fields_for_slot,
)

__all__ += [
    "FORM_SLOTS",
    "TILE_ADAPTER",
    "TILE_KINDS",
    "ChartTile",
    "KpiTile",
    "MapTile",
    "NumberFormat",
    "TableTile",
    "TextTile",
    "Tile",
    "accepted_field_types",
    "fields_for_slot",
]
