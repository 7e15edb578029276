"""The dashboard PDF: one page per section, title, date and filters in the header, permissions."""

from __future__ import annotations

import base64
import io
import json
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from test_dashboards_api import spec
from test_datasets_api import upload

from studio.components.pdf import TileResults, dashboard_pdf, filter_summary, paginate
from studio.spec.dashboard import GridItem, load_dashboard
from studio.spec.query import QueryResult
from studio.store.models import Document


def _text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def two_sections(ds_id: int) -> dict[str, Any]:
    data = spec(ds_id, "Observatoire du RSA")
    data["tiles"].append(
        {
            "kind": "table",
            "id": "t1",
            "title": "Détail des montants",
            "dataset": ds_id,
            "columns": [{"field": "nom"}, {"field": "montant", "agg": "sum"}],
        }
    )
    data["layout"].append({"tile": "t1", "x": 0, "y": 0, "w": 12, "h": 6})
    data["sections"] = [
        {"id": "apercu", "title": "Aperçu", "tiles": ["c1", "x1"]},
        {"id": "detail", "title": "Détail", "tiles": ["t1"]},
    ]
    return data


# --- unit: layout and header -----------------------------------------------------------------


def test_paginate_never_cuts_a_tile() -> None:
    items = [
        GridItem(tile="a", x=0, y=0, w=6, h=4),
        GridItem(tile="b", x=6, y=2, w=6, h=4),  # rows 2-5: no cut at 3 or 4
        GridItem(tile="c", x=0, y=6, w=12, h=5),
    ]
    assert [[it.tile for it in p] for p in paginate(items, 20)] == [["a", "b", "c"]]
    assert [[it.tile for it in p] for p in paginate(items, 7)] == [["a", "b"], ["c"]]
    # a block taller than a page still gets one page of its own
    assert [[it.tile for it in p] for p in paginate(items, 3)] == [["a", "b"], ["c"]]
    assert paginate([], 10) == [[]]


def test_filter_summary_reads_like_the_page() -> None:
    board = load_dashboard(
        {
            "title": "T",
            "filters": [
                {"id": "dep", "kind": "multi_select", "field": "code", "label": "Département"},
                {"id": "an", "kind": "period", "field": "mois", "grain": "quarter"},
                {"id": "x", "kind": "select", "field": "type"},
            ],
        }
    )
    values = {"dep": ["01", "2A"], "an": "2024-01-01", "x": None}
    assert filter_summary(board, values, None, "fr") == [
        "Département : 01, 2A",
        "mois : T1\u00a02024",
    ]
    assert filter_summary(board, values, None, "en")[1] == "mois: Q1\u00a02024"
    cross = {"tile": "c1", "field": "type", "value": "Personne seule"}
    assert filter_summary(board, {}, cross, "fr") == ["Filtré par type : Personne seule"]


def test_one_page_per_section_with_title_date_and_filters() -> None:
    board = load_dashboard(two_sections(1))
    rows = QueryResult(columns=["code_departement", "montant__sum"], rows=[["01", 1334.75]])
    table = QueryResult(columns=["nom", "montant__sum"], rows=[["Ain", 1334.75]])
    content = dashboard_pdf(
        board,
        {"c1": TileResults({"data": rows}), "t1": TileResults({"rows": table})},
        "fr",
        filters=["Département : 01"],
        day=date(2026, 3, 5),
    )
    pages = _text(content)
    assert len(pages) == 2
    assert all("Observatoire du RSA" in p and "05/03/2026" in p for p in pages)
    assert all("Département : 01" in p for p in pages)
    assert "Aperçu" in pages[0] and "Montant par département" in pages[0]
    assert "Données fictives." in pages[0].replace("\n", " ")  # the text tile, markdown read
    assert "Détail des montants" in pages[1] and "Ain" in pages[1]
    assert "1\u00a0334,75" in pages[1] or "1 334,75" in pages[1]


