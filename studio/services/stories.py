"""Story use cases: open the right revision, run its tiles and texts, fetch dashboard parts."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from studio.config import Settings
from studio.datasources import QueryCache
from studio.datasources.errors import write_atomic
from studio.security.access import NO_VOUCH, Vouch
from studio.security.policy import allowed
from studio.services import dataset_service_fields, documents
from studio.services.tiles import run_tiles
from studio.spec import Query
from studio.spec.dashboard import load_dashboard, stacked_order
from studio.spec.story import ScrollChapter, StorySpec, load_story
from studio.store import NotFound
from studio.store import documents as repo
from studio.store.db import Database
from studio.store.models import Document
from studio.stories.model import (
    DashboardPart,
    StoryData,
    clamp_step,
    sticky_queries,
    story_queries,
    tile_key,
)

QueryTransform = Callable[[dict[str, Query]], dict[str, Query]]
"""Changes one unit's named queries before they run (an embed adds its locked filters)."""

PartLoader = Callable[
    [Session, int, str | None],
    tuple[DashboardPart, dict[str, dict[str, Query]], Vouch] | None,
]
"""Gives a dashboard chapter's part, queries and vouched datasets, or None (see
`dashboard_part`)."""


@dataclass
class OpenStory:
    """A story as one actor sees it: which revision, its spec, and the datasets' schemas."""

    doc: Document
    spec: StorySpec
    showing: str  # "draft" or "published"
    schemas: dict[int, dict[str, str]] = field(default_factory=dict)
    vouched: Vouch = NO_VOUCH


def open_story(s: Session, actor: Any, doc_id: int) -> OpenStory:
    """The story the actor may view (NotFound otherwise): editors get the draft."""
    doc = documents.get_visible(s, "story", actor, doc_id)
    raw, showing = documents.visible_spec(s, actor, doc)
    return open_spec(s, doc, raw, showing)


def open_spec(s: Session, doc: Document, raw: dict[str, Any], showing: str) -> OpenStory:
    """An `OpenStory` for this raw spec (the caller has checked the actor may see it)."""
    spec = load_story(raw)
    vouched = documents.vouch(s, doc, raw) if showing == "published" else NO_VOUCH
    schemas = dataset_service_fields(s, documents.dataset_ids(raw))
    return OpenStory(doc, spec, showing, schemas, vouched)


def scroll_chapter(story: OpenStory, chapter_id: Any) -> ScrollChapter:
    """The scroll chapter with this id; NotFound for any other id (forged or stale)."""
    chapter = story.spec.chapter(chapter_id) if isinstance(chapter_id, str) else None
    if chapter is None or chapter.kind != "scroll":
        raise NotFound(f"no scroll chapter {chapter_id!r}")
    return chapter


def _transformed(
    queries: Mapping[str, dict[str, Query]], transform: QueryTransform | None
) -> dict[str, dict[str, Query]]:
    if transform is None:
        return dict(queries)
    return {key: transform(named) for key, named in queries.items()}


def dashboard_part(
    s: Session,
    actor: Any,
    dashboard_id: int,
    section_id: str | None,
    may_view: Callable[[Document], bool] | None = None,
) -> tuple[DashboardPart, dict[str, dict[str, Query]], Vouch] | None:
    """A dashboard section from its published revision, if the actor may view it.

    Returns the part (without data), its tiles' queries and its published revision's vouch;
    None when the dashboard is gone, unpublished, not visible to the actor, or lacks the
    section. `may_view` replaces the actor's view check (an embed shows public ones only).
    """
    try:
        doc = repo.get_document(s, "dashboard", dashboard_id)
    except NotFound:
        return None
    raw = repo.published_spec(s, doc)
    visible = may_view(doc) if may_view is not None else allowed(actor, "view", doc)
    if raw is None or not visible:
        return None
    board = load_dashboard(raw)
    section = next((sec for sec in board.sections if section_id in (None, sec.id)), None)
    if section is None:
        return None
    tiles = [board.tile(tid) for tid in stacked_order(board, section.id)]
    part = DashboardPart(
        title=board.title,
        section_title=section.title,
        tiles=[tile for tile in tiles if tile is not None],
        data={},
        href=f"/dashboards/{doc.id}",
    )
    return part, {tile.id: tile.queries() for tile in part.tiles}, documents.vouch(s, doc, raw)


