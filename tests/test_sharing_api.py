"""Sharing through the API: visibility, grants, co-editors, validation, filtered lists, audit;
and the policy and the SQL list filter agreeing on every combination."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from conftest import PASSWORD, sign_in
from test_dashboards_api import spec
from test_datasets_api import upload

from studio import accounts
from studio.security.actor import Actor
from studio.security.policy import allowed
from studio.store import sharing as sharing_repo
from studio.store.models import Dataset, Document, Grant, Group


def add_user(server: Any, email: str, role: str, groups: list[str]) -> Any:
    """A signed-in client for a new user with this role and these groups."""
    with server.extensions["studio"]["db"].session() as s:
        accounts.create_account(s, email, role, groups, PASSWORD, email.split("@")[0])
    client = server.test_client()
    assert sign_in(client, email).status_code == 302
    return client


@pytest.fixture
def shared(login: Any, server: Any) -> dict[str, Any]:
    """An editor's dataset and published dashboard; users in other groups."""
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/dashboards", json=spec(ds_id)).get_json()["id"]
    assert editor.post(f"/api/v1/dashboards/{doc_id}/publish").status_code == 200
    return {
        "editor": editor,
        "ds": ds_id,
        "doc": doc_id,
        "member": add_user(server, "membre@example.org", "viewer", ["Ain"]),
        "outsider": add_user(server, "autre@example.org", "viewer", ["Corse"]),
        "editor2": add_user(server, "coeditrice@example.org", "editor", ["Ain"]),
    }


def _ids(client: Any, plural: str = "dashboards") -> set[int]:
    response = client.get(f"/api/v1/{plural}")
    assert response.status_code == 200
    return {item["id"] for item in response.get_json()[plural]}


def test_owner_reads_default_sharing(shared: dict[str, Any]) -> None:
    body = shared["editor"].get(f"/api/v1/dashboards/{shared['doc']}/sharing").get_json()
    assert body == {
        "visibility": "private",
        "groups": [],
        "roles": [],
        "users": [],
        "editors": [],
        "owner": "editor@example.org",
        "allowed_origins": [],
    }
    ds_body = shared["editor"].get(f"/api/v1/datasets/{shared['ds']}/sharing").get_json()
    assert "allowed_origins" not in ds_body and ds_body["visibility"] == "private"


