"""Map tiles with dash-leaflet: classed choropleths and point layers.

A choropleth is one `dl.GeoJSON` layer of outlines that never change with the filters
(properties: code and name) and a small `hideout` (class colour and tooltip by code, the
selected code) that does; the style and tooltip functions that read it live in
`assets/studio_maps.js` (`window.studioMaps`, no external script). The dashboard page sends
the outlines once, through a cached URL, and then only the hideout. Tooltips and popups are
inserted by Leaflet as HTML, so their text is HTML-escaped here. A background tile layer is
added only when the app settings give `tile_url` (or `map_tile_url`) (no external request
otherwise).
"""

from __future__ import annotations

import bisect
import hashlib
import html as html_lib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import dash_leaflet as dl
from dash import html

from studio.components.common import Component, Rendered, TileDataError, component_id
from studio.components.common import data_table as plain_table
from studio.components.format import format_number, is_number
from studio.components.messages import message
from studio.components.palettes import NO_DATA_COLOR, sequential_colors
from studio.spec.query import QueryResult
from studio.spec.tiles import Boundaries, Classification, MapTile, NumberFormat

FRANCE_BOUNDS = [[41.3, -5.2], [51.1, 9.6]]
MAP_STYLE = {"height": "420px", "width": "100%"}


def setting(settings: Any, name: str) -> Any:
    """A setting from a mapping or an object, `None` when absent."""
    if settings is None:
        return None
    if isinstance(settings, dict):
        return settings.get(name)
    return getattr(settings, name, None)


# --- classes -------------------------------------------------------------------------------


def class_breaks(values: Iterable[float], classification: Classification) -> list[float]:
    """Inner class limits (increasing, without duplicates) for the values."""
    data = sorted(v for v in values if is_number(v))
    if classification.method == "manual":
        return list(classification.breaks)
    if not data:
        return []
    k = classification.classes
    if classification.method == "equal":
        low, high = data[0], data[-1]
        raw = [low + (high - low) * i / k for i in range(1, k)]
    else:
        raw = [_quantile(data, i / k) for i in range(1, k)]
    return sorted(set(b for b in raw if data[0] < b <= data[-1]))


def _quantile(data: list[float], q: float) -> float:
    pos = (len(data) - 1) * q
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def class_index(value: float, breaks: list[float]) -> int:
    """Class of a value: 0 below the first break, `len(breaks)` at or above the last."""
    return bisect.bisect_right(breaks, value)


def class_labels(breaks: list[float], locale: str, fmt: NumberFormat) -> list[str]:
    """Legend texts of the classes: "< a", "a – b", …, "≥ z"."""
    if not breaks:
        return [message("value", locale)]
    f = [format_number(b, locale, fmt) for b in breaks]
    labels = [f"< {f[0]}"]
    labels += [f"{a} – {b}" for a, b in zip(f, f[1:], strict=False)]
    labels.append(f"≥ {f[-1]}")
    return labels


def legend(
    title: str, colors: list[str], labels: list[str], locale: str, with_missing: bool
) -> Component:
    """The map legend as an accessible list of colour swatches and class texts."""
    items = list(zip(colors, labels, strict=True))
    if with_missing:
        items.append((NO_DATA_COLOR, message("no_value", locale)))
    return html.Div(
        [
            html.P(
                title or message("legend", locale), className="studio-map-legend-title small mb-1"
            ),
            html.Ul(
                [
                    html.Li(
                        [
                            html.Span(
                                className="studio-map-swatch",
                                style={
                                    "display": "inline-block",
                                    "width": "1em",
                                    "height": "1em",
                                    "backgroundColor": color,
                                    "border": "1px solid #999",
                                    "marginRight": "0.4em",
                                    "verticalAlign": "middle",
                                },
                                **{"aria-hidden": "true"},
                            ),
                            label,
                        ],
                        className="small",
                    )
                    for color, label in items
                ],
                className="list-unstyled mb-0",
            ),
        ],
        className="studio-map-legend",
    )


# --- geometry ------------------------------------------------------------------------------


COORDINATE_DECIMALS = 4
"""About 11 m: finer than any outline drawn at territory scale, and half the bytes."""


def parse_geometry(text: Any) -> dict[str, Any] | None:
    """A GeoJSON geometry from its text (or dict), coordinates rounded; `None` if not one.

    Parsed text is cached: the same outlines come back with every filter change. Callers
    must not modify the returned geometry.
    """
    if isinstance(text, str):
        return _parse_text(text)
    if isinstance(text, dict):
        return _geometry_of(text)
    return None


