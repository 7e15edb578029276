"""Map tiles on the dashboard page: outlines sent once, values on each change, click to
cross-filter, and the cache of drawn tiles (permissions still checked on every call)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from test_datasets_api import FRENCH_CSV

from studio.data import DEPARTEMENTS
from studio.spec import Filter
from studio.store.models import Document

BOUNDARIES = DEPARTEMENTS


def map_spec(ds_id: int, geo_id: int) -> dict[str, Any]:
    return {
        "title": "Carte et barres",
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
            {
                "kind": "map",
                "id": "m1",
                "layer": "choropleth",
                "title": "Carte",
                "dataset": ds_id,
                "code_field": "code_departement",
                "measure": {"field": "montant", "agg": "sum", "label": "Montant"},
                "boundaries": {
                    "dataset": geo_id,
                    "code_field": "code",
                    "name_field": "nom",
                    "geometry_field": "geometry",
                },
            },
        ],
        "layout": [
            {"tile": "c1", "x": 0, "y": 0, "w": 6, "h": 5},
            {"tile": "m1", "x": 6, "y": 0, "w": 6, "h": 5},
        ],
        "filters": [
            {"id": "f1", "kind": "multi_select", "field": "code_departement", "label": "Dép."}
        ],
    }


def upload(client: Any, name: str, filename: str, content: bytes) -> int:
    data = {"file": (io.BytesIO(content), filename), "name": name}
    response = client.post("/api/v1/datasets", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def board(login: Any, server: Any) -> dict[str, Any]:
    editor = login("editor")
    ds_id = upload(editor, "RSA", "rsa.csv", FRENCH_CSV)
    geo_id = upload(editor, "Départements", "deps.geojson", BOUNDARIES.read_bytes())
    response = editor.post("/api/v1/dashboards", json=map_spec(ds_id, geo_id))
    assert response.status_code == 201, response.get_json()
    ext = server.extensions["studio"]
    return {"editor": editor, "doc": response.get_json()["id"], "db": ext["db"], "ext": ext}


def publish_internal(board: dict[str, Any]) -> None:
    board["editor"].post(f"/api/v1/dashboards/{board['doc']}/publish")
    with board["db"].session() as s:
        s.get(Document, board["doc"]).visibility = "internal"


def refilter(client: Any, app: Any, doc: int, value: Any, cross: Any = None) -> Any:
    key = next(k for k in app.callback_map if "dv-url.search" in k)
    body = {
        "output": key,
        "outputs": [
            [{"id": {"type": "dv-tile", "tile": t}, "property": "children"} for t in ("c1", "m1")],
            {"id": "dv-url", "property": "search"},
            {"id": "dv-chip", "property": "children"},
        ],
        "inputs": [
            [{"id": {"type": "dv-filter", "filter": "f1"}, "property": "value", "value": value}],
            {"id": "dv-cross", "property": "data", "value": cross},
        ],
        "state": [{"id": "dv-doc", "property": "data", "value": {"id": doc}}],
        "changedPropIds": ['{"filter":"f1","type":"dv-filter"}.value'],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def click_map(client: Any, app: Any, doc: int, code: Any, current: Any = None) -> Any:
    key = next(
        k
        for k, v in app.callback_map.items()
        if any("tile-map-areas" in i["id"] for i in v["inputs"])
    )
    area_id = {"type": "tile-map-areas", "tile": "m1", "page": "dv"}
    click = {"type": "Feature", "properties": {"code": code, "name": "?"}, "geometry": None}
    body = {
        "output": key,
        "outputs": {"id": "dv-cross", "property": "data"},
        "inputs": [[{"id": area_id, "property": "clickData", "value": click}]],
        "state": [
            {"id": "dv-doc", "property": "data", "value": {"id": doc}},
            {"id": "dv-cross", "property": "data", "value": current},
        ],
        "changedPropIds": [
            json.dumps(area_id, separators=(",", ":"), sort_keys=True) + ".clickData"
        ],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def tiles_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    out = response.get_json()["response"]
    return {json.loads(k)["tile"]: v["children"] for k, v in out.items() if k.startswith("{")}


def areas_layer(tree: Any) -> dict[str, Any]:
    """The props of the map's GeoJSON layer in a serialised component tree."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "GeoJSON":
                found.append(node["props"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    assert len(found) == 1, found
    return found[0]


def test_filter_change_sends_map_values_not_outlines(board: dict[str, Any], app: Any) -> None:
    tiles = tiles_of(refilter(board["editor"], app, board["doc"], ["01", "2A"]))
    layer = areas_layer(tiles["m1"])
    assert layer["url"] == f"/dashboards/{board['doc']}/outlines/m1.geojson"
    assert "data" not in layer and "coordinates" not in json.dumps(tiles["m1"])
    assert set(layer["hideout"]["fills"]) == {"01", "2A"}  # only the filtered départements
    assert "Ain" in layer["hideout"]["tips"]["01"]
    assert len(json.dumps(tiles["m1"])) < 60_000  # values and table, not 300 KB of outlines


def test_outlines_route_caching_and_permissions(
    board: dict[str, Any], app: Any, login: Any
) -> None:
    path = f"/dashboards/{board['doc']}/outlines/m1.geojson"
    response = board["editor"].get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    data = response.get_json(force=True)
    assert data["type"] == "FeatureCollection" and len(data["features"]) >= 96
    assert {"01", "2A", "75"} <= {f["properties"]["code"] for f in data["features"]}
    again = board["editor"].get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert board["editor"].get(f"/dashboards/{board['doc']}/outlines/c1.geojson").status_code == 404
    viewer = login("viewer")
    assert viewer.get(path).status_code == 404  # a draft the viewer may not see
    assert login("anonymous").get(path).status_code == 302  # to the sign-in page
    publish_internal(board)
    # the geojson dataset is private to the editor: the published dashboard vouches for it
    assert viewer.get(path).status_code == 200


def test_click_on_map_area_cross_filters_the_other_tiles(board: dict[str, Any], app: Any) -> None:
    editor = board["editor"]
    response = click_map(editor, app, board["doc"], "2A")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    cross = response.get_json()["response"]["dv-cross"]["data"]
    assert cross == {"tile": "m1", "field": "code_departement", "value": "2A"}
    response = refilter(editor, app, board["doc"], None, cross)
    out = response.get_json()["response"]
    assert "Filtr" in json.dumps(out["dv-chip"]) and "2A" in json.dumps(out["dv-chip"])
    assert out["dv-url"]["search"].endswith("x.tile=m1&x.field=code_departement&x.value=2A")
    tiles = tiles_of(response)
    chart = json.dumps(tiles["c1"])
    assert '"2A"' in chart and '"971"' not in chart  # the chart shows the clicked area only
    layer = areas_layer(tiles["m1"])
    assert layer["hideout"]["selected"] == "2A"  # the map keeps every area, outlines 2A
    assert set(layer["hideout"]["fills"]) == {"01", "2A"}  # not filtered by its own click
    again = click_map(editor, app, board["doc"], "2A", current=cross)
    assert again.get_json()["response"]["dv-cross"]["data"] is None  # a second click clears


@pytest.mark.parametrize("code", ["99", {"$ne": 1}, True, None])
def test_forged_or_unknown_map_clicks_change_nothing(
    board: dict[str, Any], app: Any, code: Any
) -> None:
    assert click_map(board["editor"], app, board["doc"], code).status_code == 204


def test_map_click_on_a_draft_is_refused_to_a_viewer(
    board: dict[str, Any], app: Any, login: Any
) -> None:
    assert click_map(login("viewer"), app, board["doc"], "2A").status_code == 404


def test_drawn_tiles_come_from_the_cache_but_access_is_checked_each_time(
    board: dict[str, Any], app: Any, login: Any
) -> None:
    publish_internal(board)
    viewer = login("viewer")
    cache = board["ext"]["query_cache"]
    first = tiles_of(refilter(viewer, app, board["doc"], ["01"]))
    hits = cache.hits
    second = tiles_of(refilter(viewer, app, board["doc"], ["01"]))
    assert second == first
    assert cache.hits >= hits + 2  # both tiles drawn from the cache, no query run
    with board["db"].session() as s:
        s.get(Document, board["doc"]).visibility = "private"
    assert refilter(viewer, app, board["doc"], ["01"]).status_code == 404


def test_drawn_tile_cache_keys_follow_the_row_filter(
    board: dict[str, Any], app: Any, monkeypatch: Any
) -> None:
    from studio.services import dashboards, tiles

    first = tiles_of(refilter(board["editor"], app, board["doc"], None))
    assert '"971"' in json.dumps(first["c1"])

    def only_ain(_session: Any, actor: Any, ds: Any) -> Any:
        has_field = any(f.get("name") == "code_departement" for f in ds.fields or [])
        return [[Filter(field="code_departement", op="=", value="01")]] if has_field else None

    monkeypatch.setattr(tiles, "row_filter_for", only_ain)
    monkeypatch.setattr(dashboards, "row_filter_for", only_ain)
    ruled = tiles_of(refilter(board["editor"], app, board["doc"], None))
    chart = json.dumps(ruled["c1"])
    assert '"01"' in chart and '"971"' not in chart  # not the cached unrestricted drawing


def test_drawing_dependencies_name_versions_rules_and_filters(
    board: dict[str, Any], users: dict
) -> None:
    from studio import accounts
    from studio.services import dashboards as service
    from studio.store import users as user_repo
    from studio.store.models import Dataset

    def depends(values: dict[str, Any]) -> dict[str, Any]:
        with board["db"].session() as s:
            actor = accounts.actor_of(user_repo.get_user(s, users["editor"]["id"]))
            opened = service.open_dashboard(s, actor, board["doc"])
            queries = service.merged_queries(opened, values, None)
            access = service.tile_access(s, board["ext"]["settings"], actor, opened, queries, "fr")
        return access["c1"].depends

    first = depends({})
    assert set(first) == {"tile", "queries", "sources", "row_filters"}
    assert list(first["row_filters"].values()) == [None]
    assert depends({"f1": ["01"]})["queries"] != first["queries"]
    with board["db"].session() as s:
        for ds in s.query(Dataset).all():
            ds.version += 1
    assert depends({})["sources"] != first["sources"]  # a new version is a new drawing


def test_only_the_open_tab_is_drawn_and_a_tab_switch_draws_the_next(
    login: Any, app: Any, board: dict[str, Any]
) -> None:
    from conftest import render_page

    editor = board["editor"]
    spec = editor.get(f"/api/v1/dashboards/{board['doc']}").get_json()["spec"]
    spec["sections"] = [
        {"id": "barres", "title": "Barres", "tiles": ["c1"]},
        {"id": "carte", "title": "Carte", "tiles": ["m1"]},
    ]
    etag = editor.get(f"/api/v1/dashboards/{board['doc']}").headers["ETag"]
    saved = editor.put(f"/api/v1/dashboards/{board['doc']}", json=spec, headers={"If-Match": etag})
    assert saved.status_code == 200, saved.get_json()
    page = render_page(editor, app, f"/dashboards/{board['doc']}").get_data(as_text=True)
    assert '"tile":"c1"' in page.replace(" ", "") and '"tile":"m1"' not in page.replace(" ", "")
    assert "GeoJSON" not in page  # the map's tab is not drawn until it is opened

    key = next(k for k in app.callback_map if "dv-section" in k)
    sections = [
        {"id": {"type": "dv-section", "section": s}, "property": "children"}
        for s in ("barres", "carte")
    ]
    body = {
        "output": key,
        "outputs": sections,
        "inputs": [{"id": "dv-tabs", "property": "active_tab", "value": "carte"}],
        "state": [
            [{"id": {"type": "dv-filter", "filter": "f1"}, "property": "value", "value": ["2A"]}],
            {"id": "dv-cross", "property": "data", "value": None},
            {"id": "dv-doc", "property": "data", "value": {"id": board["doc"]}},
        ],
        "changedPropIds": ["dv-tabs.active_tab"],
    }
    response = editor.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    out = response.get_json()["response"]
    shown = {json.loads(k)["section"]: v["children"] for k, v in out.items()}
    assert shown["barres"] is None  # the closed tab's tiles leave the page
    layer = areas_layer(shown["carte"])
    assert set(layer["hideout"]["fills"]) == {"2A"}  # drawn with the filter on screen
    viewer = login("viewer")
    denied = viewer.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert denied.status_code == 404  # a draft the viewer may not open
