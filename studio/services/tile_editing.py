"""The tile editor's use cases: open a tile of a dashboard's (or story's) draft, put it back."""

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
        "te.stale_story": (
            "Le récit a été modifié par $by à $at depuis que vous l'avez ouvert. "
            "Rechargez la page pour repartir de sa dernière version.",
            "The story was changed by $by at $at since you opened it. Reload the page "
            "to start from its latest version.",
        ),
        "te.invalid": ("Tuile invalide : $detail", "Invalid tile: $detail"),
        "te.no_chapter": (
            "Tuile invalide : le chapitre « $chapter » ne reçoit pas de tuiles. Rechargez le "
            "récit et choisissez un chapitre « texte et tuiles ».",
            "Invalid tile: chapter '$chapter' takes no tiles. Reload the story and choose a "
            "'text and tiles' chapter.",
        ),
    }
)


class TileSaveError(Exception):
    """The tile could not be put into the dashboard; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class TileContext:
    """Which document (and version) a tile is edited in; `tile` is None for a new one.

    `kind` is "dashboard" or "story"; in a story, `chapter` is the chapter a new tile joins.
    """

    dashboard_id: int
    tile_id: str
    version: int
    tile: Tile | None
    kind: str = "dashboard"
    chapter: str | None = None


EDIT_PATHS = {"dashboard": "/dashboards", "story": "/stories"}


def edit_url(kind: str, doc_id: int) -> str:
    """The editor page of a dashboard or story."""
    return f"{EDIT_PATHS[kind]}/{doc_id}/edit"


def story_tiles(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every tile of a raw story spec: chapters' tiles and scroll sequences' sticky tiles."""
    out: list[dict[str, Any]] = []
    for chapter in spec.get("chapters", []):
        out += list(chapter.get("tiles", []))
        if isinstance(chapter.get("tile"), dict):
            out.append(chapter["tile"])
    return out


