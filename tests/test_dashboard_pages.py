"""Dashboard pages through the Flask client: view, filters, editor, tile editor, permissions."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from conftest import call_callback, render_page
from test_dashboards_api import spec
from test_datasets_api import upload

from studio.store import documents as repo
from studio.store.models import Document


@pytest.fixture
def setup(login: Any, server: Any) -> dict[str, Any]:
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/dashboards", json=spec(ds_id)).get_json()["id"]
    return {"editor": editor, "ds": ds_id, "doc": doc_id, "db": server.extensions["studio"]["db"]}


def _publish_internal(setup: dict[str, Any]) -> None:
    setup["editor"].post(f"/api/v1/dashboards/{setup['doc']}/publish")
    with setup["db"].session() as s:
        s.get(Document, setup["doc"]).visibility = "internal"


def test_view_shows_tiles_and_filters_to_the_owner(setup: dict[str, Any], app: Any) -> None:
    body = render_page(setup["editor"], app, f"/dashboards/{setup['doc']}").get_data(as_text=True)
    assert "Montant par d" in body and "dv-filter" in body and "Brouillon" in body
    assert "Donn\\u00e9es" in body or "Données" in body  # the text tile


def test_viewer_sees_nothing_until_published(setup: dict[str, Any], app: Any, login: Any) -> None:
    viewer = login("viewer")
    path = f"/dashboards/{setup['doc']}"
    assert "dv-not-found" in render_page(viewer, app, path).get_data(as_text=True)
    _publish_internal(setup)
    body = render_page(viewer, app, path).get_data(as_text=True)
    assert "Montant par d" in body and "Publi" in body and "dv-edit" not in body
    # the viewer reads tiles of a dataset that is private to its owner: the published
    # dashboard vouches for the aggregates of its own tiles only
    response = viewer.post(
        f"/api/v1/datasets/{setup['ds']}/query", json={"measures": [{"agg": "count"}]}
    )
    assert response.status_code == 404


def _refilter(client: Any, app: Any, doc: int, value: Any) -> Any:
    key = next(k for k in app.callback_map if "dv-url.search" in k)
    spec_ = app.callback_map[key]
    import json

    body = {
        "output": key,
        "outputs": [
            [
                {"id": {"type": "dv-tile", "tile": "c1"}, "property": "children"},
                {"id": {"type": "dv-tile", "tile": "x1"}, "property": "children"},
            ],
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
    assert spec_["inputs"][0]["id"].startswith("{")
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def test_filter_change_redraws_tiles_and_sets_url(setup: dict[str, Any], app: Any) -> None:
    response = _refilter(setup["editor"], app, setup["doc"], ["2A"])
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    out = response.get_json()["response"]
    assert out["dv-url"]["search"] == "?f1=2A"
    tiles = str(out)
    assert "2A" in tiles and "971" not in tiles  # only the filtered département is drawn


def test_forged_filter_value_is_dropped(setup: dict[str, Any], app: Any) -> None:
    response = _refilter(setup["editor"], app, setup["doc"], {"$ne": 1})
    assert response.status_code == 200
    assert response.get_json()["response"]["dv-url"]["search"] == ""


def test_refilter_on_someone_elses_draft_is_refused(
    setup: dict[str, Any], app: Any, login: Any
) -> None:
    response = _refilter(login("viewer"), app, setup["doc"], ["01"])
    assert response.status_code == 404


def test_tile_editor_preview_and_save(setup: dict[str, Any], app: Any) -> None:
    editor = setup["editor"]
    body = render_page(editor, app, f"/dashboards/{setup['doc']}/tiles/new").get_data(as_text=True)
    assert "te-preview" in body
    from studio.pages._tile_form import FORM_DEFAULTS

    keys = [k for k in FORM_DEFAULTS if k not in ("dataset", "kind")]
    form = dict(
        FORM_DEFAULTS,
        kind="kpi",
        dataset=setup["ds"],
        title="Montant",
        measures=["montant"],
        period_field="date",
        grain="month",
    )
    context = {"dashboard": setup["doc"], "tile": "k1", "version": 1}
    preview = call_callback(
        editor,
        app,
        "..te-preview.children",
        [setup["ds"], "kpi", *[form[k] for k in keys]],
        [context],
    )
    assert preview.status_code == 200, preview.get_data(as_text=True)[:300]
    out = preview.get_json()["response"]
    assert out["te-spec"]["data"]["kind"] == "kpi"
    assert "100,25" in str(out["te-preview"]) or "100,2" in str(out["te-preview"])
    saved = call_callback(
        editor, app, "..te-message.children", [1], [out["te-spec"]["data"], context]
    )
    assert saved.status_code == 200
    assert saved.get_json()["response"]["te-go"]["href"] == f"/dashboards/{setup['doc']}/edit"
    with setup["db"].session() as s:
        doc = repo.get_document(s, "dashboard", setup["doc"])
        assert [t["id"] for t in doc.spec["tiles"]] == ["c1", "x1", "k1"]
        assert doc.version == 2


def test_tile_save_on_stale_version_is_refused(setup: dict[str, Any], app: Any) -> None:
    editor = setup["editor"]
    editor.put(
        f"/api/v1/dashboards/{setup['doc']}",
        json=spec(setup["ds"], "Autre"),
        headers={"If-Match": '"v1"'},
    )
    tile = {"kind": "text", "id": "z9", "markdown": "x"}
    saved = call_callback(
        editor,
        app,
        "..te-message.children",
        [1],
        [tile, {"dashboard": setup["doc"], "tile": "z9", "version": 1}],
    )
    assert "modifi" in saved.get_data(as_text=True)
    with setup["db"].session() as s:
        assert "z9" not in str(repo.get_document(s, "dashboard", setup["doc"]).spec)


@pytest.mark.parametrize(
    "output",
    [
        "..te-preview.children",
        "..te-message.children",
        "..te-dimension.options",
        "te-columns.children",
        "te-placeholders.children",
    ],
)
def test_viewer_cannot_use_the_tile_editor(
    setup: dict[str, Any], app: Any, login: Any, output: str
) -> None:
    key = next(k for k in app.callback_map if output in k)
    n_inputs = len(app.callback_map[key]["inputs"])
    n_state = len(app.callback_map[key]["state"])
    response = call_callback(login("viewer"), app, output, [None] * n_inputs, [None] * n_state)
    assert response.status_code in (403, 404)


def test_editor_page_saves_layout_and_detects_conflicts(setup: dict[str, Any], app: Any) -> None:
    editor = setup["editor"]
    with setup["db"].session() as s:
        draft = {
            "id": setup["doc"],
            "version": 1,
            "spec": repo.get_document(s, "dashboard", setup["doc"]).spec,
        }
    layout = [
        {"i": "c1", "x": 0, "y": 0, "w": 12, "h": 5},
        {"i": "x1", "x": 0, "y": 5, "w": 6, "h": 3},
    ]
    saved = call_callback(
        editor,
        app,
        "..de-message.children...de-draft.data",
        [1],
        [draft, layout, "Observatoire 2", ""],
    )
    out = saved.get_json()["response"]
    assert out["de-draft"]["data"]["version"] == 2
    with setup["db"].session() as s:
        doc = repo.get_document(s, "dashboard", setup["doc"])
        assert doc.spec["layout"][0]["w"] == 12 and doc.title == "Observatoire 2"
    stale = call_callback(
        editor,
        app,
        "..de-message.children...de-draft.data",
        [1],
        [draft, layout, "Version périmée", ""],
    )
    body = stale.get_data(as_text=True)
    assert "de-conflict" in body and "de-save-copy" in body
    with setup["db"].session() as s:
        assert repo.get_document(s, "dashboard", setup["doc"]).title == "Observatoire 2"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "Impossible d'enregistrer : disposition : la tuile « x1 » n'a pas de place sur "
               "la grille"),
        ("en", "Cannot save: layout: tile 'x1' has no place on the grid"),
    ],
)
def test_editor_refuses_an_invalid_layout_in_the_users_language(
    setup: dict[str, Any], app: Any, lang: str, said: str
) -> None:
    from studio.store.models import User

    with setup["db"].session() as s:
        s.query(User).filter_by(email="editor@example.org").one().locale = lang
        draft = {"id": setup["doc"], "version": 1,
                 "spec": repo.get_document(s, "dashboard", setup["doc"]).spec}
    layout = [{"i": "c1", "x": 0, "y": 0, "w": 12, "h": 5}]  # the tile x1 is left out
    out = call_callback(setup["editor"], app, "..de-message.children...de-draft.data", [1],
                        [draft, layout, "Observatoire", ""])
    message = out.get_json()["response"]["de-message"]["children"]["props"]["children"]
    assert message == said
    with setup["db"].session() as s:
        assert repo.get_document(s, "dashboard", setup["doc"]).version == 1


def test_viewer_cannot_save_or_publish_from_the_editor(
    setup: dict[str, Any], app: Any, login: Any
) -> None:
    _publish_internal(setup)
    viewer = login("viewer")
    draft = {"id": setup["doc"], "version": 1, "spec": {}}
    assert (
        call_callback(
            viewer, app, "..de-message.children...de-draft.data", [1], [draft, None, "pirate", ""]
        ).status_code
        == 403
    )
    publish_key = next(
        k for k, v in app.callback_map.items() if any(i["id"] == "de-publish" for i in v["inputs"])
    )
    assert call_callback(viewer, app, publish_key, [1], [draft]).status_code == 403
    with setup["db"].session() as s:
        assert repo.get_document(s, "dashboard", setup["doc"]).title == "Observatoire"


def test_new_dashboard_from_home(login: Any, app: Any, server: Any) -> None:
    editor = login("editor")
    assert "home-new-dashboard" in render_page(editor, app, "/").get_data(as_text=True)
    response = call_callback(editor, app, "home-go.href", [1])
    href = response.get_json()["response"]["home-go"]["href"]
    assert href.startswith("/dashboards/") and href.endswith("/edit")
    body = render_page(editor, app, href).get_data(as_text=True)
    assert "de-grid" in body and "de-empty" not in body and "Aucune tuile" in body


def test_viewer_cannot_create_dashboards_from_home(login: Any, app: Any, server: Any) -> None:
    viewer = login("viewer")
    assert "home-new-dashboard" not in render_page(viewer, app, "/").get_data(as_text=True)
    assert call_callback(viewer, app, "home-go.href", [1]).status_code == 403
    with server.extensions["studio"]["db"].session() as s:
        assert repo.list_documents(s, "dashboard") == []


def _download(client: Any, app: Any, doc: int, fmt: str, value: Any) -> Any:
    import json

    key = next(k for k, v in app.callback_map.items() if "dv-download.data" in k)
    body = {
        "output": key,
        "outputs": {"id": "dv-download", "property": "data"},
        "inputs": [[{"id": {"type": "dv-dl", "tile": "c1", "fmt": fmt}, "property": "n_clicks",
                     "value": 1}]],
        "state": [
            [{"id": {"type": "dv-filter", "filter": "f1"}, "property": "value", "value": value}],
            {"id": "dv-cross", "property": "data", "value": None},
            {"id": "dv-doc", "property": "data", "value": {"id": doc}},
        ],
        "changedPropIds": ['{"fmt":"' + fmt + '","tile":"c1","type":"dv-dl"}.n_clicks'],
    }
    return client.post("/_dash-update-component", data=json.dumps(body),
                       content_type="application/json")


def test_csv_download_follows_filters(setup: dict[str, Any], app: Any) -> None:
    import base64

    response = _download(setup["editor"], app, setup["doc"], "csv", ["01", "2A"])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    data = response.get_json()["response"]["dv-download"]["data"]
    text = base64.b64decode(data["content"]).decode("utf-8-sig")
    assert data["filename"].endswith(".csv")
    lines = text.strip().splitlines()
    assert lines[0] == "code_departement;montant"  # headers in words, not result keys
    assert lines[1:] == ["01;1334,75", "2A;-12"] or lines[1:] == ["01;1334,75", "2A;-12,0"]


def test_xlsx_download_and_viewer_refused_on_draft(setup: dict[str, Any], app: Any,
                                                   login: Any) -> None:
    response = _download(setup["editor"], app, setup["doc"], "xlsx", None)
    assert response.status_code == 200
    assert response.get_json()["response"]["dv-download"]["data"]["filename"].endswith(".xlsx")
    assert _download(login("viewer"), app, setup["doc"], "csv", None).status_code == 404


def test_editor_offers_fitting_fields_and_only_outline_datasets(setup: dict[str, Any],
                                                                  app: Any) -> None:
    from studio.data import DEPARTEMENTS as geo

    editor = setup["editor"]
    created = editor.post("/api/v1/datasets", data={"file": (io.BytesIO(geo.read_bytes()),
                                                             geo.name)},
                          content_type="multipart/form-data")
    assert created.status_code == 201, created.get_json()
    geo_id = created.get_json()["id"]
    key = next(k for k in app.callback_map if "te-dimension.options" in k)
    out = call_callback(
        editor, app, key, [setup["ds"], "map", "sum", geo_id, None], NO_CHOICES
    ).get_json()
    response = out["response"]
    assert response["te-boundary_dataset"]["options"] == [{"label": created.get_json()["name"],
                                                            "value": geo_id}]
    code_choices = [o["value"] for o in response["te-code_field"]["options"]]
    assert "code_departement" in code_choices and "montant" not in code_choices
    assert "montant" in [o["value"] for o in response["te-measures"]["options"]]
    assert "code_departement" not in [o["value"] for o in response["te-measures"]["options"]]
    assert "code" in [o["value"] for o in response["te-boundary_code"]["options"]]
    assert "geometry" not in [o["value"] for o in response["te-boundary_code"]["options"]]


NO_CHOICES = [None] * 15
"""The tile editor's dropdown values sent with its choices callback: none chosen yet."""


