"""Home: the catalogue of what the user may see, with an empty state saying what to do."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from studio import runtime
from studio.i18n import t
from studio.security.policy import allowed

dash.register_page(__name__, path="/", title="Studio", name="home")


def layout(**_kwargs: object) -> html.Div:
    """The catalogue page for the current user."""
    actor = runtime.actor()
    locale = runtime.locale()
    if not allowed(actor, "view", "app"):
        return html.Div()
    can_create = allowed(actor, "create", "datasets")
    empty_text = t("home.empty.editor" if can_create else "home.empty.viewer", locale)
    return html.Div(
        [
            html.H1(t("home.title", locale), className="h3"),
            html.P(t("home.welcome", locale, name=actor.name or actor.email), id="home-welcome"),
            dbc.Alert(
                [html.H2(t("home.empty.title", locale), className="h5"), html.P(empty_text)],
                color="light",
                className="border",
                id="home-empty",
            ),
        ]
    )
