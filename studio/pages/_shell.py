"""The app shell around every page: navigation bar, language switch, sign-out."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from flask import session
from flask_login import logout_user

from studio import runtime
from studio.i18n import register, t
from studio.pages._ids import cid
from studio.security.policy import allowed
from studio.store import audit
from studio.store.users import get_user, set_locale

ID = lambda name: cid("shell", name)  # noqa: E731

register({"ds.nav": ("Jeux de données", "Datasets"), "nav.menu": ("Menu", "Menu")})


def layout() -> html.Div:
    """The whole page frame for the signed-in user (an empty frame when nobody is)."""
    actor = runtime.actor()
    if not actor.is_authenticated:
        return html.Div([dcc.Location(id=ID("location")), dash.page_container])
    locale = runtime.locale()
    return html.Div(
        [
            html.A(t("nav.skip", locale), href="#main", className="visually-hidden-focusable"),
            dcc.Location(id=ID("location")),
            dcc.Location(id=ID("reload"), refresh=True),
            _navbar(actor, locale),
            html.Main(dash.page_container, id="main", className="container-fluid py-3"),
        ],
        lang=locale,
    )


def _navbar(actor, locale: str) -> dbc.Navbar:  # noqa: ANN001
    links = [dbc.NavItem(dbc.NavLink(t("nav.catalogue", locale), href="/", id=ID("nav-home")))]
    if allowed(actor, "view", "datasets"):
        links.append(
            dbc.NavItem(dbc.NavLink(t("ds.nav", locale), href="/datasets", id=ID("nav-datasets")))
        )
    if allowed(actor, "manage", "users"):
        links.append(
            dbc.NavItem(dbc.NavLink(t("nav.admin", locale), href="/admin", id=ID("nav-admin")))
        )
    lang_buttons = html.Div(
        [
            html.Button(
                code.upper(),
                id=ID(f"lang-{code}"),
                className="btn btn-sm " + ("btn-light" if code == locale else "btn-outline-light"),
                lang=code,
                n_clicks=0,
                **{"aria-pressed": "true" if code == locale else "false"},
            )
            for code in ("fr", "en")
        ],
        className="btn-group me-3",
        role="group",
        **{"aria-label": t("nav.language", locale)},
    )
    # On a phone the links, language and account fold behind a menu button.
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Studio", href="/"),
                html.Button(  # not dbc.NavbarToggler: its name is English and fixed
                    html.Span(className="navbar-toggler-icon"),
                    id=ID("toggler"),
                    n_clicks=0,
                    type="button",
                    className="navbar-toggler",
                    **{
                        "aria-label": t("nav.menu", locale),
                        "aria-controls": ID("menu"),
                        "aria-expanded": "false",
                    },
                ),
                dbc.Collapse(
                    [
                        dbc.Nav(links, navbar=True, className="me-auto"),
                        html.Div(
                            [
                                lang_buttons,
                                html.Span(
                                    actor.email,
                                    className="navbar-text text-light me-3 text-truncate",
                                    id=ID("user"),
                                ),
                                dbc.Button(
                                    t("nav.logout", locale),
                                    id=ID("logout"),
                                    size="sm",
                                    color="light",
                                    n_clicks=0,
                                ),
                            ],
                            className="d-flex flex-wrap align-items-center gap-2 py-2 py-md-0",
                        ),
                    ],
                    id=ID("menu"),
                    is_open=False,
                    navbar=True,
                ),
            ],
            fluid=True,
        ),
        color="primary",
        dark=True,
        expand="md",
        className="mb-2",
    )


def register_callbacks(app: dash.Dash) -> None:
    """Attach the shell's callbacks to `app`."""

    app.clientside_callback(
        "function (n, open) { var now = n ? !open : open; return [now, String(now)]; }",
        Output(ID("menu"), "is_open"),
        Output(ID("toggler"), "aria-expanded"),
        Input(ID("toggler"), "n_clicks"),
        State(ID("menu"), "is_open"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ID("reload"), "href"),
        Input(ID("lang-fr"), "n_clicks"),
        Input(ID("lang-en"), "n_clicks"),
        State(ID("location"), "pathname"),
        State(ID("location"), "search"),
        prevent_initial_call=True,
    )
    def switch_language(_fr: int, _en: int, pathname: str | None, search: str | None) -> str:
        actor = runtime.actor()
        if not actor.is_authenticated:
            raise dash.exceptions.PreventUpdate
        code = "en" if dash.ctx.triggered_id == ID("lang-en") else "fr"
        with runtime.db().session() as s:
            set_locale(s, get_user(s, actor.id), code)
        session["locale"] = code  # error pages read it when the database is down
        return (pathname or "/") + (search or "")

    @app.callback(
        Output(ID("reload"), "href", allow_duplicate=True),
        Input(ID("logout"), "n_clicks"),
        prevent_initial_call=True,
    )
    def sign_out(n_clicks: int) -> str:
        if not n_clicks:
            raise dash.exceptions.PreventUpdate
        actor = runtime.actor()
        if actor.is_authenticated:
            with runtime.db().session() as s:
                audit.record(s, actor, "logout", "user", actor.id, {}, runtime.client_address())
        logout_user()
        session.clear()
        return "/login?out=1"