def story_data(
    db: Database,
    settings: Settings,
    cache: QueryCache | None,
    actor: Any,
    story: OpenStory,
    locale: str,
    transform: QueryTransform | None = None,
    parts: PartLoader | None = None,
) -> StoryData:
    """Everything the renderer needs for the story at its first steps, run as the actor.

    `transform` changes every unit's queries (dashboard chapters' too) before they run;
    `parts` replaces `dashboard_part` as the actor (an embed passes its own rule).
    """
    queries = _transformed(story_queries(story.spec, story.schemas), transform)
    data = StoryData(units=run_tiles(db, settings, cache, actor, queries, locale, story.vouched))
    for chapter in story.spec.chapters:
        if chapter.kind != "dashboard":
            continue
        with db.session() as s:
            found = (
                parts(s, chapter.dashboard, chapter.section)
                if parts is not None
                else dashboard_part(s, actor, chapter.dashboard, chapter.section)
            )
        if found is None:
            data.dashboards[chapter.id] = None
            continue
        part, part_queries, vouched = found
        part_queries = _transformed(part_queries, transform)
        part.data = dict(run_tiles(db, settings, cache, actor, part_queries, locale, vouched))
        data.dashboards[chapter.id] = part
    return data


def step_data(
    db: Database,
    settings: Settings,
    cache: QueryCache | None,
    actor: Any,
    story: OpenStory,
    chapter: ScrollChapter,
    step: Any,
    locale: str,
    transform: QueryTransform | None = None,
) -> tuple[int, StoryData]:
    """The sticky tile's data at `step` (clamped to the chapter's steps); `transform` as
    for `story_data`."""
    number = clamp_step(chapter, step)
    key = tile_key(chapter.tile.id)
    queries = _transformed({key: sticky_queries(chapter, number, story.schemas)}, transform)
    units = run_tiles(db, settings, cache, actor, queries, locale, story.vouched)
    return number, StoryData(units=units, steps={chapter.id: number})


# --- cover images --------------------------------------------------------------------------

MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
IMAGE_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp)$")


class ImageError(ValueError):
    """An uploaded cover image that is refused; the message says what to do."""


def image_kind(data: bytes) -> str | None:
    """ "png", "jpg" or "webp" from the file's first bytes (not its name), else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def images_dir(settings: Settings, doc_id: int) -> Path:
    """The instance folder holding the cover images of story `doc_id`: an image is stored
    with the story it was uploaded to, so naming it in another story's spec shows nothing."""
    return settings.instance / "story_images" / str(int(doc_id))


def save_cover_image(settings: Settings, doc_id: int, data: bytes) -> str:
    """Store an image uploaded to story `doc_id` under a random name; ImageError if too large
    or not an image."""
    import secrets

    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError("too_large")
    kind = image_kind(data)
    if kind is None:
        raise ImageError("not_image")
    name = f"{secrets.token_hex(16)}.{kind}"
    write_atomic(images_dir(settings, doc_id) / name, data)
    return name


def copy_cover_image(settings: Settings, spec: dict[str, Any], from_id: int, to_id: int) -> None:
    """Give a story's copy its own file of the cover image the copied spec names."""
    name = (spec.get("cover") or {}).get("image")
    if not isinstance(name, str) or not IMAGE_NAME.match(name):
        return
    source = images_dir(settings, from_id) / name
    if source.is_file():
        write_atomic(images_dir(settings, to_id) / name, source.read_bytes())


def cover_image(
    s: Session, actor: Any, settings: Settings, doc_id: int, name: str
) -> tuple[Any, str]:
    """(path, mimetype) of the cover image of a story the actor may read; NotFound otherwise.

    Only the image named in the revision the actor sees is served (a draft's new image stays
    private to those who may edit).
    """
    story = open_story(s, actor, doc_id)
    if story.spec.cover.image != name or not IMAGE_NAME.match(name):
        raise NotFound("no such image")
    path = images_dir(settings, doc_id) / name
    if not path.is_file():
        raise NotFound("image file missing")
    return path, IMAGE_TYPES[name.rsplit(".", 1)[1]]