def _tiles_of(kind: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
    return story_tiles(spec) if kind == "story" else list(spec.get("tiles", []))


def new_tile_id(existing: set[str]) -> str:
    """A short tile id not used by the dashboard yet."""
    while True:
        candidate = "t" + secrets.token_hex(3)
        if candidate not in existing:
            return candidate


def open_tile(
    db: Database,
    actor: Any,
    dashboard_id: int,
    tile_id: str,
    kind: str = "dashboard",
    chapter: str | None = None,
) -> TileContext:
    """The tile (or a fresh id for "new") of a dashboard or story the actor may edit.

    A new story tile joins `chapter`, which must be a text-and-tiles chapter of the story.
    """
    if kind not in EDIT_PATHS:
        raise NotFound(f"no {kind}")
    with db.session() as s:
        doc = repo.get_document(s, kind, dashboard_id)
        if not allowed(actor, "edit", doc):
            raise NotFound("not editable")
        tiles = _tiles_of(kind, doc.spec)
        ids = {tile["id"] for tile in tiles}
        if tile_id == "new":
            if kind == "story" and _tiles_chapter(doc.spec, chapter) is None:
                raise NotFound(f"no chapter {chapter!r} taking tiles")
            return TileContext(doc.id, new_tile_id(ids), doc.version, None, kind, chapter)
        for tile in tiles:
            if tile["id"] == tile_id:
                return TileContext(
                    doc.id, tile_id, doc.version, TILE_ADAPTER.validate_python(tile), kind
                )
        raise NotFound(f"no tile {tile_id}")


def _tiles_chapter(spec: dict[str, Any], chapter_id: Any) -> dict[str, Any] | None:
    return next(
        (
            c
            for c in spec.get("chapters", [])
            if c.get("id") == chapter_id and c.get("kind") == "tiles"
        ),
        None,
    )


def place_story_tile(
    spec: dict[str, Any], tile: dict[str, Any], chapter_id: str | None, locale: str | None = None
) -> dict[str, Any]:
    """The story spec with `tile` replaced where it is (same id), or added to `chapter_id`
    (TileSaveError, in `locale`, when that chapter takes no tiles)."""
    chapters = [dict(c) for c in spec.get("chapters", [])]
    for chapter in chapters:
        if isinstance(chapter.get("tile"), dict) and chapter["tile"].get("id") == tile["id"]:
            chapter["tile"] = tile
            return {**spec, "chapters": chapters}
        tiles = list(chapter.get("tiles", []))
        for i, existing in enumerate(tiles):
            if existing.get("id") == tile["id"]:
                tiles[i] = tile
                chapter["tiles"] = tiles
                return {**spec, "chapters": chapters}
    for chapter in chapters:
        if chapter.get("id") == chapter_id and chapter.get("kind") == "tiles":
            chapter["tiles"] = [*chapter.get("tiles", []), tile]
            return {**spec, "chapters": chapters}
    raise TileSaveError(t("te.no_chapter", locale, chapter=str(chapter_id)[:60]))


def place_tile(spec: dict[str, Any], tile: dict[str, Any]) -> dict[str, Any]:
    """The dashboard spec with `tile` replaced (same id) or appended below the others."""
    tiles = list(spec.get("tiles", []))
    layout = list(spec.get("layout", []))
    for i, existing in enumerate(tiles):
        if existing["id"] == tile["id"]:
            tiles[i] = tile
            return {**spec, "tiles": tiles}
    tiles.append(tile)
    sections = [dict(sec) for sec in spec.get("sections", [])]
    # rows count within a section: the new tile goes below the first section's tiles
    first = set(sections[0].get("tiles", [])) if sections else None
    bottom = max(
        (it["y"] + it["h"] for it in layout if first is None or it["tile"] in first), default=0
    )
    layout.append({"tile": tile["id"], "x": 0, "y": bottom, "w": 6, "h": 4})
    if sections:
        sections[0]["tiles"] = [*sections[0].get("tiles", []), tile["id"]]
    return {
        **spec,
        "tiles": tiles,
        "layout": layout,
        **({"sections": sections} if sections else {}),
    }


def save_tile(
    db: Database,
    actor: Any,
    dashboard_id: int,
    tile: dict[str, Any],
    version: int,
    kind: str = "dashboard",
    chapter: str | None = None,
    locale: str | None = None,
) -> int:
    """Save the tile into the document's draft, based on `version` (StaleRevision if old).

    TileSaveError's message is in `locale` (French by default)."""
    if kind not in EDIT_PATHS:
        raise TileSaveError(t("error.forbidden", locale))
    with db.session() as s:
        doc = repo.get_document(s, kind, dashboard_id)
        if not allowed(actor, "edit", doc):
            raise TileSaveError(t("error.forbidden", locale))
        spec = (
            place_story_tile(doc.spec, tile, chapter, locale)
            if kind == "story"
            else place_tile(doc.spec, tile)
        )
        try:
            documents.save(s, actor, doc, spec, version, "tile saved")
            audit.record(
                s,
                actor,
                f"{kind}_saved",
                kind,
                doc.id,
                {"version": doc.version, "tile": tile.get("id")},
            )
        except documents.SpecError as exc:
            raise TileSaveError(t("te.invalid", locale, detail=exc.describe(locale))) from None
        except PermissionDenied:
            raise TileSaveError(t("error.forbidden", locale)) from None
        return doc.id


def stale_message(exc: StaleRevision, locale: str, kind: str = "dashboard") -> str:
    """ "Changed by X at HH:MM since you opened it", in the reader's language."""
    at = exc.at.strftime("%H:%M") if hasattr(exc.at, "strftime") else str(exc.at)
    return t("te.stale_story" if kind == "story" else "te.stale", locale, by=exc.by, at=at)



def copyable_tiles(s: Any, actor: Any) -> list[tuple[Any, dict[str, Any]]]:
    """(dashboard, tile) pairs the actor may copy: tiles of the drafts they may edit."""
    return [
        (doc, tile)
        for doc in repo.list_documents(s, "dashboard")
        if allowed(actor, "edit", doc)
        for tile in doc.spec.get("tiles", [])
        if isinstance(tile, dict) and "id" in tile
    ]


def copy_tile(
    s: Any, actor: Any, source_id: int, tile_id: str, target: dict[str, Any]
) -> dict[str, Any]:
    """The `target` spec with a copy of a tile of dashboard `source_id` added below the others.

    The source must be a dashboard the actor may edit (NotFound otherwise); the copy gets a
    new id.
    """
    source = documents.get_visible(s, "dashboard", actor, source_id)
    if not allowed(actor, "edit", source):
        raise NotFound(f"no dashboard {source_id}")
    tile = next((t for t in source.spec.get("tiles", []) if t.get("id") == tile_id), None)
    if tile is None:
        raise NotFound(f"no tile {tile_id}")
    existing = {t.get("id") for t in target.get("tiles", [])}
    return place_tile(target, {**tile, "id": new_tile_id(existing)})
