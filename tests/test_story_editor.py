"""The story editor through the Flask client: page, save, conflicts, structure, permissions."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from conftest import render_page
from story_samples import chart_tile
from test_story_pages import make_setup, publish_internal

from studio.store import documents as repo


@pytest.fixture
def setup(login: Any, server: Any) -> dict[str, Any]:
    return make_setup(login, server)


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


def callback_key(app: Any, input_id: str) -> str:
    """The callback-map key of the callback triggered by `input_id`."""
    keys = [k for k, v in app.callback_map.items() if any(i["id"] == input_id for i in v["inputs"])]
    assert len(keys) == 1, keys
    return keys[0]


def _split(key: str) -> Any:
    """The outputs of a callback key (allow_duplicate suffixes dropped)."""
    if not key.startswith(".."):
        cid, prop = key.rsplit(".", 1)
        return {"id": cid, "property": prop.split("@")[0]}
    out = []
    for part in key[2:-2].split("..."):
        cid, prop = part.rsplit(".", 1)
        out.append({"id": cid, "property": prop.split("@")[0]})
    return out


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


def save(client: Any, app: Any, doc: int, version: int, spec: dict[str, Any], **cover: Any) -> Any:
    key = callback_key(app, "se-save")
    return post(
        client,
        key,
        _split(key),
        [_state("se-save", 1, "n_clicks")],
        form_states(doc, version, spec, **cover),
        "se-save.n_clicks",
    )


def structure(
    client: Any,
    app: Any,
    doc: int,
    version: int,
    spec: dict[str, Any],
    trigger: Any,
    new_kind: str = "tiles",
    new_title: str = "",
    copy: Any = None,
) -> Any:
    chapters = spec["chapters"]

    def clicks(id_: Any) -> dict[str, Any]:
        return _state(id_, 1 if trigger == id_ else 0, "n_clicks")

    inputs: list[Any] = []
    for name in ("se-up", "se-down", "se-dup", "se-del", "se-add-step", "se-copy"):
        wanted = {"se-add-step": "scroll", "se-copy": "tiles"}.get(name)
        inputs.append(
            [
                clicks({"type": name, "chapter": c["id"]})
                for c in chapters
                if wanted in (None, c["kind"])
            ]
        )
    inputs.append(
        [
            clicks({"type": "se-rm-tile", "tile": tl["id"]})
            for c in chapters
            for tl in c.get("tiles", [])
        ]
    )
    inputs.append(
        [
            clicks({"type": "se-rm-step", "chapter": c["id"], "step": i})
            for c in chapters
            for i, _s in enumerate(c.get("steps", []))
        ]
    )
    inputs.append(clicks("se-add-chapter"))
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
    key = callback_key(app, "se-add-chapter")
    return post(client, key, _split(key), inputs, states, changed)


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


def test_save_applies_cover_texts_and_steps(setup: dict[str, Any], app: Any) -> None:
    version, spec, _ = stored(setup)
    spec["chapters"][0]["title"] = "Ouverture"
    spec["chapters"][1]["steps"][2]["highlight"] = ["2A", "971"]
    response = save(
        setup["editor"], app, setup["doc"], version, spec, author="Équipe RSA", date="2024-07-01"
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "version 2" in response.get_data(as_text=True)
    version, saved, _ = stored(setup)
    assert version == 2 and saved["cover"]["author"] == "Équipe RSA"
    assert saved["cover"]["date"] == "2024-07-01" and saved["chapters"][0]["title"] == "Ouverture"
    assert saved["chapters"][1]["steps"][2]["highlight"] == ["2A", "971"]
    assert saved["chapters"][1]["steps"][1]["filters"][0]["value"] == "01"


def test_stale_save_is_a_conflict_and_nothing_is_lost(setup: dict[str, Any], app: Any) -> None:
    version, spec, _ = stored(setup)
    assert save(setup["editor"], app, setup["doc"], version, spec, title="A").status_code == 200
    stale = save(setup["editor"], app, setup["doc"], version, spec, title="B")
    text = stale.get_data(as_text=True)
    assert "se-conflict" in text and "editor@example.org" in text and "se-save-copy" in text
    assert stored(setup)[1]["title"] == "A"


def test_bad_values_are_refused_with_a_message(setup: dict[str, Any], app: Any) -> None:
    version, spec, _ = stored(setup)
    spec["chapters"][1]["steps"][0]["text"]["markdown"] = "x" * 30_000
    text = save(setup["editor"], app, setup["doc"], version, spec).get_data(as_text=True)
    said = json.loads(text)["response"]["se-message"]["children"]["props"]["children"]
    assert "se-invalid" in text  # the place in words, the problem in French
    assert said == "Impossible d'enregistrer : chapitre 2 › étape 1 › texte : au plus 20000 " \
        "caractères permis"
    assert stored(setup)[0] == version


@pytest.mark.parametrize(
    ("trigger", "check"),
    [
        (
            {"type": "se-down", "chapter": "intro"},
            lambda s: [c["id"] for c in s["chapters"]] == ["defile", "intro", "fin"],
        ),
        (
            {"type": "se-up", "chapter": "intro"},
            lambda s: [c["id"] for c in s["chapters"]] == ["intro", "defile", "fin"],
        ),
        (
            {"type": "se-dup", "chapter": "defile"},
            lambda s: (
                len(s["chapters"]) == 4
                and s["chapters"][2]["title"].endswith("(copie)")
                and s["chapters"][2]["tile"]["id"] != "s1"
            ),
        ),
        ({"type": "se-del", "chapter": "fin"}, lambda s: len(s["chapters"]) == 2),
        (
            {"type": "se-add-step", "chapter": "defile"},
            lambda s: len(s["chapters"][1]["steps"]) == 4,
        ),
        (
            {"type": "se-rm-step", "chapter": "defile", "step": 0},
            lambda s: s["chapters"][1]["steps"][0]["text"]["markdown"] == "L'Ain seul.",
        ),
        ({"type": "se-rm-tile", "tile": "c1"}, lambda s: s["chapters"][0]["tiles"] == []),
        (
            "se-add-chapter",
            lambda s: (
                s["chapters"][3]["kind"] == "scroll"
                and s["chapters"][3]["title"] == "Nouvelle séquence"
            ),
        ),
    ],
)
def test_structure_changes_are_saved(
    setup: dict[str, Any], app: Any, trigger: Any, check: Any
) -> None:
    version, spec, _ = stored(setup)
    response = structure(
        setup["editor"],
        app,
        setup["doc"],
        version,
        spec,
        trigger,
        new_kind="scroll",
        new_title="Nouvelle séquence",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["response"]["se-go"]["href"] == f"/stories/{setup['doc']}/edit"
    new_version, saved, _ = stored(setup)
    assert new_version == version + 1 and check(saved), saved


def test_copy_a_tile_from_a_dashboard(setup: dict[str, Any], app: Any) -> None:
    from test_dashboards_api import spec as board_spec

    board = setup["editor"].post("/api/v1/dashboards", json=board_spec(setup["ds"])).get_json()
    version, spec, _ = stored(setup)
    response = structure(
        setup["editor"],
        app,
        setup["doc"],
        version,
        spec,
        {"type": "se-copy", "chapter": "intro"},
        copy=f"{board['id']}/x1",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    tiles = stored(setup)[1]["chapters"][0]["tiles"]
    assert [t["kind"] for t in tiles] == ["chart", "text"] and tiles[1]["id"] != "x1"


def test_viewer_cannot_reach_the_editor_callbacks(
    setup: dict[str, Any], app: Any, login: Any
) -> None:
    publish_internal(setup)
    viewer = login("viewer")
    version, spec, published = stored(setup)
    assert save(viewer, app, setup["doc"], version, spec, title="Pirate").status_code == 403
    response = structure(
        viewer, app, setup["doc"], version, spec, {"type": "se-del", "chapter": "fin"}
    )
    assert response.status_code == 403
    key = callback_key(app, "se-publish")
    publish = post(
        viewer,
        key,
        _split(key),
        [_state("se-publish", 1, "n_clicks")],
        [_state("se-draft", {"id": setup["doc"], "version": version}, "data")],
        "se-publish.n_clicks",
    )
    assert publish.status_code == 403
    assert stored(setup) == (version, spec, published)


def test_publish_from_the_editor(setup: dict[str, Any], app: Any) -> None:
    version, _spec, _ = stored(setup)
    key = callback_key(app, "se-publish")
    response = post(
        setup["editor"],
        key,
        _split(key),
        [_state("se-publish", 1, "n_clicks")],
        [_state("se-draft", {"id": setup["doc"], "version": version}, "data")],
        "se-publish.n_clicks",
    )
    assert "se-published" in response.get_data(as_text=True)
    assert stored(setup)[2] == 1


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def upload(client: Any, app: Any, setup: dict[str, Any], data: bytes, mime: str) -> Any:
    version, spec, _ = stored(setup)
    key = callback_key(app, "se-image")
    contents = f"data:{mime};base64," + base64.b64encode(data).decode()
    return post(
        client,
        key,
        _split(key),
        [_state("se-image", contents, "contents")],
        form_states(setup["doc"], version, spec),
        "se-image.contents",
    )


def test_cover_image_upload_is_checked_and_served_to_readers_only(
    setup: dict[str, Any], app: Any, login: Any, client: Any
) -> None:
    refused = upload(setup["editor"], app, setup, b"<svg onload=alert(1)>", "image/png")
    assert "se-image-error" in refused.get_data(as_text=True)
    too_big = upload(setup["editor"], app, setup, PNG + b"0" * (2 * 1024 * 1024), "image/png")
    assert "2 Mo" in too_big.get_data(as_text=True)
    assert upload(setup["editor"], app, setup, PNG, "image/png").status_code == 200
    name = stored(setup)[1]["cover"]["image"]
    assert name.endswith(".png")
    url = f"/story-images/{setup['doc']}/{name}"
    image = setup["editor"].get(url)
    assert image.status_code == 200 and image.data == PNG and image.mimetype == "image/png"
    viewer = login("viewer")
    assert viewer.get(url).status_code == 404  # the draft's image is not the viewer's yet
    assert client.get(url).status_code in (302, 401)
    assert setup["editor"].get(f"/story-images/{setup['doc']}/studio.db").status_code == 404
    traversal = setup["editor"].get(f"/story-images/{setup['doc']}/..%2F..%2Fstudio.db")
    assert not traversal.data.startswith(b"SQLite format")
    publish_internal(setup)
    assert viewer.get(url).status_code == 200
    assert viewer.get(f"/story-images/{setup['doc']}/{'0' * 32}.png").status_code == 404



def test_a_cover_image_is_served_only_for_the_story_it_was_uploaded_to(
    setup: dict[str, Any], app: Any, login: Any
) -> None:
    assert upload(setup["editor"], app, setup, PNG, "image/png").status_code == 200
    version, spec, _ = stored(setup)
    name = spec["cover"]["image"]
    # Another editor learns the name (e.g. from the published story) and names it in a
    # story of their own, published to everyone: nothing is served from that story.
    other = login("admin")
    borrowed = {**spec, "cover": {**spec["cover"], "image": name}}
    other_id = other.post("/api/v1/stories", json=borrowed).get_json()["id"]
    assert other.post(f"/api/v1/stories/{other_id}/publish").status_code == 200
    assert other.get(f"/story-images/{other_id}/{name}").status_code == 404
    # A duplicate gets its own copy of the image, which stays when the original is removed.
    copy = setup["editor"].post(f"/api/v1/stories/{setup['doc']}/duplicate").get_json()["id"]
    settings = app.server.extensions["studio"]["settings"]
    from studio.services.stories import images_dir

    for path in images_dir(settings, setup["doc"]).iterdir():
        path.unlink()
    image = setup["editor"].get(f"/story-images/{copy}/{name}")
    assert image.status_code == 200 and image.data == PNG
    assert setup["editor"].get(f"/story-images/{setup['doc']}/{name}").status_code == 404

KPI = {
    "kind": "kpi",
    "id": "k1",
    "title": "Montant",
    "dataset": None,
    "measure": {"field": "montant", "agg": "sum"},
    "period_field": "date",
}


def render_with_search(client: Any, app: Any, path: str, search: str) -> Any:
    """Dash's page-routing callback for `path` with a query string."""
    from conftest import _output_spec, find_callback

    key = find_callback(app, "_pages_content.children")
    spec = app.callback_map[key]
    values = {"pathname": path, "search": search, "hash": ""}
    body = {
        "output": key,
        "outputs": _output_spec(key),
        "inputs": [dict(i, value=values.get(i["property"])) for i in spec["inputs"]],
        "state": [dict(i, value=None) for i in spec["state"]],
        "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def save_tile(
    client: Any, app: Any, setup: dict[str, Any], tile: dict[str, Any], context: dict[str, Any]
) -> Any:
    from conftest import call_callback

    return call_callback(
        client, app, "..te-message.children", [1], [{**tile, "dataset": setup["ds"]}, context]
    )


