"""Tile editor: pick a dataset and a kind, fill a form of fitting fields, watch the preview."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html

from studio import runtime
from studio.components.messages import AGG_LABELS
from studio.components.render import render_tile
from studio.i18n import register, t
from studio.pages._ids import cid
from studio.pages._tile_form import (
    COLUMN_DEFAULTS,
    FORM_DEFAULTS,
    REQUIRED,
    form_to_spec,
    measure_key,
    placeholders,
    spec_to_form,
    table_values,
    validate_tile,
)
from studio.pages._titles import document_title
from studio.security.policy import allowed, ensure
from studio.services import datasets as dataset_service
from studio.services import tile_editing
from studio.services.tiles import run_tile_queries
from studio.spec import GRAINS, fields_for_slot
from studio.spec.messages import location_text
from studio.store import NotFound, StaleRevision
from studio.store import datasets as ds_repo
from studio.store.sharing import visible_datasets

dash.register_page(
    __name__,
    path_template="/dashboards/<dashboard_id>/tiles/<tile_id>",
    title=document_title("dashboard", "dashboard_id", "title.tile", "title.tile_named"),
    name="tile_editor",
    order=11,
)


def _story_layout(
    story_id: str = "", tile_id: str = "new", chapter: str = "", **_kwargs: Any
) -> html.Div:
    """The editor for tile `tile_id` of a story's draft (a new tile joins `chapter`)."""
    return _layout_for("story", story_id, tile_id, chapter or None)


dash.register_page(
    __name__ + ".story",
    path_template="/stories/<story_id>/tiles/<tile_id>",
    title=document_title("story", "story_id", "title.tile", "title.tile_named"),
    name="story_tile_editor",
    order=13,
    layout=_story_layout,
)

ID = lambda name: cid("te", name)  # noqa: E731

