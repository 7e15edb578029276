"""Dashboard filters applied to tiles: which tiles a filter reaches, the merged queries,
and the filter state carried in the URL.

Everything here is pure: it takes the dashboard, the datasets' schemas
(`dataset id -> {field name: field type}`) and the current values, and gives back
`Query` objects or plain data. Values are checked before they reach a query: a forged
value (a dict, a list of 10,000 items) is a FilterValueError, never a filter.

Rules:

- a filter reaches a query when the query's dataset has the filter's field with a type the
  filter accepts (dates for date filters, geographic codes for territory filters), and the
  dataset is in the filter's `datasets` restriction if it has one;
- a map's `boundaries` query is never filtered (the outlines stay);
- a KPI's `reference` query keeps its reference territory: no filter (dashboard filter or
  cross-filter) on the reference field or on any geographic code field applies to it;
- a KPI reads a date filter on its own period field as "as of the end of the period": only
  the upper bound applies, so its change and sparkline keep the history they need;
- the cross-filter (a click on a bar, a slice or a map area) applies `field = value` to
  every other tile's queries whose dataset has the field, never to the clicked tile; when
  the clicked tile groups that date field by a grain, the value is the period's first day
  and the filter keeps the whole period (e.g. the clicked month).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode

from studio.spec.dashboard import (
    DATE_TYPES,
    MAX_TEXT_VALUE,
    DashboardFilter,
    DashboardSpec,
    DateFilterBase,
    FilterValueError,
    date_range_filters,
    parse_day,
    period_end,
    period_start,
)
from studio.spec.messages import shown
from studio.spec.query import GEO_CODE_TYPES, Filter, Query
from studio.spec.tiles import KpiTile, Tile

Schemas = Mapping[int, Mapping[str, str]]
"""Field types of each dataset: `{dataset id: {field name: field type}}`."""

UNFILTERED_QUERIES: dict[str, frozenset[str]] = {"map": frozenset({"boundaries"})}
"""Named queries of a tile kind that dashboard filters never touch."""
REFERENCE_QUERY = "reference"

CROSS_KEYS = ("x.tile", "x.field", "x.value")
"""URL keys of the cross-filter; a filter id cannot contain a dot, so they never clash."""
MAX_QUERY_STRING = 20_000
MAX_URL_FIELDS = 600


# --- reach ---------------------------------------------------------------------------------


def _filterable(tile: Tile) -> dict[str, Query]:
    skip = UNFILTERED_QUERIES.get(tile.kind, frozenset())
    return {name: q for name, q in tile.queries().items() if name not in skip}


def field_type(flt: DashboardFilter, dataset: int, schemas: Schemas) -> str | None:
    """The type of the filter's field in the dataset when the filter applies there, else None."""
    if flt.datasets is not None and dataset not in flt.datasets:
        return None
    ftype = schemas.get(dataset, {}).get(flt.field)
    return ftype if ftype in flt.field_types else None


def filter_reach(dashboard: DashboardSpec, schemas: Schemas) -> dict[str, list[str]]:
    """For each filter id, the ids of the tiles it reaches (in the dashboard's tile order)."""
    return {
        flt.id: [
            tile.id for tile in dashboard.tiles
            if any(field_type(flt, q.dataset, schemas) for q in _filterable(tile).values())
        ]
        for flt in dashboard.filters
    }


# --- values --------------------------------------------------------------------------------