def test_tile_editor_opens_story_tiles_and_saves_into_chapters(
    setup: dict[str, Any], app: Any
) -> None:
    editor, doc = setup["editor"], setup["doc"]
    body = render_page(editor, app, f"/stories/{doc}/tiles/s1").get_data(as_text=True)
    assert "te-preview" in body and "Enregistrer dans le r" in body
    assert "te-not-found" in render_page(editor, app, f"/stories/{doc}/tiles/zz").get_data(
        as_text=True
    )
    new = render_with_search(editor, app, f"/stories/{doc}/tiles/new", "?chapter=intro")
    assert '"chapter":"intro"' in new.get_data(as_text=True)
    nowhere = render_with_search(editor, app, f"/stories/{doc}/tiles/new", "?chapter=defile")
    assert "te-not-found" in nowhere.get_data(as_text=True)  # a scroll chapter takes no tiles
    context = {"dashboard": doc, "tile": "k1", "version": 1, "kind": "story", "chapter": "intro"}
    saved = save_tile(editor, app, setup, KPI, context)
    assert saved.get_json()["response"]["te-go"]["href"] == f"/stories/{doc}/edit"
    version, spec, _ = stored(setup)
    assert [t["id"] for t in spec["chapters"][0]["tiles"]] == ["c1", "k1"]
    # the sticky tile is replaced in place
    sticky = {**chart_tile(setup["ds"], "s1"), "chart": "bar"}
    context = {"dashboard": doc, "tile": "s1", "version": version, "kind": "story"}
    saved = save_tile(editor, app, setup, sticky, context)
    assert "te-go" in saved.get_json()["response"]
    spec = stored(setup)[1]
    assert spec["chapters"][1]["tile"]["chart"] == "bar"
    # a stale save says the story changed
    stale = save_tile(editor, app, setup, sticky, context).get_data(as_text=True)
    assert "Le r\\u00e9cit a \\u00e9t\\u00e9 modifi\\u00e9" in stale