@lru_cache(maxsize=8192)
def _parse_text(text: str) -> dict[str, Any] | None:
    try:
        return _geometry_of(json.loads(text))
    except ValueError:
        return None


def _geometry_of(geometry: Any) -> dict[str, Any] | None:
    if not isinstance(geometry, dict) or "type" not in geometry:
        return None
    if geometry.get("type") == "Feature":
        return parse_geometry(geometry.get("geometry"))
    if "coordinates" not in geometry:
        return geometry
    return {**geometry, "coordinates": _rounded(geometry["coordinates"])}


def _rounded(coords: Any) -> Any:
    if isinstance(coords, list | tuple):
        return [_rounded(c) for c in coords]
    if isinstance(coords, float):
        return round(coords, COORDINATE_DECIMALS)
    return coords


def _positions(coords: Any) -> Iterable[tuple[float, float]]:
    if (
        isinstance(coords, list | tuple)
        and len(coords) >= 2
        and all(is_number(c) for c in coords[:2])
    ):
        yield float(coords[0]), float(coords[1])
    elif isinstance(coords, list | tuple):
        for part in coords:
            yield from _positions(part)


def bounds_of(geometries: Iterable[dict[str, Any]]) -> list[list[float]] | None:
    """[[south, west], [north, east]] around the geometries, `None` when empty."""
    xs: list[float] = []
    ys: list[float] = []
    for g in geometries:
        for x, y in _positions(g.get("coordinates")):
            xs.append(x)
            ys.append(y)
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def _tooltip(name: str, value: float | None, locale: str, fmt: NumberFormat) -> str:
    shown = format_number(value, locale, fmt) if value is not None else message("no_value", locale)
    return f"<strong>{html_lib.escape(name)}</strong><br>{html_lib.escape(shown)}"


def _code(value: Any) -> str:
    return str(value).strip()


# --- layers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outlines:
    """The areas of a choropleth, parsed once per boundaries result and shared read-only.

    `collection` is the GeoJSON sent to the browser (properties: code and name only, so
    that it stays the same whatever the filters); the values, colours and tooltips travel
    separately in the layer's `hideout` and are applied by `assets/studio_maps.js`.
    """

    codes: tuple[str, ...]
    names: tuple[str, ...]
    collection: dict[str, Any]
    bounds: list[list[float]] | None

    @cached_property
    def geojson(self) -> bytes:
        """The collection as compact JSON bytes (what the outlines URL serves)."""
        return json.dumps(self.collection, separators=(",", ":")).encode()

    @cached_property
    def etag(self) -> str:
        """A validator of `geojson` for HTTP caching."""
        return hashlib.sha256(self.geojson).hexdigest()[:32]


def outlines_of(boundaries: Boundaries, result: QueryResult) -> Outlines:
    """The outlines in a boundaries query result (cached: they come back with every change)."""
    return _outlines(
        tuple(result.column(boundaries.code_field)),
        tuple(result.column(boundaries.name_field)),
        tuple(result.column(boundaries.geometry_field)),
    )


@lru_cache(maxsize=32)
def _outlines(codes: tuple[Any, ...], names: tuple[Any, ...], texts: tuple[Any, ...]) -> Outlines:
    kept_codes: list[str] = []
    kept_names: list[str] = []
    features: list[dict[str, Any]] = []
    geometries: list[dict[str, Any]] = []
    for code, name, text in zip(codes, names, texts, strict=True):
        geometry = parse_geometry(text)
        if geometry is None:
            continue
        name_text = str(name) if name is not None else _code(code)
        kept_codes.append(_code(code))
        kept_names.append(name_text)
        geometries.append(geometry)
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"code": _code(code), "name": name_text},
            }
        )
    return Outlines(
        tuple(kept_codes),
        tuple(kept_names),
        {"type": "FeatureCollection", "features": features},
        bounds_of(geometries),
    )