def current_values(dashboard: DashboardSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every filter's cleaned value: the given one, else the filter's default.

    A filter given as None (or "" or []) is explicitly cleared, even if it has a default.
    Unknown filter ids are ignored; a value of the wrong shape raises FilterValueError.
    """
    if not isinstance(values, Mapping):
        raise FilterValueError("*", "filter.values_mapping")
    return {
        flt.id: flt.clean(values[flt.id] if flt.id in values else flt.default)
        for flt in dashboard.filters
    }


def clean_cross_filter(dashboard: DashboardSpec, cross: Any) -> dict[str, Any] | None:
    """The cross-filter `{"tile", "field", "value"}` checked against the dashboard, or None.

    Raises FilterValueError when it names no tile of the dashboard, a field that tile does
    not read, or a value that is not one text, number or boolean.
    """
    if cross is None:
        return None
    if not isinstance(cross, Mapping) or set(cross) != {"tile", "field", "value"}:
        raise FilterValueError("cross", "filter.cross_shape")
    tile = dashboard.tile(cross["tile"]) if isinstance(cross["tile"], str) else None
    if tile is None:
        raise FilterValueError("cross", "filter.cross_unknown_tile", tile=shown(cross["tile"]))
    queries = _filterable(tile).values()
    if cross["field"] not in {f for q in queries for f in q.fields_used}:
        raise FilterValueError(
            "cross", "filter.cross_field", tile=tile.id, field=shown(cross["field"])
        )
    value = cross["value"]
    ok = isinstance(value, str | int | float | bool) and value == value
    if not ok or (isinstance(value, str) and len(value) > MAX_TEXT_VALUE):
        raise FilterValueError("cross", "filter.cross_value")
    return {"tile": tile.id, "field": cross["field"], "value": value}


def _clicked_grain(dashboard: DashboardSpec, cross: Mapping[str, Any]) -> str | None:
    """The time grain the clicked tile groups the cross-filter's field by, if any."""
    tile = dashboard.tile(cross["tile"])
    queries = _filterable(tile).values() if tile is not None else []
    return next((d.grain for q in queries for d in q.dimensions
                 if d.field == cross["field"] and d.grain), None)


# --- merged queries ------------------------------------------------------------------------


def tile_queries(
    tile: Tile,
    dashboard: DashboardSpec,
    values: Mapping[str, Any],
    schemas: Schemas,
    cross_filter: Mapping[str, Any] | None = None,
) -> dict[str, Query]:
    """The tile's named queries with the dashboard filters and the cross-filter merged in.

    `values` maps filter ids to raw values (defaults fill the missing ones); the tile's own
    filters are kept and the dashboard's are appended. Raises FilterValueError for a value
    or cross-filter of the wrong shape.
    """
    cleaned = current_values(dashboard, values)
    cross = clean_cross_filter(dashboard, cross_filter)
    if cross is not None and cross["tile"] == tile.id:
        cross = None
    if cross is not None:
        cross = {**cross, "grain": _clicked_grain(dashboard, cross)}
    skip = UNFILTERED_QUERIES.get(tile.kind, frozenset())
    out: dict[str, Query] = {}
    for name, query in tile.queries().items():
        if name in skip:
            out[name] = query
            continue
        extra = _dashboard_conditions(tile, name, query, dashboard, cleaned, schemas)
        extra += _cross_conditions(tile, name, query, cross, schemas)
        out[name] = _with_filters(query, extra)
    return out


def _dashboard_conditions(
    tile: Tile, name: str, query: Query, dashboard: DashboardSpec,
    values: dict[str, Any], schemas: Schemas,
) -> list[Filter]:
    out: list[Filter] = []
    for flt in dashboard.filters:
        value = values.get(flt.id)
        ftype = field_type(flt, query.dataset, schemas)
        if value is None or ftype is None or _spares_reference(tile, name, flt.field, ftype):
            continue
        out += _conditions(tile, flt, value, ftype)
    return out


def _conditions(tile: Tile, flt: DashboardFilter, value: Any, ftype: str) -> list[Filter]:
    if isinstance(flt, DateFilterBase) and isinstance(tile, KpiTile) \
            and flt.field == tile.period_field:
        _, end = flt.bounds(value)
        return date_range_filters(flt.field, None, end, ftype)
    return flt.conditions(value, ftype)


def _spares_reference(tile: Tile, name: str, field: str, ftype: str) -> bool:
    """True when a filter on `field` must not touch the KPI's reference query.

    The reference keeps its territory: filters on its own field and on any geographic code
    (the territories being compared with it) do not apply there.
    """
    if name != REFERENCE_QUERY or not isinstance(tile, KpiTile) or tile.reference is None:
        return False
    return field == tile.reference.field or ftype in GEO_CODE_TYPES


def _cross_conditions(
    tile: Tile, name: str, query: Query, cross: dict[str, Any] | None, schemas: Schemas
) -> list[Filter]:
    if cross is None:
        return []
    ftype = schemas.get(query.dataset, {}).get(cross["field"])
    if ftype is None or ftype == "geometry" or _spares_reference(tile, name, cross["field"], ftype):
        return []
    day = parse_day(cross["value"]) if cross["grain"] and ftype in DATE_TYPES else None
    if day is not None:
        start = period_start(day, cross["grain"])
        end = period_end(start, cross["grain"])
        return date_range_filters(cross["field"], start, end, ftype)
    return [Filter(field=cross["field"], op="=", value=cross["value"])]


def _with_filters(query: Query, extra: list[Filter]) -> Query:
    if not extra:
        return query
    data = query.model_dump()
    data["filters"] = [*data["filters"], *(f.model_dump() for f in extra)]
    return Query.model_validate(data)


# --- URL state -----------------------------------------------------------------------------


def encode_state(values: Mapping[str, Any], cross_filter: Mapping[str, Any] | None = None
                 ) -> str:
    """The query string (without `?`) holding the filter values and the cross-filter.

    A list is a repeated key (a date range is its two ends, an open end empty), a cleared
    filter is one empty value, and the cross-filter is `x.tile`, `x.field`, `x.value`.
    """
    pairs: list[tuple[str, str]] = []
    for filter_id, value in values.items():
        if isinstance(value, list | tuple):
            pairs += [(filter_id, _text(v)) for v in value] or [(filter_id, "")]
        else:
            pairs.append((filter_id, _text(value)))
    if cross_filter:
        pairs += [(key, _text(cross_filter.get(key[2:]))) for key in CROSS_KEYS]
    return urlencode(pairs)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def decode_state(
    query_string: str, dashboard: DashboardSpec
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The filter values (defaults for filters the URL omits) and the cross-filter of a URL.

    Never raises: unknown keys, values of the wrong shape and a cross-filter naming another
    dashboard's tile are ignored (the filter keeps its default).
    """
    params = _parse(query_string)
    values: dict[str, Any] = {}
    for flt in dashboard.filters:
        values[flt.id] = _decoded_value(flt, params.get(flt.id))
    return values, _decoded_cross(params, dashboard)


def _parse(query_string: Any) -> dict[str, list[str]]:
    if not isinstance(query_string, str) or len(query_string) > MAX_QUERY_STRING:
        return {}
    try:
        return parse_qs(query_string.lstrip("?"), keep_blank_values=True,
                        max_num_fields=MAX_URL_FIELDS)
    except ValueError:
        return {}


def _decoded_value(flt: DashboardFilter, raw: list[str] | None) -> Any:
    fallback = _safe_clean(flt, flt.default)
    if raw is None:
        return fallback
    if flt.kind in ("multi_select", "territory"):
        given: Any = [v for v in raw if v != ""]
    elif len(raw) == 1 or (flt.kind == "date_range" and len(raw) == 2):
        given = raw[0] if len(raw) == 1 else raw
    else:
        return fallback
    try:
        return flt.clean(given)
    except FilterValueError:
        return fallback


def _safe_clean(flt: DashboardFilter, raw: Any) -> Any:
    try:
        return flt.clean(raw)
    except FilterValueError:
        return None


def _decoded_cross(params: dict[str, list[str]], dashboard: DashboardSpec
                   ) -> dict[str, Any] | None:
    parts = [params.get(key, []) for key in CROSS_KEYS]
    if any(len(p) != 1 for p in parts):
        return None
    tile, field, value = (p[0] for p in parts)
    try:
        return clean_cross_filter(dashboard, {"tile": tile, "field": field, "value": value})
    except FilterValueError:
        return None
