"""The bin: delete with a confirmation, list and restore for 30 days, purge, permissions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import PASSWORD, call_callback, render_page, sign_in
from test_dashboards_api import spec
from test_datasets_api import upload

from studio import accounts
from studio.cli import main
from studio.store.models import Document, Revision


@pytest.fixture
def setup(login: Any, server: Any) -> dict[str, Any]:
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/dashboards", json=spec(ds_id)).get_json()["id"]
    db = server.extensions["studio"]["db"]
    with db.session() as s:
        accounts.create_account(s, "other@example.org", "editor", [], PASSWORD, "Other")
    other = server.test_client()
    assert sign_in(other, "other@example.org").status_code == 302
    return {"editor": editor, "other": other, "doc": doc_id, "ds": ds_id, "db": db}


def _delete_in_editor(client: Any, app: Any, doc: int) -> Any:
    key = next(
        k
        for k, v in app.callback_map.items()
        if any(i["id"] == "de-delete-confirm" for i in v["inputs"])
    )
    return call_callback(client, app, key, [1], [{"id": doc, "version": 1, "spec": {}}])


def _restore(client: Any, app: Any, doc: int) -> Any:
    key = next(k for k in app.callback_map if "bin-go.href" in k)
    body = {
        "output": key,
        "outputs": [
            {"id": "bin-go", "property": "href"},
            {"id": "bin-message", "property": "children"},
        ],
        "inputs": [
            [{"id": {"type": "bin-restore", "doc": doc}, "property": "n_clicks", "value": 1}]
        ],
        "state": [],
        "changedPropIds": [
            json.dumps({"doc": doc, "type": "bin-restore"}, separators=(",", ":")) + ".n_clicks"
        ],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def _deleted_at(setup: dict[str, Any]) -> Any:
    with setup["db"].session() as s:
        return s.get(Document, setup["doc"]).deleted_at


def test_editor_page_asks_before_deleting_and_says_it_can_be_restored(
    setup: dict[str, Any], app: Any
) -> None:
    body = render_page(setup["editor"], app, f"/dashboards/{setup['doc']}/edit").get_data(
        as_text=True
    )
    assert "de-delete-modal" in body and "restaurer pendant 30 jours" in body
    toggle = call_callback(setup["editor"], app, "de-delete-modal.is_open", [1, 0])
    assert toggle.get_json()["response"]["de-delete-modal"]["is_open"] is True
    assert _deleted_at(setup) is None  # opening the confirmation deletes nothing


def test_delete_moves_to_the_bin_and_the_owner_restores(setup: dict[str, Any], app: Any) -> None:
    response = _delete_in_editor(setup["editor"], app, setup["doc"])
    assert response.get_json()["response"]["de-go"]["href"] == "/bin"
    assert _deleted_at(setup) is not None
    assert setup["editor"].get(f"/api/v1/dashboards/{setup['doc']}").status_code == 404
    page = render_page(setup["editor"], app, "/bin").get_data(as_text=True)
    assert "Observatoire" in page and "encore 30 jour(s)" in page
    restored = _restore(setup["editor"], app, setup["doc"])
    assert restored.get_json()["response"]["bin-go"]["href"] == f"/dashboards/{setup['doc']}/edit"
    assert _deleted_at(setup) is None


def test_nobody_else_restores_or_sees_it_but_an_admin(
    setup: dict[str, Any], app: Any, login: Any
) -> None:
    _delete_in_editor(setup["editor"], app, setup["doc"])
    other_page = render_page(setup["other"], app, "/bin").get_data(as_text=True)
    assert "Observatoire" not in other_page and "bin-empty" in other_page
    assert setup["other"].get("/api/v1/dashboards/bin").get_json() == {"dashboards": []}
    assert _restore(setup["other"], app, setup["doc"]).status_code == 403
    assert setup["other"].post(f"/api/v1/dashboards/{setup['doc']}/undelete").status_code == 403
    assert _restore(login("viewer"), app, setup["doc"]).status_code == 403
    assert "bin-not-allowed" in render_page(login("viewer"), app, "/bin").get_data(as_text=True)
    assert login("viewer").get("/api/v1/dashboards/bin").status_code == 403
    assert _deleted_at(setup) is not None
    admin = login("admin")
    listed = admin.get("/api/v1/dashboards/bin").get_json()["dashboards"]
    assert [d["id"] for d in listed] == [setup["doc"]] and listed[0]["days_left"] == 30
    assert _restore(admin, app, setup["doc"]).status_code == 200
    assert _deleted_at(setup) is None


def test_others_cannot_delete_from_the_editor(setup: dict[str, Any], app: Any, login: Any) -> None:
    assert _delete_in_editor(setup["other"], app, setup["doc"]).status_code in (403, 404)
    assert _delete_in_editor(login("viewer"), app, setup["doc"]).status_code in (403, 404)
    assert _deleted_at(setup) is None


def test_duplicate_from_the_editor(setup: dict[str, Any], app: Any) -> None:
    key = next(
        k
        for k, v in app.callback_map.items()
        if any(i["id"] == "de-duplicate" for i in v["inputs"])
    )
    draft = {"id": setup["doc"], "version": 1, "spec": {}}
    href = call_callback(setup["editor"], app, key, [1], [draft]).get_json()["response"]["de-go"][
        "href"
    ]
    copy_id = int(href.split("/")[2])
    assert copy_id != setup["doc"]
    with setup["db"].session() as s:
        assert s.get(Document, copy_id).title == "Observatoire (copie)"


def _age(setup: dict[str, Any], days: int) -> None:
    with setup["db"].session() as s:
        s.get(Document, setup["doc"]).deleted_at = datetime.now(UTC) - timedelta(days=days)


def test_bin_hides_items_past_30_days_and_purge_bin_deletes_them(
    setup: dict[str, Any], app: Any, tmp_path: Path, database_url: str, monkeypatch: Any
) -> None:
    _delete_in_editor(setup["editor"], app, setup["doc"])
    _age(setup, 29)
    assert len(setup["editor"].get("/api/v1/dashboards/bin").get_json()["dashboards"]) == 1
    monkeypatch.setenv("STUDIO_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("STUDIO_DATABASE_URL", database_url)
    kept = CliRunner().invoke(main, ["purge-bin"])
    assert kept.exit_code == 0 and "0 item(s)" in kept.output
    _age(setup, 31)
    assert setup["editor"].get("/api/v1/dashboards/bin").get_json() == {"dashboards": []}
    assert setup["editor"].post(f"/api/v1/dashboards/{setup['doc']}/undelete").status_code == 404
    purged = CliRunner().invoke(main, ["purge-bin"])
    assert purged.exit_code == 0 and "1 item(s)" in purged.output
    with setup["db"].session() as s:
        assert s.get(Document, setup["doc"]) is None
        assert s.query(Revision).filter_by(document_id=setup["doc"]).count() == 0
