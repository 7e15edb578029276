"""The tile editor's use cases: open a tile of a dashboard's draft, put it back."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from studio.i18n import register, t
from studio.security.policy import PermissionDenied, allowed
from studio.services import documents
from studio.spec import TILE_ADAPTER, Tile
from studio.store import NotFound, StaleRevision, audit
from studio.store import documents as repo
from studio.store.db import Database

register(
    {
        "te.stale": (
            "Le tableau de bord a été modifié par $by à $at depuis que vous l'avez ouvert. "
            "Rechargez la page pour repartir de sa dernière version.",
            "The dashboard was changed by $by at $at since you opened it. Reload the page "
            "to start from its latest version.",
        ),
        "te.invalid": ("Tuile invalide : $detail", "Invalid tile: $detail"),
    }
)


class TileSaveError(Exception):
    """The tile could not be put into the dashboard; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class TileContext:
    """Which dashboard (and version) a tile is edited in; `tile` is None for a new one."""

    dashboard_id: int
    tile_id: str
    version: int
    tile: Tile | None


def new_tile_id(existing: set[str]) -> str:
    """A short tile id not used by the dashboard yet."""
    while True:
        candidate = "t" + secrets.token_hex(3)
        if candidate not in existing:
            return candidate


def open_tile(db: Database, actor: Any, dashboard_id: int, tile_id: str) -> TileContext:
    """The tile (or a fresh id for "new") of a dashboard the actor may edit."""
    with db.session() as s:
        doc = repo.get_document(s, "dashboard", dashboard_id)
        if not allowed(actor, "edit", doc):
            raise NotFound("not editable")
        tiles = doc.spec.get("tiles", [])
        ids = {tile["id"] for tile in tiles}
        if tile_id == "new":
            return TileContext(doc.id, new_tile_id(ids), doc.version, None)
        for tile in tiles:
            if tile["id"] == tile_id:
                return TileContext(doc.id, tile_id, doc.version, TILE_ADAPTER.validate_python(tile))
        raise NotFound(f"no tile {tile_id}")


def place_tile(spec: dict[str, Any], tile: dict[str, Any]) -> dict[str, Any]:
    """The dashboard spec with `tile` replaced (same id) or appended below the others."""
    tiles = list(spec.get("tiles", []))
    layout = list(spec.get("layout", []))
    for i, existing in enumerate(tiles):
        if existing["id"] == tile["id"]:
            tiles[i] = tile
            return {**spec, "tiles": tiles}
    tiles.append(tile)
    bottom = max((item["y"] + item["h"] for item in layout), default=0)
    layout.append({"tile": tile["id"], "x": 0, "y": bottom, "w": 6, "h": 4})
    sections = [dict(sec) for sec in spec.get("sections", [])]
    if sections:
        sections[0]["tiles"] = [*sections[0].get("tiles", []), tile["id"]]
    return {
        **spec,
        "tiles": tiles,
        "layout": layout,
        **({"sections": sections} if sections else {}),
    }


def save_tile(
    db: Database, actor: Any, dashboard_id: int, tile: dict[str, Any], version: int
) -> int:
    """Save the tile into the dashboard's draft, based on `version` (StaleRevision if old)."""
    with db.session() as s:
        doc = repo.get_document(s, "dashboard", dashboard_id)
        try:
            documents.save(s, actor, doc, place_tile(doc.spec, tile), version, "tile saved")
            audit.record(
                s,
                actor,
                "dashboard_saved",
                "dashboard",
                doc.id,
                {"version": doc.version, "tile": tile.get("id")},
            )
        except documents.SpecError as exc:
            raise TileSaveError(
                t("te.invalid", None, detail=f"{exc.where}: {exc.message}")
            ) from None
        except PermissionDenied:
            raise TileSaveError(t("error.forbidden")) from None
        return doc.id


def stale_message(exc: StaleRevision, locale: str) -> str:
    """ "Changed by X at HH:MM since you opened it", in the reader's language."""
    at = exc.at.strftime("%H:%M") if hasattr(exc.at, "strftime") else str(exc.at)
    return t("te.stale", locale, by=exc.by, at=at)
