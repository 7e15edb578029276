"""Running a tile: each of its named queries, under the actor's permissions, into results."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
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
from studio.store.db import Database
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


def run_tiles(
    db: Database,
    settings: Settings,
    cache: QueryCache | None,
    actor: Any,
    queries: Mapping[str, dict[str, Query]],
    locale: str,
    vouched: Vouch | None = None,
    then: Callable[[str, TileData], Any] | None = None,
) -> dict[str, Any]:
    """Every tile's data, tiles run in parallel (DuckDB releases the GIL while it works): the
    one runner of dashboards, stories, embeds, PDF and exports.

    `queries`: for each tile (or story unit) id, its named queries, already merged with the
    filter values (and an embed's locks). With `then`, each tile's value is
    `then(tile id, data)`, called in the worker as soon as that tile's queries are done:
    drawing one tile overlaps the queries of the others.
    """

    def one(key: str) -> tuple[str, Any]:
        with db.session() as s:
            data = run_tile_queries(s, settings, cache, actor, queries[key], locale, vouched)
        return key, (then(key, data) if then is not None else data)

    if len(queries) <= 1:
        return dict(one(key) for key in queries)
    with ThreadPoolExecutor(max_workers=min(4, len(queries))) as pool:
        return dict(pool.map(one, list(queries)))
