"""Story pages through the Flask client: reader, draft banner, sticky redraws, permissions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import render_page
from story_samples import story_spec
from test_datasets_api import upload

from studio.store.models import Document


@pytest.fixture
def setup(login: Any, server: Any) -> dict[str, Any]:
    return make_setup(login, server)


def make_setup(login: Any, server: Any) -> dict[str, Any]:
    """An editor's draft story over the FRENCH_CSV dataset."""
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/stories", json=story_spec(ds_id)).get_json()["id"]
    return {"editor": editor, "ds": ds_id, "doc": doc_id, "db": server.extensions["studio"]["db"]}


def publish_internal(setup: dict[str, Any], doc: int | None = None, kind: str = "stories") -> None:
    doc = doc or setup["doc"]
    assert setup["editor"].post(f"/api/v1/{kind}/{doc}/publish").status_code == 200
    with setup["db"].session() as s:
        s.get(Document, doc).visibility = "internal"


def redraw(client: Any, doc: int, chapter: str, step: Any) -> Any:
    """The sticky redraw callback as the browser calls it after a scroll."""
    body = {
        "output": '{"chapter":["MATCH"],"type":"story-sticky"}.children',
        "outputs": {"id": {"type": "story-sticky", "chapter": chapter}, "property": "children"},
        "inputs": [
            {"id": {"type": "story-step", "chapter": chapter}, "property": "data", "value": step}
        ],
        "state": [{"id": "story-doc", "property": "data", "value": {"id": doc}}],
        "changedPropIds": [
            json.dumps({"chapter": chapter, "type": "story-step"}, separators=(",", ":")) + ".data"
        ],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def test_editor_reads_the_draft_with_a_banner(setup: dict[str, Any], app: Any) -> None:
    body = render_page(setup["editor"], app, f"/stories/{setup['doc']}").get_data(as_text=True)
    assert "sv-draft-banner" in body and "Le RSA en 2024" in body
    assert "chapitre-intro" in body and "#chapitre-defile" in body  # anchors and TOC
    assert "4\\u202f322,75" in body  # the live value in the text, French format
    assert '"data-step":"0"' in body and "story-step" in body


def test_viewer_sees_nothing_until_published(setup: dict[str, Any], app: Any, login: Any) -> None:
    viewer = login("viewer")
    path = f"/stories/{setup['doc']}"
    assert "sv-not-found" in render_page(viewer, app, path).get_data(as_text=True)
    assert redraw(viewer, setup["doc"], "defile", 1).status_code == 204  # no draft leaks
    publish_internal(setup)
    setup["editor"].put(
        f"/api/v1/stories/{setup['doc']}",
        json=story_spec(setup["ds"], "Secret"),
        headers={"If-Match": '"v1"'},
    )
    body = render_page(viewer, app, path).get_data(as_text=True)
    assert "Le RSA en 2024" in body and "Secret" not in body
    assert "sv-draft-banner" not in body and "sv-edit" not in body
    assert "Montant par d" in body  # the published story vouches for its tiles' aggregates


def test_sticky_redraw_follows_each_step_and_back(setup: dict[str, Any], login: Any) -> None:
    publish_internal(setup)
    viewer = login("viewer")
    states = {}
    for step in (0, 1, 2, 1, 0):
        text = redraw(viewer, setup["doc"], "defile", step).get_data(as_text=True)
        assert f'"data-step":"{step}"' in text
        states.setdefault(step, text)
        assert text == states[step]  # back again: the same state as on the way down
    assert "Guadeloupe" not in states[1] and "971" not in states[1]  # step 1: Ain only
    assert "971" in states[0] and "971" in states[2]
    assert '"opacity":[' in states[2].replace(" ", "")  # step 2 highlights one column


@pytest.mark.parametrize("step", [99, -5, "1; DROP TABLE", None, {"x": 1}, True])
def test_forged_steps_are_clamped_or_ignored(setup: dict[str, Any], step: Any) -> None:
    response = redraw(setup["editor"], setup["doc"], "defile", step)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    expected = "2" if step == 99 else "0"
    assert f'"data-step":"{expected}"' in text


@pytest.mark.parametrize("chapter", ["intro", "nope", "../x"])
def test_only_scroll_chapters_redraw(setup: dict[str, Any], chapter: str) -> None:
    assert redraw(setup["editor"], setup["doc"], chapter, 1).status_code == 204


def test_anonymous_gets_401_on_the_callback(setup: dict[str, Any], client: Any) -> None:
    assert redraw(client, setup["doc"], "defile", 1).status_code == 401


def test_dashboard_chapter_needs_a_published_dashboard_the_reader_may_view(
    setup: dict[str, Any], app: Any, login: Any
) -> None:
    from test_dashboards_api import spec as board_spec

    editor = setup["editor"]
    board = editor.post("/api/v1/dashboards", json=board_spec(setup["ds"], "Tableau secret"))
    board_id = board.get_json()["id"]
    story = editor.post(
        "/api/v1/stories", json=story_spec(setup["ds"], "Avec tableau", dashboard_id=board_id)
    )
    story_id = story.get_json()["id"]
    publish_internal(setup, story_id)
    viewer = login("viewer")
    path = f"/stories/{story_id}"
    missing = "n'est pas disponible"
    # never published: nobody gets the dashboard's draft, not even its owner
    assert missing in render_page(editor, app, path).get_json()["response"].__str__()
    editor.post(f"/api/v1/dashboards/{board_id}/publish")
    owner_view = str(render_page(editor, app, path).get_json())
    assert missing not in owner_view and "Tableau secret" in owner_view
    # published but private: the viewer may not see it
    reader_view = str(render_page(viewer, app, path).get_json())
    assert missing in reader_view and "Tableau secret" not in reader_view
    with setup["db"].session() as s:
        s.get(Document, board_id).visibility = "internal"
    reader_view = str(render_page(viewer, app, path).get_json())
    assert missing not in reader_view and "Tableau secret" in reader_view
    assert "Montant par d" in reader_view


def test_new_story_from_home_and_stories_listed(
    login: Any, app: Any, setup: dict[str, Any]
) -> None:
    from conftest import call_callback

    editor = setup["editor"]
    body = render_page(editor, app, "/").get_data(as_text=True)
    assert "home-new-story" in body and "Le RSA en 2024" in body
    href = call_callback(editor, app, "home-go-story.href", [1]).get_json()["response"]
    assert href["home-go-story"]["href"] == f"/stories/{setup['doc'] + 1}/edit"
    viewer = login("viewer")
    assert call_callback(viewer, app, "home-go-story.href", [1]).status_code == 403
    listed = render_page(viewer, app, "/").get_data(as_text=True)
    assert "home-new-story" not in listed and "Le RSA en 2024" not in listed  # a draft
    publish_internal(setup)
    assert "Le RSA en 2024" in render_page(viewer, app, "/").get_data(as_text=True)
