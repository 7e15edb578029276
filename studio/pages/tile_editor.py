"""Tile editor: pick a dataset and a kind, fill a form of fitting fields, watch the preview."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from studio import runtime
from studio.components.render import render_tile
from studio.i18n import register, t
from studio.pages._ids import cid
from studio.pages._tile_form import FORM_DEFAULTS, form_to_spec, spec_to_form, validate_tile
from studio.security.policy import allowed, ensure
from studio.services import datasets as dataset_service
from studio.services import tile_editing
from studio.services.tiles import run_tile_queries
from studio.spec import GRAINS, fields_for_slot
from studio.store import NotFound, StaleRevision
from studio.store import datasets as ds_repo
from studio.store.sharing import visible_datasets

dash.register_page(
    __name__,
    path_template="/dashboards/<dashboard_id>/tiles/<tile_id>",
    title="Éditeur de tuile · Studio",
    name="tile_editor",
    order=11,
)

ID = lambda name: cid("te", name)  # noqa: E731

register(
    {
        "te.title": ("Éditeur de tuile", "Tile editor"),
        "te.dataset": ("Jeu de données", "Dataset"),
        "te.kind": ("Type de tuile", "Tile kind"),
        "te.kind.chart": ("Graphique", "Chart"),
        "te.kind.map": ("Carte", "Map"),
        "te.kind.kpi": ("Indicateur clé", "KPI"),
        "te.kind.table": ("Tableau", "Table"),
        "te.kind.text": ("Texte", "Text"),
        "te.tile_title": ("Titre", "Title"),
        "te.subtitle": ("Sous-titre", "Subtitle"),
        "te.source": ("Source (ex. : Source : CAF, 2024)", "Source (e.g. Source: CAF, 2024)"),
        "te.notes": ("Notes", "Notes"),
        "te.measures": ("Valeur(s) à calculer", "Value(s) to compute"),
        "te.agg": ("Calcul", "Aggregate"),
        "te.format": ("Format des nombres", "Number format"),
        "te.unit": ("Unité (ex. : €, foyers)", "Unit (e.g. €, households)"),
        "te.chart_type": ("Type de graphique", "Chart type"),
        "te.dimension": ("Axe / catégories", "Axis / categories"),
        "te.grain": ("Regrouper les dates par", "Group dates by"),
        "te.series": ("Séries (couleurs)", "Series (colours)"),
        "te.mode": ("Empilement", "Stacking"),
        "te.sort": ("Tri", "Sort"),
        "te.top_n": ("N premiers (+ « Autres »)", "Top N (+ 'Others')"),
        "te.show_values": ("Afficher les valeurs", "Show values"),
        "te.ref_kind": ("Ligne de référence", "Reference line"),
        "te.ref_value": ("Valeur cible", "Target value"),
        "te.layer": ("Type de carte", "Map type"),
        "te.code_field": ("Code géographique", "Geographic code"),
        "te.boundary_dataset": ("Contours (jeu GeoJSON)", "Boundaries (GeoJSON dataset)"),
        "te.boundary_code": ("Code dans les contours", "Code in the boundaries"),
        "te.boundary_name": ("Nom dans les contours", "Name in the boundaries"),
        "te.classes_method": ("Classes", "Classes"),
        "te.classes_n": ("Nombre de classes", "Number of classes"),
        "te.lat": ("Latitude", "Latitude"),
        "te.lon": ("Longitude", "Longitude"),
        "te.cluster": ("Regrouper les points proches", "Cluster nearby points"),
        "te.period_field": ("Champ de période", "Period field"),
        "te.compare": ("Comparer avec", "Compare with"),
        "te.good_direction": ("Une hausse est", "A rise is"),
        "te.ref_field": ("Territoire de référence : champ", "Reference territory: field"),
        "te.ref_territory": ("Territoire de référence : code", "Reference territory: code"),
        "te.target": ("Objectif", "Target"),
        "te.group_columns": ("Colonnes de regroupement", "Grouping columns"),
        "te.totals": ("Ligne de total", "Totals row"),
        "te.markdown": (
            "Texte (markdown ; {{nom}} insère une valeur calculée)",
            "Text (markdown; {{name}} inserts a computed value)",
        ),
        "te.placeholders": ("Valeurs disponibles : $names", "Available values: $names"),
        "te.preview": ("Aperçu", "Preview"),
        "te.todo": ("À compléter pour afficher l'aperçu :", "To complete to see the preview:"),
        "te.save": ("Enregistrer dans le tableau de bord", "Save to the dashboard"),
        "te.cancel": ("Annuler", "Cancel"),
        "te.saved": ("Tuile enregistrée.", "Tile saved."),
        "te.no_dataset": (
            "Aucun jeu de données disponible : importez-en un d'abord.",
            "No dataset available: import one first.",
        ),
        "te.not_found": (
            "Tableau de bord introuvable, ou vous ne pouvez pas le modifier.",
            "Dashboard not found, or you cannot edit it.",
        ),
        "te.none": ("(aucun)", "(none)"),
    }
)

CHART_TYPES = ("column", "bar", "line", "area", "pie", "donut", "scatter", "combo", "treemap")
CHART_LABELS = {
    "column": ("Colonnes", "Columns"),
    "bar": ("Barres", "Bars"),
    "line": ("Courbe", "Line"),
    "area": ("Aires", "Area"),
    "pie": ("Camembert", "Pie"),
    "donut": ("Anneau", "Donut"),
    "scatter": ("Nuage de points", "Scatter"),
    "combo": ("Barres + courbe", "Bars + line"),
    "treemap": ("Carte proportionnelle", "Treemap"),
}
AGG_LABELS = {
    "sum": ("Somme", "Sum"),
    "avg": ("Moyenne", "Average"),
    "count": ("Nombre de lignes", "Count"),
    "count_distinct": ("Nombre de valeurs distinctes", "Distinct count"),
    "min": ("Minimum", "Minimum"),
    "max": ("Maximum", "Maximum"),
    "median": ("Médiane", "Median"),
}
GRAIN_LABELS = {
    "day": ("Jour", "Day"),
    "week": ("Semaine", "Week"),
    "month": ("Mois", "Month"),
    "quarter": ("Trimestre", "Quarter"),
    "year": ("Année", "Year"),
}
CHOICES: dict[str, dict[str, tuple[str, str]]] = {
    "mode": {
        "grouped": ("Côte à côte", "Side by side"),
        "stacked": ("Empilé", "Stacked"),
        "percent": ("Empilé 100 %", "100% stacked"),
    },
    "sort": {
        "none": ("Ordre naturel", "Natural order"),
        "value_desc": ("Décroissant", "Descending"),
        "value_asc": ("Croissant", "Ascending"),
        "label": ("Alphabétique", "Alphabetical"),
    },
    "ref_kind": {
        "none": ("Aucune", "None"),
        "average": ("Moyenne", "Average"),
        "target": ("Cible", "Target"),
    },
    "layer": {
        "choropleth": ("Territoires colorés", "Coloured areas"),
        "points": ("Points", "Points"),
    },
    "classes_method": {
        "quantiles": ("Quantiles", "Quantiles"),
        "equal": ("Intervalles égaux", "Equal intervals"),
    },
    "compare": {
        "previous": ("Période précédente", "Previous period"),
        "year_ago": ("Même période un an avant", "Same period a year earlier"),
        "none": ("Pas de comparaison", "No comparison"),
    },
    "good_direction": {
        "up": ("Une bonne nouvelle", "Good news"),
        "down": ("Une mauvaise nouvelle", "Bad news"),
        "neutral": ("Neutre", "Neutral"),
    },
    "format_style": {
        "number": ("Nombre", "Number"),
        "percent": ("Pourcentage", "Percentage"),
        "currency": ("Euros", "Euros"),
    },
}

# form key -> (component kind, section); sections are shown for the kinds that use them
FIELD_DROPDOWNS = (
    "dimension",
    "series",
    "code_field",
    "lat",
    "lon",
    "period_field",
    "ref_field",
    "boundary_code",
    "boundary_name",
)
MULTI_DROPDOWNS = ("measures", "group_columns")
SECTIONS = {
    "chart": (
        "chart_type",
        "dimension",
        "series",
        "mode",
        "sort",
        "top_n",
        "show_values",
        "ref_kind",
        "ref_value",
    ),
    "time": ("grain",),
    "map": (
        "layer",
        "code_field",
        "boundary_dataset",
        "boundary_code",
        "boundary_name",
        "classes_method",
        "classes_n",
        "lat",
        "lon",
        "cluster",
    ),
    "kpi": ("period_field", "compare", "good_direction", "ref_field", "ref_territory", "target"),
    "table": ("group_columns", "totals"),
    "text": ("markdown",),
}
SECTION_KINDS = {
    "chart": ("chart",),
    "time": ("chart", "kpi"),
    "map": ("map",),
    "kpi": ("kpi",),
    "table": ("table",),
    "text": ("text",),
}
SLOTS = {
    "dimension": ("chart", "dimension"),
    "series": ("chart", "series"),
    "code_field": ("map", "code_field"),
    "lat": ("map", "lat_field"),
    "lon": ("map", "lon_field"),
    "period_field": ("kpi", "period_field"),
    "ref_field": ("kpi", "reference.field"),
    "group_columns": ("table", "columns.group"),
}
MEASURE_SLOT = {
    "chart": "measures",
    "map": "measure",
    "kpi": "measure",
    "table": "columns.measure",
    "text": "values",
}
VALUE_PROP = {"show_values": "value", "cluster": "value", "totals": "value"}


def _pair(pair: tuple[str, str], locale: str) -> str:
    return pair[1] if locale == "en" else pair[0]


def _options(labels: dict[str, tuple[str, str]], locale: str) -> list[dict[str, str]]:
    return [{"label": _pair(v, locale), "value": k} for k, v in labels.items()]


def _control(key: str, locale: str, value: Any) -> Any:
    """The input component for one form key."""
    if key in FIELD_DROPDOWNS or key in MULTI_DROPDOWNS or key == "boundary_dataset":
        return dcc.Dropdown(
            id=ID(key),
            value=value,
            multi=key in MULTI_DROPDOWNS,
            options=[],
            placeholder=t("te.none", locale),
        )
    if key in VALUE_PROP:
        return dbc.Checkbox(id=ID(key), value=bool(value), label=t(f"te.{key}", locale))
    if key == "chart_type":
        return dbc.Select(id=ID(key), value=value, options=_options(CHART_LABELS, locale))
    if key == "agg":
        return dbc.Select(id=ID(key), value=value, options=_options(AGG_LABELS, locale))
    if key == "grain":
        opts = [{"label": t("te.none", locale), "value": ""}]
        opts += [{"label": _pair(GRAIN_LABELS[g], locale), "value": g} for g in GRAINS]
        return dbc.Select(id=ID(key), value=value or "", options=opts)
    if key in CHOICES:
        return dbc.Select(id=ID(key), value=value, options=_options(CHOICES[key], locale))
    if key == "markdown":
        return dbc.Textarea(id=ID(key), value=value, rows=6, debounce=True)
    if key in ("top_n", "ref_value", "classes_n", "target"):
        return dbc.Input(id=ID(key), type="number", value=value, debounce=True)
    return dbc.Input(id=ID(key), value=value or "", debounce=True)


def _row(key: str, locale: str, value: Any) -> html.Div:
    control = _control(key, locale, value)
    if key in VALUE_PROP:
        return html.Div(control, className="mb-2")
    return html.Div(
        [dbc.Label(t(f"te.{key}", locale), html_for=ID(key)), control], className="mb-2"
    )


def _section(name: str, keys: tuple[str, ...], form: dict[str, Any], locale: str) -> html.Div:
    visible = form["kind"] in SECTION_KINDS[name]
    return html.Div(
        [_row(k, locale, form[k]) for k in keys],
        id=ID(f"section-{name}"),
        style={} if visible else {"display": "none"},
    )


def _dataset_options(actor: Any) -> list[dict[str, Any]]:
    with runtime.db().session() as s:
        return [{"label": ds.name, "value": ds.id} for ds in visible_datasets(s, actor)]


def _boundary_options(actor: Any) -> list[dict[str, Any]]:
    """Datasets the actor may view that hold outlines (a geometry field), in one session."""
    with runtime.db().session() as s:
        return [
            {"label": ds.name, "value": ds.id}
            for ds in visible_datasets(s, actor)
            if any(f.get("type") == "geometry" for f in ds.fields)
        ]


def layout(dashboard_id: str = "", tile_id: str = "new", **_kwargs: Any) -> html.Div:
    """The editor for tile `tile_id` ("new" for a new one) of a dashboard's draft."""
    actor, locale = runtime.actor(), runtime.locale()
    try:
        context = tile_editing.open_tile(runtime.db(), actor, int(dashboard_id), tile_id)
    except (ValueError, NotFound, PermissionError):
        return dbc.Alert(t("te.not_found", locale), color="warning", id=ID("not-found"))
    form = spec_to_form(context.tile) if context.tile is not None else dict(FORM_DEFAULTS)
    datasets = _dataset_options(actor)
    if form["dataset"] is None and datasets:
        form["dataset"] = datasets[0]["value"]
    common = html.Div(
        [
            html.Div(
                [
                    dbc.Label(t("te.dataset", locale), html_for=ID("dataset")),
                    dcc.Dropdown(
                        id=ID("dataset"), options=datasets, value=form["dataset"], clearable=False
                    ),
                ],
                className="mb-2",
            ),
            dbc.Label(t("te.kind", locale)),
            dbc.RadioItems(
                id=ID("kind"),
                value=form["kind"],
                inline=True,
                className="mb-2",
                options=[
                    {"label": t(f"te.kind.{k}", locale), "value": k}
                    for k in ("chart", "map", "kpi", "table", "text")
                ],
            ),
            *[_row(k, locale, form[k]) for k in ("title", "subtitle", "source", "notes")],
            _row("measures", locale, form["measures"]),
            _row("agg", locale, form["agg"]),
        ]
    )
    sections = [_section(name, keys, form, locale) for name, keys in SECTIONS.items()]
    formats = html.Div(
        [_row("format_style", locale, form["format_style"]), _row("unit", locale, form["unit"])]
    )
    empty = [] if datasets else [dbc.Alert(t("te.no_dataset", locale), color="info")]
    return html.Div(
        [
            dcc.Store(
                id=ID("context"),
                data={
                    "dashboard": context.dashboard_id,
                    "tile": context.tile_id,
                    "version": context.version,
                },
            ),
            dcc.Store(id=ID("spec")),
            dcc.Location(id=ID("go"), refresh=True),
            html.H1(t("te.title", locale), className="h3"),
            *empty,
            dbc.Row(
                [
                    dbc.Col(html.Div([common, *sections, formats], id=ID("form")), md=4),
                    dbc.Col(
                        [
                            html.H2(t("te.preview", locale), className="h5"),
                            dcc.Loading(
                                html.Div(id=ID("preview"), className="border rounded p-2 bg-white")
                            ),
                            html.Div(id=ID("message"), className="mt-2", role="status"),
                            dbc.Button(
                                t("te.save", locale),
                                id=ID("save"),
                                n_clicks=0,
                                className="mt-2 me-2",
                            ),
                            dcc.Link(
                                t("te.cancel", locale),
                                href=f"/dashboards/{context.dashboard_id}/edit",
                                className="btn btn-link mt-2",
                            ),
                        ],
                        md=8,
                    ),
                ]
            ),
        ]
    )


