"""A click on a map area cross-filters the other tiles by the territory's code."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from conftest import SHARED_DATA
from test_dashboards_api import spec
from test_datasets_api import FRENCH_CSV

GEO = SHARED_DATA / "departements-version-simplifiee.geojson"


@pytest.fixture
def setup(login: Any) -> dict[str, Any]:
    if not GEO.exists():
        pytest.skip("shared data not present")
    editor = login("editor")
    data = {"file": (io.BytesIO(FRENCH_CSV), "rsa.csv"), "name": "RSA"}
    ds_id = editor.post(
        "/api/v1/datasets", data=data, content_type="multipart/form-data"
    ).get_json()["id"]
    geo = {"file": (io.BytesIO(GEO.read_bytes()), GEO.name)}
    geo_id = editor.post(
        "/api/v1/datasets", data=geo, content_type="multipart/form-data"
    ).get_json()["id"]
    board = spec(ds_id)
    board["tiles"].append(
        {
            "kind": "map",
            "id": "m1",
            "title": "Carte",
            "dataset": ds_id,
            "code_field": "code_departement",
            "measure": {"field": "montant", "agg": "sum"},
            "boundaries": {"dataset": geo_id, "code_field": "code", "name_field": "nom"},
        }
    )
    board["layout"].append({"tile": "m1", "x": 0, "y": 4, "w": 6, "h": 6})
    doc_id = editor.post("/api/v1/dashboards", json=board).get_json()["id"]
    return {"editor": editor, "doc": doc_id}


def _click(client: Any, app: Any, doc: int, tile: str, layer: str, feature: Any) -> Any:
    key = next(k for k, v in app.callback_map.items() if "tile-map-class-0" in str(v["inputs"]))
    inputs = []
    for spec_ in app.callback_map[key]["inputs"]:
        kind = json.loads(spec_["id"])["type"]
        items = []
        if kind == layer:
            ident = {"page": "dv", "tile": tile, "type": kind}
            items = [{"id": ident, "property": "clickData", "value": feature}]
        inputs.append(items)
    ident = json.dumps({"page": "dv", "tile": tile, "type": layer}, separators=(",", ":"))
    body = {
        "output": key,
        "outputs": {"id": "dv-cross", "property": "data"},
        "inputs": inputs,
        "state": [{"id": "dv-doc", "property": "data", "value": {"id": doc}}],
        "changedPropIds": [ident + ".clickData"],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def test_click_on_an_area_sets_the_cross_filter(setup: dict[str, Any], app: Any) -> None:
    feature = {"type": "Feature", "properties": {"code": "2A", "name": "Corse-du-Sud"}}
    out = _click(setup["editor"], app, setup["doc"], "m1", "tile-map-class-2", feature)
    assert out.status_code == 200, out.get_data(as_text=True)[:300]
    cross = out.get_json()["response"]["dv-cross"]["data"]
    assert cross == {"tile": "m1", "field": "code_departement", "value": "2A"}


def test_forged_clicks_do_nothing(setup: dict[str, Any], app: Any, login: Any) -> None:
    feature = {"type": "Feature", "properties": {"code": "2A"}}
    assert (
        _click(setup["editor"], app, setup["doc"], "c1", "tile-map-class-0", feature).status_code
        == 204
    )  # not a map
    assert (
        _click(setup["editor"], app, setup["doc"], "m1", "tile-map-class-0", {"x": 1}).status_code
        == 204
    )
    assert (
        _click(login("viewer"), app, setup["doc"], "m1", "tile-map-class-0", feature).status_code
        == 404
    )  # an unpublished draft
