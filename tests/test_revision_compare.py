"""Comparing revisions: structured changes, sentences in French and English, permissions."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import call_callback, render_page
from test_dashboards_api import spec
from test_datasets_api import upload

from studio.services.revisions import describe
from studio.spec.diff import compare_dashboards
from studio.store.models import Document


def edited(base: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(base)
    new["title"] = "Observatoire 2025"
    new["tiles"][0]["measures"] = [{"field": "montant", "agg": "avg"}]
    new["tiles"][0]["chart"] = "bar"
    new["tiles"][1]["title"] = "À lire"
    new["tiles"].append({"kind": "text", "id": "x2", "title": "Méthode", "markdown": "…"})
    new["layout"][0] = {"tile": "c1", "x": 0, "y": 4, "w": 12, "h": 5}
    new["layout"].append({"tile": "x2", "x": 0, "y": 0, "w": 4, "h": 2})
    new["filters"][0]["label"] = "Territoire"
    new["filters"].append({"id": "f2", "kind": "select", "field": "nom", "label": "Nom"})
    new["sections"] = [
        {"id": "main", "title": "Vue", "tiles": ["c1", "x1"]},
        {"id": "more", "title": "Plus", "tiles": ["x2"]},
    ]
    return new


def test_changes_are_listed_part_by_part() -> None:
    old = spec(1)
    changes = {(c.kind, c.subject): c for c in compare_dashboards(old, edited(old))}
    assert changes[("title", "")].after == "Observatoire 2025"
    assert ("tile_added", "Méthode") in changes
    chart = changes[("tile_changed", "Montant par département")]
    assert chart.properties == ["chart", "measures"]
    assert changes[("tile_changed", "À lire")].properties == ["title"]
    assert changes[("tile_moved", "Montant par département")].after == (0, 4)
    assert changes[("tile_resized", "Montant par département")].before == (8, 4)
    assert changes[("filter_changed", "Territoire")].properties == ["label"]
    assert ("filter_added", "Nom") in changes
    assert ("section_added", "Plus") in changes
    assert changes[("section_renamed", "main")].after == "Vue"


def test_defaults_written_out_are_no_change_and_removals_are_seen() -> None:
    old = spec(1)
    same = copy.deepcopy(old)
    same["tiles"][0]["mode"] = "grouped"  # the default, written out
    same["schema_version"] = 1
    assert compare_dashboards(old, same) == []
    fewer = copy.deepcopy(old)
    fewer["tiles"] = fewer["tiles"][:1]
    fewer["layout"] = fewer["layout"][:1]
    fewer["filters"] = []
    kinds = [(c.kind, c.subject) for c in compare_dashboards(old, fewer)]
    assert kinds == [("tile_removed", "Note"), ("filter_removed", "Département")]


def test_sentences_in_french_and_english() -> None:
    old = spec(1)
    texts = [describe(c, "fr") for c in compare_dashboards(old, edited(old))]
    assert "Titre modifié : « Observatoire » → « Observatoire 2025 »" in texts
    assert "Tuile « Montant par département » modifiée (type de graphique, mesures)" in texts
    assert "Tuile renommée : « Note » → « À lire »" in texts
    assert (
        "Tuile « Montant par département » déplacée (colonne 1, ligne 1 → colonne 1, ligne 5)"
        in texts
    )
    assert "Tuile « Montant par département » redimensionnée (8 × 4 → 12 × 5)" in texts
    assert "Filtre « Territoire » modifié (libellé)" in texts
    assert "Onglet ajouté : « Plus »" in texts
    english = [describe(c, "en") for c in compare_dashboards(old, edited(old))]
    assert "Tile 'Montant par département' changed (chart type, measures)" in english


@pytest.fixture
def board(login: Any, server: Any) -> dict[str, Any]:
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/dashboards", json=spec(ds_id)).get_json()["id"]
    saved = editor.put(
        f"/api/v1/dashboards/{doc_id}", json=edited(spec(ds_id)), headers={"If-Match": '"v1"'}
    )
    assert saved.status_code == 200
    return {"editor": editor, "doc": doc_id, "db": server.extensions["studio"]["db"]}


def test_api_compare_revision_with_draft_and_with_another(board: dict[str, Any]) -> None:
    url = f"/api/v1/dashboards/{board['doc']}/revisions/1/compare"
    body = board["editor"].get(url).get_json()
    assert body["to"] == "draft"
    assert "Titre modifié : « Observatoire » → « Observatoire 2025 »" in [
        c["text"] for c in body["changes"]
    ]
    assert board["editor"].get(url + "?to=1").get_json()["changes"] == []
    assert board["editor"].get(url + "?to=9").status_code == 404
    assert board["editor"].get(url + "?to=x;drop").status_code == 400


def test_api_compare_is_for_editors_only(board: dict[str, Any], login: Any) -> None:
    url = f"/api/v1/dashboards/{board['doc']}/revisions/1/compare"
    assert login("viewer").get(url).status_code == 404  # a draft never leaks
    board["editor"].post(f"/api/v1/dashboards/{board['doc']}/publish")
    with board["db"].session() as s:
        s.get(Document, board["doc"]).visibility = "internal"
    assert login("viewer").get(url).status_code == 403
    assert login("anonymous").get(url).status_code == 401


def test_editor_history_compares_revisions(board: dict[str, Any], app: Any, login: Any) -> None:
    page = render_page(board["editor"], app, f"/dashboards/{board['doc']}/edit")
    assert "de-cmp-from" in page.get_data(as_text=True)
    draft = {"id": board["doc"], "version": 2, "spec": {}}
    out = call_callback(board["editor"], app, "de-cmp-result.children", [1], ["1", "draft", draft])
    text = str(out.get_json()["response"]["de-cmp-result"]["children"])
    assert "Tuile ajoutée : « Méthode »" in text and "Onglet ajouté : « Plus »" in text
    same = call_callback(board["editor"], app, "de-cmp-result.children", [1], ["2", "draft", draft])
    assert "Aucune différence" in str(same.get_json())
    gone = call_callback(board["editor"], app, "de-cmp-result.children", [1], ["7", "1", draft])
    assert "n'existe pas" in str(gone.get_json())
    forged = call_callback(
        board["editor"], app, "de-cmp-result.children", [1], [{"x": 1}, 1, draft]
    )
    assert "n'existe pas" in str(forged.get_json())
    viewer = call_callback(login("viewer"), app, "de-cmp-result.children", [1], ["1", "2", draft])
    assert viewer.status_code in (403, 404)


def test_a_tile_moved_to_another_tab_is_told() -> None:
    old = spec(1)
    old["sections"] = [
        {"id": "a", "title": "Vue", "tiles": ["c1", "x1"]},
        {"id": "b", "title": "Notes", "tiles": []},
    ]
    new = copy.deepcopy(old)
    new["sections"][0]["tiles"] = ["c1"]
    new["sections"][1]["tiles"] = ["x1"]
    texts = [describe(c, "fr") for c in compare_dashboards(old, new)]
    assert texts == ["Tuile « Note » passée de l'onglet « Vue » à « Notes »"]
