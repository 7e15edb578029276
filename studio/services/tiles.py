"""Running a tile: each of its named queries, under the actor's permissions, into results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from studio.config import Settings
from studio.datasources import DatasetError, QueryCache
from studio.i18n import register, t
from studio.security.access import Vouch, readable
from studio.services import datasets as dataset_service
from studio.services.sharing import row_filter_for
from studio.spec import Query, QueryResult
from studio.store import NotFound
from studio.store import datasets as repo
from studio.store.models import Dataset

register(
    {
        "tile.no_access": (
            "Les données de cette tuile ne vous sont pas accessibles. Demandez l'accès au "
            "propriétaire du jeu de données.",
            "You do not have access to this tile's data. Ask the dataset's owner for access.",
        ),
        "tile.dataset_missing": (
            "Le jeu de données de cette tuile a été supprimé. Choisissez-en un autre dans "
            "l'éditeur de tuile.",
            "This tile's dataset was deleted. Choose another one in the tile editor.",
        ),
    }
)


@dataclass
class TileData:
    """What a tile needs to draw: named results, or the message explaining why not."""

    results: dict[str, QueryResult] = field(default_factory=dict)
    error: str | None = None


def tile_datasets(
    s: Session,
    actor: Any,
    queries: dict[str, Query],
    locale: str,
    vouched: Vouch | None = None,
    known: dict[int, Dataset] | None = None,
) -> tuple[dict[int, Dataset], str | None]:
    """(the datasets the queries read, by id; or the message saying why the actor may not).

    `vouched`: the vouch of the published dashboard or story the actor is viewing, if any
    (see `security.access.readable`, the one rule deciding each dataset here).
    `known`: datasets already read in this request (the permission check is still made here).
    """
    found: dict[int, Dataset] = {}
    for query in queries.values():
        if query.dataset in found:
            continue
        try:
            ds = (known or {}).get(query.dataset) or repo.get_dataset(s, query.dataset)
        except NotFound:
            return {}, t("tile.dataset_missing", locale)
        if not readable(actor, ds, vouched):
            return {}, t("tile.no_access", locale)
        found[ds.id] = ds
    return found, None


def run_tile_queries(
    s: Session,
    settings: Settings,
    cache: QueryCache | None,
    actor: Any,
    queries: dict[str, Query],
    locale: str,
    vouched: Vouch | None = None,
) -> TileData:
    """Run every named query; a dataset the actor may not view yields a message, not data.

    Each query carries the actor's row-level rules on its dataset (`row_filter_for`).
    `vouched`: see `tile_datasets`.
    """
    datasets, error = tile_datasets(s, actor, queries, locale, vouched)
    if error:
        return TileData(error=error)
    data = TileData()
    for name, query in queries.items():
        ds = datasets[query.dataset]
        try:
            data.results[name] = dataset_service.query_dataset(
                settings, cache, ds, query, row_filter_for(s, actor, ds)
            )
        except DatasetError as exc:
            return TileData(error=exc.message(locale))
    return data
