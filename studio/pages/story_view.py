"""Story reader page: viewers read the published revision, editors the draft (with a banner)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import MATCH, Input, Output, State, callback, dcc, html

from studio import runtime
from studio.i18n import register, t
from studio.pages._ids import cid
from studio.pages._story_body import DOC_STORE, story_body
from studio.pages._titles import document_title
from studio.security.policy import allowed
from studio.services import stories as service
from studio.spec.story import SpecVersionError
from studio.store import NotFound, audit
from studio.stories.model import tile_key
from studio.stories.render import STEP_STORE, STICKY, render_sticky

dash.register_page(
    __name__,
    path_template="/stories/<story_id>",
    title=document_title("story", "story_id", "title.story"),
    name="story_view",
    order=40,
)

ID = lambda name: cid("sv", name)  # noqa: E731

register(
    {
        "sv.not_found": (
            "Ce récit n'existe pas, n'est pas encore publié, ou ne vous est pas partagé.",
            "This story does not exist, is not published yet, or is not shared with you.",
        ),
        "sv.draft_banner": (
            "Vous lisez le brouillon : les lecteurs voient la version publiée.",
            "You are reading the draft: readers see the published version.",
        ),
        "sv.never_published": (
            "Vous lisez le brouillon : ce récit n'est pas encore publié.",
            "You are reading the draft: this story is not published yet.",
        ),
        "sv.edit": ("Modifier le récit", "Edit the story"),
    }
)


def _open(story_id: Any) -> service.OpenStory:
    with runtime.db().session() as s:
        return service.open_story(s, runtime.actor(), int(story_id))


def layout(story_id: str = "", **_query: Any) -> Any:
    """The story as the current user may read it."""
    actor, locale = runtime.actor(), runtime.locale()
    try:
        story = _open(story_id)
    except (ValueError, NotFound, SpecVersionError):  # ValidationError is a ValueError
        return dbc.Alert(t("sv.not_found", locale), color="warning", id=ID("not-found"))
    with runtime.db().session() as s:
        audit.record_view(s, actor, "story", story.doc.id, runtime.client_address())
    banner = None
    if story.showing == "draft":
        unpublished = not story.doc.published_number
        banner = dbc.Alert(
            [
                t("sv.never_published" if unpublished else "sv.draft_banner", locale),
                " ",
                dcc.Link(
                    t("sv.edit", locale),
                    href=f"/stories/{story.doc.id}/edit",
                    className="alert-link",
                    id=ID("edit"),
                ),
            ],
            color="info",
            id=ID("draft-banner"),
            className="story-banner",
        )
    elif allowed(actor, "edit", story.doc):
        banner = dcc.Link(
            t("sv.edit", locale),
            href=f"/stories/{story.doc.id}/edit",
            id=ID("edit"),
            className="btn btn-outline-primary btn-sm",
        )
    return html.Div([banner, story_body(story, actor, locale)])


@callback(
    Output({"type": STICKY, "chapter": MATCH}, "children"),
    Input({"type": STEP_STORE, "chapter": MATCH}, "data"),
    State(DOC_STORE, "data"),
    prevent_initial_call=True,
)
def redraw_sticky(step, doc):  # noqa: ANN001, ANN201
    """The sticky visual in the state of the step being read (query rebuilt on the server)."""
    actor, locale = runtime.actor(), runtime.locale()
    chapter_id = (dash.ctx.triggered_id or {}).get("chapter")
    try:
        story = _open((doc or {}).get("id", 0))
        chapter = service.scroll_chapter(story, chapter_id)
    except (ValueError, TypeError, NotFound, SpecVersionError):
        raise dash.exceptions.PreventUpdate from None
    number, data = service.step_data(
        runtime.db(),
        runtime.settings(),
        runtime.service("query_cache"),
        actor,
        story,
        chapter,
        step,
        locale,
    )
    return render_sticky(
        chapter, number, data.units[tile_key(chapter.tile.id)], locale, runtime.settings()
    )