def test_group_visibility_shows_the_dashboard_to_members_only(
    shared: dict[str, Any], login: Any
) -> None:
    doc, url = shared["doc"], f"/api/v1/dashboards/{shared['doc']}/sharing"
    assert doc not in _ids(shared["member"])
    assert shared["member"].get(f"/api/v1/dashboards/{doc}").status_code == 404
    response = shared["editor"].put(url, json={"visibility": "groups", "groups": ["Ain"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["groups"] == ["Ain"]
    assert doc in _ids(shared["member"])
    assert shared["member"].get(f"/api/v1/dashboards/{doc}").status_code == 200
    assert doc not in _ids(shared["outsider"])
    assert shared["outsider"].get(f"/api/v1/dashboards/{doc}").status_code == 404
    assert doc not in _ids(login("viewer"))
    # a role grant reaches every user of the role
    shared["editor"].put(url, json={"visibility": "groups", "groups": [], "roles": ["viewer"]})
    assert doc in _ids(shared["outsider"]) and doc in _ids(shared["member"])


def test_private_with_named_users_and_internal(shared: dict[str, Any]) -> None:
    url = f"/api/v1/dashboards/{shared['doc']}/sharing"
    shared["editor"].put(url, json={"users": ["AUTRE@example.org"]})
    assert shared["doc"] in _ids(shared["outsider"])
    assert shared["doc"] not in _ids(shared["member"])
    shared["editor"].put(url, json={"visibility": "internal", "users": []})
    assert shared["doc"] in _ids(shared["member"]) and shared["doc"] in _ids(shared["outsider"])


def test_dataset_visibility_filters_the_catalogue(shared: dict[str, Any]) -> None:
    assert shared["ds"] not in _ids(shared["member"], "datasets")
    assert shared["member"].get(f"/api/v1/datasets/{shared['ds']}").status_code == 404
    response = shared["editor"].put(
        f"/api/v1/datasets/{shared['ds']}/sharing", json={"visibility": "groups", "groups": ["Ain"]}
    )
    assert response.status_code == 200, response.get_json()
    assert shared["ds"] in _ids(shared["member"], "datasets")
    assert shared["ds"] not in _ids(shared["outsider"], "datasets")


def test_drafts_stay_hidden_from_granted_viewers(shared: dict[str, Any]) -> None:
    editor = shared["editor"]
    draft = editor.post("/api/v1/dashboards", json=spec(shared["ds"], "Brouillon")).get_json()
    editor.put(f"/api/v1/dashboards/{draft['id']}/sharing", json={"visibility": "internal"})
    assert draft["id"] not in _ids(shared["member"])
    assert shared["member"].get(f"/api/v1/dashboards/{draft['id']}").status_code == 404


def test_co_editor_edits_and_publishes_but_cannot_share(shared: dict[str, Any]) -> None:
    doc, editor2 = shared["doc"], shared["editor2"]
    assert editor2.get(f"/api/v1/dashboards/{doc}").status_code == 404
    response = shared["editor"].put(
        f"/api/v1/dashboards/{doc}/sharing", json={"editors": ["coeditrice@example.org"]}
    )
    assert response.status_code == 200, response.get_json()
    got = editor2.get(f"/api/v1/dashboards/{doc}")
    assert got.status_code == 200 and got.get_json()["showing"] == "draft"
    # co-editing the dashboard is no key to its private dataset: saving needs read access
    saved = editor2.put(
        f"/api/v1/dashboards/{doc}",
        json=spec(shared["ds"], "Par la co-éditrice"),
        headers={"If-Match": got.headers["ETag"]},
    )
    assert saved.status_code == 403
    assert saved.get_json()["code"] == "doc.dataset_forbidden"
    assert saved.get_json()["field"].startswith("tiles.0.")
    assert editor2.post(f"/api/v1/dashboards/{doc}/publish").status_code == 403
    shared_ds = shared["editor"].put(
        f"/api/v1/datasets/{shared['ds']}/sharing", json={"users": ["coeditrice@example.org"]}
    )
    assert shared_ds.status_code == 200, shared_ds.get_json()
    saved = editor2.put(
        f"/api/v1/dashboards/{doc}",
        json=spec(shared["ds"], "Par la co-éditrice"),
        headers={"If-Match": got.headers["ETag"]},
    )
    assert saved.status_code == 200
    assert editor2.post(f"/api/v1/dashboards/{doc}/publish").status_code == 200
    assert editor2.get(f"/api/v1/dashboards/{doc}/sharing").status_code == 403
    assert (
        editor2.put(f"/api/v1/dashboards/{doc}/sharing", json={"visibility": "public"}).status_code
        == 403
    )
    assert editor2.delete(f"/api/v1/dashboards/{doc}").status_code == 403


def test_group_edit_grant(shared: dict[str, Any]) -> None:
    doc = shared["doc"]
    shared["editor"].put(f"/api/v1/dashboards/{doc}/sharing", json={"editors": ["Ain"]})
    assert shared["editor2"].get(f"/api/v1/dashboards/{doc}").get_json()["showing"] == "draft"
    # a viewer in the same group gains nothing from an edit grant
    assert shared["member"].get(f"/api/v1/dashboards/{doc}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"visibility": "everyone"}, "visibility"),
        ({"visiblity": "public"}, "visiblity"),
        ({"users": ["personne@example.org"]}, "users"),
        ({"users": "membre@example.org"}, "users"),
        ({"groups": ["Inconnu"]}, "groups"),
        ({"visibility": "groups", "groups": []}, "groups"),
        ({"visibility": "private", "roles": ["viewer"]}, "roles"),
        ({"visibility": "groups", "roles": ["chef"]}, "roles"),
        ({"editors": ["membre@example.org"]}, "editors"),
        ({"editors": ["Inconnu"]}, "editors"),
        ({"allowed_origins": ["*"]}, "allowed_origins"),
        ({"allowed_origins": ["https://*.exemple.fr"]}, "allowed_origins"),
        ({"allowed_origins": ["https://exemple.fr/page"]}, "allowed_origins"),
        ({"allowed_origins": ["ftp://exemple.fr"]}, "allowed_origins"),
        ({"allowed_origins": ["exemple.fr"]}, "allowed_origins"),
        ({"allowed_origins": ["https://user@exemple.fr"]}, "allowed_origins"),
        ({"allowed_origins": ["https://exemple.fr?x=1"]}, "allowed_origins"),
    ],
)
def test_sharing_validation(shared: dict[str, Any], body: dict[str, Any], field: str) -> None:
    url = f"/api/v1/dashboards/{shared['doc']}/sharing"
    response = shared["editor"].put(url, json=body)
    assert response.status_code == 422
    out = response.get_json()
    assert out["field"] == field and out["error"]
    # nothing changed
    assert shared["editor"].get(url).get_json()["visibility"] == "private"


def test_origins_are_normalised_and_datasets_have_none(shared: dict[str, Any]) -> None:
    url = f"/api/v1/dashboards/{shared['doc']}/sharing"
    body = {"allowed_origins": ["HTTPS://Www.Exemple.fr/", "http://localhost:8080"]}
    response = shared["editor"].put(url, json=body)
    assert response.get_json()["allowed_origins"] == [
        "http://localhost:8080",
        "https://www.exemple.fr",
    ]
    ds_url = f"/api/v1/datasets/{shared['ds']}/sharing"
    refused = shared["editor"].put(ds_url, json={"allowed_origins": ["https://exemple.fr"]})
    assert refused.status_code == 422 and refused.get_json()["field"] == "allowed_origins"


def test_only_owner_and_admin_reach_sharing(shared: dict[str, Any], login: Any) -> None:
    url = f"/api/v1/dashboards/{shared['doc']}/sharing"
    shared["editor"].put(url, json={"visibility": "internal"})
    assert shared["member"].get(url).status_code == 403
    assert shared["member"].put(url, json={"visibility": "public"}).status_code == 403
    assert login("anonymous").get(url).status_code == 401
    assert login("admin").put(url, json={"visibility": "private"}).status_code == 200


def test_sharing_changes_are_audited(shared: dict[str, Any], login: Any) -> None:
    shared["editor"].put(
        f"/api/v1/dashboards/{shared['doc']}/sharing",
        json={"visibility": "groups", "groups": ["Ain"]},
    )
    admin = login("admin")
    response = admin.get(f"/api/v1/audit?action=dashboard_shared&object_id={shared['doc']}")
    assert response.status_code == 200
    events = response.get_json()["events"]
    assert len(events) == 1
    assert events[0]["actor"] == "editor@example.org"
    assert events[0]["details"]["groups"] == ["Ain"]


def test_audit_api_filters_and_pages(shared: dict[str, Any], login: Any) -> None:
    admin = login("admin")
    everything = admin.get("/api/v1/audit?limit=500").get_json()
    assert everything["total"] >= 3
    page = admin.get("/api/v1/audit?limit=2&offset=1").get_json()
    assert [e["id"] for e in page["events"]] == [e["id"] for e in everything["events"][1:3]]
    mine = admin.get("/api/v1/audit?actor=editor@example.org&object_type=dataset").get_json()
    assert mine["events"] and all(
        e["actor"] == "editor@example.org" and e["object_type"] == "dataset" for e in mine["events"]
    )
    assert admin.get("/api/v1/audit?since=2999-01-01").get_json()["total"] == 0
    assert admin.get("/api/v1/audit?until=2000-01-01").get_json()["total"] == 0
    assert admin.get("/api/v1/audit?since=hier").get_json()["field"] == "since"
    assert admin.get("/api/v1/audit?limit=0").status_code == 422
    assert shared["editor"].get("/api/v1/audit").status_code == 403


# --- the policy and the SQL filter agree ------------------------------------------------


def test_policy_and_sql_list_filter_agree(app: Any, users: dict[str, Any]) -> None:
    """Every visibility × grant × published state, for actors of every role and group."""
    db = app.server.extensions["studio"]["db"]
    owner_id = users["editor"]["id"]
    with db.session() as s:
        ain, corse = Group(name="Ain"), Group(name="Corse")
        s.add_all([ain, corse])
        s.flush()
        grants = [
            None,
            ("user", str(users["viewer"]["id"]), "view"),
            ("group", str(ain.id), "view"),
            ("role", "viewer", "view"),
            ("user", str(users["viewer"]["id"]), "edit"),
            ("group", str(ain.id), "edit"),
        ]
        combos = list(itertools.product(("private", "internal", "groups", "public"), grants))
        for i, (visibility, grant) in enumerate(combos):
            for published in (None, 1):
                doc = Document(
                    kind="dashboard",
                    title=f"d{i}",
                    owner_id=owner_id,
                    visibility=visibility,
                    spec={},
                    published_number=published,
                )
                ds = Dataset(name=f"ds{i}", owner_id=owner_id, visibility=visibility)
                s.add_all([doc, ds])
                s.flush()
                if grant:
                    s.add(
                        Grant(
                            object_type="dashboard",
                            object_id=doc.id,
                            principal_type=grant[0],
                            principal=grant[1],
                            permission=grant[2],
                        )
                    )
                    s.add(
                        Grant(
                            object_type="dataset",
                            object_id=ds.id,
                            principal_type=grant[0],
                            principal=grant[1],
                            permission=grant[2],
                        )
                    )
        ain_id, corse_id = ain.id, corse.id
    actors = [
        Actor(id=owner_id, email="o", role="editor"),
        Actor(id=users["viewer"]["id"], email="v", role="viewer"),
        Actor(id=users["viewer"]["id"], email="v", role="editor"),
        Actor(id=999, email="a", role="viewer", group_ids=frozenset({ain_id})),
        Actor(id=998, email="e", role="editor", group_ids=frozenset({ain_id, corse_id})),
        Actor(id=997, email="c", role="viewer", group_ids=frozenset({corse_id})),
        Actor(id=996, email="x", role="admin"),
    ]
    for actor in actors:
        with db.session() as s:
            docs = s.query(Document).all()
            listed = {d.id for d in sharing_repo.visible_documents(s, "dashboard", actor)}
            assert listed == {d.id for d in docs if allowed(actor, "view", d)}, actor
            datasets = s.query(Dataset).all()
            listed = {d.id for d in sharing_repo.visible_datasets(s, actor)}
            assert listed == {d.id for d in datasets if allowed(actor, "view", d)}, actor
            assert 0 < len(listed) <= len(datasets)


def test_lists_read_titles_in_a_constant_number_of_queries(app: Any, users: dict[str, Any]) -> None:
    """The home page and the API list: no query per dashboard (published titles, grants)."""
    from sqlalchemy import event

    from studio.services import documents

    db = app.server.extensions["studio"]["db"]
    owner = Actor(id=users["editor"]["id"], email="editor@example.org", role="editor")
    viewer = Actor(id=users["viewer"]["id"], email="viewer@example.org", role="viewer")

    def count_for(n: int) -> int:
        with db.session() as s:
            for i in range(n):
                doc = documents.create(s, "dashboard", owner, {"title": f"Tableau {i}"})
                documents.publish(s, owner, doc)
                doc.visibility = "internal"
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with db.session() as s:
                listed = documents.visible_list(s, "dashboard", viewer)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert {title for _d, title in listed} >= {f"Tableau {i}" for i in range(n)}
        return len(statements)

    assert count_for(2) == count_for(20)
