"""The dataset pages through the Flask client: what each role sees, and what each callback does."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from conftest import render_page, serve_files

PAGE_CSV = "code_commune;nom;foyers;montant;date_maj\n" + "".join(
    f"{53001 + i};Commune n°{i};"
    f"{'env. 30' if i in (3, 170) else '<5' if i == 9 else i * 10};{i},5;"
    f"{1 + i % 28:02d}/03/2024\n"
    for i in range(300)
)
FRENCH_CSV = PAGE_CSV.encode("cp1252")
BREAKING_CSV = "code_commune;nom\n53001;Commune\n".encode("cp1252")


def data_url(content: bytes, mime: str = "text/csv") -> str:
    """What dcc.Upload puts in `contents`."""
    return f"data:{mime};base64," + base64.b64encode(content).decode()


def _outputs(key: str) -> Any:
    if key.startswith(".."):
        parts = key[2:-2].split("...")
        return [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]
    cid, prop = key.rsplit(".", 1)
    return {"id": cid, "property": prop}


def run(
    client: Any,
    app: Any,
    trigger: str,
    inputs: list[Any],
    state: list[Any] | None = None,
    fields: dict[str, dict[str, Any]] | None = None,
) -> Any:
    """POST the callback fired by `trigger` ("id.property") as the browser would.

    Plain states take their values from `state` in order; the schema editor's
    pattern-matching states take theirs from `fields` ({column: {"type": …, …}}).
    """
    key, spec = next(
        (k, v)
        for k, v in app.callback_map.items()
        if any(f"{i['id']}.{i['property']}" == trigger for i in v["inputs"])
    )
    plain = list(state or [])
    fields = fields or {}

    def entry(item: dict[str, Any], value: Any = None) -> Any:
        if not item["id"].startswith("{"):
            return dict(item, value=value)
        pattern = json.loads(item["id"])
        prop = pattern["type"].split("field-", 1)[1]
        out = []
        for index, values in fields.items():
            ident = {**pattern, "index": index}
            shown = ident if item["property"] == "id" else values.get(prop, "")
            out.append({"id": ident, "property": item["property"], "value": shown})
        return out

    ins = [entry(i, v) for i, v in zip(spec["inputs"], inputs, strict=True)]
    sts = [entry(i) if i["id"].startswith("{") else entry(i, plain.pop(0)) for i in spec["state"]]
    body = {
        "output": key,
        "outputs": _outputs(key),
        "inputs": ins,
        "state": sts,
        "changedPropIds": [trigger],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def response_of(resp: Any) -> dict[str, Any]:
    """The callback's outputs by component id (fails on an HTTP error)."""
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"]


def text_of(component: Any) -> str:
    """All strings of a serialised component tree, joined."""
    if isinstance(component, str):
        return component
    if isinstance(component, list):
        return " ".join(text_of(c) for c in component)
    if isinstance(component, dict):
        props = component.get("props", component)
        return " ".join(text_of(v) for k, v in props.items() if k in ("children", "value"))
    return str(component) if isinstance(component, int | float) else ""


def page_json(client: Any, app: Any, path: str) -> str:
    resp = render_page(client, app, path)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return json.dumps(resp.get_json(), ensure_ascii=False)


def db_of(app: Any) -> Any:
    return app.server.extensions["studio"]["db"]


def dataset(app: Any, dataset_id: int) -> Any:
    from studio.store.models import Dataset

    with db_of(app).session() as s:
        ds = s.get(Dataset, dataset_id)
        s.expunge(ds)
        return ds


