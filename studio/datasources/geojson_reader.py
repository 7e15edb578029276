"""Loading a GeoJSON FeatureCollection into the DuckDB `raw` table.

Properties become columns (typed like CSV text); the geometry is kept as GeoJSON text in a
`geometry` column of type `geometry`, after checking its type, shape, coordinate ranges
and the total number of vertices.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from studio.datasources.errors import DatasetError
from studio.datasources.infer import ColumnPlan
from studio.datasources.tabular import RawTable

MAX_VERTICES = 2_000_000
MAX_PROPERTIES = 500  # distinct property names (columns)
MAX_CELLS = 20_000_000  # features × properties
GEOMETRY_COLUMN = "geometry"
# geometry type -> nesting depth of its coordinates above a position
DEPTHS = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def load_geojson(con: duckdb.DuckDBPyConnection, path: Path) -> RawTable:
    """Return the description of the `raw` table loaded from a GeoJSON file."""
    features = _features(_parse(path))
    names = _property_names(features)  # checked before any column is built
    vertices = 0
    for number, feature in enumerate(features, start=1):
        vertices += _check_feature(feature, number)
        if vertices > MAX_VERTICES:
            raise DatasetError(
                "geojson.too_many_vertices", {"count": f"> {vertices}", "limit": MAX_VERTICES}
            )
    columns = {
        f"c{i}": pa.array(
            [_text((f.get("properties") or {}).get(n)) for f in features], pa.string()
        )
        for i, n in enumerate(names)
    }
    geometries = [_geometry_text(f.get("geometry")) for f in features]
    columns[f"c{len(names)}"] = pa.array(geometries, pa.string())
    con.register("raw_arrow", pa.table(columns))
    con.execute("CREATE TABLE raw AS SELECT * FROM raw_arrow")
    con.unregister("raw_arrow")
    return RawTable(
        names=[*names, GEOMETRY_COLUMN],
        line_of=lambda rowid: rowid + 1,
        plans={len(names): ColumnPlan("geometry")},
        source={"format": "geojson", "features": len(features), "vertices": vertices},
    )


def _parse(path: Path) -> Any:
    try:
        with path.open("rb") as f:
            return json.load(f)
    except UnicodeDecodeError as exc:
        raise DatasetError("geojson.invalid", {"detail": "not UTF-8 text"}) from exc
    except json.JSONDecodeError as exc:
        raise DatasetError(
            "geojson.invalid", {"detail": f"JSON error line {exc.lineno}: {exc.msg}"}
        ) from exc
    except RecursionError:
        raise DatasetError("geojson.invalid", {"detail": "nested too deeply"}) from None


def _features(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        raise DatasetError("geojson.invalid", {"detail": "the document is not an object"})
    if document.get("type") == "Feature":
        return [document]
    features = document.get("features")
    if document.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise DatasetError("geojson.invalid", {"detail": "expected a FeatureCollection"})
    if not features:
        raise DatasetError("csv.no_data")
    return features


def _check_feature(feature: Any, number: int) -> int:
    """Return the feature's vertex count, or raise geojson.bad_geometry."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise DatasetError("geojson.invalid", {"detail": f"item {number} is not a Feature"})
    props = feature.get("properties")
    if props is not None and not isinstance(props, dict):
        raise DatasetError("geojson.invalid", {"detail": f"feature {number}: bad properties"})
    geometry = feature.get("geometry")
    if geometry is None:
        return 0
    try:
        return _check_geometry(geometry)
    except ValueError as exc:
        raise DatasetError("geojson.bad_geometry", {"detail": str(exc)}, row=number) from exc


def _check_geometry(geometry: Any) -> int:
    if not isinstance(geometry, dict):
        raise ValueError("the geometry is not an object")
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        parts = geometry.get("geometries")
        if not isinstance(parts, list):
            raise ValueError("a GeometryCollection needs a list of geometries")
        return sum(_check_geometry(g) for g in parts)
    if kind not in DEPTHS:
        raise ValueError(f"unknown geometry type {kind!r}")
    count = _check_coordinates(geometry.get("coordinates"), DEPTHS[kind])
    if kind in ("Polygon", "MultiPolygon"):
        rings = [geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"]
        for polygon in rings:
            for ring in polygon:
                _check_ring(ring)
    return count


def _check_coordinates(value: Any, depth: int) -> int:
    if depth == 0:
        _check_position(value)
        return 1
    if not isinstance(value, list):
        raise ValueError("coordinates are not nested as the geometry type requires")
    return sum(_check_coordinates(v, depth - 1) for v in value)


def _check_position(position: Any) -> None:
    if not isinstance(position, list) or not 2 <= len(position) <= 3:
        raise ValueError(f"a position must be [longitude, latitude], not {position!r:.60}")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position):
        raise ValueError(f"a position holds non-numbers: {position!r:.60}")
    lon, lat = position[0], position[1]
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
        raise ValueError(f"coordinates out of range (longitude, latitude): {lon}, {lat}")


def _check_ring(ring: list[Any]) -> None:
    if len(ring) < 4 or ring[0][:2] != ring[-1][:2]:
        raise ValueError("a polygon ring needs at least 4 positions, the last equal to the first")


def _property_names(features: list[dict[str, Any]]) -> list[str]:
    """The columns to make, in order of appearance; DatasetError beyond MAX_PROPERTIES names
    or MAX_CELLS cells (the table would not fit in memory)."""
    names: dict[str, None] = {}
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        for key in properties if isinstance(properties, dict) else ():
            names.setdefault(str(key), None)
        if len(names) > MAX_PROPERTIES:
            raise DatasetError("geojson.too_many_properties", {"limit": MAX_PROPERTIES})
    if len(names) * len(features) > MAX_CELLS:
        raise DatasetError(
            "geojson.too_many_cells",
            {"features": len(features), "properties": len(names), "limit": MAX_CELLS},
        )
    return list(names)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _geometry_text(geometry: Any) -> str | None:
    if geometry is None:
        return None
    return json.dumps(geometry, separators=(",", ":"))
