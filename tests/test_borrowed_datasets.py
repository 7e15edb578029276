"""The borrowed-dataset attack: a spec is no key.

An editor who writes another user's private dataset id into a tile must get nothing: not by
the API, the tile editor's callback, import, duplicate or restore; and a dashboard published
before that rule, or whose dataset was made private later, shows no row of it (view, PDF,
CSV, public embed)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from conftest import call_callback, render_page
from story_samples import story_spec
from test_dashboard_pages import _download
from test_dashboards_api import spec
from test_datasets_api import upload
from test_sharing_api import add_user

from studio.store import documents as repo
from studio.store.models import Dataset, Document, User

SECRET_CSV = (
    b"code_departement;nom;date;montant;taux\n"
    b"2B;Haute-Corse-Secrete;31/01/2024;777 777;12,5 %\n"
    b"974;La Reunion-Secrete;29/02/2024;654 321;8 %\n"
)
SECRETS = ("777777", "777 777", "654321", "Secrete")


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.fixture
def attack(login: Any, server: Any) -> dict[str, Any]:
    """A victim's private dataset; the attacker (an editor) has an ordinary dataset of their
    own; a viewer in another group."""
    victim = add_user(server, "victime@example.org", "editor", [])
    secret = upload(victim, SECRET_CSV, "secret.csv", "Secret").get_json()["id"]
    attacker = login("editor")
    own = upload(attacker).get_json()["id"]
    return {
        "victim": victim,
        "secret": secret,
        "attacker": attacker,
        "own": own,
        "viewer": login("viewer"),
        "db": server.extensions["studio"]["db"],
    }


def _count(db: Any) -> int:
    with db.session() as s:
        return len(repo.list_documents(s, "dashboard")) + len(repo.list_documents(s, "story"))


def _forbidden(response: Any, field_prefix: str) -> None:
    assert response.status_code == 403, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) >= {"error", "field", "code"}
    assert body["code"] == "doc.dataset_forbidden"
    assert body["field"].startswith(field_prefix), body
    assert _leaks(response.get_data(as_text=True)) == []


def test_create_naming_a_private_dataset_is_refused(attack: dict[str, Any]) -> None:
    before = _count(attack["db"])
    attacker = attack["attacker"]
    _forbidden(attacker.post("/api/v1/dashboards", json=spec(attack["secret"])), "tiles.0")
    _forbidden(
        attack["attacker"].post("/api/v1/stories", json=story_spec(attack["secret"])), "chapters"
    )
    # the id of a dataset that does not exist is refused the same way (no probing)
    _forbidden(attack["attacker"].post("/api/v1/dashboards", json=spec(9999)), "tiles.0")
    assert _count(attack["db"]) == before


def test_boundary_dataset_is_checked_too(attack: dict[str, Any]) -> None:
    board = spec(attack["own"])
    board["tiles"].append(
        {
            "kind": "map",
            "id": "m1",
            "title": "Carte",
            "dataset": attack["own"],
            "code_field": "code_departement",
            "measure": {"field": "montant", "agg": "sum"},
            "boundaries": {
                "dataset": attack["secret"],
                "code_field": "code_departement",
                "name_field": "nom",
                "geometry_field": "nom",
            },
        }
    )
    board["layout"].append({"tile": "m1", "x": 0, "y": 4, "w": 6, "h": 4})
    response = attack["attacker"].post("/api/v1/dashboards", json=board)
    if response.status_code == 422:  # the map's slots are checked first: fix them, then retry
        pytest.fail(f"the map tile is not valid: {response.get_json()}")
    _forbidden(response, "tiles.2.boundaries")


def test_save_import_and_publish_are_refused(attack: dict[str, Any]) -> None:
    attacker = attack["attacker"]
    created = attacker.post("/api/v1/dashboards", json=spec(attack["own"])).get_json()
    doc = created["id"]
    saved = attacker.put(
        f"/api/v1/dashboards/{doc}", json=spec(attack["secret"]), headers={"If-Match": '"v1"'}
    )
    _forbidden(saved, "tiles.0")
    with attack["db"].session() as s:
        stored = repo.get_document(s, "dashboard", doc)
        assert stored.version == 1 and stored.spec["tiles"][0]["dataset"] == attack["own"]
    export = {
        "studio_export": 1,
        "kind": "dashboard",
        "title": "Import",
        "state": "draft",
        "datasets": {},
        "spec": spec(attack["secret"]),
    }
    before = _count(attack["db"])
    _forbidden(attacker.post("/api/v1/import", json=export), "tiles.0")
    # re-linking by name cannot reach a dataset the importer may not see either
    export["datasets"] = {str(attack["secret"]): "Secret"}
    export["spec"] = spec(12345)
    _forbidden(attacker.post("/api/v1/import", json=export), "tiles.0")
    assert _count(attack["db"]) == before


def test_tile_editor_callback_is_refused(attack: dict[str, Any], app: Any) -> None:
    attacker = attack["attacker"]
    doc = attacker.post("/api/v1/dashboards", json=spec(attack["own"])).get_json()["id"]
    tile = {
        "kind": "chart",
        "id": "k9",
        "title": "Vol",
        "chart": "column",
        "dataset": attack["secret"],
        "dimension": {"field": "code_departement"},
        "measures": [{"field": "montant", "agg": "sum"}],
    }
    saved = call_callback(
        attacker,
        app,
        "..te-message.children",
        [1],
        [tile, {"dashboard": doc, "tile": "k9", "version": 1}],
    )
    assert saved.status_code == 200
    assert "accès" in saved.get_data(as_text=True) or "acc\\u00e8s" in saved.get_data(as_text=True)
    with attack["db"].session() as s:
        assert "k9" not in json.dumps(repo.get_document(s, "dashboard", doc).spec)


def test_duplicate_and_restore_are_refused(attack: dict[str, Any], server: Any) -> None:
    victim, attacker = attack["victim"], attack["attacker"]
    # the victim publishes an internal dashboard on their private dataset: viewers may see
    # its aggregates, but an editor may not copy it into a spec of their own
    doc = victim.post("/api/v1/dashboards", json=spec(attack["secret"])).get_json()["id"]
    assert victim.post(f"/api/v1/dashboards/{doc}/publish").status_code == 200
    assert victim.put(
        f"/api/v1/dashboards/{doc}/sharing", json={"visibility": "internal"}
    ).status_code == 200
    before = _count(attack["db"])
    _forbidden(attacker.post(f"/api/v1/dashboards/{doc}/duplicate"), "tiles.0")
    assert _count(attack["db"]) == before
    # restore: the attacker saved a revision while the dataset was shared with them
    sharing = {"users": ["editor@example.org"]}
    assert victim.put(
        f"/api/v1/datasets/{attack['secret']}/sharing", json=sharing
    ).status_code == 200
    mine = attacker.post("/api/v1/dashboards", json=spec(attack["secret"])).get_json()["id"]
    assert attacker.put(
        f"/api/v1/dashboards/{mine}", json=spec(attack["own"]), headers={"If-Match": '"v1"'}
    ).status_code == 200
    assert victim.put(
        f"/api/v1/datasets/{attack['secret']}/sharing", json={"users": []}
    ).status_code == 200
    restored = attacker.post(
        f"/api/v1/dashboards/{mine}/revisions/1/restore", headers={"If-Match": '"v2"'}
    )
    _forbidden(restored, "tiles.0")


def _legacy_published(attack: dict[str, Any]) -> int:
    """A dashboard by the attacker naming the victim's dataset, published and public, as
    today's code let anyone make (written to the store directly, below the checks)."""
    db = attack["db"]
    with db.session() as s:
        author = s.query(User).filter_by(email="editor@example.org").one()
        from studio import accounts

        actor = accounts.actor_of(author)
        doc = repo.create_document(s, "dashboard", "Vol", spec(attack["secret"]), actor)
        repo.publish(s, doc, actor)
        doc.visibility = "public"
        return doc.id