def api_upload(client: Any, content: bytes = FRENCH_CSV, name: str = "Foyers") -> int:
    data = {"file": (io.BytesIO(content), "foyers.csv"), "name": name}
    resp = client.post("/api/v1/datasets", data=data, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def make_internal(app: Any, dataset_id: int) -> None:
    from studio.store.models import Dataset

    with db_of(app).session() as s:
        s.get(Dataset, dataset_id).visibility = "internal"


def staging_folders(app: Any) -> list[str]:
    root = app.server.extensions["studio"]["settings"].instance / "staging"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


# --- /datasets/new ----------------------------------------------------------------------


def test_new_page_per_role(app: Any, login: Any) -> None:
    assert "dsn-forbidden" in page_json(login("viewer"), app, "/datasets/new")
    for role in ("editor", "admin"):
        body = page_json(login(role), app, "/datasets/new")
        assert "dsn-upload" in body and "dsn-forbidden" not in body
        assert "Analyse du fichier…" in body


def stage(client: Any, app: Any) -> dict[str, Any]:
    dropped = {"contents": data_url(FRENCH_CSV), "filename": "foyers_2024.csv"}
    return response_of(run(client, app, "dsn-file.data", [dropped], [None]))


def test_upload_stages_a_french_csv_and_shows_the_preview(app: Any, login: Any) -> None:
    editor = login("editor")
    out = stage(editor, app)
    store = out["dsn-staged"]["data"]
    assert set(store) == {"token", "filename", "sheet", "header_row", "detected", "unpivot"}
    assert store["detected"]["foyers"] == "integer" and store["detected"]["montant"] == "decimal"
    assert out["dsn-file"]["data"] is None  # the file is not kept in the browser
    assert out["dsn-form"]["hidden"] is False
    assert out["dsn-name"]["value"] == "foyers 2024"
    preview = json.dumps(out["dsn-preview"]["children"], ensure_ascii=False)
    text = text_of(out["dsn-preview"]["children"])
    assert "300 lignes" in text
    assert "séparateur « ; »" in text and "encodage" in text
    assert "Colonne « foyers » : 2 valeur(s)" in text
    assert "env. 30" in text and "172" in text  # raw value, and the line the person sees
    report = text_of(out["dsn-preview"]["children"])
    assert "« foyers » : 1 valeur secrète ou manquante lue comme vide (<5 : 1)" in report
    assert "passez la colonne en type « Texte »" in text
    assert '"value": "commune"' in preview and '"value": "date"' in preview
    sample = text_of(out["dsn-sample-wrap"]["children"])
    assert "Commune n°0" in sample and "01/03/2024" in sample and "0,5" in sample
    assert "3 vides" in text  # statistics of the foyers column (2 unreadable, 1 secret)
    assert len(staging_folders(app)) == 1


def test_reanalyse_with_text_type_clears_the_problems_then_save(app: Any, login: Any) -> None:
    editor = login("editor")
    store = stage(editor, app)["dsn-staged"]["data"]
    fields = {c: {"type": t} for c, t in store["detected"].items()}
    fields["foyers"] = {"type": "text"}
    fields["nom"] = {"type": "text", "new_name": "nom_commune", "label": "Nom de la commune"}
    out = response_of(
        run(editor, app, "dsn-reanalyse.n_clicks", [1], [store, None, 1, False, False], fields)
    )
    text = text_of(out["dsn-preview"]["children"])
    assert "Toutes les valeurs correspondent au type de leur colonne." in text
    assert "nom_commune" in json.dumps(out["dsn-preview"]["children"])
    new_store = out["dsn-staged"]["data"]
    assert new_store["token"] == store["token"] and new_store["detected"]["foyers"] == "integer"

    saved = response_of(
        run(
            editor,
            app,
            "dsn-save.n_clicks",
            [1],
            [new_store, "Foyers par commune", "Source : CAF", None, 1, False, False],
            fields,
        )
    )
    href = saved["dsn-go"]["href"]
    assert href.startswith("/datasets/")
    ds = dataset(app, int(href.rsplit("/", 1)[1]))
    assert ds.name == "Foyers par commune" and ds.description == "Source : CAF"
    assert ds.row_count == 300
    types = {f["name"]: f["type"] for f in ds.fields}
    assert types["foyers"] == "text" and types["code_commune"] == "commune"
    labels = {f["name"]: f["label"] for f in ds.fields}
    assert labels["nom_commune"] == "Nom de la commune"
    assert staging_folders(app) == []  # the staged file became the dataset

    page = page_json(editor, app, href)
    assert "Foyers par commune" in page and "300 lignes" in page
    assert "dsd-save" in page and "Commune n°0" in page


def test_bad_file_is_reported_and_nothing_is_lost(app: Any, login: Any) -> None:
    editor = login("editor")
    store = stage(editor, app)["dsn-staged"]["data"]
    dropped = {"contents": data_url(b"a;b\n1;2\n3;4;5;6\n"), "filename": "casse.csv"}
    bad = response_of(run(editor, app, "dsn-file.data", [dropped], [store]))
    assert "dsn-staged" not in bad  # the first file stays staged
    assert "La ligne 3 contient" in text_of(bad["dsn-message"]["children"])
    assert len(staging_folders(app)) == 1
    renamed = response_of(
        run(
            editor,
            app,
            "dsn-reanalyse.n_clicks",
            [1],
            [store, None, 1, False, False],
            {"nom": {"type": "text", "new_name": "foyers"}, "foyers": {"type": "integer"}},
        )
    )
    assert "dsn-error" in json.dumps(renamed["dsn-message"]["children"])
    empty_name = response_of(
        run(editor, app, "dsn-save.n_clicks", [1], [store, "   ", "", None, 1, False, False], {})
    )
    assert "dsn-go" not in empty_name
    assert "Donnez un nom" in text_of(empty_name["dsn-message"]["children"])
    assert len(staging_folders(app)) == 1  # still there, ready for a second try


def test_too_large_files_are_refused_in_the_browser(make_app: Any, users: Any) -> None:
    from conftest import sign_in

    from studio import accounts

    app = make_app(max_upload_mb=2)
    with db_of(app).session() as s:
        accounts.create_account(s, "ed@example.org", "editor", password="a long password")
    client = app.server.test_client()
    sign_in(client, "ed@example.org", "a long password")
    page = render_page(client, app, "/datasets/new").get_json()
    limits = _find(page, "dsn-limits")["data"]
    # the base64 text of the largest accepted file still fits in one request
    assert limits["max_chars"] < 2 * 1024 * 1024 - 1000
    assert "dépasse la taille maximale autorisée (1 Mo)" in limits["message"]


def _find(tree: Any, component_id: str) -> Any:
    """The props of the component with this id in a serialised tree."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and props.get("id") == component_id:
            return props
        for value in tree.values():
            found = _find(value, component_id)
            if found is not None:
                return found
    if isinstance(tree, list):
        for value in tree:
            found = _find(value, component_id)
            if found is not None:
                return found
    return None


def test_viewer_is_refused_by_every_upload_callback(app: Any, login: Any) -> None:
    store = stage(login("editor"), app)["dsn-staged"]["data"]
    viewer = login("viewer")
    calls = [
        ("dsn-file.data", [{"contents": data_url(FRENCH_CSV), "filename": "x.csv"}], [None], None),
        ("dsn-reanalyse.n_clicks", [1], [store, None, 1, False, False],
         {"foyers": {"type": "text"}}),
        ("dsn-save.n_clicks", [1], [store, "Volé", "", None, 1, False, False], {}),
        ("dsn-url-submit.n_clicks", [1], ["https://example.org/x.csv", "x", None], None),
    ]
    for trigger, inputs, state, fields in calls:
        assert run(viewer, app, trigger, inputs, state, fields).status_code == 403, trigger
    assert (
        run(
            login("anonymous"),
            app,
            "dsn-save.n_clicks",
            [1],
            [store, "x", "", None, 1, False, False],
            {},
        ).status_code
        == 401
    )
    assert len(staging_folders(app)) == 1
    assert login("admin").get("/api/v1/datasets").get_json()["datasets"] == []


def test_another_editor_cannot_save_my_staged_file(app: Any, login: Any, server: Any) -> None:
    from conftest import sign_in

    from studio import accounts

    store = stage(login("editor"), app)["dsn-staged"]["data"]
    with db_of(app).session() as s:
        accounts.create_account(s, "other@example.org", "editor", password="another password")
    other = server.test_client()
    sign_in(other, "other@example.org", "another password")
    state = [store, "x", "", None, 1, False, False]
    out = response_of(run(other, app, "dsn-save.n_clicks", [1], state, {}))
    assert "n'est plus disponible" in text_of(out["dsn-message"]["children"])
    assert len(staging_folders(app)) == 1


# --- /datasets/<id> ---------------------------------------------------------------------


@pytest.fixture
def owned(app: Any, login: Any) -> tuple[Any, int]:
    editor = login("editor")
    return editor, api_upload(editor)


def test_detail_page_per_role(app: Any, login: Any, owned: tuple[Any, int]) -> None:
    editor, ds_id = owned
    page = page_json(editor, app, f"/datasets/{ds_id}")
    assert "Foyers" in page and "editor@example.org" in page
    assert "300 lignes" in page and "\u00a0ko" in page
    assert "dsd-save" in page and "dsd-replace-upload" in page and "dsd-delete" in page
    assert "Nombre entier" not in page or "dsn-field-type" not in page
    viewer = login("viewer")
    for path in (f"/datasets/{ds_id}", "/datasets/999", "/datasets/abc"):
        assert "dsd-missing" in page_json(viewer, app, path), path
    make_internal(app, ds_id)
    seen = page_json(viewer, app, f"/datasets/{ds_id}")
    assert "Foyers" in seen and "dsd-missing" not in seen
    assert "dsd-save" not in seen and "dsd-delete" not in seen and "dsd-field-type" not in seen
    assert "Commune n°0" not in seen  # rows are for editors (row-level rules apply to others)
    assert "Nombre entier" in seen  # the column types, read-only
    admin = page_json(login("admin"), app, f"/datasets/{ds_id}")
    assert "dsd-save" in admin


def test_field_edit(app: Any, owned: tuple[Any, int]) -> None:
    editor, ds_id = owned
    fields = {f["name"]: {"type": f["type"]} for f in dataset(app, ds_id).fields}
    fields["foyers"] = {"type": "text", "label": "Foyers allocataires"}
    fields["nom"] = {"type": "text", "new_name": "nom_commune", "description": "Nom INSEE"}
    out = response_of(
        run(editor, app, "dsd-save.n_clicks", [1], [ds_id, "Foyers 2024", "Par commune"], fields)
    )
    assert "Modifications enregistrées." in text_of(out["dsd-message"]["children"])
    assert "Foyers 2024" in text_of(out["dsd-summary"]["children"])
    ds = dataset(app, ds_id)
    by_name = {f["name"]: f for f in ds.fields}
    assert ds.name == "Foyers 2024" and ds.version == 2
    assert by_name["foyers"]["type"] == "text"
    assert by_name["foyers"]["label"] == "Foyers allocataires"
    assert "nom" not in by_name and by_name["nom_commune"]["description"] == "Nom INSEE"
    clash = dict(fields, montant={"type": "decimal", "new_name": "foyers"})
    clash.pop("nom")
    clash["nom_commune"] = {"type": "text"}
    out = response_of(run(editor, app, "dsd-save.n_clicks", [1], [ds_id, "Foyers 2024", ""], clash))
    assert "Une colonne s'appelle déjà « foyers »" in text_of(out["dsd-message"]["children"])
    assert dataset(app, ds_id).version == 2


def test_replace_breaking_file_reports_then_force(app: Any, owned: tuple[Any, int]) -> None:
    editor, ds_id = owned
    same = FRENCH_CSV + "53999;Nouvelle;5;1,5;01/03/2024\n".encode("cp1252")
    out = response_of(
        run(editor, app, "dsd-replace-upload.contents", [data_url(same)], ["v2.csv", ds_id])
    )
    report = text_of(out["dsd-replace-report"]["children"])
    assert "Fichier remplacé." in report and "Nombre de lignes : 300 → 301" in report
    assert dataset(app, ds_id).row_count == 301

    out = response_of(
        run(editor, app, "dsd-replace-upload.contents", [data_url(BREAKING_CSV)], ["v3.csv", ds_id])
    )
    report = json.dumps(out["dsd-replace-report"]["children"], ensure_ascii=False)
    assert "Colonne supprimée : foyers" in report and "dsd-replace-force" in report
    assert "dsd-summary" not in out
    ds = dataset(app, ds_id)
    assert ds.row_count == 301 and "foyers" in {f["name"] for f in ds.fields}  # unchanged

    forced = response_of(
        run(
            editor,
            app,
            "dsd-replace-force.n_clicks",
            [1],
            [data_url(BREAKING_CSV), "v3.csv", ds_id],
        )
    )
    assert "Fichier remplacé." in text_of(forced["dsd-replace-report"]["children"])
    ds = dataset(app, ds_id)
    assert ds.row_count == 1 and [f["name"] for f in ds.fields] == ["code_commune", "nom"]


def test_delete_after_confirmation(app: Any, login: Any, owned: tuple[Any, int]) -> None:
    editor, ds_id = owned
    opened = response_of(run(editor, app, "dsd-delete.n_clicks", [1, 0], [ds_id]))
    assert opened["dsd-delete-modal"]["is_open"] is True
    out = response_of(run(editor, app, "dsd-delete-confirm.n_clicks", [1], [ds_id]))
    assert out["dsd-go"]["href"] == "/datasets"
    assert editor.get(f"/api/v1/datasets/{ds_id}").status_code == 404
    assert "dsd-missing" in page_json(editor, app, f"/datasets/{ds_id}")


def test_viewer_is_refused_by_every_edit_callback(
    app: Any, login: Any, owned: tuple[Any, int]
) -> None:
    _editor, ds_id = owned
    make_internal(app, ds_id)
    before = dataset(app, ds_id)
    viewer = login("viewer")
    calls = [
        ("dsd-save.n_clicks", [1], [ds_id, "Piraté", ""], {"nom": {"type": "integer"}}),
        ("dsd-replace-upload.contents", [data_url(BREAKING_CSV)], ["x.csv", ds_id], None),
        ("dsd-replace-force.n_clicks", [1], [data_url(BREAKING_CSV), "x.csv", ds_id], None),
        ("dsd-refresh.n_clicks", [1], [ds_id], None),
        ("dsd-delete.n_clicks", [1, 0], [ds_id], None),
        ("dsd-delete-confirm.n_clicks", [1], [ds_id], None),
    ]
    for trigger, inputs, state, fields in calls:
        assert run(viewer, app, trigger, inputs, state, fields).status_code == 403, trigger
        # an unknown id gets the same answer (existence is not revealed)
        other = [999 if v == ds_id else v for v in state]
        assert run(viewer, app, trigger, inputs, other, fields).status_code == 403, trigger
    after = dataset(app, ds_id)
    assert (after.name, after.version, after.deleted_at, after.fields) == (
        before.name,
        before.version,
        None,
        before.fields,
    )


# --- /datasets --------------------------------------------------------------------------


def test_catalogue_per_role_and_search(app: Any, login: Any) -> None:
    viewer = login("viewer")
    empty = page_json(viewer, app, "/datasets")
    assert "Aucun jeu de données ne vous est partagé" in empty and "dsl-new" not in empty
    editor = login("editor")
    assert "dsl-new" in page_json(editor, app, "/datasets")
    first = api_upload(editor, name="RSA Mayenne")
    api_upload(editor, name="Population")
    page = page_json(editor, app, "/datasets")
    assert f"/datasets/{first}" in page and "RSA Mayenne" in page and "Population" in page
    assert "editor@example.org" in page and "300 lignes" in page
    found = response_of(run(editor, app, "dsl-search.value", ["mayenne"]))
    text = json.dumps(found["dsl-results"]["children"], ensure_ascii=False)
    assert "RSA Mayenne" in text and "Population" not in text
    none = response_of(run(editor, app, "dsl-search.value", ["zzz"]))
    assert "Aucun jeu de données ne correspond à « zzz »" in text_of(
        none["dsl-results"]["children"]
    )
    assert "RSA Mayenne" not in page_json(viewer, app, "/datasets")  # private
    make_internal(app, first)
    assert "RSA Mayenne" in page_json(viewer, app, "/datasets")
    assert run(login("anonymous"), app, "dsl-search.value", ["x"]).status_code == 401


def test_home_lists_recent_datasets_and_links_to_new(app: Any, login: Any) -> None:
    editor = login("editor")
    home = page_json(editor, app, "/")
    assert "home-empty" in home and "/datasets/new" in home
    assert "/datasets/new" not in page_json(login("viewer"), app, "/")
    ds_id = api_upload(editor, name="RSA Mayenne")
    home = page_json(editor, app, "/")
    assert "home-datasets" in home and f"/datasets/{ds_id}" in home


# --- URL datasets -----------------------------------------------------------------------


def test_url_tab_creates_then_refresh_now(make_app: Any) -> None:
    from conftest import sign_in

    from studio import accounts

    app = make_app(url_allow_private=True)
    with db_of(app).session() as s:
        accounts.create_account(s, "ed@example.org", "editor", password="a long password")
    client = app.server.test_client()
    sign_in(client, "ed@example.org", "a long password")
    bad = response_of(
        run(client, app, "dsn-url-submit.n_clicks", [1], ["http://127.0.0.1:1/x.csv", "", "0"])
    )
    assert "nombre d'heures entre 1 et 744" in text_of(bad["dsn-url-message"]["children"])
    with serve_files({"/export.csv": FRENCH_CSV}) as server:
        url = server.url("/export.csv")
        out = response_of(
            run(client, app, "dsn-url-submit.n_clicks", [1], [url, "Export CAF", "24"])
        )
        ds_id = int(out["dsn-go"]["href"].rsplit("/", 1)[1])
        ds = dataset(app, ds_id)
        assert (ds.kind, ds.name, ds.refresh_hours, ds.row_count) == ("url", "Export CAF", 24, 300)
        page = page_json(client, app, f"/datasets/{ds_id}")
        assert "dsd-refresh" in page and url in page and "toutes les 24 h" in page
        server.files["/export.csv"] = FRENCH_CSV + "53999;Nouvelle;5;1,5;01/03/2024\n".encode(
            "cp1252"
        )
        refreshed = response_of(run(client, app, "dsd-refresh.n_clicks", [1], [ds_id]))
        assert "Données actualisées." in text_of(refreshed["dsd-message"]["children"])
        assert dataset(app, ds_id).row_count == 301
    gone = response_of(run(client, app, "dsn-url-submit.n_clicks", [1], [url, "", None]))
    assert "Impossible de télécharger" in text_of(gone["dsn-url-message"]["children"])