def test_table_column_settings_blocks_and_collected_values(setup: dict[str, Any],
                                                           app: Any) -> None:
    editor = setup["editor"]
    blocks = call_callback(editor, app, "te-columns.children", ["table", ["montant"], "sum"],
                           [{"montant__sum": {"unit": "€", "rule_op": "<"}}])
    assert blocks.status_code == 200, blocks.get_data(as_text=True)[:500]
    text = json.dumps(blocks.get_json())
    assert '"col": "montant__sum"' in text and '"value": "\\u20ac"' in text
    assert call_callback(editor, app, "te-columns.children", ["chart", ["montant"], "sum"],
                         [None]).get_json()["response"]["te-columns"]["children"] == []

    props = ("label", "style", "decimals", "unit", "rule_op", "rule_value", "rule_color")
    values = ("Montant", "currency", 0, "", ">", "1 000", "#ffcccc")
    key = "montant__sum"
    body = {
        "output": "te-column_settings.data",
        "outputs": {"id": "te-column_settings", "property": "data"},
        "inputs": [[{"id": {"type": f"te-col-{p}", "col": key}, "property": "value", "value": v}]
                   for p, v in zip(props, values, strict=True)],
        "state": [[{"id": {"type": "te-col-label", "col": key}, "property": "id",
                    "value": {"type": "te-col-label", "col": key}}],
                  {"id": "te-column_settings", "property": "data",
                   "value": {key: {"more_rules": [{"op": "=", "value": 0,
                                                   "background": "#000000"}]}}}],
        "changedPropIds": [json.dumps({"col": key, "type": "te-col-unit"},
                                      separators=(",", ":")) + ".value"],
    }
    response = editor.post("/_dash-update-component", data=json.dumps(body),
                           content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    saved = response.get_json()["response"]["te-column_settings"]["data"][key]
    assert saved["style"] == "currency" and saved["rule_value"] == "1 000"
    assert saved["more_rules"] == [{"op": "=", "value": 0, "background": "#000000"}]


def test_text_placeholder_hint(setup: dict[str, Any], app: Any) -> None:
    out = call_callback(setup["editor"], app, "te-placeholders.children",
                        [["montant"], "sum"], [None]).get_json()
    assert out["response"]["te-placeholders"]["children"] == (
        "Valeurs disponibles : {{montant}}")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tile_editor_labels_are_all_translated(setup: dict[str, Any], app: Any,
                                               lang: str) -> None:
    import re

    from studio.store.models import User

    editor = setup["editor"]
    with setup["db"].session() as s:
        s.query(User).filter_by(email="editor@example.org").one().locale = lang
    body = render_page(editor, app, f"/dashboards/{setup['doc']}/tiles/new").get_data(
        as_text=True)
    assert re.findall(r'"te\.[a-z_.]+"', body) == []
    title_label = "Titre" if lang == "fr" else "Title"
    assert f'"children": "{title_label}"' in body.replace('":"', '": "')


def test_tile_editor_names_the_empty_choices(setup: dict[str, Any], app: Any) -> None:
    from studio.pages._tile_form import FORM_DEFAULTS

    keys = [k for k in FORM_DEFAULTS if k not in ("dataset", "kind")]
    context = {"dashboard": setup["doc"], "tile": "n1", "version": 1}
    out = call_callback(setup["editor"], app, "..te-preview.children",
                        [setup["ds"], "chart", *[FORM_DEFAULTS[k] for k in keys]], [context])
    text = json.dumps(out.get_json(), ensure_ascii=False)
    assert "Axe / catégories : à choisir" in text
    assert "Valeur(s) à calculer : à choisir" in text
    assert "valid string" not in text


@pytest.mark.parametrize(
    ("lang", "said", "not_said"),
    [
        ("fr", "un graphique combiné a besoin d'au moins une mesure secondaire (la courbe)",
         "a combo chart needs"),
        ("en", "a combo chart needs at least one 'secondary' measure (the line)",
         "graphique combiné"),
    ],
)
def test_tile_editor_says_an_invalid_combination_in_the_users_language(
    setup: dict[str, Any], app: Any, lang: str, said: str, not_said: str
) -> None:
    from studio.pages._tile_form import FORM_DEFAULTS
    from studio.store.models import User

    with setup["db"].session() as s:
        s.query(User).filter_by(email="editor@example.org").one().locale = lang
    keys = [k for k in FORM_DEFAULTS if k not in ("dataset", "kind")]
    form = dict(FORM_DEFAULTS, chart_type="combo", dimension="nom", measures=["montant"])
    context = {"dashboard": setup["doc"], "tile": "c9", "version": 1}
    out = call_callback(setup["editor"], app, "..te-preview.children",
                        [setup["ds"], "chart", *[form[k] for k in keys]], [context])
    assert out.status_code == 200
    text = json.dumps(out.get_json()["response"]["te-preview"], ensure_ascii=False)
    assert said in text and not_said not in text and "te-todo" in text


def test_tile_editor_names_a_bad_option_in_the_forms_words(setup: dict[str, Any], app: Any
                                                           ) -> None:
    from studio.pages._tile_form import FORM_DEFAULTS

    keys = [k for k in FORM_DEFAULTS if k not in ("dataset", "kind")]
    form = dict(FORM_DEFAULTS, dimension="nom", measures=["montant"], decimals=9)
    context = {"dashboard": setup["doc"], "tile": "c9", "version": 1}
    out = call_callback(setup["editor"], app, "..te-preview.children",
                        [setup["ds"], "chart", *[form[k] for k in keys]], [context])
    text = json.dumps(out.get_json()["response"]["te-preview"], ensure_ascii=False)
    assert "format des nombres › décimales : doit être inférieur ou égal à 6" in text
    assert "less than" not in text


def test_a_chosen_field_stays_offered_when_it_no_longer_fits(
    setup: dict[str, Any], app: Any
) -> None:
    """Dash's dropdown empties a value missing from new options without a word: a field the
    person chose stays offered (the preview says what does not fit), unless it is gone."""
    from studio.pages.tile_editor import FIELD_DROPDOWNS, MULTI_DROPDOWNS

    key = next(k for k in app.callback_map if "te-dimension.options" in k)
    keys = [*FIELD_DROPDOWNS, *MULTI_DROPDOWNS]
    chosen = [None] * len(keys)
    chosen[keys.index("measures")] = ["nom", "disparu"]  # text: no sum over it
    out = call_callback(
        setup["editor"], app, key, [setup["ds"], "chart", "sum", None, "column"], chosen
    ).get_json()["response"]
    offered = [o["value"] for o in out["te-measures"]["options"]]
    assert "nom" in offered and "montant" in offered and "disparu" not in offered


def test_new_slots_offer_fitting_fields_and_rows_follow_the_chart_type(
    setup: dict[str, Any], app: Any
) -> None:
    editor = setup["editor"]
    key = next(k for k in app.callback_map if "te-dimension.options" in k)

    def choices(kind: str, chart: str, agg: str = "sum") -> dict[str, Any]:
        out = call_callback(editor, app, key, [setup["ds"], kind, agg, None, chart], NO_CHOICES)
        return out.get_json()["response"]

    def values(response: dict[str, Any], name: str) -> list[str]:
        return [o["value"] for o in response[f"te-{name}"]["options"]]

    combo = choices("chart", "combo")
    for slot in ("secondary", "x_measure", "size_measure"):
        assert "montant" in values(combo, slot)
        assert "nom" not in values(combo, slot) and "date" not in values(combo, slot)
    assert "nom" in values(choices("chart", "combo", "count_distinct"), "secondary")
    assert "nom" in values(combo, "label_field") and "montant" not in values(combo, "label_field")
    assert combo["te-row-secondary"]["style"] == {}
    assert combo["te-row-x_measure"]["style"] == {"display": "none"}
    column = choices("chart", "column")
    assert column["te-row-secondary"]["style"] == {"display": "none"}
    assert column["te-row-mode"]["style"] == {}
    assert choices("chart", "scatter")["te-row-size_measure"]["style"] == {}
    assert choices("chart", "line")["te-row-markers"]["style"] == {}
    table = choices("table", "column")
    assert table["te-section-format"]["style"] == {"display": "none"}
    assert table["te-section-table"]["style"] == {}
