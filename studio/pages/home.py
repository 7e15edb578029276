"""Home: the catalogue of what the user may see, with an empty state saying what to do."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from studio import runtime
from studio.i18n import register, t
from studio.pages._titles import page_title
from studio.security.policy import allowed, ensure
from studio.services import documents
from studio.store import audit
from studio.store.sharing import visible_datasets

dash.register_page(__name__, path="/", title=page_title("title.home"), name="home")

register(
    {
        "ds.home.recent": ("Jeux de données récents", "Recent datasets"),
        "ds.home.all": ("Tous les jeux de données", "All datasets"),
        "ds.home.new": ("Importer un jeu de données", "Import a dataset"),
        "home.dashboards": ("Tableaux de bord", "Dashboards"),
        "home.new_dashboard": ("Nouveau tableau de bord", "New dashboard"),
        "home.untitled": ("Nouveau tableau de bord", "New dashboard"),
        "home.bin": ("Corbeille", "Bin"),
        "home.stories": ("Récits", "Stories"),
        "home.new_story": ("Nouveau récit", "New story"),
        "home.untitled_story": ("Nouveau récit", "New story"),
        "home.no_story": ("Aucun récit pour l'instant.", "No story yet."),
        "home.no_dashboard": (
            "Aucun tableau de bord pour l'instant.",
            "No dashboard yet.",
        ),
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
    dashboards, dashboard_count = _dashboards(actor, locale)
    stories, story_count = _stories(actor, locale)
    catalogue_is_empty = not (recent or dashboard_count or story_count)
    return html.Div(
        [
            dcc.Location(id="home-go", refresh=True),
            dcc.Location(id="home-go-story", refresh=True),
            html.H1(t("home.title", locale), className="h3"),
            html.P(t("home.welcome", locale, name=actor.name or actor.email), id="home-welcome"),
            dashboards,
            stories,
            recent,
            None
            if not catalogue_is_empty
            else dbc.Alert(
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
        items = visible_datasets(s, actor)[:5]
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


def _dashboards(actor, locale: str) -> tuple[html.Div, int]:  # noqa: ANN001
    """The dashboards the actor may open, and a button to start one for those who may."""
    with runtime.db().session() as s:
        links = [
            html.Li(
                [
                    dcc.Link(title, href=f"/dashboards/{d.id}"),
                    html.Small(f" — {d.owner.email if d.owner else ''}", className="text-muted"),
                ]
            )
            for d, title in documents.visible_list(s, "dashboard", actor)
        ]
    create = (
        [
            html.Button(
                t("home.new_dashboard", locale),
                id="home-new-dashboard",
                n_clicks=0,
                className="btn btn-outline-primary btn-sm",
            ),
            dcc.Link(
                t("home.bin", locale),
                href="/bin",
                className="btn btn-link btn-sm ms-2",
                id="home-bin",
            ),
        ]
        if allowed(actor, "create", "dashboards")
        else []
    )
    body = (
        html.Ul(links) if links else html.P(t("home.no_dashboard", locale), className="text-muted")
    )
    section = html.Div(
        [html.H2(t("home.dashboards", locale), className="h5"), body, *create],
        id="home-dashboards",
        className="mb-4",
    )
    return section, len(links)


def _stories(actor, locale: str) -> tuple[html.Div, int]:  # noqa: ANN001
    """The stories the actor may read, and a button to start one for those who may."""
    with runtime.db().session() as s:
        links = [
            html.Li(dcc.Link(title, href=f"/stories/{d.id}"))
            for d, title in documents.visible_list(s, "story", actor)
        ]
    create = (
        [
            html.Button(
                t("home.new_story", locale),
                id="home-new-story",
                n_clicks=0,
                className="btn btn-outline-primary btn-sm",
            )
        ]
        if allowed(actor, "create", "stories")
        else []
    )
    body = html.Ul(links) if links else html.P(t("home.no_story", locale), className="text-muted")
    section = html.Div(
        [html.H2(t("home.stories", locale), className="h5"), body, *create],
        id="home-stories",
        className="mb-4",
    )
    return section, len(links)


@callback(
    Output("home-go-story", "href"),
    Input("home-new-story", "n_clicks"),
    prevent_initial_call=True,
)
def new_story(n_clicks: int) -> str:
    """Create an empty draft story and open its editor."""
    actor = runtime.actor()
    ensure(actor, "create", "stories")
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    with runtime.db().session() as s:
        doc = documents.create(
            s, "story", actor, {"title": t("home.untitled_story", runtime.locale())}
        )
        audit.record(s, actor, "story_created", "story", doc.id, None, runtime.client_address())
        return f"/stories/{doc.id}/edit"


@callback(
    Output("home-go", "href"), Input("home-new-dashboard", "n_clicks"), prevent_initial_call=True
)
def new_dashboard(n_clicks: int) -> str:
    """Create an empty draft dashboard and open its editor."""
    actor = runtime.actor()
    ensure(actor, "create", "dashboards")
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    with runtime.db().session() as s:
        doc = documents.create(
            s, "dashboard", actor, {"title": t("home.untitled", runtime.locale())}
        )
        audit.record(
            s, actor, "dashboard_created", "dashboard", doc.id, None, runtime.client_address()
        )
        return f"/dashboards/{doc.id}/edit"
