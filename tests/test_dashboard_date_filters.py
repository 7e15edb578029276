"""Date filters on the page: a date range picked in a calendar, a period of a chosen step."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import render_page
from test_dashboards_api import spec
from test_datasets_api import upload

from studio.store import documents as repo


@pytest.fixture
def setup(login: Any, server: Any) -> dict[str, Any]:
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    board = spec(ds_id)
    board["filters"].append({"id": "f2", "kind": "date_range", "field": "date", "label": "Dates"})
    doc_id = editor.post("/api/v1/dashboards", json=board).get_json()["id"]
    return {"editor": editor, "doc": doc_id, "db": server.extensions["studio"]["db"]}


def _post(client: Any, key: str, body: dict[str, Any]) -> Any:
    body = {"output": key, **body}
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def test_date_range_picker_feeds_the_filter(setup: dict[str, Any], app: Any) -> None:
    editor = setup["editor"]
    page = render_page(editor, app, f"/dashboards/{setup['doc']}").get_data(as_text=True)
    assert "dv-dates" in page and "DD\\u002fMM" in page  # French day order
    key = next(
        k
        for k in app.callback_map
        if "date_range_value" in str(app.callback_map[k]) or ("dv-filter" in k and "MATCH" in k)
    )
    ident = {"filter": "f2", "type": "dv-dates"}
    picked = _post(
        editor,
        key,
        {
            "outputs": {"id": {"filter": "f2", "type": "dv-filter"}, "property": "value"},
            "inputs": [
                {"id": ident, "property": "start_date", "value": "2024-02-01"},
                {"id": ident, "property": "end_date", "value": "2024-03-31"},
            ],
            "state": [],
            "changedPropIds": ['{"filter":"f2","type":"dv-dates"}.end_date'],
        },
    )
    assert picked.status_code == 200, picked.get_data(as_text=True)[:300]
    value = picked.get_json()["response"][
        json.dumps({"filter": "f2", "type": "dv-filter"}, separators=(",", ":"))
    ]["value"]
    assert value == "2024-02-01..2024-03-31"

    refilter = next(k for k in app.callback_map if "dv-url.search" in k)
    out = _post(
        editor,
        refilter,
        {
            "outputs": [
                [
                    {"id": {"type": "dv-tile", "tile": "c1"}, "property": "children"},
                    {"id": {"type": "dv-tile", "tile": "x1"}, "property": "children"},
                ],
                {"id": "dv-url", "property": "search"},
                {"id": "dv-chip", "property": "children"},
            ],
            "inputs": [
                [
                    {
                        "id": {"type": "dv-filter", "filter": "f1"},
                        "property": "value",
                        "value": None,
                    },
                    {
                        "id": {"type": "dv-filter", "filter": "f2"},
                        "property": "value",
                        "value": value,
                    },
                ],
                {"id": "dv-cross", "property": "data", "value": None},
            ],
            "state": [{"id": "dv-doc", "property": "data", "value": {"id": setup["doc"]}}],
            "changedPropIds": ['{"filter":"f2","type":"dv-filter"}.value'],
        },
    ).get_json()["response"]
    assert out["dv-url"]["search"] == "?f1=&f2=2024-02-01&f2=2024-03-31"
    drawn = str(out)
    assert "2A" in drawn and "971" in drawn and "'01'" not in drawn  # Ain's rows are Jan, Apr


def test_editor_adds_a_period_filter_with_its_step(setup: dict[str, Any], app: Any) -> None:
    with setup["db"].session() as s:
        doc = repo.get_document(s, "dashboard", setup["doc"])
        draft = {"id": doc.id, "version": doc.version, "spec": doc.spec}
    key = next(
        k
        for k, v in app.callback_map.items()
        if any(i["id"] == "de-filter-add" for i in v["inputs"])
    )
    states = app.callback_map[key]["state"]
    values = {
        "de-filter-kind": "period",
        "de-filter-field": "date",
        "de-filter-label": "Trimestre",
        "de-filter-grain": "quarter",
        "de-draft": draft,
        "de-grid": None,
        "de-title": "Observatoire",
        "de-description": "",
    }
    out = _post(
        setup["editor"],
        key,
        {
            "outputs": [
                {"id": "de-message", "property": "children"},
                {"id": "de-go", "property": "href"},
            ],
            "inputs": [
                [{"id": {"type": "de-remove", "tile": "c1"}, "property": "n_clicks", "value": 0}],
                [
                    {
                        "id": {"type": "de-remove-filter", "filter": "f1"},
                        "property": "n_clicks",
                        "value": 0,
                    }
                ],
                {"id": "de-filter-add", "property": "n_clicks", "value": 1},
            ],
            "state": [dict(st, value=values[st["id"]]) for st in states],
            "changedPropIds": ["de-filter-add.n_clicks"],
        },
    )
    assert out.status_code == 200, out.get_data(as_text=True)[:300]
    with setup["db"].session() as s:
        filters = repo.get_document(s, "dashboard", setup["doc"]).spec["filters"]
    assert {k: filters[-1][k] for k in ("id", "kind", "field", "label", "grain")} == {
        "id": "f3",
        "kind": "period",
        "field": "date",
        "label": "Trimestre",
        "grain": "quarter",
    }
    page = render_page(setup["editor"], app, f"/dashboards/{setup['doc']}/edit")
    assert "Plage de dates" in page.get_data(as_text=True)
