"""The body of a story page, reusable by the reader page and an embed route.

`story_body(story, actor, locale, options)` runs the story's queries as `actor` and renders
it. The sticky visuals of scroll chapters are redrawn by `story_view.redraw_sticky`
(pattern-matching ids, so any page showing this body gets it) from the `story-doc` store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import dcc, html

from studio import runtime
from studio.services import stories as service
from studio.stories.render import RenderOptions, render_story

DOC_STORE = "story-doc"


@dataclass
class BodyOptions:
    """What differs between pages showing a story (the reader page, an embed)."""

    toc: bool = True
    image_base: str = "/story-images"


def image_url_for(doc_id: int, base: str = "/story-images") -> Any:
    """The function giving a cover image's permission-checked address."""
    return lambda name: f"{base}/{doc_id}/{name}"


def story_body(
    story: service.OpenStory, actor: Any, locale: str, options: BodyOptions | None = None
) -> html.Div:
    """The rendered story with the store its scroll callbacks read (the story's id)."""
    options = options or BodyOptions()
    data = service.story_data(
        runtime.db(), runtime.settings(), runtime.service("query_cache"), actor, story, locale
    )
    render_options = RenderOptions(
        image_url=image_url_for(story.doc.id, options.image_base),
        settings=runtime.settings(),
        toc=options.toc,
    )
    return html.Div(
        [
            dcc.Store(id=DOC_STORE, data={"id": story.doc.id}),
            render_story(story.spec, data, locale, render_options),
        ],
        className="story-page",
    )
