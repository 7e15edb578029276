"""One dataset: what it holds, and for its editors: edit columns, replace, refresh, delete."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from studio import runtime
from studio.datasources import DatasetError
from studio.i18n import register, t
from studio.pages._dataset_widgets import (
    decode_upload,
    error_alert,
    field_id,
    field_values,
    rows_text,
    sample_table,
    schema_editor,
    size_text,
    upload_zone,
    when_text,
)
from studio.pages._ids import cid
from studio.pages._row_rules import row_rules_card
from studio.pages._sharing import sharing_dialog
from studio.pages._titles import dataset_title
from studio.security.policy import PermissionDenied, allowed, ensure
from studio.services import datasets as service
from studio.services.datasets import SchemaChanged
from studio.services.sharing import row_filter_for
from studio.store import NotFound, audit
from studio.store import datasets as repo

dash.register_page(
    __name__,
    path_template="/datasets/<dataset_id>",
    title=dataset_title,
    name="dataset_detail",
)

PAGE = "dsd"
ID = lambda name: cid(PAGE, name)  # noqa: E731

register(
    {
        "ds.detail.missing": (
            "Ce jeu de données n'existe pas, ou vous n'y avez pas accès.",
            "This dataset does not exist, or you do not have access to it.",
        ),
        "ds.detail.back": ("Retour aux jeux de données", "Back to the datasets"),
        "ds.detail.owner": ("Propriétaire", "Owner"),
        "ds.detail.kind": ("Origine", "Source"),
        "ds.detail.size": ("Taille", "Size"),
        "ds.detail.updated": ("Mis à jour le", "Updated on"),
        "ds.detail.rows": ("Lignes", "Rows"),
        "ds.detail.url": ("Adresse", "Address"),
        "ds.detail.refresh_every": ("Actualisé toutes les $hours h", "Refreshed every $hours h"),
        "ds.detail.refreshed": ("Dernière actualisation", "Last refreshed"),
        "ds.detail.columns": ("Colonnes", "Columns"),
        "ds.detail.name": ("Nom", "Name"),
        "ds.detail.description": ("Description", "Description"),
        "ds.detail.save": ("Enregistrer les modifications", "Save the changes"),
        "ds.detail.saved": ("Modifications enregistrées.", "Changes saved."),
        "ds.detail.replace": ("Remplacer le fichier", "Replace the file"),
        "ds.detail.replace_help": (
            "Déposez une nouvelle version du fichier : ses colonnes sont comparées à celles "
            "du jeu de données avant tout remplacement.",
            "Drop a new version of the file: its columns are compared with the dataset's "
            "before anything is replaced.",
        ),
        "ds.detail.replaced": ("Fichier remplacé.", "File replaced."),
        "ds.detail.same_schema": (
            "Mêmes colonnes, mêmes types.", "Same columns, same types."
        ),
        "ds.detail.force": ("Remplacer quand même", "Replace anyway"),
        "ds.detail.refresh": ("Actualiser maintenant", "Refresh now"),
        "ds.detail.refreshed_now": ("Données actualisées.", "Data refreshed."),
        "ds.detail.delete": ("Supprimer", "Delete"),
        "ds.detail.delete_title": ("Supprimer ce jeu de données ?", "Delete this dataset?"),
        "ds.detail.delete_body": (
            "« $name » et ses fichiers seront supprimés. Les tuiles qui l'utilisent "
            "afficheront un message. Cette action est définitive.",
            "'$name' and its files will be deleted. Tiles using it will show a message. "
            "This cannot be undone.",
        ),
        "ds.detail.cancel": ("Annuler", "Cancel"),
        "ds.detail.confirm_delete": ("Supprimer définitivement", "Delete for good"),
    }
)


def layout(dataset_id: str | None = None, **_kwargs: object) -> html.Div:
    """The dataset page, or the same not-found message for unknown and invisible ids."""
    actor, locale, settings = runtime.actor(), runtime.locale(), runtime.settings()
    with runtime.db().session() as s:
        ds = _visible(s, actor, dataset_id)
        if ds is None:
            return _missing(locale)
        can_edit = allowed(actor, "edit", ds)
        # Raw sample rows only for editors whom no row-level rule restricts.
        unrestricted = row_filter_for(s, actor, ds) is None
        summary, fields, sample = _regions(ds, locale, settings, can_edit, unrestricted)
        children: list[Any] = [
            dcc.Location(id=ID("go"), refresh="callback-nav"),
            dcc.Store(id=ID("id"), data=ds.id),
            dcc.Link(t("ds.detail.back", locale), href="/datasets", className="small"),
            html.Div(summary, id=ID("summary")),
            sharing_dialog("dataset", ds.id, locale) if allowed(actor, "share", ds) else None,
            html.Div(id=ID("message"), role="status"),
        ]
        if can_edit:
            children += _edit_sections(ds, locale, settings.max_upload_mb, fields)
        else:
            children += [html.H2(t("ds.detail.columns", locale), className="h5 mt-3"),
                         html.Div(fields, id=ID("fields"))]
        if sample is not None:
            children += [html.H2(t("ds.sample", locale), className="h5 mt-4"),
                         html.Div(sample, id=ID("sample-wrap"))]
        if allowed(actor, "manage", "users"):
            children.append(row_rules_card(s, ds, locale))
    return html.Div(children)


def _visible(s: Any, actor: Any, dataset_id: Any) -> Any:
    """The dataset if it exists and the actor may view it, else None."""
    try:
        ds = repo.get_dataset(s, int(str(dataset_id)))
    except (NotFound, ValueError):
        return None
    return ds if allowed(actor, "view", ds) else None


def _missing(locale: str) -> html.Div:
    return html.Div(
        [
            dbc.Alert(t("ds.detail.missing", locale), color="warning"),
            dcc.Link(t("ds.detail.back", locale), href="/datasets"),
        ],
        id=ID("missing"),
    )


def _regions(
    ds: Any, locale: str, settings: Any, can_edit: bool, unrestricted: bool = True
) -> tuple[Any, Any, Any]:
    """The parts redrawn after a change: summary, columns, sample (editors only)."""
    fields = service.fields_of(ds)
    if can_edit:
        columns = html.Div(
            [
                dbc.Row(
                    [
                        dbc.Col([dbc.Label(t("ds.detail.name", locale), html_for=ID("name")),
                                 dbc.Input(id=ID("name"), value=ds.name, maxLength=200)], md=4),
                        dbc.Col([dbc.Label(t("ds.detail.description", locale),
                                           html_for=ID("description")),
                                 dbc.Textarea(id=ID("description"), value=ds.description,
                                              rows=1)], md=8),
                    ],
                    className="g-2 mb-2",
                ),
                schema_editor(PAGE, fields, locale, editable=ds.kind != "sql"),
            ]
        )
    else:
        columns = schema_editor(PAGE, fields, locale, editable=False)
    sample = None
    if can_edit and unrestricted:
        sample = sample_table(fields, service.sample_rows(settings, ds),
                              locale, ID("sample"))
    return _summary(ds, locale), columns, sample


def _summary(ds: Any, locale: str) -> html.Div:
    facts: list[tuple[str, Any]] = [
        ("ds.detail.owner", ds.owner.email if ds.owner else "–"),
        ("ds.detail.kind", t(f"ds.kind.{ds.kind}", locale)),
        ("ds.detail.rows", rows_text(ds.row_count, locale)),
        ("ds.detail.size", size_text(ds.size_bytes, locale) if ds.size_bytes else "–"),
        ("ds.detail.updated", when_text(ds.updated_at, locale)),
    ]
    if ds.kind == "url":
        facts.append(("ds.detail.url", html.Code(ds.source.get("url", ""))))
        refresh = (t("ds.detail.refresh_every", locale, hours=ds.refresh_hours)
                   if ds.refresh_hours else "–")
        facts.append(("ds.detail.refreshed", f"{when_text(ds.refreshed_at, locale)} · {refresh}"))
    items = []
    for key, value in facts:
        items += [html.Dt(t(key, locale), className="col-sm-3"),
                  html.Dd(value, className="col-sm-9 mb-1")]
    return html.Div(
        [
            html.H1(ds.name, className="h3 mt-2", id=ID("title")),
            html.P(ds.description, className="text-muted") if ds.description else None,
            html.Dl(items, className="row small", id=ID("facts")),
        ]
    )


def _edit_sections(ds: Any, locale: str, limit_mb: int, fields: Any) -> list[Any]:
    sections: list[Any] = [
        html.H2(t("ds.detail.columns", locale), className="h5 mt-3"),
        html.Div(fields, id=ID("fields")),
        dbc.Button(t("ds.detail.save", locale), id=ID("save"), n_clicks=0, className="mb-4"),
    ]
    if ds.kind != "sql":
        sections += [
            html.H2(t("ds.detail.replace", locale), className="h5"),
            html.P(t("ds.detail.replace_help", locale), className="small text-muted"),
            dcc.Loading(
                [upload_zone(ID("replace-upload"), t("ds.new.drop", locale), limit_mb),
                 html.Div(id=ID("replace-report"), className="mt-2", role="status")],
            ),
        ]
    buttons = []
    if ds.kind == "url":
        buttons.append(dbc.Button(t("ds.detail.refresh", locale), id=ID("refresh"), n_clicks=0,
                                  color="secondary", className="me-2"))
    buttons.append(dbc.Button(t("ds.detail.delete", locale), id=ID("delete"), n_clicks=0,
                              color="danger", outline=True))
    sections += [
        html.Div(buttons, className="mt-4"),
        dbc.Modal(
            [
                dbc.ModalHeader(
                    dbc.ModalTitle(t("ds.detail.delete_title", locale), id=ID("delete-title"))
                ),
                dbc.ModalBody(t("ds.detail.delete_body", locale, name=ds.name)),
                dbc.ModalFooter(
                    [
                        dbc.Button(t("ds.detail.cancel", locale), id=ID("delete-cancel"),
                                   n_clicks=0, color="secondary"),
                        dbc.Button(t("ds.detail.confirm_delete", locale),
                                   id=ID("delete-confirm"), n_clicks=0, color="danger"),
                    ]
                ),
            ],
            id=ID("delete-modal"),
            labelledby=ID("delete-title"),
            is_open=False,
        ),
    ]
    return sections


# --- callbacks --------------------------------------------------------------------------


def _editable(s: Any, dataset_id: Any) -> Any:
    """The dataset the current actor may edit; PermissionDenied otherwise (also when it does
    not exist or is invisible, so that a refusal does not reveal existence)."""
    actor = runtime.actor()
    ds = _visible(s, actor, dataset_id)
    if ds is None:
        raise PermissionDenied("edit", "dataset")
    ensure(actor, "edit", ds)
    return ds


def _redrawn(ds: Any, locale: str) -> tuple[Any, Any, Any]:
    from sqlalchemy.orm import object_session

    s = object_session(ds)
    unrestricted = s is not None and row_filter_for(s, runtime.actor(), ds) is None
    return _regions(ds, locale, runtime.settings(), True, unrestricted)


def _audit(s: Any, action: str, ds: Any, details: dict[str, Any] | None = None) -> None:
    audit.record(s, runtime.actor(), action, "dataset", ds.id, details, runtime.client_address())


REDRAW = [
    Output(ID("summary"), "children", allow_duplicate=True),
    Output(ID("fields"), "children", allow_duplicate=True),
    Output(ID("sample-wrap"), "children", allow_duplicate=True),
]
NO_REDRAW = (dash.no_update, dash.no_update, dash.no_update)


@callback(
    Output(ID("message"), "children"),
    *REDRAW,
    Input(ID("save"), "n_clicks"),
    State(ID("id"), "data"),
    State(ID("name"), "value"),
    State(ID("description"), "value"),
    State(field_id(PAGE, "type"), "id"),
    State(field_id(PAGE, "new_name"), "value"),
    State(field_id(PAGE, "label"), "value"),
    State(field_id(PAGE, "description"), "value"),
    State(field_id(PAGE, "type"), "value"),
    prevent_initial_call=True,
)
def save_fields(n_clicks, dataset_id, name, description, ids, new_names, labels,  # noqa: ANN001, ANN201, PLR0913
                descriptions, types):
    """Apply the edited name, description and columns (renames and types re-read the file)."""
    locale = runtime.locale()
    try:
        with runtime.db().session() as s:
            ds = _editable(s, dataset_id)
            if not n_clicks:
                raise dash.exceptions.PreventUpdate
            columns = field_values([i["index"] for i in ids or []], new_names or [],
                                   labels or [], descriptions or [], types or [])
            changes = [_change(c) for c in columns]
            service.update_fields(s, runtime.settings(), runtime.actor(), ds, changes, name,
                                  description)
            _audit(s, "dataset_updated", ds, {"fields": [c["name"] for c in changes]})
            alert = dbc.Alert(t("ds.detail.saved", locale), color="success", id=ID("success"),
                              duration=8000)
            return alert, *_redrawn(ds, locale)
    except DatasetError as exc:
        return error_alert(exc, locale, ID("error")), *NO_REDRAW


def _change(column: dict[str, str]) -> dict[str, Any]:
    change: dict[str, Any] = {
        "name": column["index"],
        "label": column["label"],
        "description": column["description"],
    }
    if column["new_name"]:
        change["new_name"] = column["new_name"]
    if column["type"]:
        change["type"] = column["type"]
    return change


def _replace(dataset_id: Any, contents: Any, filename: Any, force: bool) -> tuple[Any, ...]:
    """Replace the file; on a schema change, the report and a button to force it."""
    locale, settings = runtime.locale(), runtime.settings()
    filename = str(filename or "fichier")
    try:
        with runtime.db().session() as s:
            ds = _editable(s, dataset_id)
            if not contents:
                raise dash.exceptions.PreventUpdate
            content = decode_upload(contents)
            report = service.replace_file(s, settings, runtime.actor(), ds, filename, content,
                                          force)
            _audit(s, "dataset_replaced", ds, {"version": ds.version, "forced": force})
            return _replaced(report, locale), *_redrawn(ds, locale)
    except SchemaChanged as exc:
        return _schema_report(exc, locale), *NO_REDRAW
    except DatasetError as exc:
        return error_alert(exc, locale, ID("error")), *NO_REDRAW


def _schema_report(exc: SchemaChanged, locale: str) -> dbc.Alert:
    return dbc.Alert(
        [
            html.P(exc.message(locale)),
            html.Ul([html.Li(line) for line in exc.diff.summary(locale)]),
            dbc.Button(t("ds.detail.force", locale), id=ID("replace-force"), n_clicks=0,
                       color="warning"),
        ],
        color="warning",
        id=ID("schema-report"),
    )


def _replaced(report: dict[str, Any], locale: str) -> dbc.Alert:
    lines = _report_lines(report, locale)
    return dbc.Alert(
        [html.Strong(t("ds.detail.replaced", locale)),
         html.Ul([html.Li(line) for line in lines], className="mb-0")],
        color="success",
        id=ID("success"),
    )


def _report_lines(report: dict[str, Any], locale: str) -> list[str]:
    from studio.datasources.schema import Retyped, SchemaDiff

    diff = SchemaDiff(
        added=report.get("added", []),
        removed=report.get("removed", []),
        retyped=[Retyped(**r) for r in report.get("retyped", [])],
        old_row_count=report.get("old_row_count"),
        new_row_count=report.get("new_row_count"),
    )
    lines = diff.summary(locale)
    if diff.same_schema:
        lines.insert(0, t("ds.detail.same_schema", locale))
    return lines


@callback(
    Output(ID("replace-report"), "children"),
    *REDRAW,
    Input(ID("replace-upload"), "contents"),
    State(ID("replace-upload"), "filename"),
    State(ID("id"), "data"),
    prevent_initial_call=True,
)
def replace_file(contents, filename, dataset_id):  # noqa: ANN001, ANN201
    """Replace the data with the dropped file, unless columns would be lost or retyped."""
    return _replace(dataset_id, contents, filename, force=False)


@callback(
    Output(ID("replace-report"), "children", allow_duplicate=True),
    *REDRAW,
    Input(ID("replace-force"), "n_clicks"),
    State(ID("replace-upload"), "contents"),
    State(ID("replace-upload"), "filename"),
    State(ID("id"), "data"),
    prevent_initial_call=True,
)
def force_replace(n_clicks, contents, filename, dataset_id):  # noqa: ANN001, ANN201
    """Replace the data even though columns are lost or retyped (the person confirmed)."""
    if not n_clicks:
        with runtime.db().session() as s:
            _editable(s, dataset_id)
        raise dash.exceptions.PreventUpdate
    return _replace(dataset_id, contents, filename, force=True)


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    *REDRAW,
    Input(ID("refresh"), "n_clicks"),
    State(ID("id"), "data"),
    prevent_initial_call=True,
)
def refresh_now(n_clicks, dataset_id):  # noqa: ANN001, ANN201
    """Fetch a URL dataset again now."""
    locale = runtime.locale()
    try:
        with runtime.db().session() as s:
            ds = _editable(s, dataset_id)
            if not n_clicks:
                raise dash.exceptions.PreventUpdate
            report = service.refresh_from_url(s, runtime.settings(), runtime.actor(), ds)
            _audit(s, "dataset_refreshed", ds, {"version": ds.version})
            lines = _report_lines(report, locale)
            alert = dbc.Alert(
                [html.Strong(t("ds.detail.refreshed_now", locale)),
                 html.Ul([html.Li(line) for line in lines], className="mb-0")],
                color="success",
                id=ID("success"),
            )
            return alert, *_redrawn(ds, locale)
    except SchemaChanged as exc:
        return dbc.Alert(exc.message(locale), color="warning", id=ID("error")), *NO_REDRAW
    except DatasetError as exc:
        return error_alert(exc, locale, ID("error")), *NO_REDRAW


@callback(
    Output(ID("delete-modal"), "is_open"),
    Input(ID("delete"), "n_clicks"),
    Input(ID("delete-cancel"), "n_clicks"),
    State(ID("id"), "data"),
    prevent_initial_call=True,
)
def toggle_delete(_open, _cancel, dataset_id):  # noqa: ANN001, ANN201
    """Ask for confirmation before deleting."""
    with runtime.db().session() as s:
        _editable(s, dataset_id)
    return dash.ctx.triggered_id == ID("delete")


@callback(
    Output(ID("go"), "href"),
    Output(ID("message"), "children", allow_duplicate=True),
    Input(ID("delete-confirm"), "n_clicks"),
    State(ID("id"), "data"),
    prevent_initial_call=True,
)
def delete(n_clicks, dataset_id):  # noqa: ANN001, ANN201
    """Delete the dataset and go back to the catalogue."""
    with runtime.db().session() as s:
        ds = _editable(s, dataset_id)
        if not n_clicks:
            raise dash.exceptions.PreventUpdate
        service.delete_dataset(s, runtime.settings(), runtime.actor(), ds)
        _audit(s, "dataset_deleted", ds)
    return "/datasets", None
