"""The `StorySpec`: a cover, then chapters of text, tiles, scroll sequences or dashboard parts.

A story is data: it loads from JSON with `load_story`, which migrates a spec saved by an
older Studio (`schema_version`) and validates it strictly. Chapter kinds:

- `tiles`: markdown text (with `{{name}}` live values, as text tiles) and any number of tiles;
- `scroll`: one sticky tile and text steps; each step changes what the tile shows (extra
  filter values, a period, highlighted categories or territories, a map zoom);
- `dashboard`: a section of a dashboard, drawn from that dashboard's published revision.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from studio.spec.base import MAX_ID, SCHEMA_VERSION, SpecModel
from studio.spec.dashboard import (
    MAX_TEXT_VALUE,
    PeriodGrain,
    SectionId,
    SpecVersionError,
    migrate_spec,
    parse_period,
    period_end,
    period_start,
)
from studio.spec.messages import shown, spec_error
from studio.spec.query import FieldName, Filter, Scalar
from studio.spec.tiles import ShortText, TextTile, TextValue, Tile

MAX_CHAPTERS = 50
MAX_CHAPTER_TILES = 20
MAX_STEPS = 30
MAX_MARKDOWN = 20_000

ChapterId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")]
ImageName = Annotated[str, Field(pattern=r"^[0-9a-f]{32}\.(png|jpg|webp)$")]
"""A cover image stored under the instance folder (a random name given on upload)."""
_SLUG_RE = re.compile(r"[^a-z0-9]+")


class Cover(SpecModel):
    """What the reader sees first: subtitle, author, date and an optional image."""

    subtitle: ShortText = ""
    author: ShortText = ""
    date: dt.date | None = None
    image: ImageName | None = None
    image_alt: ShortText = ""
    """The image's text alternative (empty for a decorative image)."""


class StoryText(SpecModel):
    """Sanitised markdown with `{{name}}` placeholders filled from one query, as text tiles."""

    markdown: str = Field(default="", max_length=MAX_MARKDOWN)
    dataset: int | None = Field(default=None, ge=1, le=MAX_ID)
    values: list[TextValue] = Field(default_factory=list, max_length=30)
    filters: list[Filter] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _valid_as_text_tile(self) -> StoryText:
        self.as_tile("text")
        return self

    def as_tile(self, tile_id: str) -> TextTile:
        """The text tile that draws this text (same validation, same renderer)."""
        return TextTile(
            id=tile_id,
            markdown=self.markdown,
            dataset=self.dataset,
            values=self.values,
            filters=self.filters,
        )


class ChapterBase(SpecModel):
    """What every chapter has: an id (its anchor) and a title (its table-of-contents entry)."""

    id: ChapterId
    title: ShortText = ""
    text: StoryText = Field(default_factory=StoryText)

    def tiles_in(self) -> list[Tile]:
        """The tiles this chapter holds (a dashboard chapter holds none of its own)."""
        return []


class TilesChapter(ChapterBase):
    """Text followed by any number of tiles."""

    kind: Literal["tiles"] = "tiles"
    tiles: list[Tile] = Field(default_factory=list, max_length=MAX_CHAPTER_TILES)

    def tiles_in(self) -> list[Tile]:
        """The chapter's tiles, in reading order."""
        return list(self.tiles)


class MapView(SpecModel):
    """Where a map looks: its centre and zoom level."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    zoom: int = Field(ge=1, le=18)


class StepPeriod(SpecModel):
    """One month, quarter or year of a date field: `value` is any day or `2024`, `2024-T1`."""

    field: FieldName
    grain: PeriodGrain = "year"
    value: str = Field(max_length=40)

    @field_validator("value")
    @classmethod
    def _is_period(cls, value: str) -> str:
        if parse_period(value) is None:
            raise spec_error("spec.bad_period", value=shown(value))
        return value

    def bounds(self) -> tuple[dt.date, dt.date]:
        """First and last day of the period."""
        day = parse_period(self.value)
        assert day is not None  # checked on validation
        start = period_start(day, self.grain)
        return start, period_end(start, self.grain)


class ScrollStep(SpecModel):
    """A text step of a scroll sequence and the state the sticky tile takes while it is read."""

    text: StoryText = Field(default_factory=StoryText)
    filters: list[Filter] = Field(default_factory=list, max_length=20)
    """Conditions added to the sticky tile's queries (e.g. `type_foyer = isolé`)."""
    period: StepPeriod | None = None
    highlight: list[Scalar] = Field(default_factory=list, max_length=50)
    """Categories (chart) or territory codes (map) drawn in full, the others faded."""
    view: MapView | None = None
    """Map only: the centre and zoom the map moves to."""

    @field_validator("highlight")
    @classmethod
    def _short_values(cls, values: list[Any]) -> list[Any]:
        for value in values:
            if isinstance(value, str) and len(value) > MAX_TEXT_VALUE:
                raise spec_error("spec.highlight_too_long", max=MAX_TEXT_VALUE)
        return values


class ScrollChapter(ChapterBase):
    """A scroll sequence: one sticky tile beside text steps that each change it."""

    kind: Literal["scroll"] = "scroll"
    tile: Tile
    steps: list[ScrollStep] = Field(min_length=1, max_length=MAX_STEPS)

    @model_validator(mode="after")
    def _steps_fit_tile(self) -> ScrollChapter:
        for number, step in enumerate(self.steps, start=1):
            if step.view is not None and self.tile.kind != "map":
                raise spec_error("spec.step_view_needs_map", step=number, kind=self.tile.kind)
            if step.highlight and self.tile.kind not in ("chart", "map"):
                raise spec_error("spec.step_highlight_kind", step=number, kind=self.tile.kind)
        return self

    def tiles_in(self) -> list[Tile]:
        """The sticky tile."""
        return [self.tile]


