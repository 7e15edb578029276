"""Dashboards through the API: drafts, ETag/If-Match, conflicts, publishing, history, bin."""

from __future__ import annotations

import io
from typing import Any

import pytest
from test_datasets_api import FRENCH_CSV


def _dataset(client: Any) -> int:
    data = {"file": (io.BytesIO(FRENCH_CSV), "rsa.csv"), "name": "RSA"}
    response = client.post("/api/v1/datasets", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def spec(ds_id: int, title: str = "Observatoire") -> dict[str, Any]:
    return {
        "title": title,
        "tiles": [
            {
                "kind": "chart",
                "id": "c1",
                "title": "Montant par département",
                "chart": "column",
                "dataset": ds_id,
                "dimension": {"field": "code_departement"},
                "measures": [{"field": "montant", "agg": "sum"}],
            },
            {"kind": "text", "id": "x1", "title": "Note", "markdown": "Données **fictives**."},
        ],
        "layout": [
            {"tile": "c1", "x": 0, "y": 0, "w": 8, "h": 4},
            {"tile": "x1", "x": 8, "y": 0, "w": 4, "h": 4},
        ],
        "filters": [
            {
                "id": "f1",
                "kind": "multi_select",
                "field": "code_departement",
                "label": "Département",
            }
        ],
    }


@pytest.fixture
def board(login: Any) -> tuple[Any, int, int]:
    editor = login("editor")
    ds_id = _dataset(editor)
    response = editor.post("/api/v1/dashboards", json=spec(ds_id))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["version"] == 1
    return editor, body["id"], ds_id


def test_get_has_etag_and_draft_state(board: tuple[Any, int, int]) -> None:
    editor, doc_id, _ = board
    response = editor.get(f"/api/v1/dashboards/{doc_id}")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"v1"'
    body = response.get_json()
    assert body["state"] == "draft" and body["spec"]["title"] == "Observatoire"


def test_put_needs_if_match_and_refuses_stale(
    board: tuple[Any, int, int], server: Any, users: dict
) -> None:
    editor, doc_id, ds_id = board
    url = f"/api/v1/dashboards/{doc_id}"
    assert editor.put(url, json=spec(ds_id, "Sans en-tête")).status_code == 428
    first = editor.put(url, json=spec(ds_id, "Version A"), headers={"If-Match": '"v1"'})
    assert first.status_code == 200 and first.headers["ETag"] == '"v2"'
    stale = editor.put(url, json=spec(ds_id, "Version B"), headers={"If-Match": '"v1"'})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["changed_by"] == users["editor"]["email"] and body["version"] == 2
    assert "Modifié par editor@example.org" in body["error"]
    assert editor.get(url).get_json()["spec"]["title"] == "Version A"  # nothing overwritten


def test_invalid_spec_is_refused_precisely(board: tuple[Any, int, int]) -> None:
    editor, doc_id, ds_id = board
    bad = spec(ds_id)
    bad["tiles"][0]["chart"] = "pie3d"
    response = editor.put(f"/api/v1/dashboards/{doc_id}", json=bad, headers={"If-Match": '"v1"'})
    assert response.status_code == 422
    assert "chart" in response.get_json()["field"]
    assert response.get_json()["code"] == "pydantic.literal_error"
    bad["tiles"][0].update(chart="combo", secondary=[])
    response = editor.put(f"/api/v1/dashboards/{doc_id}", json=bad, headers={"If-Match": '"v1"'})
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "spec.combo_needs_secondary"
    assert body["field"] == "tiles.0.chart"  # the API keeps English and the spec path
    assert body["error"] == (
        "Invalid spec at tiles.0.chart: a combo chart needs at least one 'secondary' measure "
        "(the line)"
    )


def test_viewers_see_only_the_published_revision(
    board: tuple[Any, int, int], login: Any, server: Any
) -> None:
    editor, doc_id, ds_id = board
    viewer = login("viewer")
    assert viewer.get(f"/api/v1/dashboards/{doc_id}").status_code == 404  # private draft
    from studio.store.models import Document

    with server.extensions["studio"]["db"].session() as s:
        s.get(Document, doc_id).visibility = "internal"
    assert viewer.get(f"/api/v1/dashboards/{doc_id}").status_code == 404  # never published
    assert editor.post(f"/api/v1/dashboards/{doc_id}/publish").get_json()["published_revision"] == 1
    editor.put(
        f"/api/v1/dashboards/{doc_id}",
        json=spec(ds_id, "Brouillon secret"),
        headers={"If-Match": '"v1"'},
    )
    seen = viewer.get(f"/api/v1/dashboards/{doc_id}").get_json()
    assert seen["spec"]["title"] == "Observatoire" and seen["showing"] == "published"
    assert "Brouillon secret" not in str(viewer.get("/api/v1/dashboards").get_json())
    assert (
        viewer.put(
            f"/api/v1/dashboards/{doc_id}", json=spec(ds_id), headers={"If-Match": '"v2"'}
        ).status_code
        == 403
    )
    assert viewer.post(f"/api/v1/dashboards/{doc_id}/publish").status_code == 403
    assert viewer.get(f"/api/v1/dashboards/{doc_id}/revisions").status_code == 403


def test_revisions_and_restore(board: tuple[Any, int, int]) -> None:
    editor, doc_id, ds_id = board
    url = f"/api/v1/dashboards/{doc_id}"
    editor.put(url, json=spec(ds_id, "Deuxième"), headers={"If-Match": '"v1"'})
    revisions = editor.get(f"{url}/revisions").get_json()["revisions"]
    assert [r["number"] for r in revisions] == [2, 1]
    assert revisions[0]["author"] == "editor@example.org"
    assert editor.get(f"{url}/revisions/1").get_json()["spec"]["title"] == "Observatoire"
    restored = editor.post(f"{url}/revisions/1/restore")
    assert restored.status_code == 200 and restored.get_json()["version"] == 3
    assert editor.get(url).get_json()["spec"]["title"] == "Observatoire"


def test_duplicate_delete_bin_and_undelete(board: tuple[Any, int, int]) -> None:
    editor, doc_id, _ = board
    copy = editor.post(f"/api/v1/dashboards/{doc_id}/duplicate")
    assert copy.status_code == 201
    copy_id = copy.get_json()["id"]
    assert editor.get(f"/api/v1/dashboards/{copy_id}").get_json()["title"] == "Observatoire (copie)"
    assert editor.delete(f"/api/v1/dashboards/{doc_id}").status_code == 204
    assert editor.get(f"/api/v1/dashboards/{doc_id}").status_code == 404
    assert editor.post(f"/api/v1/dashboards/{doc_id}/undelete").status_code == 200
    assert editor.get(f"/api/v1/dashboards/{doc_id}").status_code == 200


def test_export_import_relinks_datasets_by_name(board: tuple[Any, int, int], login: Any) -> None:
    editor, doc_id, ds_id = board
    exported = editor.get(f"/api/v1/dashboards/{doc_id}/export").get_json()
    assert exported["studio_export"] == 1 and exported["datasets"] == {str(ds_id): "RSA"}
    exported["datasets"] = {"999": "RSA"}
    exported["spec"]["tiles"][0]["dataset"] = 999
    imported = editor.post("/api/v1/import", json=exported)
    assert imported.status_code == 201, imported.get_json()
    new = editor.get(f"/api/v1/dashboards/{imported.get_json()['id']}").get_json()
    assert new["spec"]["tiles"][0]["dataset"] == ds_id
    assert editor.post("/api/v1/import", json={"hello": 1}).status_code == 422


@pytest.mark.parametrize("role", ["anonymous", "viewer"])
def test_who_may_create(login: Any, role: str) -> None:
    response = login(role).post("/api/v1/dashboards", json={"title": "x"})
    assert response.status_code == (401 if role == "anonymous" else 403)