FORM_INPUTS = [
    Input(ID(k), VALUE_PROP.get(k, "value")) for k in FORM_DEFAULTS if k not in ("dataset", "kind")
]


def _schema(actor: Any, dataset_id: Any) -> dict[str, str]:
    if not dataset_id:
        return {}
    with runtime.db().session() as s:
        try:
            ds = ds_repo.get_dataset(s, int(dataset_id))
        except NotFound:
            return {}
        if not allowed(actor, "view", ds):
            return {}
        return {f.name: f.type for f in dataset_service.fields_of(ds)}


def _field_options(
    schema: dict[str, str], kind: str, slot: str, agg: str | None
) -> list[dict[str, str]]:
    return [{"label": name, "value": name} for name in fields_for_slot(kind, slot, schema, agg)]


@callback(
    *[Output(ID(k), "options") for k in (*FIELD_DROPDOWNS, *MULTI_DROPDOWNS, "boundary_dataset")],
    *[Output(ID(f"section-{name}"), "style") for name in SECTIONS],
    Input(ID("dataset"), "value"),
    Input(ID("kind"), "value"),
    Input(ID("agg"), "value"),
    Input(ID("boundary_dataset"), "value"),
)
def update_choices(dataset_id, kind, agg, boundary_id):  # noqa: ANN001, ANN201
    """Offer only the fields whose type fits each slot of the chosen kind."""
    actor = runtime.actor()
    ensure(actor, "create", "dashboards")
    schema = _schema(actor, dataset_id)
    boundary_schema = _schema(actor, boundary_id)
    options = []
    for key in FIELD_DROPDOWNS:
        if key in ("boundary_code", "boundary_name"):
            slot = "boundaries.code_field" if key == "boundary_code" else "boundaries.name_field"
            options.append(_field_options(boundary_schema, "map", slot, None))
        else:
            options.append(_field_options(schema, *SLOTS[key], agg))
    options.append(
        _field_options(
            schema,
            "kpi" if kind == "kpi" else (kind or "chart"),
            MEASURE_SLOT.get(kind or "chart", "measures"),
            agg,
        )
    )
    options.append(_field_options(schema, *SLOTS["group_columns"], None))
    options.append(_boundary_options(actor))
    styles = [{} if kind in SECTION_KINDS[name] else {"display": "none"} for name in SECTIONS]
    return (*options, *styles)


