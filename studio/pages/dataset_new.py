"""New dataset: drop a file, check the preview, fix types and names, save; or add a URL;
or (admins) point at a table of an external database."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from studio import runtime
from studio.datasources import DatasetError, IngestOptions
from studio.i18n import register, t
from studio.pages._dataset_widgets import (
    decode_upload,
    error_alert,
    field_id,
    field_values,
    max_file_bytes,
    problems_panel,
    rows_text,
    sample_table,
    schema_editor,
    upload_zone,
)
from studio.pages._ids import cid
from studio.pages._titles import page_title
from studio.security.policy import allowed, ensure
from studio.services import datasets as service
from studio.store import audit

# `order` puts this page before /datasets/<dataset_id>, whose template would match "new".
dash.register_page(
    __name__, path="/datasets/new", title=page_title("title.dataset_new"), name="dataset_new",
    order=10,
)

PAGE = "dsn"
ID = lambda name: cid(PAGE, name)  # noqa: E731

register(
    {
        "ds.new.title": ("Nouveau jeu de données", "New dataset"),
        "ds.new.tab_file": ("Importer un fichier", "Upload a file"),
        "ds.new.tab_url": ("Depuis une adresse web", "From a web address"),
        "ds.new.drop": (
            "Déposez un fichier ici, ou cliquez pour le choisir",
            "Drop a file here, or click to choose one",
        ),
        "ds.new.analysing": ("Analyse du fichier…", "Analysing the file…"),
        "ds.new.file_info": ("Fichier lu", "File read"),
        "ds.new.format": ("format $value", "format $value"),
        "ds.new.encoding": ("encodage $value", "encoding $value"),
        "ds.new.delimiter": ("séparateur « $value »", "separator '$value'"),
        "ds.new.sheet_info": ("feuille « $value »", "sheet '$value'"),
        "ds.new.header_info": ("en-tête ligne $value", "header on line $value"),
        "ds.new.columns": ("Colonnes détectées", "Detected columns"),
        "ds.new.columns_help": (
            "Renommez une colonne, donnez-lui un libellé et une description, ou changez son "
            "type, puis cliquez sur « Réanalyser » pour vérifier le résultat.",
            "Rename a column, give it a label and a description, or change its type, then "
            "click 'Analyse again' to check the result.",
        ),
        "ds.new.sheet": ("Feuille Excel", "Excel sheet"),
        "ds.new.header_row": ("Ligne d'en-tête", "Header row"),
        "ds.new.name": ("Nom du jeu de données", "Dataset name"),
        "ds.new.description": ("Description (facultative)", "Description (optional)"),
        "ds.new.reanalyse": ("Réanalyser", "Analyse again"),
        "ds.new.keep_totals": ("Garder les lignes de total", "Keep total rows"),
        "ds.new.keep_totals_help": (
            "Les lignes « Total », « France », « DOM »… sont écartées par défaut : gardées, "
            "elles comptent deux fois dans les sommes.",
            "Rows such as 'Total', 'France', 'DOM'… are set aside by default: kept, they count "
            "twice in sums.",
        ),
        "ds.new.unpivot": ("Mettre les périodes en lignes", "Put the periods in rows"),
        "ds.new.unpivot_help": (
            "Quand les années (mois, trimestres) sont en colonnes : une ligne par période, avec "
            "une colonne « periode » et une colonne « valeur ».",
            "When years (months, quarters) are columns: one row per period, with a 'periode' "
            "column and a 'valeur' column.",
        ),
        "ds.new.report": ("Ce que Studio a mis de côté ou corrigé", "What Studio set aside or "
                          "fixed"),
        "ds.new.save": ("Enregistrer", "Save"),
        "ds.new.url": ("Adresse (URL) du fichier CSV ou GeoJSON", "Address (URL) of the CSV or "
                       "GeoJSON file"),
        "ds.new.url_help": (
            "Un export CSV/GeoJSON, ou la page d'un jeu de données Opendatasoft ou "
            "data.gouv.fr.",
            "A CSV/GeoJSON export, or the page of an Opendatasoft or data.gouv.fr dataset.",
        ),
        "ds.new.refresh": ("Actualiser toutes les … heures (facultatif)",
                           "Refresh every … hours (optional)"),
        "ds.new.url_submit": ("Créer le jeu de données", "Create the dataset"),
        "ds.new.bad_hours": (
            "La fréquence d'actualisation doit être un nombre d'heures entre 1 et 744.",
            "The refresh frequency must be a number of hours between 1 and 744.",
        ),
        "ds.new.tab_sql": ("Base de données", "Database"),
        "ds.new.sql_url": ("Adresse de connexion SQLAlchemy", "SQLAlchemy connection URL"),
        "ds.new.sql_url_help": (
            "Par exemple postgresql://utilisateur:motdepasse@serveur:5432/base. Elle contient "
            "un mot de passe : elle reste sur le serveur et n'est jamais réaffichée.",
            "For example postgresql://user:password@host:5432/database. It holds a password: "
            "it stays on the server and is never shown again.",
        ),
        "ds.new.sql_table": ("Table ou vue", "Table or view"),
        "ds.new.sql_schema": ("Schéma (facultatif)", "Schema (optional)"),
        "ds.new.sql_submit": ("Tester et ajouter", "Test and add"),
        "ds.new.sql_missing": (
            "Indiquez l'adresse de connexion et le nom de la table ou de la vue.",
            "Give the connection URL and the name of the table or view.",
        ),
        "ds.new.sql_error_title": ("La table n'a pas pu être ajoutée",
                                   "The table could not be added"),
        "ds.new.sql_bad_url": (
            "La base de données n'est pas joignable avec cette adresse. Vérifiez qu'elle a la "
            "forme dialecte://utilisateur:motdepasse@serveur/base et que le pilote de cette "
            "base est installé sur le serveur.",
            "The database cannot be reached with this URL. Check that it looks like "
            "dialect://user:password@host/database and that the database's driver is installed "
            "on the server.",
        ),
        "ds.new.forbidden": (
            "Votre rôle ne permet pas de créer des jeux de données. Demandez à un "
            "administrateur le rôle d'éditeur.",
            "Your role does not allow creating datasets. Ask an administrator for the editor "
            "role.",
        ),
    }
)


def layout(**_kwargs: object) -> html.Div:
    """The upload page, or a refusal for people who may not create datasets."""
    actor, locale = runtime.actor(), runtime.locale()
    if not allowed(actor, "create", "datasets"):
        return dbc.Alert(t("ds.new.forbidden", locale), color="warning", id=ID("forbidden"))
    limit = runtime.settings().max_upload_mb
    return html.Div(
        [
            dcc.Location(id=ID("go"), refresh="callback-nav"),
            html.H1(t("ds.new.title", locale), className="h3"),
            dbc.Tabs(
                [
                    dbc.Tab(_file_tab(locale, limit), label=t("ds.new.tab_file", locale),
                            tab_id="file", tab_class_name="ds-tab-file"),
                    dbc.Tab(_url_tab(locale), label=t("ds.new.tab_url", locale), tab_id="url",
                            tab_class_name="ds-tab-url", id=ID("tab-url")),
                    *_sql_tabs(actor, locale),
                ],
                id=ID("tabs"),
                active_tab="file",
                className="mb-3",
            ),
        ]
    )


def _file_tab(locale: str, limit_mb: int) -> html.Div:
    spinner = html.Div(
        [dbc.Spinner(size="sm", spinner_class_name="me-2"), t("ds.new.analysing", locale)],
        id=ID("progress"),
        role="status",
        className="ds-progress",
    )
    mb = max(1, round(max_file_bytes(limit_mb) / 1024 / 1024))
    limits = {
        "max_chars": max_file_bytes(limit_mb) * 4 // 3 + 200,
        "message": t("ds.error.too_large_client", locale, limit=mb),
    }
    return html.Div(
        [
            dcc.Store(id=ID("staged")),
            dcc.Store(id=ID("file")),
            dcc.Store(id=ID("limits"), data=limits),
            dbc.Alert(id=ID("too-large"), color="danger", is_open=False, className="mt-3"),
            dcc.Loading(
                [
                    upload_zone(ID("upload"), t("ds.new.drop", locale), limit_mb,
                                reject_large=False),
                    html.Div(id=ID("message"), role="status", className="mt-3"),
                    html.Div(id=ID("preview"), className="mt-3"),
                    html.Div(_form(locale), id=ID("form"), hidden=True),
                    html.Div(id=ID("sample-wrap"), className="mt-3"),
                ],
                custom_spinner=spinner,
                delay_show=150,
            ),
        ]
    )


def _form(locale: str) -> html.Div:
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Label(t("ds.new.sheet", locale), html_for=ID("sheet")),
                                dbc.Select(id=ID("sheet"), options=[]),
                            ],
                            id=ID("sheet-wrap"),
                            hidden=True,
                        ),
                        md=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("ds.new.header_row", locale), html_for=ID("header")),
                            dbc.Input(id=ID("header"), type="number", min=1, step=1),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Checkbox(id=ID("keep-totals"), value=False, className="mt-4",
                                         label=t("ds.new.keep_totals", locale)),
                            dbc.FormText(t("ds.new.keep_totals_help", locale)),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Checkbox(id=ID("unpivot"), value=False, className="mt-4",
                                         label=t("ds.new.unpivot", locale)),
                            dbc.FormText(t("ds.new.unpivot_help", locale)),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        dbc.Button(t("ds.new.reanalyse", locale), id=ID("reanalyse"),
                                   color="secondary", n_clicks=0, className="mt-4"),
                        md=3,
                    ),
                ],
                className="g-2 mb-3",
            ),
            dbc.Label(t("ds.new.name", locale), html_for=ID("name")),
            dbc.Input(id=ID("name"), maxLength=200, className="mb-2"),
            dbc.Label(t("ds.new.description", locale), html_for=ID("description")),
            dbc.Textarea(id=ID("description"), rows=2, className="mb-3"),
            dbc.Button(t("ds.new.save", locale), id=ID("save"), n_clicks=0, color="primary"),
        ],
        className="border rounded p-3 bg-light",
    )


def _url_tab(locale: str) -> html.Div:
    return html.Div(
        [
            dbc.Label(t("ds.new.url", locale), html_for=ID("url")),
            dbc.Input(id=ID("url"), type="url", placeholder="https://", className="mb-1"),
            dbc.FormText(t("ds.new.url_help", locale)),
            html.Br(),
            dbc.Label(t("ds.new.name", locale), html_for=ID("url-name"), className="mt-2"),
            dbc.Input(id=ID("url-name"), maxLength=200, className="mb-2"),
            dbc.Label(t("ds.new.refresh", locale), html_for=ID("url-hours")),
            dbc.Input(id=ID("url-hours"), type="number", min=1, max=744, step=1,
                      className="mb-3"),
            dbc.Button(t("ds.new.url_submit", locale), id=ID("url-submit"), n_clicks=0),
            dcc.Loading(html.Div(id=ID("url-message"), role="status", className="mt-3")),
        ],
        className="pt-2",
    )


def _sql_tabs(actor: Any, locale: str) -> list[dbc.Tab]:
    """The database tab, for admins only (a connection URL holds a password)."""
    if not allowed(actor, "manage", "connections"):
        return []
    return [dbc.Tab(_sql_tab(locale), label=t("ds.new.tab_sql", locale), tab_id="sql",
                    tab_class_name="ds-tab-sql", id=ID("tab-sql"))]


def _sql_tab(locale: str) -> html.Div:
    return html.Div(
        [
            dbc.Label(t("ds.new.sql_url", locale), html_for=ID("sql-url")),
            # A password field: the URL holds a secret, and no callback ever writes it back.
            dbc.Input(id=ID("sql-url"), type="password", autoComplete="off",
                      placeholder="postgresql://", className="mb-1"),
            dbc.FormText(t("ds.new.sql_url_help", locale)),
            dbc.Row(
                [
                    dbc.Col([dbc.Label(t("ds.new.sql_table", locale), html_for=ID("sql-table")),
                             dbc.Input(id=ID("sql-table"), maxLength=200)], md=6),
                    dbc.Col([dbc.Label(t("ds.new.sql_schema", locale),
                                       html_for=ID("sql-schema")),
                             dbc.Input(id=ID("sql-schema"), maxLength=200)], md=6),
                ],
                className="g-2 mt-2 mb-2",
            ),
            dbc.Label(t("ds.new.name", locale), html_for=ID("sql-name")),
            dbc.Input(id=ID("sql-name"), maxLength=200, className="mb-3"),
            dbc.Button(t("ds.new.sql_submit", locale), id=ID("sql-submit"), n_clicks=0),
            dcc.Loading(html.Div(id=ID("sql-message"), role="status", className="mt-3")),
        ],
        className="pt-2",
    )


# --- rendering an analysis --------------------------------------------------------------


def _source_line(source: dict[str, Any], locale: str) -> str:
    parts = []
    for key, message in (("format", "ds.new.format"), ("encoding", "ds.new.encoding"),
                         ("delimiter", "ds.new.delimiter"), ("sheet", "ds.new.sheet_info"),
                         ("header_row", "ds.new.header_info")):
        value = source.get(key)
        if value not in (None, ""):
            shown = "tab" if value == "\t" else value
            parts.append(t(message, locale, value=shown))
    return f"{t('ds.new.file_info', locale)} : " + ", ".join(parts)


def _preview(staged: service.Staged, options: IngestOptions, locale: str) -> list[Any]:
    result = staged.result
    index_of = {new: old for old, new in options.renames.items()}
    return [
        html.H2(staged.filename, className="h5"),
        html.P(
            [html.Strong(rows_text(result.row_count, locale), id=ID("rows")), " · ",
             html.Span(_source_line(result.source, locale), id=ID("source"))],
        ),
        _report_panel(result, locale),
        problems_panel(result.problems, result.problem_counts, result.fields, locale,
                       ID("problems")),
        html.H3(t("ds.new.columns", locale), className="h6 mt-3"),
        html.P(t("ds.new.columns_help", locale), className="small text-muted"),
        schema_editor(PAGE, result.fields, locale, index_of=index_of, stats=result.stats),
    ]


def _report_panel(result: Any, locale: str) -> html.Div:
    """What the ingest set aside (totals, notes) or changed (names, secret values)."""
    lines = result.report.to_dict(locale)["messages"]
    if not lines:
        return html.Div(id=ID("report"))
    return html.Div(
        dbc.Alert(
            [html.H3(t("ds.new.report", locale), className="h6"),
             html.Ul([html.Li(line) for line in lines], className="mb-0")],
            color="info",
        ),
        id=ID("report"),
    )


def _sample(staged: service.Staged, locale: str) -> list[Any]:
    result = staged.result
    return [
        html.H3(t("ds.sample", locale), className="h6"),
        sample_table(result.fields, result.preview, locale, ID("sample")),
    ]


def _store(staged: service.Staged, options: IngestOptions, detected: dict[str, str]) -> dict:
    """What the page keeps between calls: the staging token and choices, never rows."""
    original_of = {new: old for old, new in options.renames.items()}
    detected = dict(detected)
    for f in staged.result.fields:
        original = original_of.get(f.name, f.name)
        if original not in options.types:
            detected[original] = f.type
    return {
        "token": staged.token,
        "filename": staged.filename,
        "sheet": staged.result.source.get("sheet"),
        "header_row": staged.result.source.get("header_row"),
        "detected": detected,
        "unpivot": bool(staged.result.report.wide.get("applied")),
    }


def _header(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None


def _same_table(store: dict[str, Any], options: IngestOptions) -> bool:
    """True when the options read the same sheet and header row as the last analysis."""
    return options.sheet == (store.get("sheet") or None) and (
        options.header_row in (None, store.get("header_row"))
    )


def options_from_form(
    store: dict[str, Any],
    sheet: str | None,
    header: Any,
    columns: list[dict[str, str]],
    keep_totals: Any = False,
    unpivot: Any = False,
) -> IngestOptions:
    """The ingest options the form asks for; column choices are dropped when the person
    picked another sheet or header row, or puts periods in rows (the columns are then
    different ones: rename and retype them on the dataset's page once saved)."""
    header_row = _header(header)
    if (sheet or None) != (store.get("sheet") or None) and header_row == store.get("header_row"):
        header_row = None  # the row found on the previous sheet: find this sheet's own
    options = IngestOptions(sheet=sheet or None, header_row=header_row,
                            keep_totals=keep_totals is True,
                            unpivot="auto" if unpivot is True else "")
    if not _same_table(store, options) or options.unpivot or store.get("unpivot"):
        return options
    detected = store.get("detected") or {}
    for column in columns:
        original = column["index"]
        final = column["new_name"] or original
        if final != original:
            options.renames[original] = final
        if column["type"] and column["type"] != detected.get(original):
            options.types[original] = column["type"]
        if column["label"] and column["label"] != final:
            options.labels[final] = column["label"]
        if column["description"]:
            options.descriptions[final] = column["description"]
    return options


FIELD_STATES = [
    State(field_id(PAGE, "type"), "id"),
    State(field_id(PAGE, "new_name"), "value"),
    State(field_id(PAGE, "label"), "value"),
    State(field_id(PAGE, "description"), "value"),
    State(field_id(PAGE, "type"), "value"),
]


def _columns(ids: list[dict], names: list, labels: list, descriptions: list,
             types: list) -> list[dict[str, str]]:
    return field_values([i["index"] for i in ids or []], names or [], labels or [],
                        descriptions or [], types or [])


# --- callbacks --------------------------------------------------------------------------


@callback(
    Output(ID("staged"), "data"),
    Output(ID("preview"), "children"),
    Output(ID("sample-wrap"), "children"),
    Output(ID("message"), "children"),
    Output(ID("form"), "hidden"),
    Output(ID("name"), "value"),
    Output(ID("sheet"), "options"),
    Output(ID("sheet"), "value"),
    Output(ID("sheet-wrap"), "hidden"),
    Output(ID("header"), "value"),
    Output(ID("file"), "data"),
    Output(ID("description"), "value"),
    Output(ID("keep-totals"), "value"),
    Output(ID("unpivot"), "value"),
    Input(ID("file"), "data"),
    State(ID("staged"), "data"),
    prevent_initial_call=True,
)
def analyse_upload(dropped, previous):  # noqa: ANN001, ANN201
    """Stage the dropped file and show what was found; only its token is kept."""
    actor, locale, settings = runtime.actor(), runtime.locale(), runtime.settings()
    ensure(actor, "create", "datasets")
    if not isinstance(dropped, dict) or not dropped.get("contents"):
        raise dash.exceptions.PreventUpdate
    contents = str(dropped["contents"])
    keep = [dash.no_update] * 10
    filename = str(dropped.get("filename") or "fichier")
    try:
        content = decode_upload(contents)
        staged = service.stage_upload(settings, actor, filename, content, IngestOptions())
    except DatasetError as exc:
        return (*keep[:3], error_alert(exc, locale, ID("error")), *keep[4:], None,
                dash.no_update, dash.no_update, dash.no_update)
    _discard(settings, actor, previous)
    source = staged.result.source
    sheets = source.get("sheets") or []
    return (
        _store(staged, IngestOptions(), {}),
        _preview(staged, IngestOptions(), locale),
        _sample(staged, locale),
        None,
        False,
        _default_name(filename),
        _sheet_options(sheets, source.get("sheet_titles") or {}),
        source.get("sheet"),
        not sheets,
        source.get("header_row"),
        None,
        staged.result.report.citation or "",
        False,
        False,
    )


# Files over the limit are refused in the browser, with a message, before being sent (the
# server would answer 413); others go through the "file" store to the analysis.
clientside_callback(
    """
    function (contents, filename, limits) {
        const skip = window.dash_clientside.no_update;
        if (!contents) { return [skip, skip, skip, skip]; }
        if (contents.length > limits.max_chars) {
            return [null, limits.message, true, null];
        }
        return [{contents: contents, filename: filename}, null, false, null];
    }
    """,
    Output(ID("file"), "data", allow_duplicate=True),
    Output(ID("too-large"), "children"),
    Output(ID("too-large"), "is_open"),
    Output(ID("upload"), "contents"),
    Input(ID("upload"), "contents"),
    State(ID("upload"), "filename"),
    State(ID("limits"), "data"),
    prevent_initial_call=True,
)


def _sheet_options(sheets: list[str], titles: dict[str, str]) -> list[dict[str, str]]:
    """The sheets to choose from, each with its table's title when it has one."""
    options = []
    for sheet in sheets:
        title = titles.get(sheet, "")
        if title.startswith(sheet.strip()):
            title = title[len(sheet.strip()):].strip(" :-–")
        label = f"{sheet} — {title[:80]}" if title else sheet
        options.append({"label": label, "value": sheet})
    return options


def _default_name(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return " ".join(stem.replace("_", " ").replace("-", " ").split())[:200] or filename


def _discard(settings: Any, actor: Any, previous: dict | None) -> None:
    """Forget the file analysed before, now that another one replaces it."""
    if previous and previous.get("token"):
        try:
            service.discard_staged(settings, actor, previous["token"])
        except DatasetError:
            pass


@callback(
    Output(ID("staged"), "data", allow_duplicate=True),
    Output(ID("preview"), "children", allow_duplicate=True),
    Output(ID("sample-wrap"), "children", allow_duplicate=True),
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("header"), "value", allow_duplicate=True),
    Input(ID("reanalyse"), "n_clicks"),
    State(ID("staged"), "data"),
    State(ID("sheet"), "value"),
    State(ID("header"), "value"),
    State(ID("keep-totals"), "value"),
    State(ID("unpivot"), "value"),
    *FIELD_STATES,
    prevent_initial_call=True,
)
def reanalyse(n_clicks, store, sheet, header, keep_totals, unpivot, ids, names, labels,  # noqa: ANN001, ANN201, PLR0913
              descriptions, types):
    """Analyse the staged file again with the edited types, names, sheet, header row and
    the choice of keeping total rows."""
    actor, locale, settings = runtime.actor(), runtime.locale(), runtime.settings()
    ensure(actor, "create", "datasets")
    if not n_clicks or not store:
        raise dash.exceptions.PreventUpdate
    columns = _columns(ids, names, labels, descriptions, types)
    options = options_from_form(store, sheet, header, columns, keep_totals, unpivot)
    try:
        staged = service.restage(settings, actor, store["token"], options)
    except DatasetError as exc:
        no = dash.no_update
        return no, no, no, error_alert(exc, locale, ID("error")), no
    detected = store.get("detected", {}) if _same_table(store, options) else {}
    return (_store(staged, options, detected), _preview(staged, options, locale),
            _sample(staged, locale), None, staged.result.source.get("header_row"))


@callback(
    Output(ID("go"), "href"),
    Output(ID("message"), "children", allow_duplicate=True),
    Input(ID("save"), "n_clicks"),
    State(ID("staged"), "data"),
    State(ID("name"), "value"),
    State(ID("description"), "value"),
    State(ID("sheet"), "value"),
    State(ID("header"), "value"),
    State(ID("keep-totals"), "value"),
    State(ID("unpivot"), "value"),
    *FIELD_STATES,
    prevent_initial_call=True,
)
def save(n_clicks, store, name, description, sheet, header, keep_totals, unpivot, ids,  # noqa: ANN001, ANN201, PLR0913
         names, labels, descriptions, types):
    """Save the staged file as a dataset with the chosen options, then open it."""
    actor, locale, settings = runtime.actor(), runtime.locale(), runtime.settings()
    ensure(actor, "create", "datasets")
    if not n_clicks or not store:
        raise dash.exceptions.PreventUpdate
    columns = _columns(ids, names, labels, descriptions, types)
    options = options_from_form(store, sheet, header, columns, keep_totals, unpivot)
    try:
        with runtime.db().session() as s:
            ds = service.save_staged(s, settings, actor, store["token"], name or "", options,
                                     description or "")
            audit.record(s, actor, "dataset_created", "dataset", ds.id, {"kind": ds.kind},
                         runtime.client_address())
            dataset_id = ds.id
    except DatasetError as exc:
        return dash.no_update, error_alert(exc, locale, ID("error"))
    return f"/datasets/{dataset_id}", None


@callback(
    Output(ID("go"), "href", allow_duplicate=True),
    Output(ID("url-message"), "children"),
    Input(ID("url-submit"), "n_clicks"),
    State(ID("url"), "value"),
    State(ID("url-name"), "value"),
    State(ID("url-hours"), "value"),
    prevent_initial_call=True,
)
def create_from_url(n_clicks, url, name, hours):  # noqa: ANN001, ANN201
    """Fetch a file from a web address and save it as a refreshable dataset."""
    actor, locale, settings = runtime.actor(), runtime.locale(), runtime.settings()
    ensure(actor, "create", "datasets")
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    refresh = _hours(hours)
    if refresh is False:
        return dash.no_update, dbc.Alert(t("ds.new.bad_hours", locale), color="danger",
                                         id=ID("url-error"))
    try:
        with runtime.db().session() as s:
            ds = service.create_from_url(s, settings, actor, (url or "").strip(), name or "",
                                         refresh or None)
            audit.record(s, actor, "dataset_created", "dataset", ds.id, {"kind": ds.kind},
                         runtime.client_address())
            dataset_id = ds.id
    except DatasetError as exc:
        return dash.no_update, error_alert(exc, locale, ID("url-error"))
    return f"/datasets/{dataset_id}", None


def _hours(value: Any) -> int | None | bool:
    """Hours between refreshes; None when not asked; False when not a valid number."""
    if value in (None, ""):
        return None
    try:
        hours = int(value)
    except (TypeError, ValueError):
        return False
    return hours if 1 <= hours <= 24 * 31 else False


@callback(
    Output(ID("go"), "href", allow_duplicate=True),
    Output(ID("sql-message"), "children"),
    Input(ID("sql-submit"), "n_clicks"),
    State(ID("sql-url"), "value"),
    State(ID("sql-table"), "value"),
    State(ID("sql-schema"), "value"),
    State(ID("sql-name"), "value"),
    prevent_initial_call=True,
)
def create_from_sql(n_clicks, url, table, schema, name):  # noqa: ANN001, ANN201
    """Check that the table can be read, save it as a dataset, then open it."""
    actor, locale = runtime.actor(), runtime.locale()
    ensure(actor, "manage", "connections")
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    url, table, schema = (url or "").strip(), (table or "").strip(), (schema or "").strip()
    if not url or not table:
        return dash.no_update, dbc.Alert(t("ds.new.sql_missing", locale), color="danger",
                                         id=ID("sql-error"))
    try:
        with runtime.db().session() as s:
            ds = service.create_sql_dataset(s, actor, name or "", url, table, schema or None)
            audit.record(s, actor, "dataset_created", "dataset", ds.id, {"kind": ds.kind},
                         runtime.client_address())
            dataset_id = ds.id
    except DatasetError as exc:
        return dash.no_update, _sql_error(exc, url, locale)
    return f"/datasets/{dataset_id}", None


def _sql_error(exc: DatasetError, url: str, locale: str) -> dbc.Alert:
    """A clear alert for a connection that failed, never repeating the URL's password."""
    url_problems = ("", "ArgumentError", "NoSuchModuleError")  # malformed URL, unknown driver
    if exc.code == "sql.unreachable" and exc.params.get("detail", "") in url_problems:
        text = t("ds.new.sql_bad_url", locale)
    else:
        text = exc.message(locale)
    password = _password_of(url)
    if password:
        text = text.replace(password, "***")
    return dbc.Alert([html.Strong(t("ds.new.sql_error_title", locale)), html.Div(text)],
                     color="danger", id=ID("sql-error"))


def _password_of(url: str) -> str:
    """The password written in a connection URL ("" when none or unreadable)."""
    try:
        return make_url(url).password or ""
    except (ArgumentError, ValueError):
        return ""