def choropleth_layers(
    tile: MapTile,
    results: dict[str, QueryResult],
    locale: str,
    id_prefix: str | None,
    *,
    selected: Any = None,
    outlines_url: str | None = None,
) -> tuple[list[Component], Component | None, list[list[float]] | None, list[list[str]]]:
    """(the areas layer, legend, bounds, table rows) of a choropleth.

    One `dl.GeoJSON` layer holds every area; its `hideout` maps each code to its class
    colour and tooltip, and names the `selected` code (the cross-filter), drawn outlined.
    With `outlines_url` the browser fetches the outlines from there (and keeps them across
    filter changes); otherwise they are inline in the layer's `data`.
    """
    assert tile.boundaries is not None and tile.code_field is not None
    assert tile.measure is not None
    fmt = tile.number_format
    values = {
        _code(c): (float(v) if is_number(v) else None)
        for c, v in zip(
            results["values"].column(tile.code_field),
            results["values"].column(tile.measure.key),
            strict=True,
        )
    }
    outlines = outlines_of(tile.boundaries, results["boundaries"])
    if not outlines.codes:
        raise TileDataError(message("no_value", locale))
    breaks = class_breaks([v for v in values.values() if v is not None], tile.classification)
    colors = sequential_colors(tile.palette, len(breaks) + 1)
    fills: dict[str, str] = {}
    tips: dict[str, str] = {}
    table_rows: list[list[str]] = []
    missing = False
    for code, name in zip(outlines.codes, outlines.names, strict=True):
        value = values.get(code)
        if value is None:
            missing = True
        else:
            fills[code] = colors[class_index(value, breaks)]
        tips[code] = _tooltip(name, value, locale, fmt)
        table_rows.append([code, name, format_number(value, locale, fmt)])
    chosen = _code(selected) if selected is not None else None
    source = {"url": outlines_url} if outlines_url else {"data": outlines.collection}
    layer = dl.GeoJSON(
        id=component_id(tile.id, "map-areas", id_prefix),
        **source,
        hideout={
            "fills": fills,
            "tips": tips,
            "missing": NO_DATA_COLOR,
            "selected": chosen if chosen in tips else None,
        },
        style={"variable": "studioMaps.areaStyle"},
        onEachFeature={"variable": "studioMaps.areaTooltip"},
        hoverStyle={"weight": 2.5, "color": "#222222"},
    )
    title = tile.measure.label or tile.measure.field or message("count", locale)
    key = (
        legend(title, colors, class_labels(breaks, locale, fmt), locale, missing)
        if tile.legend
        else None
    )
    return [layer], key, outlines.bounds, table_rows


def _point_place(tile: MapTile, row: dict[str, Any]) -> tuple[float, float] | None:
    if tile.geometry_field is not None:
        geometry = parse_geometry(row.get(tile.geometry_field))
        if not geometry or geometry.get("type") != "Point":
            return None
        coords = geometry.get("coordinates") or []
        lon, lat = (coords + [None, None])[:2]
    else:
        lat, lon = row.get(tile.lat_field or ""), row.get(tile.lon_field or "")
    if not (is_number(lat) and is_number(lon)):
        return None
    return float(lat), float(lon)  # type: ignore[arg-type]


def point_layers(
    tile: MapTile, results: dict[str, QueryResult], locale: str, id_prefix: str | None
) -> tuple[list[Component], Component | None, list[list[float]] | None, list[list[str]]]:
    """(point layer, legend, bounds, table rows) of a point map."""
    result, fmt = results["points"], tile.number_format
    key = tile.measure.key if tile.measure else None
    points = []
    for raw in result.rows:
        row = dict(zip(result.columns, raw, strict=False))
        place = _point_place(tile, row)
        if place is None:
            continue
        value = row.get(key) if key else None
        label = str(row[tile.label_field]) if tile.label_field else ""
        points.append((place, label, float(value) if is_number(value) else None))
    if not points:
        raise TileDataError(message("no_value", locale))
    values = [v for _, _, v in points if v is not None]
    breaks = class_breaks(values, tile.classification) if tile.color_by_value else []
    colors = sequential_colors(tile.palette, len(breaks) + 1) if tile.color_by_value else []
    top = max((abs(v) for v in values), default=0) or 1
    geometries = [{"type": "Point", "coordinates": [lon, lat]} for (lat, lon), _, _ in points]
    rows = [
        [label, f"{lat:.5f}", f"{lon:.5f}", format_number(v, locale, fmt)]
        for (lat, lon), label, v in points
    ]
    texts = [_tooltip(label, v, locale, fmt) for _, label, v in points]
    if tile.cluster:
        features = [
            {"type": "Feature", "geometry": g, "properties": {"popup": t, "tooltip": t}}
            for g, t in zip(geometries, texts, strict=True)
        ]
        layer = dl.GeoJSON(
            id=component_id(tile.id, "map-points", id_prefix),
            data={"type": "FeatureCollection", "features": features},
            cluster=True,
            zoomToBoundsOnClick=True,
            superClusterOptions={"radius": 60},
        )
        return [layer], None, bounds_of(geometries), rows
    markers = []
    for (lat, lon), label, v in points:
        color = colors[class_index(v, breaks)] if (colors and v is not None) else "#0072B2"
        radius = 4 + 16 * (abs(v) / top) ** 0.5 if (tile.size_by_value and v is not None) else 6
        shown = format_number(v, locale, fmt) if v is not None else ""
        markers.append(
            dl.CircleMarker(
                center=[lat, lon],
                radius=radius,
                pathOptions={
                    "color": "#ffffff",
                    "weight": 1,
                    "fillColor": color,
                    "fillOpacity": 0.85,
                },
                children=[
                    dl.Tooltip(f"{label} : {shown}" if label and shown else (label or shown))
                ],
            )
        )
    layer = dl.LayerGroup(markers, id=component_id(tile.id, "map-points", id_prefix))
    title = (tile.measure.label or tile.measure.field or "") if tile.measure else ""
    key_legend = (
        legend(title, colors, class_labels(breaks, locale, fmt), locale, False)
        if (tile.legend and colors)
        else None
    )
    return [layer], key_legend, bounds_of(geometries), rows


