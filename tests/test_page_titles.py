"""Each page's title (RGAA 8.6): its own, in the user's language, naming the dashboard or
dataset only to those who may see it."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import render_page
from test_dashboards_api import spec
from test_datasets_api import upload


def _title(client: Any, app: Any, path: str) -> str:
    response = render_page(client, app, path)
    assert response.status_code == 200
    return response.get_json()["response"]["_pages_store"]["data"]["title"]


@pytest.fixture
def docs(login: Any) -> dict[str, Any]:
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/dashboards", json=spec(ds_id, "Suivi du RSA")).get_json()["id"]
    return {"editor": editor, "ds": ds_id, "doc": doc_id}


def test_titles_name_the_document_for_its_editor(docs: dict[str, Any], app: Any) -> None:
    editor, doc = docs["editor"], docs["doc"]
    assert _title(editor, app, f"/dashboards/{doc}") == "Suivi du RSA · Studio"
    assert _title(editor, app, f"/dashboards/{doc}/edit") == "Modifier « Suivi du RSA » · Studio"
    assert _title(editor, app, f"/dashboards/{doc}/tiles/new") == (
        "Tuile de « Suivi du RSA » · Studio"
    )
    assert _title(editor, app, f"/datasets/{docs['ds']}").endswith(" · Studio")
    assert _title(editor, app, f"/datasets/{docs['ds']}") != "Jeu de données · Studio"
    assert _title(editor, app, "/") == "Catalogue · Studio"
    assert _title(editor, app, "/datasets/new") == "Nouveau jeu de données · Studio"


def test_others_get_the_generic_title(docs: dict[str, Any], app: Any, login: Any) -> None:
    viewer = login("viewer")  # the draft is not shared with them: its name is not revealed
    assert _title(viewer, app, f"/dashboards/{docs['doc']}") == "Tableau de bord · Studio"
    assert _title(viewer, app, f"/datasets/{docs['ds']}") == "Jeu de données · Studio"
    assert _title(viewer, app, "/dashboards/999999") == "Tableau de bord · Studio"
    assert _title(viewer, app, "/dashboards/not-a-number") == "Tableau de bord · Studio"


def test_titles_follow_the_language(docs: dict[str, Any], app: Any, server: Any) -> None:
    from studio.store.users import find_user_by_email, set_locale

    with server.extensions["studio"]["db"].session() as s:
        set_locale(s, find_user_by_email(s, "editor@example.org"), "en")
    editor = docs["editor"]
    assert _title(editor, app, f"/dashboards/{docs['doc']}/edit") == "Edit “Suivi du RSA” · Studio"
    assert _title(editor, app, "/") == "Catalogue · Studio"
    assert _title(editor, app, "/bin") == "Bin · Studio"