def _embed(client: Any, app: Any, doc: int) -> Any:
    from test_embeds import _show

    return _show(client, app, f"/embed/dashboards/{doc}", "")


def _no_row_anywhere(attack: dict[str, Any], app: Any, client: Any, doc: int) -> None:
    viewer = attack["viewer"]
    view = render_page(viewer, app, f"/dashboards/{doc}").get_data(as_text=True)
    assert "Montant par d" in view  # the dashboard itself is shown…
    assert _leaks(view) == [] and "2B" not in view  # …without a row of the dataset
    assert "accessibles" in view
    pdf = viewer.get(f"/api/v1/dashboards/{doc}/pdf")
    assert pdf.status_code == 200
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert _leaks(text) == [] and "2B" not in text
    csv = _download(viewer, app, doc, "csv", None)
    if csv.status_code == 200 and "dv-download" in csv.get_data(as_text=True):
        data = csv.get_json()["response"]["dv-download"]["data"]
        assert _leaks(base64.b64decode(data["content"]).decode("utf-8-sig", "replace")) == []
    else:
        assert csv.status_code in (200, 204, 403, 404)
    embed = _embed(client, app, doc).get_data(as_text=True)
    assert _leaks(embed) == [] and '"2B"' not in embed


def test_a_spec_written_before_the_rule_vouches_for_nothing(
    attack: dict[str, Any], app: Any, client: Any
) -> None:
    _no_row_anywhere(attack, app, client, _legacy_published(attack))


