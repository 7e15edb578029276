"""The dataset catalogue: what the user may see, with search, and a way to add one."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from studio import runtime
from studio.i18n import register, t
from studio.pages._dataset_widgets import rows_text, size_text, when_text
from studio.pages._ids import cid
from studio.pages._titles import page_title
from studio.security.policy import allowed, ensure
from studio.store.sharing import visible_datasets

dash.register_page(__name__, path="/datasets", title=page_title("title.datasets"),
                   name="datasets")

PAGE = "dsl"
ID = lambda name: cid(PAGE, name)  # noqa: E731

register(
    {
        "ds.list.title": ("Jeux de données", "Datasets"),
        "ds.list.new": ("Nouveau jeu de données", "New dataset"),
        "ds.list.search": ("Rechercher un jeu de données", "Search the datasets"),
        "ds.list.search_placeholder": ("Nom ou description…", "Name or description…"),
        "ds.list.name": ("Nom", "Name"),
        "ds.list.owner": ("Propriétaire", "Owner"),
        "ds.list.updated": ("Mis à jour", "Updated"),
        "ds.list.rows": ("Lignes", "Rows"),
        "ds.list.size": ("Taille", "Size"),
        "ds.list.empty_editor": (
            "Aucun jeu de données pour l'instant. Importez un fichier (CSV, Excel, GeoJSON, "
            "Parquet) ou ajoutez une adresse web avec « Nouveau jeu de données ».",
            "No dataset yet. Upload a file (CSV, Excel, GeoJSON, Parquet) or add a web address "
            "with 'New dataset'.",
        ),
        "ds.list.empty_viewer": (
            "Aucun jeu de données ne vous est partagé. Demandez à un éditeur de votre "
            "organisation de vous en partager un.",
            "No dataset is shared with you. Ask an editor in your organisation to share one.",
        ),
        "ds.list.no_match": (
            "Aucun jeu de données ne correspond à « $search ». Essayez un autre mot.",
            "No dataset matches '$search'. Try another word.",
        ),
    }
)


def layout(**_kwargs: object) -> html.Div:
    """The catalogue of datasets the user may view."""
    actor, locale = runtime.actor(), runtime.locale()
    if not allowed(actor, "view", "datasets"):
        return dbc.Alert(t("error.forbidden", locale), color="warning", id=ID("forbidden"))
    header: list[Any] = [html.H1(t("ds.list.title", locale), className="h3 me-auto")]
    if allowed(actor, "create", "datasets"):
        header.append(dcc.Link(t("ds.list.new", locale), href="/datasets/new",
                               className="btn btn-primary", id=ID("new")))
    return html.Div(
        [
            html.Div(header, className="d-flex align-items-center mb-3"),
            dbc.Label(t("ds.list.search", locale), html_for=ID("search"),
                      className="visually-hidden"),
            dbc.Input(id=ID("search"), type="search", debounce=True, className="mb-3",
                      placeholder=t("ds.list.search_placeholder", locale)),
            html.Div(catalogue(actor, "", locale), id=ID("results")),
        ]
    )


def catalogue(actor: Any, search: str, locale: str) -> Any:
    """The table of visible datasets matching `search`, or what to do when there is none."""
    with runtime.db().session() as s:
        items = visible_datasets(s, actor, search)
        if not items:
            return _empty(actor, search, locale)
        rows = [
            html.Tr(
                [
                    html.Td(dcc.Link(ds.name, href=f"/datasets/{ds.id}")),
                    html.Td(ds.owner.email if ds.owner else "–"),
                    html.Td(when_text(ds.updated_at, locale)),
                    html.Td(rows_text(ds.row_count, locale), className="text-end"),
                    html.Td(size_text(ds.size_bytes, locale) if ds.size_bytes else "–",
                            className="text-end"),
                ]
            )
            for ds in items
        ]
    heads = ["ds.list.name", "ds.list.owner", "ds.list.updated", "ds.list.rows", "ds.list.size"]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(t(h, locale), scope="col") for h in heads])),
         html.Tbody(rows)],
        striped=True,
        hover=True,
        responsive=True,
        size="sm",
        id=ID("table"),
    )


def _empty(actor: Any, search: str, locale: str) -> dbc.Alert:
    if search.strip():
        text: Any = t("ds.list.no_match", locale, search=search.strip())
    elif allowed(actor, "create", "datasets"):
        text = [html.P(t("ds.list.empty_editor", locale)),
                dcc.Link(t("ds.list.new", locale), href="/datasets/new",
                         className="btn btn-primary btn-sm")]
    else:
        text = t("ds.list.empty_viewer", locale)
    return dbc.Alert(text, color="light", className="border", id=ID("empty"))


@callback(
    Output(ID("results"), "children"),
    Input(ID("search"), "value"),
    prevent_initial_call=True,
)
def search(value):  # noqa: ANN001, ANN201
    """The catalogue filtered by the search box."""
    actor = runtime.actor()
    ensure(actor, "view", "datasets")
    return catalogue(actor, str(value or "")[:200], runtime.locale())