class DashboardChapter(ChapterBase):
    """A section of a dashboard, shown from its published revision to those who may view it."""

    kind: Literal["dashboard"] = "dashboard"
    dashboard: int = Field(ge=1, le=MAX_ID)
    section: SectionId | None = None
    """The section (tab) to show; `None` shows the first one."""


StoryChapter = Annotated[
    TilesChapter | ScrollChapter | DashboardChapter, Field(discriminator="kind")
]
CHAPTER_KINDS: tuple[str, ...] = ("tiles", "scroll", "dashboard")


class StorySpec(SpecModel):
    """A story: a title and cover, then chapters read in order.

    Chapter ids are unique (they are the table of contents' anchors) and so are tile ids
    across the whole story (the tile editor addresses a tile by story and tile id).
    """

    schema_version: int = SCHEMA_VERSION
    title: ShortText = Field(min_length=1)
    cover: Cover = Field(default_factory=Cover)
    chapters: list[StoryChapter] = Field(default_factory=list, max_length=MAX_CHAPTERS)

    @field_validator("schema_version")
    @classmethod
    def _current_version(cls, version: int) -> int:
        if version != SCHEMA_VERSION:
            raise spec_error("spec.version_current", version=SCHEMA_VERSION, loader="load_story")
        return version

    @field_validator("chapters")
    @classmethod
    def _unique_ids(cls, chapters: list[Any]) -> list[Any]:
        seen: dict[str, str] = {}
        for chapter in chapters:
            if chapter.id in seen:
                raise spec_error("spec.chapter_id_twice", key=chapter.id)
            seen[chapter.id] = "chapter"
        tiles: dict[str, str] = {}
        for chapter in chapters:
            for tile in chapter.tiles_in():
                if tile.id in tiles:
                    raise spec_error(
                        "spec.story_tile_id_twice",
                        tile=tile.id,
                        first=tiles[tile.id],
                        second=chapter.id,
                    )
                tiles[tile.id] = chapter.id
        return chapters

    def chapter(self, chapter_id: str) -> Any:
        """The chapter with this id, or None."""
        return next((c for c in self.chapters if c.id == chapter_id), None)

    def tiles(self) -> list[Tile]:
        """Every tile of the story, in reading order."""
        return [tile for chapter in self.chapters for tile in chapter.tiles_in()]

    def tile(self, tile_id: str) -> Tile | None:
        """The tile with this id, or None."""
        return next((t for t in self.tiles() if t.id == tile_id), None)

    def chapter_of(self, tile_id: str) -> Any:
        """The chapter holding the tile, or None."""
        return next((c for c in self.chapters if any(t.id == tile_id for t in c.tiles_in())), None)


def table_of_contents(story: StorySpec) -> list[tuple[str, str]]:
    """(anchor, title) of each chapter that has a title, in reading order."""
    return [(chapter_anchor(c.id), c.title) for c in story.chapters if c.title.strip()]


def chapter_anchor(chapter_id: str) -> str:
    """The HTML id of a chapter (the table of contents links to `#` + it)."""
    return f"chapitre-{chapter_id}"


def new_chapter_id(story: StorySpec, title: str = "") -> str:
    """An id for a new chapter, derived from its title, unused in the story."""
    plain = unicodedata.normalize("NFKD", title.lower()).encode("ascii", "ignore").decode()
    base = _SLUG_RE.sub("-", plain).strip("-")[:30] or "chapitre"
    if not base[0].isalnum():
        base = "c" + base
    used = {c.id for c in story.chapters}
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def step_conditions(step: ScrollStep, field_types: dict[str, str] | None = None) -> list[Filter]:
    """The query conditions a step adds to the sticky tile's queries (filters and period)."""
    from studio.spec.dashboard import date_range_filters

    out = list(step.filters)
    if step.period is not None:
        start, end = step.period.bounds()
        ftype = (field_types or {}).get(step.period.field, "date")
        out += date_range_filters(step.period.field, start, end, ftype)
    return out


# --- loading and migrations ----------------------------------------------------------------


def _v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v0 (the prototype before Studio 1.0) kept the title inside the cover and called a
    chapter's kind `type`."""
    out = dict(data)
    cover = out.get("cover")
    if isinstance(cover, dict) and "title" in cover and "title" not in out:
        out["cover"] = {k: v for k, v in cover.items() if k != "title"}
        out["title"] = cover["title"]
    chapters = out.get("chapters")
    if isinstance(chapters, list):
        out["chapters"] = [
            {("kind" if k == "type" else k): v for k, v in c.items()}
            if isinstance(c, dict) and "type" in c and "kind" not in c
            else c
            for c in chapters
        ]
    return out


MIGRATIONS = {0: _v0_to_v1}
"""`MIGRATIONS[n]` turns a version-n story spec into a version-(n + 1) one."""


def migrate_story(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of the raw spec brought up to SCHEMA_VERSION; SpecVersionError if impossible."""
    return migrate_spec(data, MIGRATIONS, "story")


def load_story(data: Any) -> StorySpec:
    """The validated story of a raw (JSON) spec, migrated from older versions first.

    Raises SpecVersionError for a version it cannot read, and pydantic's ValidationError
    (whose `errors()` locate the bad key) for anything else.
    """
    if not isinstance(data, dict):
        raise SpecVersionError("spec.not_object.story")
    return StorySpec.model_validate(migrate_story(data))


def dump_story(story: StorySpec) -> dict[str, Any]:
    """The JSON-ready form of the story, as saved and exported."""
    return story.model_dump(mode="json")
