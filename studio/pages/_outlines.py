"""The outlines of a dashboard's choropleth tile as GeoJSON, fetched once by the browser.

A filter change then sends only the map's values (its layer's `hideout`), not the outlines
again. The route re-derives the actor and opens the dashboard as the page does (draft for
its editors, published revision for viewers); the tile's boundaries dataset must be one
the actor may view or one the published dashboard vouches for.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from studio import runtime
from studio.components.map import outlines_of
from studio.services import dashboards as service
from studio.services.tiles import run_tiles
from studio.store import NotFound

bp = Blueprint("studio_outlines", __name__)


def outlines_path(doc_id: int, tile_id: str) -> str:
    """The URL path of a map tile's outlines."""
    return f"/dashboards/{doc_id}/outlines/{tile_id}.geojson"


def _error(status: int, text: str) -> Response:
    response = jsonify({"error": text})
    response.status_code = status
    return response


@bp.get("/dashboards/<int:doc_id>/outlines/<tile_id>.geojson")
def outlines(doc_id: int, tile_id: str) -> Response:
    """The GeoJSON outlines of a choropleth tile (ETag, revalidated on every use)."""
    actor, locale = runtime.actor(), runtime.locale()
    try:
        with runtime.db().session() as s:
            board = service.open_dashboard(s, actor, doc_id)
    except NotFound:
        return _error(404, "No such dashboard, or it is not shared with you.")
    tile = board.spec.tile(tile_id)
    if tile is None or tile.kind != "map" or tile.boundaries is None:
        return _error(404, "This dashboard has no map tile with outlines by that id.")
    query = tile.queries()["boundaries"]
    data = run_tiles(
        runtime.db(),
        runtime.settings(),
        runtime.service("query_cache"),
        actor,
        {tile.id: {"boundaries": query}},
        locale,
        board.vouched,
    )[tile.id]
    if data.error:
        return _error(403, data.error)
    shapes = outlines_of(tile.boundaries, data.results["boundaries"])
    response = Response(shapes.geojson, mimetype="application/geo+json")
    response.set_etag(shapes.etag)
    # private: per user; no-cache: the browser asks again (a 304) each time it needs them,
    # so a revoked access or a new version of the outlines is seen at once.
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)
