"""Pure edits of a raw story spec, as the story editor applies them before saving.

Every function takes the stored (raw JSON) spec and gives back a new one; validation is
left to `load_story` when the result is saved, so a bad edit is a precise error there.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Mapping
from typing import Any

from studio.spec.messages import SpecMessageError
from studio.spec.story import load_story, new_chapter_id

MAX_TEXT_FIELD = 200
_VIEW_RE = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*[;/]\s*(-?\d+(?:[.,]\d+)?)\s*[;/]\s*(\d+)\s*$")


def _short(value: Any, limit: int = MAX_TEXT_FIELD) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def new_chapter(spec: dict[str, Any], kind: str, title: str, tile_ids: set[str]) -> dict[str, Any]:
    """A fresh chapter of this kind (a scroll sequence starts with a text visual and a step)."""
    story = load_story(spec)
    chapter: dict[str, Any] = {
        "kind": kind,
        "id": new_chapter_id(story, title),
        "title": _short(title),
    }
    if kind == "scroll":
        chapter["tile"] = {
            "kind": "text",
            "id": fresh_tile_id(tile_ids),
            "markdown": "Choisissez le visuel de cette séquence.",
        }
        chapter["steps"] = [{"text": {"markdown": ""}}]
    elif kind == "dashboard":
        chapter["dashboard"] = 1
    return chapter


def fresh_tile_id(used: set[str]) -> str:
    """A short tile id not used yet."""
    while True:
        candidate = "t" + secrets.token_hex(3)
        if candidate not in used:
            return candidate


def tile_ids(spec: dict[str, Any]) -> set[str]:
    """Every tile id in a raw story spec."""
    ids: set[str] = set()
    for chapter in spec.get("chapters", []):
        ids |= {t.get("id") for t in chapter.get("tiles", [])}
        if isinstance(chapter.get("tile"), dict):
            ids.add(chapter["tile"].get("id"))
    return ids


def _renamed_tiles(chapter: dict[str, Any], used: set[str]) -> dict[str, Any]:
    out = copy.deepcopy(chapter)
    for tile in out.get("tiles", []):
        tile["id"] = fresh_tile_id(used)
        used.add(tile["id"])
    if isinstance(out.get("tile"), dict):
        out["tile"]["id"] = fresh_tile_id(used)
        used.add(out["tile"]["id"])
    return out


def duplicate_chapter(spec: dict[str, Any], chapter_id: str, copy_suffix: str) -> dict[str, Any]:
    """The spec with a copy of the chapter right after it (new chapter and tile ids)."""
    chapters = list(spec.get("chapters", []))
    index = _index(chapters, chapter_id)
    used = tile_ids(spec)
    twin = _renamed_tiles(chapters[index], used)
    story = load_story(spec)
    twin["title"] = (twin.get("title", "") + copy_suffix)[:MAX_TEXT_FIELD]
    twin["id"] = new_chapter_id(story, twin["title"] or chapter_id)
    chapters.insert(index + 1, twin)
    return {**spec, "chapters": chapters}


def _index(chapters: list[dict[str, Any]], chapter_id: str) -> int:
    for i, chapter in enumerate(chapters):
        if chapter.get("id") == chapter_id:
            return i
    raise KeyError(chapter_id)


def delete_chapter(spec: dict[str, Any], chapter_id: str) -> dict[str, Any]:
    """The spec without the chapter."""
    return {**spec, "chapters": [c for c in spec.get("chapters", []) if c.get("id") != chapter_id]}


def move_chapter(spec: dict[str, Any], chapter_id: str, delta: int) -> dict[str, Any]:
    """The spec with the chapter moved up (-1) or down (+1), staying within bounds."""
    chapters = list(spec.get("chapters", []))
    index = _index(chapters, chapter_id)
    target = min(max(index + delta, 0), len(chapters) - 1)
    chapters.insert(target, chapters.pop(index))
    return {**spec, "chapters": chapters}


def reorder_chapters(spec: dict[str, Any], order: list[str]) -> dict[str, Any]:
    """The spec with chapters in `order` (ids); chapters it omits keep their place at the end."""
    chapters = list(spec.get("chapters", []))
    by_id = {c.get("id"): c for c in chapters}
    ordered = [by_id[cid] for cid in dict.fromkeys(order) if cid in by_id]
    rest = [c for c in chapters if c.get("id") not in set(order)]
    return {**spec, "chapters": ordered + rest}


def _chapter(spec: dict[str, Any], chapter_id: str) -> dict[str, Any]:
    return spec["chapters"][_index(spec["chapters"], chapter_id)]


def remove_tile(spec: dict[str, Any], tile_id: str) -> dict[str, Any]:
    """The spec without the tile (a sticky tile cannot be removed, only replaced)."""
    out = copy.deepcopy(spec)
    for chapter in out.get("chapters", []):
        if "tiles" in chapter:
            chapter["tiles"] = [t for t in chapter["tiles"] if t.get("id") != tile_id]
    return out


def add_tile(spec: dict[str, Any], chapter_id: str, tile: dict[str, Any]) -> dict[str, Any]:
    """The spec with a copy of `tile` (under a fresh id) appended to a tiles chapter."""
    out = copy.deepcopy(spec)
    chapter = _chapter(out, chapter_id)
    if chapter.get("kind") != "tiles":
        raise KeyError(chapter_id)
    chapter["tiles"] = [
        *chapter.get("tiles", []),
        {**copy.deepcopy(tile), "id": fresh_tile_id(tile_ids(spec))},
    ]
    return out


def add_step(spec: dict[str, Any], chapter_id: str) -> dict[str, Any]:
    """The spec with an empty step at the end of a scroll chapter."""
    out = copy.deepcopy(spec)
    chapter = _chapter(out, chapter_id)
    chapter["steps"] = [*chapter.get("steps", []), {"text": {"markdown": ""}}]
    return out


def remove_step(spec: dict[str, Any], chapter_id: str, step: int) -> dict[str, Any]:
    """The spec without that step (validation refuses a sequence left with none)."""
    out = copy.deepcopy(spec)
    chapter = _chapter(out, chapter_id)
    chapter["steps"] = [s for i, s in enumerate(chapter.get("steps", [])) if i != step]
    return out


def parse_view(text: Any) -> dict[str, Any] | None:
    """A map view typed as "lat ; lon ; zoom" (e.g. "47,5 ; 2,1 ; 7"); None when empty.

    Raises ValueError with what to type when the text is not of that shape.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    match = _VIEW_RE.match(text)
    if not match:
        raise SpecMessageError("spec.view_format")
    lat, lon, zoom = match.groups()
    return {
        "lat": float(lat.replace(",", ".")),
        "lon": float(lon.replace(",", ".")),
        "zoom": int(zoom),
    }


