"""The editor's grid layout and the dashboard spec's layout and sections, one from the other."""

from __future__ import annotations

from typing import Any

SECTION_PREFIX = "section:"
"""Grid ids of the section bands (a tile id cannot hold a colon, so they never clash)."""


def grid_to_spec(spec: dict[str, Any], grid_layout: list[dict[str, Any]]) -> dict[str, Any]:
    """The spec's layout (and sections, when the grid has section bands) from the grid's.

    A tile belongs to the last band above it; its row is counted from that band. Without
    bands the sections stay as they are.
    """
    spec = dict(spec)
    bands = sorted(
        (it for it in grid_layout if str(it.get("i", "")).startswith(SECTION_PREFIX)),
        key=lambda it: int(it["y"]),
    )
    tiles = [it for it in grid_layout if not str(it.get("i", "")).startswith(SECTION_PREFIX)]
    if not bands:
        spec["layout"] = [_place(it, 0) for it in tiles]
        return spec
    titles = {sec["id"]: sec.get("title", "") for sec in spec.get("sections", [])}
    members: dict[str, list[str]] = {band["i"][len(SECTION_PREFIX) :]: [] for band in bands}
    layout = []
    for it in sorted(tiles, key=lambda it: (int(it["y"]), int(it["x"]))):
        above = [b for b in bands if int(b["y"]) <= int(it["y"])] or bands[:1]
        band = above[-1]
        members[band["i"][len(SECTION_PREFIX) :]].append(it["i"])
        layout.append(_place(it, int(band["y"]) + 1))
    spec["layout"] = layout
    spec["sections"] = [
        {"id": sid, "title": titles.get(sid, ""), "tiles": tids} for sid, tids in members.items()
    ]
    return spec


def _place(item: dict[str, Any], top: int) -> dict[str, Any]:
    return {
        "tile": item["i"],
        "x": int(item["x"]),
        "y": max(int(item["y"]) - top, 0),
        "w": int(item["w"]),
        "h": int(item["h"]),
    }