def bounds_center(bounds: list[list[float]]) -> list[float]:
    """The middle of [[south, west], [north, east]]."""
    (south, west), (north, east) = bounds
    return [(south + north) / 2, (west + east) / 2]


def bounds_zoom(bounds: list[list[float]]) -> int:
    """A zoom level at which the bounds roughly fill a tile-sized map."""
    import math

    (south, west), (north, east) = bounds
    span = max(east - west, (north - south) * 1.5, 1e-6)
    return max(1, min(14, int(math.log2(360 / span)) + 1))


def render_map(
    tile: MapTile,
    results: dict[str, QueryResult],
    locale: str = "fr",
    *,
    settings: Any = None,
    id_prefix: str | None = None,
    selected: Any = None,
    outlines_url: str | None = None,
) -> Rendered:
    """The body of a map tile (a `dl.Map` and its legend) and its table alternative.

    `selected` is the code of the area the dashboard is cross-filtered by (outlined);
    `outlines_url`, where the browser fetches a choropleth's outlines instead of inline data.
    """
    if tile.layer == "choropleth":
        layers, key, bounds, rows = choropleth_layers(
            tile, results, locale, id_prefix, selected=selected, outlines_url=outlines_url
        )
        headers = [
            "Code",
            "Nom" if locale != "en" else "Name",
            tile.measure.label or tile.measure.field or message("count", locale),
        ]
    else:
        layers, key, bounds, rows = point_layers(tile, results, locale, id_prefix)
        headers = [
            "Nom" if locale != "en" else "Name",
            "Latitude",
            "Longitude",
            message("value", locale),
        ]
    children: list[Component] = []
    url = setting(settings, "tile_url") or setting(settings, "map_tile_url")
    if url:
        attribution = setting(settings, "tile_attribution") or setting(settings, "map_attribution")
        children.append(dl.TileLayer(url=url, attribution=attribution or ""))
    children.extend(layers)
    children.append(dl.ScaleControl(position="bottomleft", imperial=False))
    bounds = bounds or FRANCE_BOUNDS
    leaflet = dl.Map(
        children=children,
        id=component_id(tile.id, "map", id_prefix),
        bounds=bounds,
        # dash-leaflet 1.1 throws in the browser when a map starts from bounds alone
        # (emilhe/dash-leaflet#254): give the view those bounds imply as well.
        center=bounds_center(bounds),
        zoom=bounds_zoom(bounds),
        style=MAP_STYLE,
        scrollWheelZoom=False,
        attributionControl=bool(url),
    )
    label = message("map_label", locale, title=tile.title) if tile.title else None
    body = html.Div(
        [leaflet, key] if key is not None else [leaflet],
        className="studio-map",
        role="region",
        **({"aria-label": label} if label else {}),
    )
    table = plain_table(
        headers,
        rows,
        locale,
        tile_id=tile.id,
        id_prefix=id_prefix,
        numeric=[False] * (len(headers) - 1) + [True],
    )
    return Rendered(body, table)