def test_viewer_cannot_use_the_tile_editor_on_a_story(
    setup: dict[str, Any], app: Any, login: Any
) -> None:
    publish_internal(setup)
    viewer = login("viewer")
    body = render_page(viewer, app, f"/stories/{setup['doc']}/tiles/s1").get_data(as_text=True)
    assert "te-not-found" in body and "te-preview" not in body
    context = {
        "dashboard": setup["doc"],
        "tile": "k1",
        "version": 1,
        "kind": "story",
        "chapter": "intro",
    }
    assert save_tile(viewer, app, setup, KPI, context).status_code == 403
    before = stored(setup)
    bogus = {**context, "kind": "../admin"}
    text = save_tile(setup["editor"], app, setup, KPI, bogus).get_data(as_text=True)
    assert "te-go" not in text
    assert stored(setup) == before


def test_dragging_chapters_reorders_them_on_save(setup: dict[str, Any], app: Any) -> None:
    version, spec, _ = stored(setup)
    states = form_states(setup["doc"], version, spec)
    dragged = [
        {"i": "fin", "x": 0, "y": 0, "w": 1, "h": 1},
        {"i": "intro", "x": 0, "y": 1, "w": 1, "h": 1},
        {"i": "defile", "x": 0, "y": 2, "w": 1, "h": 1},
    ]
    states[-1] = _state("se-order", dragged, "layout")
    key = callback_key(app, "se-save")
    response = post(
        setup["editor"],
        key,
        _split(key),
        [_state("se-save", 1, "n_clicks")],
        states,
        "se-save.n_clicks",
    )
    assert response.status_code == 200
    assert [c["id"] for c in stored(setup)[1]["chapters"]] == ["fin", "intro", "defile"]
