"""Row-level rules: the API (admins only, validated), and every query path honouring them for
the actor: dashboard tiles with a warm cache, filter choices, exports, KPI comparisons, map
tooltips, the dataset query API."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from conftest import render_page
from test_datasets_api import FRENCH_CSV
from test_sharing_api import add_user

from studio.security.actor import Actor
from studio.services.sharing import row_filter_for
from studio.store import datasets as ds_repo


def _square(x: float, y: float) -> dict[str, Any]:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


OUTLINES = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": c, "nom": n}, "geometry": _square(i, 45)}
            for i, (c, n) in enumerate((("01", "Ain"), ("2A", "Corse-du-Sud"), ("971", "Guad")))
        ],
    }
).encode()

TILE_IDS = ("c1", "k1", "m1")


def board_spec(ds: int, geo: int) -> dict[str, Any]:
    return {
        "title": "Observatoire",
        "tiles": [
            {
                "kind": "chart",
                "id": "c1",
                "title": "Montant",
                "chart": "column",
                "dataset": ds,
                "dimension": {"field": "code_departement"},
                "measures": [{"field": "montant", "agg": "sum"}],
            },
            {
                "kind": "kpi",
                "id": "k1",
                "title": "Montant du mois",
                "dataset": ds,
                "measure": {"field": "montant", "agg": "sum"},
                "period_field": "date",
                "grain": "month",
                "reference": {"field": "code_departement", "value": "2A", "label": "Corse"},
            },
            {
                "kind": "map",
                "id": "m1",
                "title": "Carte",
                "dataset": ds,
                "measure": {"field": "montant", "agg": "sum"},
                "code_field": "code_departement",
                "boundaries": {"dataset": geo, "code_field": "code", "name_field": "nom"},
            },
        ],
        "layout": [
            {"tile": "c1", "x": 0, "y": 0, "w": 4, "h": 4},
            {"tile": "k1", "x": 4, "y": 0, "w": 4, "h": 4},
            {"tile": "m1", "x": 8, "y": 0, "w": 4, "h": 4},
        ],
        "filters": [
            {"id": "f1", "kind": "multi_select", "field": "code_departement", "label": "Dép."}
        ],
    }


def _upload(client: Any, content: bytes, filename: str) -> int:
    data = {"file": (io.BytesIO(content), filename), "name": filename}
    response = client.post("/api/v1/datasets", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def ruled(login: Any, server: Any) -> dict[str, Any]:
    """A published internal dashboard on a dataset with rules for groups Ain and Corse."""
    editor, admin = login("editor"), login("admin")
    ds = _upload(editor, FRENCH_CSV, "rsa.csv")
    geo = _upload(editor, OUTLINES, "deps.geojson")
    doc = editor.post("/api/v1/dashboards", json=board_spec(ds, geo)).get_json()["id"]
    editor.post(f"/api/v1/dashboards/{doc}/publish")
    editor.put(f"/api/v1/dashboards/{doc}/sharing", json={"visibility": "internal"})
    editor.put(f"/api/v1/datasets/{ds}/sharing", json={"visibility": "internal"})
    for group, code in (("Ain", "01"), ("Corse", "2A")):
        add_user(server, f"chef-{group.lower()}@example.org", "viewer", [group])
        rule = {"group": group, "conditions": [{"field": "code_departement", "value": code}]}
        response = admin.post(f"/api/v1/datasets/{ds}/row-rules", json=rule)
        assert response.status_code == 201, response.get_json()
    return {
        "editor": editor,
        "admin": admin,
        "ds": ds,
        "doc": doc,
        "ain": _client(server, "chef-ain@example.org"),
        "corse": _client(server, "chef-corse@example.org"),
        "both": add_user(server, "deux@example.org", "viewer", ["Ain", "Corse"]),
        "db": server.extensions["studio"]["db"],
    }


def _client(server: Any, email: str) -> Any:
    from conftest import sign_in

    client = server.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _refilter(client: Any, doc: int, value: Any = None) -> dict[str, Any]:
    """Post the dashboard's real filter callback; returns each tile's JSON text by id."""
    body = {
        "output": next(
            k
            for k in client.application.extensions["studio"]["dash"].callback_map
            if "dv-url.search" in k
        ),
        "outputs": [
            [{"id": {"type": "dv-tile", "tile": t}, "property": "children"} for t in TILE_IDS],
            {"id": "dv-url", "property": "search"},
            {"id": "dv-chip", "property": "children"},
        ],
        "inputs": [
            [{"id": {"type": "dv-filter", "filter": "f1"}, "property": "value", "value": value}],
            {"id": "dv-cross", "property": "data", "value": None},
        ],
        "state": [{"id": "dv-doc", "property": "data", "value": {"id": doc}}],
        "changedPropIds": ['{"filter":"f1","type":"dv-filter"}.value'],
    }
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    out = response.get_json()["response"]
    return {t: json.dumps(v) for k, v in out.items() for t in TILE_IDS if f'"tile":"{t}"' in k}


def _chart_categories(tile_json: str) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "bar" and isinstance(node.get("x"), list):
                found.update(str(x) for x in node["x"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(tile_json))
    return found


def _texts_with_class(tile_json: str, css: str) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("props", {})
            if css in str(props.get("className", "")):
                found.append(json.dumps(props.get("children")))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(tile_json))
    return found


def _tooltips(tile_json: str) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            # choropleths carry their tooltips by code in the layer's hideout
            if isinstance(node.get("tips"), dict):
                found.extend(str(tip) for tip in node["tips"].values())
            if "tooltip" in node and isinstance(node["tooltip"], str):
                found.append(node["tooltip"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(tile_json))
    return found


def test_two_groups_on_a_warm_dashboard_never_see_each_others_rows(
    ruled: dict[str, Any],
) -> None:
    owner = _refilter(ruled["editor"], ruled["doc"])
    assert _chart_categories(owner["c1"]) == {"01", "2A", "971"}  # cache now warm
    for _ in range(2):  # and warm again for each group
        assert _chart_categories(_refilter(ruled["ain"], ruled["doc"])["c1"]) == {"01"}
        assert _chart_categories(_refilter(ruled["corse"], ruled["doc"])["c1"]) == {"2A"}
    assert _chart_categories(_refilter(ruled["both"], ruled["doc"])["c1"]) == {"01", "2A"}


def test_member_of_no_ruled_group_sees_nothing(ruled: dict[str, Any], login: Any) -> None:
    tiles = _refilter(login("viewer"), ruled["doc"])  # in group CD53: no rule
    assert _chart_categories(tiles["c1"]) == set()
    assert "1 334" not in tiles["c1"] and "1334" not in tiles["c1"]


def test_forged_filter_values_cannot_widen_the_rule(ruled: dict[str, Any]) -> None:
    tiles = _refilter(ruled["ain"], ruled["doc"], ["2A", "971"])
    assert _chart_categories(tiles["c1"]) == set()


def test_kpi_comparison_respects_rules(ruled: dict[str, Any]) -> None:
    owner = _texts_with_class(_refilter(ruled["editor"], ruled["doc"])["k1"], "kpi-reference")
    assert owner and "12" in owner[0]  # Corse-du-Sud's -12 for the owner
    ain = _texts_with_class(_refilter(ruled["ain"], ruled["doc"])["k1"], "kpi-reference")
    assert ain and "12" not in ain[0]  # the reference territory is outside Ain's rows
    corse = _texts_with_class(_refilter(ruled["corse"], ruled["doc"])["k1"], "kpi-reference")
    assert corse and "12" in corse[0]


def test_map_tooltips_respect_rules(ruled: dict[str, Any]) -> None:
    owner = " ".join(_tooltips(_refilter(ruled["editor"], ruled["doc"])["m1"]))
    assert "3 000" in owner or "3\u202f000" in owner or "3000" in owner
    ain = _tooltips(_refilter(ruled["ain"], ruled["doc"])["m1"])
    ain_text = " ".join(ain)
    assert ain and "1" in next(t for t in ain if "Ain" in t)
    assert "3 000" not in ain_text and "3\u202f000" not in ain_text and "3000" not in ain_text
    assert "12" not in next(t for t in ain if "Corse" in t)


def _download(client: Any, doc: int, fmt: str = "csv") -> str:
    return _download_bytes(client, doc, fmt).decode("utf-8-sig")


def test_exports_respect_rules(ruled: dict[str, Any]) -> None:
    owner = _download(ruled["editor"], ruled["doc"]).strip().splitlines()
    assert [line.split(";")[0] for line in owner[1:]] == ["01", "2A", "971"]
    ain = _download(ruled["ain"], ruled["doc"]).strip().splitlines()
    assert [line.split(";")[0] for line in ain[1:]] == ["01"]


def test_xlsx_export_respects_rules(ruled: dict[str, Any]) -> None:
    import openpyxl

    content = _download_bytes(ruled["corse"], ruled["doc"], "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    codes = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "2A" in codes and "01" not in codes and "971" not in codes


def _download_bytes(client: Any, doc: int, fmt: str) -> bytes:
    key = next(
        k
        for k in client.application.extensions["studio"]["dash"].callback_map
        if "dv-download.data" in k
    )
    body = {
        "output": key,
        "outputs": {"id": "dv-download", "property": "data"},
        "inputs": [
            [
                {
                    "id": {"type": "dv-dl", "tile": "c1", "fmt": fmt},
                    "property": "n_clicks",
                    "value": 1,
                }
            ]
        ],
        "state": [
            [{"id": {"type": "dv-filter", "filter": "f1"}, "property": "value", "value": None}],
            {"id": "dv-cross", "property": "data", "value": None},
            {"id": "dv-doc", "property": "data", "value": {"id": doc}},
        ],
        "changedPropIds": ['{"fmt":"' + fmt + '","tile":"c1","type":"dv-dl"}.n_clicks'],
    }
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return base64.b64decode(response.get_json()["response"]["dv-download"]["data"]["content"])


def test_filter_choices_respect_rules(ruled: dict[str, Any]) -> None:
    page = render_page(
        ruled["ain"],
        ruled["ain"].application.extensions["studio"]["dash"],
        f"/dashboards/{ruled['doc']}",
    ).get_json()
    options: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("props", {})
            if isinstance(props.get("id"), dict) and props["id"].get("type") == "dv-filter":
                options.extend(o["value"] for o in props.get("options", []))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(page)
    assert options == ["01"]


def test_query_api_respects_rules(ruled: dict[str, Any]) -> None:
    query = {"dimensions": [{"field": "code_departement"}], "measures": [{"agg": "count"}]}
    url = f"/api/v1/datasets/{ruled['ds']}/query"
    owner = ruled["editor"].post(url, json=query).get_json()["rows"]
    assert [r[0] for r in owner] == ["01", "2A", "971"] or len(owner) == 3
    rows = ruled["ain"].post(url, json=query).get_json()["rows"]
    assert rows == [["01", 2]]
    rows = ruled["both"].post(url, json=query).get_json()["rows"]
    assert sorted(r[0] for r in rows) == ["01", "2A"]


def test_row_filter_for_interface(ruled: dict[str, Any], users: dict[str, Any]) -> None:
    with ruled["db"].session() as s:
        ds = ds_repo.get_dataset(s, ruled["ds"])
        admin = Actor(id=users["admin"]["id"], email="a", role="admin")
        owner = Actor(id=users["editor"]["id"], email="e", role="editor")
        assert row_filter_for(s, admin, ds) is None
        assert row_filter_for(s, owner, ds) is None
        assert row_filter_for(s, Actor(id=None, email="", role="viewer"), ds) == []  # type: ignore[arg-type]
        rules = ruled["admin"].get(f"/api/v1/datasets/{ruled['ds']}/row-rules").get_json()
        ain = next(r["group_id"] for r in rules["rules"] if r["group"] == "Ain")
        embed = Actor(id=None, email="", role="viewer", group_ids=frozenset({ain}))  # type: ignore[arg-type]
        (alternative,) = row_filter_for(s, embed, ds)
        assert [(f.field, f.op, f.value) for f in alternative] == [("code_departement", "=", "01")]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"conditions": [{"field": "code_departement", "value": "01"}]}, "group"),
        (
            {"group": "Inconnu", "conditions": [{"field": "code_departement", "value": "01"}]},
            "group",
        ),
        ({"group": "Ain", "conditions": []}, "conditions"),
        (
            {"group": "Ain", "conditions": [{"field": "absent", "value": "01"}]},
            "conditions.0.field",
        ),
        (
            {"group": "Ain", "conditions": [{"field": "montant", "op": "~", "value": 1}]},
            "conditions.0.op",
        ),
        (
            {"group": "Ain", "conditions": [{"field": "montant", "op": "contains", "value": "1"}]},
            "conditions.0.op",
        ),
        (
            {"group": "Ain", "conditions": [{"field": "montant", "op": ">", "value": "beaucoup"}]},
            "conditions.0.value",
        ),
        (
            {"group": "Ain", "conditions": [{"field": "date", "op": ">=", "value": "hier"}]},
            "conditions.0.value",
        ),
        (
            {
                "group": "Ain",
                "conditions": [{"field": "code_departement", "op": "in", "value": "01"}],
            },
            "conditions.0.value",
        ),
    ],
)
def test_rule_validation(ruled: dict[str, Any], rule: dict[str, Any], field: str) -> None:
    response = ruled["admin"].post(f"/api/v1/datasets/{ruled['ds']}/row-rules", json=rule)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["field"] == field and response.get_json()["error"]


def test_a_malformed_condition_is_explained_not_linked(ruled: dict[str, Any]) -> None:
    rule = {"group": "Ain", "conditions": [{"field": "code_departement", "op": "in",
                                            "value": "01"}]}
    response = ruled["admin"].post(f"/api/v1/datasets/{ruled['ds']}/row-rules", json=rule)
    said = response.get_json()["error"]
    assert said == (
        "Condition sur « code_departement » : l'opérateur « in » a besoin d'une liste de "
        "valeurs non vide"
    )


def test_rule_values_are_typed(ruled: dict[str, Any]) -> None:
    rule = {
        "group": "Ain",
        "conditions": [
            {"field": "montant", "op": ">", "value": "100,5"},
            {"field": "date", "op": ">=", "value": "2024-02-01"},
        ],
    }
    response = ruled["admin"].post(f"/api/v1/datasets/{ruled['ds']}/row-rules", json=rule)
    assert response.status_code == 201
    assert response.get_json()["conditions"] == [
        {"field": "montant", "op": ">", "value": 100.5},
        {"field": "date", "op": ">=", "value": "2024-02-01"},
    ]


def test_rules_are_admin_only_and_deletable(ruled: dict[str, Any]) -> None:
    url = f"/api/v1/datasets/{ruled['ds']}/row-rules"
    assert ruled["editor"].get(url).status_code == 403  # even the dataset's owner
    rule = {"group": "Ain", "conditions": [{"field": "code_departement", "value": "2A"}]}
    assert ruled["editor"].post(url, json=rule).status_code == 403
    rules = ruled["admin"].get(url).get_json()["rules"]
    assert ruled["ain"].delete(f"{url}/{rules[0]['id']}").status_code == 403
    corse = next(r for r in rules if r["group"] == "Corse")
    assert ruled["admin"].delete(f"{url}/{corse['id']}").status_code == 204
    assert ruled["admin"].delete(f"{url}/{corse['id']}").status_code == 404
    query = {"dimensions": [{"field": "code_departement"}], "measures": [{"agg": "count"}]}
    # Corse lost its rule: the dataset is still restricted, so Corse now sees nothing
    assert (
        ruled["corse"].post(f"/api/v1/datasets/{ruled['ds']}/query", json=query).get_json()["rows"]
        == []
    )
    events = ruled["admin"].get("/api/v1/audit?object_type=dataset&action=row_rule_deleted")
    assert events.get_json()["total"] == 1
