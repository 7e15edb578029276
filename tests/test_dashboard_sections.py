"""The dashboard editor's structure: tabs as grid bands (add, rename, remove, move), tile copies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import call_callback, render_page
from test_dashboards_api import spec
from test_datasets_api import upload

from studio.pages._grid import grid_to_spec
from studio.services.tile_editing import place_tile
from studio.store import documents as repo

BANDED = [
    {"i": "section:a", "x": 0, "y": 0, "w": 12, "h": 1, "static": True},
    {"i": "c1", "x": 0, "y": 1, "w": 8, "h": 4},
    {"i": "section:b", "x": 0, "y": 5, "w": 12, "h": 1, "static": True},
    {"i": "x1", "x": 4, "y": 6, "w": 4, "h": 3},
]


def two_tabs(ds_id: int) -> dict[str, Any]:
    data = spec(ds_id)
    data["sections"] = [
        {"id": "a", "title": "Vue", "tiles": ["c1"]},
        {"id": "b", "title": "Notes", "tiles": ["x1"]},
    ]
    data["layout"][1] = {"tile": "x1", "x": 4, "y": 0, "w": 4, "h": 3}
    return data


def test_grid_bands_become_sections_with_rows_counted_within() -> None:
    out = grid_to_spec(two_tabs(1), BANDED)
    assert out["sections"] == [
        {"id": "a", "title": "Vue", "tiles": ["c1"]},
        {"id": "b", "title": "Notes", "tiles": ["x1"]},
    ]
    assert {it["tile"]: it["y"] for it in out["layout"]} == {"c1": 0, "x1": 0}


def test_a_tile_dragged_under_another_band_changes_section() -> None:
    moved = [dict(it) for it in BANDED]
    moved[1] = {"i": "c1", "x": 0, "y": 9, "w": 8, "h": 4}  # below band b and x1
    out = grid_to_spec(two_tabs(1), moved)
    assert out["sections"][0]["tiles"] == [] and out["sections"][1]["tiles"] == ["x1", "c1"]
    assert {it["tile"]: it["y"] for it in out["layout"]} == {"x1": 0, "c1": 3}


def test_without_bands_sections_stay() -> None:
    data = two_tabs(1)
    out = grid_to_spec(data, [{"i": "c1", "x": 0, "y": 2, "w": 6, "h": 4}])
    assert out["sections"] == data["sections"] and out["layout"][0]["y"] == 2


def test_a_new_tile_goes_below_the_first_sections_tiles() -> None:
    data = two_tabs(1)
    data["layout"][1]["y"] = 20  # rows of another section do not count
    out = place_tile(data, {"kind": "text", "id": "n1", "markdown": "x"})
    assert out["layout"][-1] == {"tile": "n1", "x": 0, "y": 4, "w": 6, "h": 4}
    assert out["sections"][0]["tiles"] == ["c1", "n1"]


@pytest.fixture
def setup(login: Any, server: Any) -> dict[str, Any]:
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/dashboards", json=spec(ds_id)).get_json()["id"]
    return {"editor": editor, "doc": doc_id, "ds": ds_id, "db": server.extensions["studio"]["db"]}


def _draft(setup: dict[str, Any]) -> dict[str, Any]:
    with setup["db"].session() as s:
        doc = repo.get_document(s, "dashboard", setup["doc"])
        return {"id": doc.id, "version": doc.version, "spec": doc.spec}


def _spec(setup: dict[str, Any]) -> dict[str, Any]:
    return _draft(setup)["spec"]


def _pattern_call(
    client: Any,
    app: Any,
    kind: str,
    prop: str,
    section: str,
    value: Any,
    draft: dict[str, Any],
    grid: Any,
) -> Any:
    key = next(
        k
        for k, v in app.callback_map.items()
        if v["inputs"] and kind in v["inputs"][0]["id"] and v["inputs"][0]["property"] == prop
    )
    spec_ = app.callback_map[key]
    second = "de-draft" if kind == "de-section-title" else "de-go"
    ident = {"section": section, "type": kind}
    body = {
        "output": key,
        "outputs": [
            {"id": "de-message", "property": "children"},
            {"id": second, "property": "data" if second == "de-draft" else "href"},
        ],
        "inputs": [[{"id": ident, "property": prop, "value": value}]],
        "state": [
            dict(st, value=v) for st, v in zip(spec_["state"], [draft, grid, None, ""], strict=True)
        ],
        "changedPropIds": [json.dumps(ident, separators=(",", ":"), sort_keys=True) + "." + prop],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def test_add_rename_and_remove_tabs(setup: dict[str, Any], app: Any) -> None:
    editor = setup["editor"]
    key = next(k for k, v in app.callback_map.items() if v["inputs"][0]["id"] == "de-add-section")
    out = call_callback(editor, app, key, [1], [_draft(setup), None, None, ""])
    assert out.get_json()["response"]["de-go"]["href"] == f"/dashboards/{setup['doc']}/edit"
    sections = _spec(setup)["sections"]
    assert [(s["id"], s["title"], s["tiles"]) for s in sections] == [
        ("main", "Onglet 1", ["c1", "x1"]),
        ("s1", "Onglet 2", []),
    ]
    page = render_page(editor, app, f"/dashboards/{setup['doc']}/edit").get_data(as_text=True)
    assert "section:s1" in page and "de-section-title" in page

    renamed = _pattern_call(
        editor, app, "de-section-title", "value", "s1", "Détail", _draft(setup), None
    )
    assert renamed.status_code == 200, renamed.get_data(as_text=True)[:300]
    assert _spec(setup)["sections"][1]["title"] == "Détail"

    grid = [
        {"i": "section:main", "x": 0, "y": 0, "w": 12, "h": 1, "static": True},
        {"i": "c1", "x": 0, "y": 1, "w": 8, "h": 4},
        {"i": "section:s1", "x": 0, "y": 5, "w": 12, "h": 1, "static": True},
        {"i": "x1", "x": 0, "y": 6, "w": 4, "h": 4},
    ]
    save_key = "..de-message.children...de-draft.data.."
    saved = call_callback(editor, app, save_key, [1], [_draft(setup), grid, "Observatoire", ""])
    assert saved.status_code == 200
    assert [s["tiles"] for s in _spec(setup)["sections"]] == [["c1"], ["x1"]]

    removed = _pattern_call(
        editor, app, "de-remove-section", "n_clicks", "main", 1, _draft(setup), None
    )
    assert removed.status_code == 200
    after = _spec(setup)
    assert [(s["id"], s["tiles"]) for s in after["sections"]] == [("s1", ["x1", "c1"])]
    assert {it["tile"]: it["y"] for it in after["layout"]}["c1"] == 4  # below x1


def test_viewers_cannot_change_tabs(setup: dict[str, Any], app: Any, login: Any) -> None:
    viewer = login("viewer")
    draft = _draft(setup)
    key = next(k for k, v in app.callback_map.items() if v["inputs"][0]["id"] == "de-add-section")
    assert call_callback(viewer, app, key, [1], [draft, None, None, ""]).status_code in (403, 404)
    renamed = _pattern_call(viewer, app, "de-section-title", "value", "main", "X", draft, None)
    assert renamed.status_code in (403, 404)
    assert "sections" not in _spec(setup) or len(_spec(setup)["sections"]) == 1


def _copy(client: Any, app: Any, source: str, draft: dict[str, Any]) -> Any:
    key = next(k for k, v in app.callback_map.items() if v["inputs"][0]["id"] == "de-copy-tile")
    return call_callback(client, app, key, [1], [source, draft, None, None, ""])


def test_copy_a_tile_of_another_dashboard(setup: dict[str, Any], app: Any, server: Any) -> None:
    editor = setup["editor"]
    other = editor.post("/api/v1/dashboards", json={"title": "Autre"}).get_json()["id"]
    with setup["db"].session() as s:
        doc = repo.get_document(s, "dashboard", other)
        draft = {"id": other, "version": doc.version, "spec": doc.spec}
    body = render_page(editor, app, f"/dashboards/{other}/edit").get_data(as_text=True)
    assert f"{setup['doc']}:c1" in body and "Montant par d" in body  # offered in the picker
    out = _copy(editor, app, f"{setup['doc']}:c1", draft)
    assert out.get_json()["response"]["de-go"]["href"] == f"/dashboards/{other}/edit"
    with setup["db"].session() as s:
        spec_ = repo.get_document(s, "dashboard", other).spec
    (copied,) = spec_["tiles"]
    assert copied["title"] == "Montant par département" and copied["id"] != "c1"
    assert spec_["layout"] == [{"tile": copied["id"], "x": 0, "y": 0, "w": 6, "h": 4}]
    with setup["db"].session() as s:  # the source is untouched
        assert [t["id"] for t in repo.get_document(s, "dashboard", setup["doc"]).spec["tiles"]] == [
            "c1",
            "x1",
        ]


def test_nobody_copies_from_a_dashboard_they_cannot_edit(
    setup: dict[str, Any], app: Any, server: Any, login: Any
) -> None:
    from conftest import PASSWORD, sign_in

    from studio import accounts

    with setup["db"].session() as s:
        accounts.create_account(s, "other@example.org", "editor", [], PASSWORD, "Other")
    other = server.test_client()
    sign_in(other, "other@example.org")
    mine = other.post("/api/v1/dashboards", json={"title": "À moi"}).get_json()["id"]
    draft = {"id": mine, "version": 1, "spec": {"title": "À moi"}}
    out = _copy(other, app, f"{setup['doc']}:c1", draft)
    assert "plus ou ne vous est pas accessible" in out.get_data(as_text=True)
    with setup["db"].session() as s:
        assert repo.get_document(s, "dashboard", mine).spec.get("tiles", []) == []
    target = _draft(setup)
    assert _copy(login("viewer"), app, f"{setup['doc']}:c1", target).status_code in (403, 404)