def test_a_failed_tile_says_why_and_the_rest_is_drawn() -> None:
    board = load_dashboard(spec(1))
    content = dashboard_pdf(board, {"c1": TileResults(error="jeu de données supprimé")}, "en")
    (page,) = _text(content)
    assert "jeu de données supprimé" in page and "No filter" in page


def test_markup_in_user_text_is_not_interpreted() -> None:
    data = spec(1)
    # unbalanced tags would break reportlab's paragraph parser if they reached it
    data["tiles"][1]["markdown"] = "A <b>bold & <font size=40>big **real** 1 < 2 {{x}}"
    content = dashboard_pdf(load_dashboard(data), {}, "fr")
    assert "A bold & big real 1 < 2 [x ?]" in _text(content)[0]


# --- through the app -------------------------------------------------------------------------


@pytest.fixture
def board(login: Any, server: Any) -> dict[str, Any]:
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/dashboards", json=two_sections(ds_id)).get_json()["id"]
    return {"editor": editor, "doc": doc_id, "db": server.extensions["studio"]["db"]}


def test_api_pdf_follows_the_filters_in_the_query_string(board: dict[str, Any]) -> None:
    response = board["editor"].get(f"/api/v1/dashboards/{board['doc']}/pdf?f1=2A&f1=971")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "observatoire-du-rsa-" in response.headers["Content-Disposition"]
    pages = _text(response.data)
    assert len(pages) == 2
    assert "Département : 2A, 971" in pages[0]
    assert "Guadeloupe" in pages[1] and "Ain" not in pages[1]  # the table is filtered too


def test_api_pdf_drops_forged_filter_values(board: dict[str, Any]) -> None:
    forged = "f1=" + "x" * 300 + "&x.tile=nope&x.field=nom&x.value=Ain&zz=1"
    response = board["editor"].get(f"/api/v1/dashboards/{board['doc']}/pdf?{forged}")
    assert response.status_code == 200
    pages = _text(response.data)
    assert "Aucun filtre" in pages[0] and "Ain" in pages[1] and "Guadeloupe" in pages[1]


@pytest.mark.parametrize(
    ("role", "published", "status"),
    [
        ("anonymous", True, 401),
        ("viewer", False, 404),  # a draft never leaks
        ("viewer", True, 200),
        ("admin", False, 200),
    ],
)
def test_api_pdf_permissions(
    board: dict[str, Any], login: Any, role: str, published: bool, status: int
) -> None:
    if published:
        board["editor"].post(f"/api/v1/dashboards/{board['doc']}/publish")
        with board["db"].session() as s:
            s.get(Document, board["doc"]).visibility = "internal"
    response = login(role).get(f"/api/v1/dashboards/{board['doc']}/pdf")
    assert response.status_code == status
    if status == 200:
        assert len(PdfReader(io.BytesIO(response.data)).pages) == 2


def _pdf_callback(client: Any, app: Any, doc: int, value: Any) -> Any:
    key = next(k for k in app.callback_map if "dv-pdf-download.data" in k)
    body = {
        "output": key,
        "outputs": {"id": "dv-pdf-download", "property": "data"},
        "inputs": [{"id": "dv-pdf", "property": "n_clicks", "value": 1}],
        "state": [
            [{"id": {"type": "dv-filter", "filter": "f1"}, "property": "value", "value": value}],
            {"id": "dv-cross", "property": "data", "value": None},
            {"id": "dv-doc", "property": "data", "value": {"id": doc}},
        ],
        "changedPropIds": ["dv-pdf.n_clicks"],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def test_page_pdf_download_uses_the_filters_on_screen(
    board: dict[str, Any], app: Any, login: Any
) -> None:
    response = _pdf_callback(board["editor"], app, board["doc"], ["01"])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    data = response.get_json()["response"]["dv-pdf-download"]["data"]
    assert data["filename"].endswith(".pdf") and data["type"] == "application/pdf"
    pages = _text(base64.b64decode(data["content"]))
    assert len(pages) == 2 and "Département : 01" in pages[0]
    assert _pdf_callback(login("viewer"), app, board["doc"], None).status_code == 404
    assert _pdf_callback(login("anonymous"), app, board["doc"], None).status_code == 401
