"""Dashboard use cases: open the right revision, run every tile with the filters merged in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from studio.config import Settings
from studio.datasources.cache import row_filter_json
from studio.security.access import NO_VOUCH, Vouch
from studio.services import documents, live_datasets
from studio.services.datasets import fields_of, source_of
from studio.services.sharing import row_filter_for
from studio.services.tiles import tile_datasets
from studio.spec import Query
from studio.spec.dashboard import DashboardSpec, load_dashboard
from studio.spec.filters import tile_queries
from studio.store.models import Document


@dataclass
class OpenDashboard:
    """A dashboard as one actor sees it: which revision, its spec, and the datasets' schemas."""

    doc: Document
    spec: DashboardSpec
    showing: str  # "draft" or "published"
    schemas: dict[int, dict[str, str]] = field(default_factory=dict)
    vouched: Vouch = NO_VOUCH
    # the live datasets read for `schemas` in this request, so that the access checks of the
    # same request do not read them again (never kept across requests)
    datasets: dict[int, Any] = field(default_factory=dict, repr=False, compare=False)


def open_dashboard(s: Session, actor: Any, doc_id: int) -> OpenDashboard:
    """The dashboard the actor may view (NotFound otherwise), with its datasets' schemas."""
    doc = documents.get_visible(s, "dashboard", actor, doc_id)
    raw, showing = documents.visible_spec(s, actor, doc)
    spec = load_dashboard(raw)
    vouched = documents.vouch(s, doc, raw) if showing == "published" else NO_VOUCH
    datasets = live_datasets(s, documents.dataset_ids(raw))
    schemas = {ds_id: {f.name: f.type for f in fields_of(ds)} for ds_id, ds in datasets.items()}
    return OpenDashboard(doc, spec, showing, schemas, vouched, datasets)


def merged_queries(
    board: OpenDashboard, values: dict[str, Any], cross: dict[str, Any] | None
) -> dict[str, dict[str, Query]]:
    """Each tile's named queries with the dashboard filters and the cross-filter merged in."""
    return {
        tile.id: tile_queries(tile, board.spec, values, board.schemas, cross)
        for tile in board.spec.tiles
    }


@dataclass
class TileAccess:
    """Whether the actor may see a tile's data now, and what its drawing depends on."""

    error: str | None = None
    depends: dict[str, Any] = field(default_factory=dict)


def tile_access(
    s: Session,
    settings: Settings,
    actor: Any,
    board: OpenDashboard,
    queries: dict[str, dict[str, Query]],
    locale: str,
) -> dict[str, TileAccess]:
    """For each tile, the access check (done now, for this actor) and its dependencies.

    `depends` names everything a drawing of the tile is made from: its spec, its merged
    queries (filter values, cross-filter), each source and version, and the row filter the
    actor's queries get; a cache key built from it (plus locale and page) never serves a
    drawing made from other data or for other rules.
    """
    out: dict[str, TileAccess] = {}
    for tile in board.spec.tiles:
        tile_queries = queries.get(tile.id, {})
        datasets, error = tile_datasets(
            s, actor, tile_queries, locale, board.vouched, known=board.datasets
        )
        if error:
            out[tile.id] = TileAccess(error=error)
            continue
        out[tile.id] = TileAccess(
            depends={
                "tile": tile.model_dump(mode="json"),
                "queries": {n: q.model_dump(mode="json") for n, q in tile_queries.items()},
                "sources": {str(i): source_of(settings, ds).identity for i, ds in datasets.items()},
                "row_filters": {
                    str(i): row_filter_json(row_filter_for(s, actor, ds))
                    for i, ds in datasets.items()
                },
            }
        )
    return out
