"""Story model helpers: which queries a story needs, and the sticky tile's state per step.

Everything here is pure: it takes the story spec, the datasets' schemas
(`{dataset id: {field: type}}`) and a step number, and gives back `Query` objects. Queries
are always rebuilt from the stored spec; the browser only ever sends a chapter id and a
step number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from studio.spec.filters import UNFILTERED_QUERIES
from studio.spec.query import Query
from studio.spec.story import ScrollChapter, ScrollStep, StorySpec, StoryText, step_conditions
from studio.spec.tiles import Tile

Schemas = Mapping[int, Mapping[str, str]]


class UnitData(Protocol):
    """Results of one tile or text (`studio.services.tiles.TileData` has this shape)."""

    results: dict[str, Any]
    error: str | None


@dataclass
class DashboardPart:
    """A dashboard section as a story chapter shows it: its tiles and their data."""

    title: str
    section_title: str
    tiles: list[Tile]
    data: dict[str, UnitData]
    href: str


@dataclass
class StoryData:
    """Everything the renderer draws from, keyed by `unit_key`.

    `dashboards` maps a dashboard chapter's id to its part, or to None when the reader
    may not view that dashboard (or it is unpublished, or gone): the chapter says so.
    `steps` gives each scroll chapter's current step (0 when absent).
    """

    units: dict[str, UnitData] = field(default_factory=dict)
    dashboards: dict[str, DashboardPart | None] = field(default_factory=dict)
    steps: dict[str, int] = field(default_factory=dict)


def text_key(chapter_id: str, step: int | None = None) -> str:
    """The unit key of a chapter's text (or of one of its scroll steps' texts)."""
    return f"text:{chapter_id}" if step is None else f"text:{chapter_id}:{step}"


def tile_key(tile_id: str) -> str:
    """The unit key of a tile."""
    return f"tile:{tile_id}"


def text_queries(text: StoryText) -> dict[str, Query]:
    """The query filling a text's live values (none for plain text)."""
    return text.as_tile("text").queries()


def clamp_step(chapter: ScrollChapter, step: Any) -> int:
    """A step number from the browser made safe: an int within the chapter's steps."""
    if isinstance(step, bool) or not isinstance(step, int):
        return 0
    return min(max(step, 0), len(chapter.steps) - 1)


def sticky_queries(chapter: ScrollChapter, step: int, schemas: Schemas) -> dict[str, Query]:
    """The sticky tile's queries with the step's filters and period added.

    A condition applies to a query whose dataset has the field (a map's outlines never
    change); a condition on a field the dataset lacks is left out rather than failing.
    """
    state: ScrollStep = chapter.steps[clamp_step(chapter, step)]
    skip = UNFILTERED_QUERIES.get(chapter.tile.kind, frozenset())
    out: dict[str, Query] = {}
    for name, query in chapter.tile.queries().items():
        fields = schemas.get(query.dataset, {})
        extra = [c for c in step_conditions(state, dict(fields)) if c.field in fields]
        if name in skip or not extra:
            out[name] = query
            continue
        data = query.model_dump()
        data["filters"] = [*data["filters"], *(c.model_dump() for c in extra)]
        out[name] = Query.model_validate(data)
    return out


def story_queries(
    story: StorySpec, schemas: Schemas, steps: Mapping[str, int] | None = None
) -> dict[str, dict[str, Query]]:
    """Every unit's named queries: chapter and step texts, tiles, sticky tiles at their step.

    Dashboard chapters are not included: their tiles come from the dashboard's own spec.
    """
    steps = steps or {}
    out: dict[str, dict[str, Query]] = {}
    for chapter in story.chapters:
        out[text_key(chapter.id)] = text_queries(chapter.text)
        if chapter.kind == "tiles":
            out.update({tile_key(t.id): t.queries() for t in chapter.tiles})
        elif chapter.kind == "scroll":
            for number, step in enumerate(chapter.steps):
                out[text_key(chapter.id, number)] = text_queries(step.text)
            out[tile_key(chapter.tile.id)] = sticky_queries(
                chapter, steps.get(chapter.id, 0), schemas
            )
    return {key: queries for key, queries in out.items() if queries}


def dataset_ids_of(story: StorySpec) -> set[int]:
    """Dataset ids the story's own tiles and texts read (not its dashboard chapters')."""
    return {q.dataset for queries in story_queries(story, {}).values() for q in queries.values()}