register(
    {
        "te.heading": ("Éditeur de tuile", "Tile editor"),
        "te.dataset": ("Jeu de données", "Dataset"),
        "te.kind": ("Type de tuile", "Tile kind"),
        "te.kind.chart": ("Graphique", "Chart"),
        "te.kind.map": ("Carte", "Map"),
        "te.kind.kpi": ("Indicateur clé", "KPI"),
        "te.kind.table": ("Tableau", "Table"),
        "te.kind.text": ("Texte", "Text"),
        "te.title": ("Titre", "Title"),
        "te.subtitle": ("Sous-titre", "Subtitle"),
        "te.source": ("Source (ex. : Source : CAF, 2024)", "Source (e.g. Source: CAF, 2024)"),
        "te.notes": ("Notes", "Notes"),
        "te.measures": ("Valeur(s) à calculer", "Value(s) to compute"),
        "te.agg": ("Calcul", "Aggregate"),
        "te.format": ("Format des nombres", "Number format"),
        "te.format_style": ("Format des nombres", "Number format"),
        "te.col.format": ("Format", "Format"),
        "te.col.decimals": ("Décimales", "Decimals"),
        "te.col.unit": ("Unité", "Unit"),
        "te.required": ("$field : à choisir", "$field: to choose"),
        "te.problem": ("$where : $what", "$where: $what"),
        "te.unit": ("Unité (ex. : €, foyers)", "Unit (e.g. €, households)"),
        "te.decimals": ("Décimales (vide : automatique)", "Decimals (empty: automatic)"),
        "te.compact": ("Abréger (1,2 M, 12,3 k)", "Abbreviate (1.2M, 12.3k)"),
        "te.secondary": ("Courbe(s) sur le 2ᵉ axe", "Line(s) on the second axis"),
        "te.x_measure": ("Valeur horizontale", "Horizontal value"),
        "te.size_measure": ("Taille des bulles", "Bubble size"),
        "te.markers": ("Afficher les points", "Show markers"),
        "te.others": ("Regrouper le reste dans « Autres »", "Gather the rest into 'Others'"),
        "te.palette": ("Couleurs", "Colours"),
        "te.x_title": ("Titre de l'axe horizontal", "Horizontal axis title"),
        "te.y_title": ("Titre de l'axe vertical", "Vertical axis title"),
        "te.y2_title": ("Titre du 2ᵉ axe", "Second axis title"),
        "te.ref_label": ("Libellé de la ligne", "Line label"),
        "te.breaks": (
            "Limites des classes (ex. : 1000 ; 5000 ; 10 000)",
            "Class limits (e.g. 1000; 5000; 10000)",
        ),
        "te.map_palette": ("Couleurs", "Colours"),
        "te.legend": ("Afficher la légende", "Show the legend"),
        "te.label_field": ("Nom des points (bulles d'info)", "Point names (popups)"),
        "te.size_by_value": ("Taille selon la valeur", "Size by value"),
        "te.color_by_value": ("Couleur selon la valeur", "Colour by value"),
        "te.change_as": ("Évolution en", "Change as"),
        "te.sparkline": ("Courbe de tendance", "Trend sparkline"),
        "te.ref_territory_label": (
            "Territoire de référence : nom (ex. : France)",
            "Reference territory: name (e.g. France)",
        ),
        "te.target_label": ("Libellé de l'objectif", "Target label"),
        "te.page_size": ("Lignes par page (vide : toutes)", "Rows per page (empty: all)"),
        "te.column_settings": ("Colonnes de valeurs", "Value columns"),
        "te.col.label": ("Libellé", "Label"),
        "te.col.rule": ("Colorier si", "Colour when"),
        "te.col.rule_value": ("valeur(s)", "value(s)"),
        "te.col.rule_color": ("couleur", "colour"),
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
        "te.save_story": ("Enregistrer dans le récit", "Save to the story"),
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
        "te.not_found_story": (
            "Récit ou tuile introuvable, ou vous ne pouvez pas le modifier.",
            "Story or tile not found, or you cannot edit it.",
        ),
        "te.none": ("(aucun)", "(none)"),
        "te.count": ("Nombre de lignes", "Count"),
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
        "manual": ("Limites choisies", "Manual breaks"),
    },
    "palette": {
        "okabe_ito": ("Okabe-Ito (lisible par tous)", "Okabe-Ito (colour-blind safe)"),
        "tableau10": ("Tableau 10", "Tableau 10"),
        "blues": ("Bleus", "Blues"),
        "greens": ("Verts", "Greens"),
        "oranges": ("Oranges", "Oranges"),
        "viridis": ("Viridis (lisible par tous)", "Viridis (colour-blind safe)"),
    },
    "map_palette": {
        "blues": ("Bleus", "Blues"),
        "greens": ("Verts", "Greens"),
        "oranges": ("Oranges", "Oranges"),
        "purples": ("Violets", "Purples"),
        "viridis": ("Viridis (lisible par tous)", "Viridis (colour-blind safe)"),
    },
    "change_as": {
        "percent": ("Pourcentage", "Percentage"),
        "absolute": ("Valeur", "Value"),
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
    "x_measure",
    "size_measure",
    "code_field",
    "lat",
    "lon",
    "label_field",
    "period_field",
    "ref_field",
    "boundary_code",
    "boundary_name",
)
MULTI_DROPDOWNS = ("measures", "secondary", "group_columns")
SECTIONS = {
    "chart": (
        "chart_type",
        "dimension",
        "series",
        "secondary",
        "x_measure",
        "size_measure",
        "mode",
        "markers",
        "sort",
        "top_n",
        "others",
        "palette",
        "x_title",
        "y_title",
        "y2_title",
        "show_values",
        "ref_kind",
        "ref_value",
        "ref_label",
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
        "breaks",
        "map_palette",
        "legend",
        "lat",
        "lon",
        "label_field",
        "cluster",
        "size_by_value",
        "color_by_value",
    ),
    "kpi": (
        "period_field",
        "compare",
        "change_as",
        "good_direction",
        "sparkline",
        "ref_field",
        "ref_territory",
        "ref_territory_label",
        "target",
        "target_label",
    ),
    "table": ("group_columns", "column_settings", "totals", "page_size"),
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
    "secondary": ("chart", "secondary"),
    "x_measure": ("chart", "x_measure"),
    "size_measure": ("chart", "size_measure"),
    "label_field": ("map", "label_field"),
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
CHECKBOXES = (
    "show_values",
    "markers",
    "others",
    "compact",
    "legend",
    "cluster",
    "size_by_value",
    "color_by_value",
    "sparkline",
    "totals",
)
VALUE_PROP = {**{k: "value" for k in CHECKBOXES}, "column_settings": "data", "kept": "data"}
CHART_ONLY = {
    "secondary": ("combo",),
    "y2_title": ("combo",),
    "x_measure": ("scatter",),
    "size_measure": ("scatter",),
    "markers": ("line", "area", "combo"),
    "mode": ("column", "bar", "area"),
}
"""Chart rows shown only for some chart types."""


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
    if key in CHECKBOXES:
        return dbc.Checkbox(id=ID(key), value=bool(value), label=t(f"te.{key}", locale))
    if key == "column_settings":
        return html.Div([dcc.Store(id=ID(key), data=value), html.Div(id=ID("columns"))])
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
    if key in ("top_n", "ref_value", "classes_n", "target", "decimals", "page_size"):
        return dbc.Input(id=ID(key), type="number", value=value, debounce=True)
    return dbc.Input(id=ID(key), value=value or "", debounce=True)


def _row(key: str, locale: str, value: Any) -> html.Div:
    control = _control(key, locale, value)
    if key in CHECKBOXES:
        return html.Div(control, className="mb-2", id=ID(f"row-{key}"))
    if key == "markdown":
        control = html.Div([control, html.P(id=ID("placeholders"), className="small text-muted")])
    return html.Div(
        [dbc.Label(t(f"te.{key}", locale), html_for=ID(key)), control],
        className="mb-2",
        id=ID(f"row-{key}"),
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
    return _layout_for("dashboard", dashboard_id, tile_id, None)


def _layout_for(kind: str, doc_id: str, tile_id: str, chapter: str | None) -> html.Div:
    actor, locale = runtime.actor(), runtime.locale()
    try:
        context = tile_editing.open_tile(runtime.db(), actor, int(doc_id), tile_id, kind, chapter)
    except (ValueError, NotFound, PermissionError):
        key = "te.not_found_story" if kind == "story" else "te.not_found"
        return dbc.Alert(t(key, locale), color="warning", id=ID("not-found"))
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
        [_row(k, locale, form[k]) for k in ("format_style", "decimals", "compact", "unit")],
        id=ID("section-format"),
        style={"display": "none"} if form["kind"] == "table" else {},
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
                    "kind": context.kind,
                    "chapter": context.chapter,
                },
            ),
            dcc.Store(id=ID("spec")),
            dcc.Store(id=ID("kept"), data=form["kept"]),
            dcc.Location(id=ID("go"), refresh=True),
            html.H1(t("te.heading", locale), className="h3"),
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
                                t("te.save_story" if kind == "story" else "te.save", locale),
                                id=ID("save"),
                                n_clicks=0,
                                className="mt-2 me-2",
                            ),
                            dcc.Link(
                                t("te.cancel", locale),
                                href=tile_editing.edit_url(kind, context.dashboard_id),
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


PROBLEM_FIELDS = {
    "dataset": "dataset",
    "dimension": "dimension",
    "measures": "measures",
    "measure": "measures",
    "secondary": "secondary",
    "x_measure": "x_measure",
    "period_field": "period_field",
    "code_field": "code_field",
    "boundaries": "boundary_dataset",
    "lat_field": "lat",
    "lon_field": "lon",
    "columns": "group_columns",
}
"""Spec paths of problems -> the form row to fill in."""


def problem_text(problem: str, locale: str) -> str:
    """A problem from `validate_tile` with its place in the form's words: the form row when
    the problem is about one, else the spec path said in words."""
    where, _, what = problem.partition(": ")
    key = PROBLEM_FIELDS.get(where.split(".")[0])
    if what == REQUIRED and key:
        return t("te.required", locale, field=t(f"te.{key}", locale))
    if where == "tile":
        return what
    place = t(f"te.{key}", locale) if key and "." not in where else location_text(where, locale)
    return t("te.problem", locale, where=place, what=what)


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


def _with_chosen(
    options: list[dict[str, str]], chosen: Any, schema: dict[str, str]
) -> list[dict[str, str]]:
    """`options` plus the chosen fields they lack that the dataset still has."""
    offered = {o["value"] for o in options}
    values = chosen if isinstance(chosen, list) else [chosen]
    extra = [v for v in values if isinstance(v, str) and v in schema and v not in offered]
    return options + [{"label": v, "value": v} for v in extra]


def _field_options(
    schema: dict[str, str], kind: str, slot: str, agg: str | None
) -> list[dict[str, str]]:
    return [{"label": name, "value": name} for name in fields_for_slot(kind, slot, schema, agg)]


@callback(
    *[Output(ID(k), "options") for k in (*FIELD_DROPDOWNS, *MULTI_DROPDOWNS, "boundary_dataset")],
    *[Output(ID(f"section-{name}"), "style") for name in SECTIONS],
    Output(ID("section-format"), "style"),
    *[Output(ID(f"row-{key}"), "style") for key in CHART_ONLY],
    Input(ID("dataset"), "value"),
    Input(ID("kind"), "value"),
    Input(ID("agg"), "value"),
    Input(ID("boundary_dataset"), "value"),
    Input(ID("chart_type"), "value"),
    *[State(ID(k), "value") for k in (*FIELD_DROPDOWNS, *MULTI_DROPDOWNS)],
)
def update_choices(dataset_id, kind, agg, boundary_id, chart_type, *chosen):  # noqa: ANN001, ANN201
    """Offer only the fields whose type fits each slot, and the rows of the chosen kind.

    A field already chosen stays offered while its dataset has it, even when it no longer
    fits (another aggregate, another kind): Dash's dropdown would otherwise empty it without
    a word; the preview says what does not fit instead.
    """
    actor = runtime.actor()
    ensure(actor, "create", "dashboards")
    kind = kind or "chart"
    schema = _schema(actor, dataset_id)
    boundary_schema = _schema(actor, boundary_id)
    options = []
    for key in FIELD_DROPDOWNS:
        if key in ("boundary_code", "boundary_name"):
            slot = "boundaries.code_field" if key == "boundary_code" else "boundaries.name_field"
            options.append(_field_options(boundary_schema, "map", slot, None))
        else:
            options.append(_field_options(schema, *SLOTS[key], agg))
    options.append(_field_options(schema, kind, MEASURE_SLOT.get(kind, "measures"), agg))
    options.append(_field_options(schema, *SLOTS["secondary"], agg))
    options.append(_field_options(schema, *SLOTS["group_columns"], None))
    keys = (*FIELD_DROPDOWNS, *MULTI_DROPDOWNS)
    options = [
        _with_chosen(opts, value, boundary_schema if key.startswith("boundary_") else schema)
        for key, opts, value in zip(keys, options, chosen or [None] * len(keys), strict=True)
    ]
    options.append(_boundary_options(actor))
    hidden = {"display": "none"}
    styles = [{} if kind in SECTION_KINDS[name] else hidden for name in SECTIONS]
    styles.append(hidden if kind == "table" else {})
    chart_type = chart_type or "column"
    styles += [{} if chart_type in types else hidden for types in CHART_ONLY.values()]
    return (*options, *styles)


COLUMN_PROPS = ("label", "style", "decimals", "unit", "rule_op", "rule_value", "rule_color")
RULE_OPS = ("", "<", "<=", ">", ">=", "=", "!=", "between")


def _column_id(prop: str, key: str) -> dict[str, str]:
    return {"type": f"te-col-{prop}", "col": key}


def _labelled(text: str, control: Any, grow: int = 1) -> html.Label:
    """A control inside its own label (pattern-matching ids cannot be named by `for`)."""
    return html.Label(
        [html.Span(text, className="small text-muted d-block"), control],
        className="mb-1 me-1",
        style={"flex": f"{grow} 1 0", "minWidth": "4em"},
    )


def _column_row(key: str, name: str, settings: dict[str, Any], locale: str) -> html.Fieldset:
    """The settings of one table value column: label, format, one colour rule."""
    s = {**COLUMN_DEFAULTS, **settings}
    styles = _options(CHOICES["format_style"], locale)
    ops = [{"label": op or t("te.none", locale), "value": op} for op in RULE_OPS]
    line = {"className": "d-flex flex-wrap align-items-end"}
    return html.Fieldset(
        [
            html.Legend(name, className="h6"),
            html.Div(
                [
                    _labelled(
                        t("te.col.label", locale),
                        dbc.Input(
                            id=_column_id("label", key), value=s["label"], debounce=True, size="sm"
                        ),
                        3,
                    ),
                    _labelled(
                        t("te.col.format", locale),
                        dbc.Select(
                            id=_column_id("style", key), value=s["style"], options=styles, size="sm"
                        ),
                        2,
                    ),
                    _labelled(
                        t("te.col.decimals", locale),
                        dbc.Input(
                            id=_column_id("decimals", key),
                            type="number",
                            value=s["decimals"],
                            debounce=True,
                            size="sm",
                            min=0,
                            max=6,
                        ),
                    ),
                    _labelled(
                        t("te.col.unit", locale),
                        dbc.Input(
                            id=_column_id("unit", key), value=s["unit"], debounce=True, size="sm"
                        ),
                        2,
                    ),
                ],
                **line,
            ),
            html.Div(
                [
                    _labelled(
                        t("te.col.rule", locale),
                        dbc.Select(
                            id=_column_id("rule_op", key),
                            value=s["rule_op"],
                            options=ops,
                            size="sm",
                        ),
                    ),
                    _labelled(
                        t("te.col.rule_value", locale),
                        dbc.Input(
                            id=_column_id("rule_value", key),
                            value=s["rule_value"],
                            debounce=True,
                            size="sm",
                        ),
                        2,
                    ),
                    _labelled(
                        t("te.col.rule_color", locale),
                        dbc.Input(
                            id=_column_id("rule_color", key),
                            type="color",
                            value=s["rule_color"],
                            size="sm",
                        ),
                    ),
                ],
                **line,
            ),
        ],
        className="border rounded p-2 mb-2 studio-column-settings",
    )


@callback(
    Output(ID("columns"), "children"),
    Input(ID("kind"), "value"),
    Input(ID("measures"), "value"),
    Input(ID("agg"), "value"),
    State(ID("column_settings"), "data"),
)
def column_rows(kind, measures, agg, settings):  # noqa: ANN001, ANN201
    """One settings block per value column of a table."""
    actor, locale = runtime.actor(), runtime.locale()
    ensure(actor, "create", "dashboards")
    if kind != "table":
        return []
    form = {**FORM_DEFAULTS, "measures": measures or [], "agg": agg or "sum"}
    values = table_values(form)
    settings = settings or {}
    return [
        _column_row(
            measure_key(v),
            v["field"] or t("te.count", locale),
            settings.get(measure_key(v), {}),
            locale,
        )
        for v in values
    ]


@callback(
    Output(ID("column_settings"), "data"),
    *[Input(_column_id(p, ALL), "value") for p in COLUMN_PROPS],
    State(_column_id("label", ALL), "id"),
    State(ID("column_settings"), "data"),
    prevent_initial_call=True,
)
def collect_columns(*args):  # noqa: ANN002, ANN201
    """The table column settings typed in the blocks, keeping rules the form does not show."""
    ensure(runtime.actor(), "create", "dashboards")
    *columns, ids, previous = args
    previous = previous or {}
    out: dict[str, Any] = {}
    for i, cid_ in enumerate(ids or []):
        key = cid_["col"]
        entry = {**COLUMN_DEFAULTS, **previous.get(key, {})}
        entry.update({p: columns[n][i] for n, p in enumerate(COLUMN_PROPS)})
        out[key] = entry
    if out == previous:
        raise dash.exceptions.PreventUpdate
    return out


@callback(
    Output(ID("placeholders"), "children"),
    Input(ID("measures"), "value"),
    Input(ID("agg"), "value"),
    State(ID("kept"), "data"),
)
def placeholder_hint(measures, agg, kept):  # noqa: ANN001, ANN201
    """The `{{name}}` placeholders the chosen values offer to the text."""
    locale = runtime.locale()
    ensure(runtime.actor(), "create", "dashboards")
    names = placeholders({"measures": measures or [], "agg": agg or "sum", "kept": kept or {}})
    if not names:
        return ""
    return t("te.placeholders", locale, names=", ".join("{{" + n + "}}" for n in names))


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
    tile, problems = validate_tile(form_to_spec(tile_id, form), locale)
    if tile is None:
        return dbc.Alert(
            [
                html.P(t("te.todo", locale)),
                html.Ul([html.Li(problem_text(p, locale)) for p in dict.fromkeys(problems)]),
            ],
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
    kind = context.get("kind") or "dashboard"
    chapter = context.get("chapter")
    try:
        dashboard_id = tile_editing.save_tile(
            runtime.db(),
            actor,
            int(context["dashboard"]),
            spec,
            int(context["version"]),
            kind,
            chapter if isinstance(chapter, str) else None,
            locale,
        )
    except StaleRevision as exc:
        return dbc.Alert(
            tile_editing.stale_message(exc, locale, kind), color="danger"
        ), dash.no_update
    except tile_editing.TileSaveError as exc:
        return dbc.Alert(exc.message, color="danger"), dash.no_update
    return dbc.Alert(t("te.saved", locale), color="success"), tile_editing.edit_url(
        kind, dashboard_id
    )
