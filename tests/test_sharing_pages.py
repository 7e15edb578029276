"""Sharing, row rules and audit through the pages' real callbacks (Flask test client):
who may reach them, what they change, what lists and pages show."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from conftest import _output_spec, call_callback, render_page
from test_dashboards_api import spec
from test_datasets_api import FRENCH_CSV
from test_sharing_api import add_user

SHARE_OPEN = "share-visibility.value"  # the callback opening and filling the dialog
RULE_ADD = "rr-list.children...rr-message.children"


@pytest.fixture
def site(login: Any, server: Any) -> dict[str, Any]:
    editor = login("editor")
    data = {"file": (io.BytesIO(FRENCH_CSV), "rsa.csv"), "name": "RSA"}
    ds = editor.post("/api/v1/datasets", data=data, content_type="multipart/form-data")
    ds_id = ds.get_json()["id"]
    doc = editor.post("/api/v1/dashboards", json=spec(ds_id, "Tableau partagé")).get_json()["id"]
    editor.post(f"/api/v1/dashboards/{doc}/publish")
    return {
        "editor": editor,
        "ds": ds_id,
        "doc": doc,
        "member": add_user(server, "membre@example.org", "viewer", ["Ain"]),
        "outsider": add_user(server, "autre@example.org", "viewer", ["Corse"]),
    }


def _save_key(app: Any) -> str:
    return next(k for k in app.callback_map if k.startswith("share-message.children@"))


def _share(
    client: Any,
    app: Any,
    kind: str,
    obj: int,
    visibility: str,
    groups: list[str],
    origins: str = "",
) -> Any:
    return call_callback(
        client,
        app,
        _save_key(app),
        [1],
        [{"kind": kind, "id": obj}, visibility, groups, [], [], [], origins],
    )


def test_owner_shares_through_the_dialog(site: dict[str, Any], app: Any) -> None:
    opened = call_callback(
        site["editor"], app, SHARE_OPEN, [1], [{"kind": "dashboard", "id": site["doc"]}]
    )
    assert opened.status_code == 200, opened.get_data(as_text=True)[:300]
    out = opened.get_json()["response"]
    assert out["share-modal"]["is_open"] is True
    assert out["share-visibility"]["value"] == "private"
    assert "Ain" in out["share-groups"]["options"]
    assert "membre@example.org" in out["share-users"]["options"]
    assert "membre@example.org" not in out["share-editors"]["options"]  # a viewer cannot edit
    saved = _share(site["editor"], app, "dashboard", site["doc"], "groups", ["Ain"])
    assert saved.status_code == 200
    assert "share-saved" in saved.get_data(as_text=True)
    home = render_page(site["member"], app, "/").get_data(as_text=True)
    assert "Tableau partag" in home
    assert "Tableau partag" not in render_page(site["outsider"], app, "/").get_data(as_text=True)


def test_dialog_shows_validation_messages(site: dict[str, Any], app: Any) -> None:
    saved = _share(
        site["editor"], app, "dashboard", site["doc"], "private", [], "https://exemple.fr/chemin"
    )
    assert saved.status_code == 200
    body = json.dumps(saved.get_json(), ensure_ascii=False)
    assert "share-error" in body and "https://exemple.fr/chemin" in body
    empty = _share(site["editor"], app, "dashboard", site["doc"], "groups", [])
    assert "share-error" in empty.get_data(as_text=True)
    api = site["editor"].get(f"/api/v1/dashboards/{site['doc']}/sharing").get_json()
    assert api["visibility"] == "private" and api["allowed_origins"] == []


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_viewers_cannot_reach_the_sharing_callbacks(
    site: dict[str, Any], app: Any, who: str
) -> None:
    site["editor"].put(f"/api/v1/dashboards/{site['doc']}/sharing", json={"visibility": "internal"})
    client = site[who]
    target = [{"kind": "dashboard", "id": site["doc"]}]
    assert call_callback(client, app, SHARE_OPEN, [1], target).status_code == 403
    assert _share(client, app, "dashboard", site["doc"], "public", []).status_code == 403
    assert _share(client, app, "dataset", site["ds"], "public", []).status_code == 404
    assert (
        site["editor"].get(f"/api/v1/dashboards/{site['doc']}/sharing").get_json()["visibility"]
        == "internal"
    )


def test_share_button_only_for_those_who_may_share(site: dict[str, Any], app: Any) -> None:
    site["editor"].put(f"/api/v1/dashboards/{site['doc']}/sharing", json={"visibility": "internal"})
    path = f"/dashboards/{site['doc']}"
    assert "share-open" in render_page(site["editor"], app, path).get_data(as_text=True)
    assert "share-open" not in render_page(site["member"], app, path).get_data(as_text=True)
    edit = render_page(site["editor"], app, f"{path}/edit").get_data(as_text=True)
    assert "share-open" in edit
    ds_page = render_page(site["editor"], app, f"/datasets/{site['ds']}").get_data(as_text=True)
    assert "share-open" in ds_page and "rr-card" not in ds_page


def test_dashboard_views_are_audited_once_per_window(
    site: dict[str, Any], app: Any, login: Any
) -> None:
    site["editor"].put(f"/api/v1/dashboards/{site['doc']}/sharing", json={"visibility": "internal"})
    path = f"/dashboards/{site['doc']}"
    for _ in range(3):
        render_page(site["member"], app, path)
    render_page(site["outsider"], app, path)
    events = (
        login("admin")
        .get(f"/api/v1/audit?action=dashboard_viewed&object_id={site['doc']}")
        .get_json()["events"]
    )
    assert sorted(e["actor"] for e in events) == ["autre@example.org", "membre@example.org"]


def _add_rule(client: Any, app: Any, ds: int, group: str, field: str, op: str, value: str) -> Any:
    return call_callback(client, app, RULE_ADD, [1], [ds, group, field, op, value])


def test_admin_adds_and_deletes_row_rules_on_the_dataset_page(
    site: dict[str, Any], app: Any, login: Any
) -> None:
    admin = login("admin")
    page = render_page(admin, app, f"/datasets/{site['ds']}").get_data(as_text=True)
    assert "rr-card" in page
    added = _add_rule(admin, app, site["ds"], "Ain", "code_departement", "in", "01 ; 2A")
    assert added.status_code == 200, added.get_data(as_text=True)[:300]
    assert "code_departement in 01 ; 2A" in added.get_data(as_text=True)
    bad = _add_rule(admin, app, site["ds"], "Ain", "montant", ">", "beaucoup")
    assert "rr-error" in bad.get_data(as_text=True) and "montant" in bad.get_data(as_text=True)
    rules = admin.get(f"/api/v1/datasets/{site['ds']}/row-rules").get_json()["rules"]
    assert len(rules) == 1 and rules[0]["conditions"][0]["value"] == ["01", "2A"]
    assert _delete_rule(login("editor"), app, site["ds"], rules[0]["id"]).status_code == 403
    deleted = _delete_rule(admin, app, site["ds"], rules[0]["id"])
    assert deleted.status_code == 200 and "rr-none" in deleted.get_data(as_text=True)
    assert admin.get(f"/api/v1/datasets/{site['ds']}/row-rules").get_json()["rules"] == []


def _delete_rule(client: Any, app: Any, ds: int, rule: int) -> Any:
    key = next(k for k in app.callback_map if "rr-list.children@" in k)
    button = {"type": "rr-delete", "rule": rule}
    body = {
        "output": key,
        "outputs": _output_spec(key),
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "state": [{"id": "rr-dataset", "property": "data", "value": ds}],
        "changedPropIds": [json.dumps(button, sort_keys=True, separators=(",", ":")) + ".n_clicks"],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def test_row_rule_callbacks_refused_to_non_admins(site: dict[str, Any], app: Any) -> None:
    for client in (site["editor"], site["member"]):
        response = _add_rule(client, app, site["ds"], "Ain", "code_departement", "=", "01")
        assert response.status_code in (403, 404)
    assert "rr-card" not in render_page(site["member"], app, f"/datasets/{site['ds']}").get_data(
        as_text=True
    )


def test_audit_page_filters_and_refuses_non_admins(
    site: dict[str, Any], app: Any, login: Any
) -> None:
    admin = login("admin")
    site["editor"].put(f"/api/v1/datasets/{site['ds']}/sharing", json={"visibility": "internal"})
    page = render_page(admin, app, "/admin/audit").get_data(as_text=True)
    assert "aud-table" in page and "dataset_shared" in page
    response = call_callback(
        admin,
        app,
        "aud-results.children",
        [1, 0, 0],
        ["editor@", "dataset_shared", "dataset", str(site["ds"]), "", "", 0],
    )
    body = json.dumps(response.get_json(), ensure_ascii=False)
    assert response.status_code == 200 and "dataset_shared" in body and "1–1 sur 1" in body
    none = call_callback(
        admin, app, "aud-results.children", [1, 0, 0], ["personne@", "", "", "", "", "", 0]
    )
    assert "aud-none" in none.get_data(as_text=True)
    bad = call_callback(
        admin, app, "aud-results.children", [1, 0, 0], ["", "", "", "", "31/12/2026", "", 0]
    )
    assert "aud-error" in bad.get_data(as_text=True)
    assert (
        call_callback(
            site["editor"], app, "aud-results.children", [1, 0, 0], ["", "", "", "", "", "", 0]
        ).status_code
        == 403
    )
    assert "aud-forbidden" in render_page(site["editor"], app, "/admin/audit").get_data(
        as_text=True
    )


def test_saves_and_publications_from_the_editor_are_audited(
    site: dict[str, Any], app: Any, login: Any
) -> None:
    key = next(k for k, v in app.callback_map.items() if v["inputs"][0]["id"] == "de-publish")
    draft = {"id": site["doc"], "version": 1, "spec": {}}
    response = call_callback(site["editor"], app, key, [1], [draft])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    events = login("admin").get(
        f"/api/v1/audit?action=dashboard_published&object_id={site['doc']}"
    ).get_json()["events"]
    assert len(events) == 2  # the API publication of the fixture, then the editor's
    assert events[0]["actor"] == "editor@example.org" and events[0]["details"]["revision"] == 1
