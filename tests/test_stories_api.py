"""Stories through the API: drafts, ETag/If-Match, conflicts, publishing, history, bin."""

from __future__ import annotations

from typing import Any

import pytest
from story_samples import story_spec
from test_dashboards_api import _dataset


@pytest.fixture
def story(login: Any) -> tuple[Any, int, int]:
    editor = login("editor")
    ds_id = _dataset(editor)
    response = editor.post("/api/v1/stories", json=story_spec(ds_id))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["version"] == 1
    return editor, body["id"], ds_id


def test_get_has_etag_and_draft_state(story: tuple[Any, int, int]) -> None:
    editor, doc_id, _ = story
    response = editor.get(f"/api/v1/stories/{doc_id}")
    assert response.status_code == 200 and response.headers["ETag"] == '"v1"'
    body = response.get_json()
    assert body["state"] == "draft" and body["spec"]["title"] == "Le RSA en 2024"
    assert [c["kind"] for c in body["spec"]["chapters"]] == ["tiles", "scroll", "tiles"]
    listed = editor.get("/api/v1/stories").get_json()["stories"]
    assert [s["id"] for s in listed] == [doc_id]


def test_put_needs_if_match_and_refuses_stale(story: tuple[Any, int, int], users: dict) -> None:
    editor, doc_id, ds_id = story
    url = f"/api/v1/stories/{doc_id}"
    assert editor.put(url, json=story_spec(ds_id, "Sans en-tête")).status_code == 428
    first = editor.put(url, json=story_spec(ds_id, "Version A"), headers={"If-Match": '"v1"'})
    assert first.status_code == 200 and first.headers["ETag"] == '"v2"'
    stale = editor.put(url, json=story_spec(ds_id, "Version B"), headers={"If-Match": '"v1"'})
    assert stale.status_code == 409
    assert stale.get_json()["changed_by"] == users["editor"]["email"]
    assert editor.get(url).get_json()["spec"]["title"] == "Version A"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda s: s["chapters"][1].update(steps=[]), "chapters.1.scroll.steps", "at least 1"),
        (
            lambda s: s["chapters"][1]["steps"][0].update(view={"lat": 45, "lon": 5, "zoom": 7}),
            "chapters.1.scroll",
            "a map view needs a map tile",
        ),
        (lambda s: s["chapters"][2].update(id="intro"), "chapters", "used twice"),
        (lambda s: s["chapters"][2].update(kind="poem"), "chapters.2", "does not match"),
        (lambda s: s.update(title=""), "title", "at least 1"),
    ],
)
def test_invalid_story_is_refused_precisely(
    story: tuple[Any, int, int], change: Any, field: str, words: str
) -> None:
    editor, doc_id, ds_id = story
    bad = story_spec(ds_id)
    change(bad)
    response = editor.put(f"/api/v1/stories/{doc_id}", json=bad, headers={"If-Match": '"v1"'})
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"].startswith(field) and words in body["error"], body


def test_viewers_see_only_the_published_revision(
    story: tuple[Any, int, int], login: Any, server: Any
) -> None:
    editor, doc_id, ds_id = story
    viewer = login("viewer")
    url = f"/api/v1/stories/{doc_id}"
    assert viewer.get(url).status_code == 404  # private draft
    from studio.store.models import Document

    with server.extensions["studio"]["db"].session() as s:
        s.get(Document, doc_id).visibility = "internal"
    assert viewer.get(url).status_code == 404  # never published
    assert editor.post(f"{url}/publish").get_json()["published_revision"] == 1
    editor.put(url, json=story_spec(ds_id, "Brouillon secret"), headers={"If-Match": '"v1"'})
    seen = viewer.get(url).get_json()
    assert seen["spec"]["title"] == "Le RSA en 2024" and seen["showing"] == "published"
    assert "Brouillon secret" not in str(viewer.get("/api/v1/stories").get_json())
    exported = viewer.get(f"{url}/export")
    assert exported.status_code == 200
    assert "Brouillon secret" not in exported.get_data(as_text=True)  # nor its title
    assert exported.get_json()["title"] == "Le RSA en 2024"
    assert viewer.put(url, json=story_spec(ds_id), headers={"If-Match": '"v2"'}).status_code == 403
    assert viewer.post(f"{url}/publish").status_code == 403
    assert viewer.get(f"{url}/revisions").status_code == 403


def test_revisions_and_restore(story: tuple[Any, int, int]) -> None:
    editor, doc_id, ds_id = story
    url = f"/api/v1/stories/{doc_id}"
    editor.put(url, json=story_spec(ds_id, "Deuxième"), headers={"If-Match": '"v1"'})
    revisions = editor.get(f"{url}/revisions").get_json()["revisions"]
    assert [r["number"] for r in revisions] == [2, 1]
    assert editor.get(f"{url}/revisions/1").get_json()["spec"]["title"] == "Le RSA en 2024"
    restored = editor.post(f"{url}/revisions/1/restore")
    assert restored.status_code == 200 and restored.get_json()["version"] == 3
    assert editor.get(url).get_json()["spec"]["title"] == "Le RSA en 2024"


def test_duplicate_delete_bin_and_undelete(story: tuple[Any, int, int]) -> None:
    editor, doc_id, _ = story
    copy = editor.post(f"/api/v1/stories/{doc_id}/duplicate")
    assert copy.status_code == 201
    copy_id = copy.get_json()["id"]
    body = editor.get(f"/api/v1/stories/{copy_id}").get_json()
    assert body["title"] == "Le RSA en 2024 (copie)" and len(body["spec"]["chapters"]) == 3
    assert editor.delete(f"/api/v1/stories/{doc_id}").status_code == 204
    assert editor.get(f"/api/v1/stories/{doc_id}").status_code == 404
    assert editor.post(f"/api/v1/stories/{doc_id}/undelete").status_code == 200
    assert editor.get(f"/api/v1/stories/{doc_id}").status_code == 200


def test_export_import_relinks_datasets_by_name(story: tuple[Any, int, int]) -> None:
    editor, doc_id, ds_id = story
    exported = editor.get(f"/api/v1/stories/{doc_id}/export").get_json()
    assert exported["kind"] == "story" and exported["datasets"] == {str(ds_id): "RSA"}
    exported["datasets"] = {"999": "RSA"}
    exported["spec"]["chapters"][1]["tile"]["dataset"] = 999
    exported["spec"]["chapters"][0]["text"]["dataset"] = 999
    imported = editor.post("/api/v1/import", json=exported)
    assert imported.status_code == 201, imported.get_json()
    new = editor.get(f"/api/v1/stories/{imported.get_json()['id']}").get_json()
    assert new["spec"]["chapters"][1]["tile"]["dataset"] == ds_id
    assert new["spec"]["chapters"][0]["text"]["dataset"] == ds_id


@pytest.mark.parametrize("role", ["anonymous", "viewer"])
def test_who_may_create(login: Any, role: str) -> None:
    response = login(role).post("/api/v1/stories", json={"title": "x"})
    assert response.status_code == (401 if role == "anonymous" else 403)
