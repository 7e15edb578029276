"""Bad input never gives a 500: huge ids, extreme numbers, deep JSON, control characters,
forged callback outputs: each gets a 4xx with a clear message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_dashboards_api import spec
from test_datasets_api import upload


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/dashboards/99999999999999999999",
        "/api/v1/dashboards/9223372036854775808",
        "/api/v1/datasets/9223372036854775808",
        "/api/v1/stories/18446744073709551617/revisions/99999999999999999999",
        "/api/v1/datasets/9223372036854775808/sharing",
    ],
)
def test_ids_above_2_63(login: Any, path: str) -> None:
    response = login("editor").get(path)
    assert response.status_code == 404, response.get_data(as_text=True)[:200]
    assert "error" in (response.get_json() or {}), response.get_data(as_text=True)[:300]


def test_huge_id_in_a_spec_is_refused_not_crashed(login: Any) -> None:
    response = login("editor").post("/api/v1/dashboards", json=spec(2**64))
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:200]
    assert "error" in response.get_json()


def test_extreme_filter_values(login: Any) -> None:
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    for value in (1e308, -1e308, 2**70):
        body = {
            "measures": [{"agg": "count"}],
            "filters": [{"field": "montant", "op": ">", "value": value}],
        }
        response = editor.post(f"/api/v1/datasets/{ds_id}/query", json=body)
        assert response.status_code in (200, 422), response.get_data(as_text=True)[:200]
    pdf = editor.get("/api/v1/dashboards/1/pdf?f1=" + "9" * 400)
    assert pdf.status_code < 500


def test_deeply_nested_json(login: Any) -> None:
    editor = login("editor")
    deep = '{"a":' * 5000 + '"x"' + "}" * 5000
    text = '{"title": "Profond", "tiles": [], "extra": ' + deep + "}"
    for path in ("/api/v1/dashboards", "/api/v1/import"):
        response = editor.post(path, data=text, content_type="application/json")
        assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:200]
        assert "error" in response.get_json()


@pytest.mark.parametrize("target", ["/\x00admin", "/%0d%0aSet-Cookie:x=1", "/\r\nLocation: //evil"])
def test_control_characters_in_next(client: Any, target: str) -> None:
    from urllib.parse import quote

    response = client.get("/login?next=" + quote(target, safe=""))
    assert response.status_code == 200
    assert "\r\n" not in response.headers.get("Location", "")


def test_unknown_callback_outputs(login: Any) -> None:
    editor = login("editor")
    for body in (
        {"output": "nothing.children", "outputs": {"id": "nothing", "property": "children"},
         "inputs": [], "changedPropIds": []},
        {"output": 12, "outputs": None, "inputs": None},
        [],
        {"output": "..a.b...c.d..", "outputs": [], "inputs": [{"id": {"type": 1}}]},
    ):
        response = editor.post(
            "/_dash-update-component", data=json.dumps(body), content_type="application/json"
        )
        assert 400 <= response.status_code < 500, (body, response.status_code)
