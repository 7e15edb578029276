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

from studio.spec.dashboard import (  # noqa: E402
    FILTER_KINDS,
    GRID_COLUMNS,
    DashboardFilter,
    DashboardSpec,
    FilterValueError,
    GridItem,
    Section,
    SpecVersionError,
    dump_dashboard,
    load_dashboard,
    stacked_order,
)
from studio.spec.filters import (  # noqa: E402
    decode_state,
    encode_state,
    filter_reach,
    tile_queries,
)

__all__ += [
    "FILTER_KINDS",
    "GRID_COLUMNS",
    "DashboardFilter",
    "DashboardSpec",
    "FilterValueError",
    "GridItem",
    "Section",
    "SpecVersionError",
    "decode_state",
    "dump_dashboard",
    "encode_state",
    "filter_reach",
    "load_dashboard",
    "stacked_order",
    "tile_queries",
]
