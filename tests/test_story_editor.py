"""The story editor through the Flask client: page, save, conflicts, structure, permissions."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from conftest import render_page
from story_samples import story_spec
from test_story_pages import publish_internal, setup  # noqa: F401  (fixture)

from studio.store import documents as repo

COVER = ("title", "subtitle", "author", "date", "image_alt")
STEP_FIELDS = ("text", "field", "value", "period_field", "period", "highlight", "view")


def _state(id_: Any, value: Any, prop: str = "value") -> dict[str, Any]:
    return {"id": id_, "property": prop, "value": value}


def form_states(doc: int, version: int, spec: dict[str, Any], **cover: Any) -> list[Any]:
    """The editor's form as the browser sends it: cover, chapters, steps, chapter order."""
    chapters = spec["chapters"]
    values = {
        "title": spec["title"],
        **{k: spec.get("cover", {}).get(k) for k in COVER[1:]},
        **cover,
    }
    states: list[Any] = [_state("se-draft", {"id": doc, "version": version}, "data")]
    states += [_state(f"se-{k}", values.get(k)) for k in COVER]
    states.append(
        [_state({"type": "se-ch-title", "chapter": c["id"]}, c.get("title")) for c in chapters]
    )
    states.append(
        [
            _state(
                {"type": "se-ch-text", "chapter": c["id"]}, c.get("text", {}).get("markdown", "")
            )
            for c in chapters
        ]
    )
    states.append(
        [
            _state({"type": "se-dashboard", "chapter": c["id"]}, c["dashboard"])
            for c in chapters
            if c["kind"] == "dashboard"
        ]
    )
    states.append(
        [
            _state({"type": "se-section", "chapter": c["id"]}, c.get("section"))
            for c in chapters
            if c["kind"] == "dashboard"
        ]
    )
    for field in STEP_FIELDS:
        group = []
        for c in chapters:
            for i, step in enumerate(c.get("steps", [])):
                value = step.get("text", {}).get("markdown") if field == "text" else None
                if field == "field" and step.get("filters"):
                    value = step["filters"][0]["field"]
                if field == "value" and step.get("filters"):
                    value = step["filters"][0]["value"]
                if field == "highlight":
                    value = ", ".join(step.get("highlight", []))
                if field == "view" and c["tile"]["kind"] != "map":
                    continue
                group.append(
                    _state({"type": f"se-step-{field}", "chapter": c["id"], "step": i}, value)
                )
        states.append(group)
    states.append(
        _state(
            "se-order",
            [{"i": c["id"], "x": 0, "y": n, "w": 1, "h": 1} for n, c in enumerate(chapters)],
            "layout",
        )
    )
    return states


def post(
    client: Any, output: str, outputs: Any, inputs: list[Any], states: list[Any], changed: str
) -> Any:
    body = {
        "output": output,
        "outputs": outputs,
        "inputs": inputs,
        "state": states,
        "changedPropIds": [changed],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def save(client: Any, doc: int, version: int, spec: dict[str, Any], **cover: Any) -> Any:
    return post(
        client,
        "..se-message.children...se-draft.data..",
        [{"id": "se-message", "property": "children"}, {"id": "se-draft", "property": "data"}],
        [_state("se-save", 1, "n_clicks")],
        form_states(doc, version, spec, **cover),
        "se-save.n_clicks",
    )


def structure(
    client: Any,
    doc: int,
    version: int,
    spec: dict[str, Any],
    trigger: Any,
    new_kind: str = "tiles",
    new_title: str = "",
    copy: Any = None,
) -> Any:
    chapters = spec["chapters"]
    inputs: list[Any] = []
    for name in ("se-up", "se-down", "se-dup", "se-del", "se-add-step", "se-copy"):
        inputs.append(
            [
                _state(
                    {"type": name, "chapter": c["id"]},
                    1 if trigger == {"type": name, "chapter": c["id"]} else 0,
                    "n_clicks",
                )
                for c in chapters
                if name != "se-add-step" or c["kind"] == "scroll"
                if name != "se-copy" or c["kind"] == "tiles"
            ]
        )
    inputs.append(
        [
            _state(
                {"type": "se-rm-tile", "tile": tl["id"]},
                1 if trigger == {"type": "se-rm-tile", "tile": tl["id"]} else 0,
                "n_clicks",
            )
            for c in chapters
            for tl in c.get("tiles", [])
        ]
    )
    inputs.append(
        [
            _state(
                {"type": "se-rm-step", "chapter": c["id"], "step": i},
                1 if trigger == {"type": "se-rm-step", "chapter": c["id"], "step": i} else 0,
                "n_clicks",
            )
            for c in chapters
            for i, _s in enumerate(c.get("steps", []))
        ]
    )
    inputs.append(_state("se-add-chapter", 1 if trigger == "se-add-chapter" else 0, "n_clicks"))
    states = [
        _state("se-new-kind", new_kind),
        _state("se-new-title", new_title),
        [
            _state({"type": "se-copy-src", "chapter": c["id"]}, copy)
            for c in chapters
            if c["kind"] == "tiles"
        ],
        *form_states(doc, version, spec),
    ]
    changed = (
        json.dumps(dict(sorted(trigger.items())), separators=(",", ":"))
        if isinstance(trigger, dict)
        else trigger
    ) + ".n_clicks"
    return post(
        client,
        "..se-message.children@{h}...se-go.href@{h}..",
        [{"id": "se-message", "property": "children"}, {"id": "se-go", "property": "href"}],
        inputs,
        states,
        changed,
    )


def _fix_output_ids(app: Any) -> None:
    """Replace the placeholder output keys with the app's real ones (allow_duplicate hashes)."""


def stored(setup: dict[str, Any]) -> Any:
    with setup["db"].session() as s:
        doc = repo.get_document(s, "story", setup["doc"])
        return doc.version, doc.spec, doc.published_number


def test_editor_page_lists_chapters_and_their_parts(setup: dict[str, Any], app: Any) -> None:
    body = render_page(setup["editor"], app, f"/stories/{setup['doc']}/edit").get_data(as_text=True)
    assert "se-ch-title" in body and "se-step-text" in body and "se-order" in body
    body = body.replace("\\u002f", "/")
    assert f"/stories/{setup['doc']}/tiles/s1" in body  # the sticky tile's editor
    assert f"/stories/{setup['doc']}/tiles/new?chapter=intro" in body


def test_viewer_cannot_open_the_editor(setup: dict[str, Any], app: Any, login: Any) -> None:
    publish_internal(setup)
    viewer = login("viewer")
    body = render_page(viewer, app, f"/stories/{setup['doc']}/edit").get_data(as_text=True)
    assert "se-not-allowed" in body and "se-ch-title" not in body