def _values(text: Any) -> list[str]:
    if not isinstance(text, str):
        return []
    return [v.strip() for v in text.split(",") if v.strip()][:50]


def apply_step_fields(step: dict[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """A step with the editor's fields: text, one filter, a period, highlights, a map view."""
    out = copy.deepcopy(step)
    if "text" in fields:
        out["text"] = {**out.get("text", {}), "markdown": fields["text"] or ""}
    if "field" in fields or "value" in fields:
        field, value = _short(fields.get("field")), _short(fields.get("value"))
        out["filters"] = [{"field": field, "op": "=", "value": value}] if field and value else []
    if "period_field" in fields or "period" in fields:
        field, value = _short(fields.get("period_field")), _short(fields.get("period"), 40)
        grain = (
            fields.get("grain") if fields.get("grain") in ("month", "quarter", "year") else "year"
        )
        out["period"] = (
            {"field": field, "grain": grain, "value": value} if field and value else None
        )
    if "highlight" in fields:
        out["highlight"] = _values(fields["highlight"])
    if "view" in fields:
        out["view"] = parse_view(fields["view"])
    return {k: v for k, v in out.items() if v is not None}


def apply_edits(
    spec: dict[str, Any],
    cover: Mapping[str, Any],
    chapters: Mapping[str, Mapping[str, Any]],
    steps: Mapping[tuple[str, int], Mapping[str, Any]],
) -> dict[str, Any]:
    """The spec with the editor's form values: cover fields, chapter fields, step fields.

    Ids that are not in the spec (a forged or stale form) are ignored.
    """
    out = copy.deepcopy(spec)
    if "title" in cover:
        out["title"] = _short(cover["title"]) or out.get("title", "")
    new_cover = dict(out.get("cover", {}))
    for key in ("subtitle", "author", "image_alt"):
        if key in cover:
            new_cover[key] = _short(cover[key])
    if "date" in cover:
        new_cover["date"] = _short(cover["date"], 10) or None
    out["cover"] = {k: v for k, v in new_cover.items() if v is not None}
    for chapter in out.get("chapters", []):
        fields = chapters.get(chapter.get("id"), {})
        if "title" in fields:
            chapter["title"] = _short(fields["title"])
        if "text" in fields:
            chapter["text"] = {**chapter.get("text", {}), "markdown": fields["text"] or ""}
        if chapter.get("kind") == "dashboard":
            if isinstance(fields.get("dashboard"), int) and fields["dashboard"] > 0:
                chapter["dashboard"] = fields["dashboard"]
            if "section" in fields:
                chapter["section"] = _short(fields["section"], 40) or None
        if chapter.get("kind") == "scroll":
            chapter["steps"] = [
                apply_step_fields(step, steps.get((chapter["id"], i), {}))
                for i, step in enumerate(chapter.get("steps", []))
            ]
    return out