@callback(
    Output(ID("preview"), "children"),
    Output(ID("spec"), "data"),
    Input(ID("dataset"), "value"),
    Input(ID("kind"), "value"),
    *FORM_INPUTS,
    State(ID("context"), "data"),
)
def preview(dataset_id, kind, *rest):  # noqa: ANN001, ANN201
    """Validate the form as a tile and draw it with the viewers' renderer."""
    actor, locale = runtime.actor(), runtime.locale()
    ensure(actor, "create", "dashboards")
    *values, context = rest
    keys = [k for k in FORM_DEFAULTS if k not in ("dataset", "kind")]
    form = dict(zip(keys, values, strict=True), dataset=dataset_id, kind=kind)
    tile_id = (context or {}).get("tile") or "t1"
    tile, problems = validate_tile(form_to_spec(tile_id, form))
    if tile is None:
        return dbc.Alert(
            [html.P(t("te.todo", locale)), html.Ul([html.Li(p) for p in problems])],
            color="light",
            className="border",
            id=ID("todo"),
        ), None
    with runtime.db().session() as s:
        data = run_tile_queries(
            s, runtime.settings(), runtime.service("query_cache"), actor, tile.queries(), locale
        )
    rendered = render_tile(
        tile, data.results, locale, settings=runtime.settings(), error=data.error, id_prefix="te"
    )
    return rendered, tile.model_dump(mode="json")


@callback(
    Output(ID("message"), "children"),
    Output(ID("go"), "href"),
    Input(ID("save"), "n_clicks"),
    State(ID("spec"), "data"),
    State(ID("context"), "data"),
    prevent_initial_call=True,
)
def save(n_clicks, spec, context):  # noqa: ANN001, ANN201
    """Put the tile into the dashboard's draft (a new revision), then go back to it."""
    actor, locale = runtime.actor(), runtime.locale()
    ensure(actor, "create", "dashboards")
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    if not spec or not context:
        return dbc.Alert(t("te.todo", locale), color="warning"), dash.no_update
    try:
        dashboard_id = tile_editing.save_tile(
            runtime.db(), actor, int(context["dashboard"]), spec, int(context["version"])
        )
    except StaleRevision as exc:
        return dbc.Alert(tile_editing.stale_message(exc, locale), color="danger"), dash.no_update
    except tile_editing.TileSaveError as exc:
        return dbc.Alert(exc.message, color="danger"), dash.no_update
    return dbc.Alert(t("te.saved", locale), color="success"), f"/dashboards/{dashboard_id}/edit"
