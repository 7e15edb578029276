"""Home: the catalogue of what the user may see, with an empty state saying what to do."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from studio import runtime
from studio.i18n import register, t
from studio.security.policy import allowed
from studio.store import datasets as dataset_repo

dash.register_page(__name__, path="/", title="Studio", name="home")

register(
    {
        "ds.home.recent": ("Jeux de données récents", "Recent datasets"),
        "ds.home.all": ("Tous les jeux de données", "All datasets"),
        "ds.home.new": ("Importer un jeu de données", "Import a dataset"),
    }
)


def layout(**_kwargs: object) -> html.Div:
    """The catalogue page for the current user."""
    actor = runtime.actor()
    locale = runtime.locale()
    if not allowed(actor, "view", "app"):
        return html.Div()
    can_create = allowed(actor, "create", "datasets")
    empty_text = t("home.empty.editor" if can_create else "home.empty.viewer", locale)
    recent = _recent_datasets(actor, locale)
    new_link = (
        [dcc.Link(t("ds.home.new", locale), href="/datasets/new", className="btn btn-primary")]
        if can_create
        else []
    )
    return html.Div(
        [
            html.H1(t("home.title", locale), className="h3"),
            html.P(t("home.welcome", locale, name=actor.name or actor.email), id="home-welcome"),
            recent
            or dbc.Alert(
                [
                    html.H2(t("home.empty.title", locale), className="h5"),
                    html.P(empty_text),
                    *new_link,
                ],
                color="light",
                className="border",
                id="home-empty",
            ),
        ]
    )


def _recent_datasets(actor, locale: str) -> html.Div | None:  # noqa: ANN001
    """Links to the five datasets updated last that the actor may view (None if none)."""
    with runtime.db().session() as s:
        items = [ds for ds in dataset_repo.list_datasets(s) if allowed(actor, "view", ds)][:5]
        links = [html.Li(dcc.Link(ds.name, href=f"/datasets/{ds.id}")) for ds in items]
    if not links:
        return None
    return html.Div(
        [
            html.H2(t("ds.home.recent", locale), className="h5"),
            html.Ul(links),
            dcc.Link(t("ds.home.all", locale), href="/datasets"),
        ],
        id="home-datasets",
    )