def test_a_dataset_made_private_later_stops_the_vouching(
    attack: dict[str, Any], app: Any, client: Any
) -> None:
    victim = attack["victim"]
    sharing = {"visibility": "internal"}
    assert victim.put(f"/api/v1/datasets/{attack['secret']}/sharing", json=sharing).status_code
    # the attacker may read it now, so they may publish it (it is vouched for)
    doc = attack["attacker"].post("/api/v1/dashboards", json=spec(attack["secret"])).get_json()
    assert attack["attacker"].post(f"/api/v1/dashboards/{doc['id']}/publish").status_code == 200
    with attack["db"].session() as s:
        s.get(Document, doc["id"]).visibility = "public"
    seen = render_page(attack["viewer"], app, f"/dashboards/{doc['id']}").get_data(as_text=True)
    assert "2B" in seen  # vouched for while the publisher may read it
    assert victim.put(
        f"/api/v1/datasets/{attack['secret']}/sharing", json={"visibility": "private"}
    ).status_code == 200
    _no_row_anywhere(attack, app, client, doc["id"])


def test_a_publisher_who_lost_access_stops_vouching(
    attack: dict[str, Any], app: Any, client: Any
) -> None:
    """The dataset stays shared with others, but not with the one who published."""
    victim, db = attack["victim"], attack["db"]
    grant = {"users": ["editor@example.org"]}
    assert victim.put(f"/api/v1/datasets/{attack['secret']}/sharing", json=grant).status_code
    doc = attack["attacker"].post("/api/v1/dashboards", json=spec(attack["secret"])).get_json()
    assert attack["attacker"].post(f"/api/v1/dashboards/{doc['id']}/publish").status_code == 200
    with db.session() as s:
        s.get(Document, doc["id"]).visibility = "public"
    assert victim.put(
        f"/api/v1/datasets/{attack['secret']}/sharing", json={"users": []}
    ).status_code == 200
    _no_row_anywhere(attack, app, client, doc["id"])


def test_publishing_needs_read_access_to_every_dataset(attack: dict[str, Any]) -> None:
    """A co-editor may not publish a revision naming a dataset they cannot read."""
    victim, attacker = attack["victim"], attack["attacker"]
    doc = victim.post("/api/v1/dashboards", json=spec(attack["secret"])).get_json()["id"]
    assert victim.put(
        f"/api/v1/dashboards/{doc}/sharing", json={"editors": ["editor@example.org"]}
    ).status_code == 200
    refused = attacker.post(f"/api/v1/dashboards/{doc}/publish")
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "doc.publisher_forbidden"
    with attack["db"].session() as s:
        assert s.get(Document, doc).published_number is None
        assert s.get(Dataset, attack["secret"]).visibility == "private"
