"""What changed between two versions of a dashboard, as a list of structured changes.

Both specs are validated first when they can be (so a key left out and the same key at its
default value are no change), then compared part by part: the title and description, tiles
(added, removed, and which of their properties changed), their places on the grid (moved,
resized), filters and sections. The page turns each `Change` into a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studio.spec.dashboard import load_dashboard


@dataclass
class Change:
    """One difference: its kind, what it is about, and the details that tell it."""

    kind: str
    """title, description, tile_added, tile_removed, tile_changed, tile_moved, tile_resized,
    filter_added, filter_removed, filter_changed, section_added, section_removed,
    section_renamed, tile_section"""
    subject: str = ""
    """The tile, filter or section concerned (its title, or its id when it has none)."""
    before: Any = None
    after: Any = None
    properties: list[str] = field(default_factory=list)


def _normalised(spec: dict[str, Any]) -> dict[str, Any]:
    try:
        return load_dashboard(spec).model_dump(mode="json")
    except ValueError:  # an old revision that no longer validates: compare it as stored
        return dict(spec)


def _by_id(items: Any, key: str = "id") -> dict[str, dict[str, Any]]:
    return {str(item[key]): item for item in items or [] if isinstance(item, dict) and key in item}


def _label(item: dict[str, Any]) -> str:
    return str(item.get("title") or item.get("label") or item.get("field") or item.get("id"))


def _changed_keys(old: dict[str, Any], new: dict[str, Any], skip: set[str]) -> list[str]:
    keys = [k for k in dict.fromkeys([*old, *new]) if k not in skip]
    return [k for k in keys if old.get(k) != new.get(k)]


def compare_dashboards(old_spec: dict[str, Any], new_spec: dict[str, Any]) -> list[Change]:
    """The changes that turn `old_spec` into `new_spec`, in reading order."""
    old, new = _normalised(old_spec), _normalised(new_spec)
    changes: list[Change] = []
    for key in ("title", "description"):
        if old.get(key, "") != new.get(key, ""):
            changes.append(Change(key, before=old.get(key, ""), after=new.get(key, "")))
    changes += _tile_changes(old, new)
    changes += _layout_changes(old, new)
    changes += _filter_changes(old, new)
    changes += _section_changes(old, new)
    return changes


def _tile_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before, after = _by_id(old.get("tiles")), _by_id(new.get("tiles"))
    changes = [Change("tile_added", _label(t)) for tid, t in after.items() if tid not in before]
    changes += [Change("tile_removed", _label(t)) for tid, t in before.items() if tid not in after]
    for tid, tile in after.items():
        if tid in before and before[tid] != tile:
            keys = _changed_keys(before[tid], tile, {"id"})
            title = (before[tid].get("title"), tile.get("title"))
            changes.append(
                Change(
                    "tile_changed",
                    _label(tile),
                    before=title[0] if "title" in keys else None,
                    after=title[1] if "title" in keys else None,
                    properties=keys,
                )
            )
    return changes


def _layout_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before = _by_id(old.get("layout"), "tile")
    after = _by_id(new.get("layout"), "tile")
    titles = {tid: _label(t) for tid, t in _by_id(new.get("tiles")).items()}
    changes: list[Change] = []
    for tid, place in after.items():
        was = before.get(tid)
        if was is None:
            continue
        name = titles.get(tid, tid)
        if (was.get("x"), was.get("y")) != (place.get("x"), place.get("y")):
            changes.append(
                Change(
                    "tile_moved",
                    name,
                    before=(was.get("x"), was.get("y")),
                    after=(place.get("x"), place.get("y")),
                )
            )
        if (was.get("w"), was.get("h")) != (place.get("w"), place.get("h")):
            changes.append(
                Change(
                    "tile_resized",
                    name,
                    before=(was.get("w"), was.get("h")),
                    after=(place.get("w"), place.get("h")),
                )
            )
    return changes


def _filter_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before, after = _by_id(old.get("filters")), _by_id(new.get("filters"))
    changes = [Change("filter_added", _label(f)) for fid, f in after.items() if fid not in before]
    changes += [
        Change("filter_removed", _label(f)) for fid, f in before.items() if fid not in after
    ]
    changes += [
        Change("filter_changed", _label(f), properties=_changed_keys(before[fid], f, {"id"}))
        for fid, f in after.items()
        if fid in before and before[fid] != f
    ]
    return changes


def _section_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before, after = _by_id(old.get("sections")), _by_id(new.get("sections"))
    changes = [
        Change("section_added", _label(s) if s.get("title") else s["id"])
        for sid, s in after.items()
        if sid not in before
    ]
    changes += [
        Change("section_removed", _label(s) if s.get("title") else s["id"])
        for sid, s in before.items()
        if sid not in after
    ]
    for sid, section in after.items():
        if sid in before and before[sid].get("title") != section.get("title"):
            changes.append(
                Change(
                    "section_renamed", sid, before=before[sid].get("title"), after=section["title"]
                )
            )
    home_before = {tid: sid for sid, s in before.items() for tid in s.get("tiles", [])}
    home_after = {tid: sid for sid, s in after.items() for tid in s.get("tiles", [])}
    titles = {tid: _label(t) for tid, t in _by_id(new.get("tiles")).items()}
    for tid, sid in home_after.items():
        was = home_before.get(tid)
        if was is not None and was != sid and sid in before and was in after:
            changes.append(
                Change(
                    "tile_section",
                    titles.get(tid, tid),
                    before=after[was].get("title") or was,
                    after=after[sid].get("title") or sid,
                )
            )
    return changes
