"""`render_tile`: any tile and its query results to a Dash component, never raising."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from studio.components.chart import render_chart
from studio.components.common import (
    Component,
    Rendered,
    TileDataError,
    message_box,
    tile_frame,
)
from studio.components.kpi import render_kpi
from studio.components.map import render_map
from studio.components.messages import message
from studio.components.table import render_table
from studio.components.text import render_text
from studio.spec.query import QueryResult

logger = logging.getLogger(__name__)

Renderer = Callable[..., Rendered]
RENDERERS: dict[str, Renderer] = {
    "chart": render_chart,
    "map": render_map,
    "kpi": render_kpi,
    "table": render_table,
    "text": render_text,
}
OPTIONAL_RESULTS = {"reference"}
"""Results a tile can be drawn without (the KPI's reference territory)."""
EMPTY_ALLOWED = {"text"}
"""Kinds drawn even when their query gives no row (the text keeps its words)."""


def missing_data_message(tile: Any, results: Mapping[str, QueryResult],
                         locale: str) -> str | None:
    """Why the results cannot feed the tile (absent result or column), or `None`."""
    for name, query in tile.queries().items():
        result = results.get(name)
        if result is None:
            if name in OPTIONAL_RESULTS:
                continue
            return message("missing_result", locale)
        absent = [c for c in query.columns if c not in result.columns]
        if absent:
            return message("missing_field", locale, field=", ".join(absent))
    return None


def _is_empty(tile: Any, results: Mapping[str, QueryResult]) -> bool:
    names = list(tile.queries())
    if not names or tile.kind in EMPTY_ALLOWED:
        return False
    return not results[names[0]].rows


def render_body(tile: Any, results: Mapping[str, QueryResult], locale: str = "fr", *,
                settings: Any = None, error: str | None = None,
                id_prefix: str | None = None, selected: Any = None,
                outlines_url: str | None = None) -> Rendered:
    """The body of a tile: its content, or a clear message when it cannot be drawn."""
    if error:
        return Rendered(message_box(message("error", locale, detail=error), error=True))
    problem = missing_data_message(tile, results, locale)
    if problem:
        return Rendered(message_box(problem, error=True))
    if _is_empty(tile, results):
        return Rendered(message_box(message("empty", locale)))
    extra = ({"selected": selected, "outlines_url": outlines_url}
             if tile.kind == "map" else {})
    try:
        return RENDERERS[tile.kind](tile, dict(results), locale, settings=settings,
                                    id_prefix=id_prefix, **extra)
    except TileDataError as exc:
        return Rendered(message_box(message("bad_data", locale, detail=str(exc)), error=True))
    except Exception:  # a renderer bug must not take the whole dashboard down
        logger.exception("rendering tile %s failed", getattr(tile, "id", "?"))
        return Rendered(message_box(message("error", locale, detail=message(
            "missing_result", locale)), error=True))


def render_tile(
    tile: Any,
    results: Mapping[str, QueryResult],
    locale: str = "fr",
    *,
    settings: Any = None,
    error: str | None = None,
    id_prefix: str | None = None,
    selected: Any = None,
    outlines_url: str | None = None,
) -> Component:
    """The framed Dash component of a tile drawn from its query results.

    `results` maps the names of `tile.queries()` to their results; `error` is a message
    from the caller (e.g. the query failed) shown in the tile; `settings` is a mapping or
    object giving `tile_url` and `tile_attribution` (`studio.config.Settings`). A map also
    takes `selected` (the cross-filtered area's code, outlined) and `outlines_url` (where
    the browser fetches its outlines, instead of sending them inline). Never raises.
    """
    rendered = render_body(tile, results, locale, settings=settings, error=error,
                           id_prefix=id_prefix, selected=selected, outlines_url=outlines_url)
    # A KPI reads its last periods only (`history_length`): more rows are expected, not cut.
    truncated = tile.kind != "kpi" and any(r.truncated for r in results.values()) and not error
    return tile_frame(tile, rendered, locale, id_prefix=id_prefix, truncated=truncated)
