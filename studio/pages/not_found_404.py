"""The page shown for an unknown address."""

from __future__ import annotations

import dash
from dash import dcc, html

from studio import runtime
from studio.i18n import t
from studio.pages._titles import page_title

dash.register_page(__name__, path="/404", title=page_title("title.not_found"))


def layout(**_kwargs: object) -> html.Div:
    """A not-found message with a way back."""
    locale = runtime.locale()
    return html.Div(
        [
            html.H1(t("error.not_found", locale), className="h4"),
            dcc.Link(t("error.back_home", locale), href="/"),
        ],
        id="not-found",
    )
