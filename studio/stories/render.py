"""The story renderer: (story spec, query results, locale) to Dash components.

Pure: it runs no query and reads no user. A story is an `<article>`: the cover, a table of
contents linking to each chapter's anchor, then the chapters. Text goes through the
sanitiser (`markdown_components`) like text tiles; tiles are drawn by `render_tile`, so
each visual has its text alternative and data table. A scroll sequence is a sticky visual
beside its steps (one column on a phone); `assets/story_scroll.js` reports the step being
read into the chapter's `story-step` store, and the page redraws the visual for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from dash import dcc, html

from studio.components.format import format_category, format_date
from studio.components.render import render_body, render_tile
from studio.i18n import register, t
from studio.spec.story import ScrollChapter, ScrollStep, StorySpec, StoryText, chapter_anchor
from studio.spec.tiles import Tile
from studio.stories.model import DashboardPart, StoryData, UnitData, text_key, tile_key

PAGE = "story"
STEP_STORE = "story-step"
STICKY = "story-sticky"
FADED_OPACITY = 0.25

register(
    {
        "story.toc": ("Sommaire", "Contents"),
        "story.by": ("Par $author", "By $author"),
        "story.step_of": ("Étape $n sur $total", "Step $n of $total"),
        "story.visual": ("Visuel : $title", "Visual: $title"),
        "story.dashboard_missing": (
            "Cette partie d'un tableau de bord n'est pas disponible : il n'est pas publié, "
            "a été supprimé, ou ne vous est pas partagé.",
            "This part of a dashboard is not available: it is not published, was deleted, "
            "or is not shared with you.",
        ),
        "story.dashboard_source": (
            "Extrait du tableau de bord « $title »",
            "From the dashboard “$title”",
        ),
        "story.open_dashboard": ("Ouvrir le tableau de bord", "Open the dashboard"),
        "story.empty": ("Ce récit n'a pas encore de chapitre.", "This story has no chapter yet."),
    }
)


@dataclass
class RenderOptions:
    """How the story is drawn: `image_url` gives the cover image's address from its name
    (None: no image); `cover=False` leaves out the cover; `link_target` is set on links
    leaving the story (an embed opens them in a new tab)."""

    image_url: Callable[[str], str] | None = None
    settings: Any = None
    toc: bool = True
    cover: bool = True
    link_target: str | None = None


class _NoData:
    results: dict[str, Any] = {}
    error: str | None = None


NO_DATA = _NoData()


def _unit(data: StoryData, key: str) -> UnitData:
    return data.units.get(key, NO_DATA)


# --- text and tiles ------------------------------------------------------------------------


def render_text(
    text: StoryText, unit: UnitData, locale: str, anchor: str, id_prefix: str = f"{PAGE}-text"
) -> Any:
    """A story text: sanitised markdown, live values filled (the text tile renderer)."""
    if not text.markdown.strip():
        return None
    tile = text.as_tile(anchor[:40])
    rendered = render_body(tile, unit.results, locale, error=unit.error, id_prefix=id_prefix)
    return html.Div(rendered.body, className="story-text")


def story_tile(
    tile: Tile, unit: UnitData, locale: str, settings: Any = None, id_prefix: str = PAGE
) -> Any:
    """A tile of the story, framed, with its table alternative."""
    return html.Div(
        render_tile(
            tile, unit.results, locale, settings=settings, error=unit.error, id_prefix=id_prefix
        ),
        className=f"story-tile story-tile-{tile.kind}",
    )


# --- scroll sequences ----------------------------------------------------------------------


def _walk(node: Any) -> Iterable[Any]:
    if isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)
        return
    if node is None or isinstance(node, str | int | float):
        return
    yield node
    yield from _walk(getattr(node, "children", None))


def _labels(values: list[Any], locale: str, grain: str | None) -> set[str]:
    return {format_category(v, locale, grain) for v in values} | {str(v) for v in values}


def _highlight_figure(figure: Any, labels: set[str]) -> None:
    for trace in figure.data:
        if trace.type == "bar":
            axis = trace.y if trace.orientation == "h" else trace.x
            trace.marker.opacity = [
                1.0 if str(x) in labels else FADED_OPACITY for x in (axis or ())
            ]
        elif trace.type == "pie":
            trace.pull = [0.12 if str(x) in labels else 0 for x in (trace.labels or ())]
        elif trace.type == "scatter":
            trace.marker.opacity = [
                1.0 if str(x) in labels else FADED_OPACITY for x in (trace.x or ())
            ]


def _highlight_map(leaflet: Any, codes: set[str]) -> None:
    import dash_leaflet as dl

    chosen: list[dict[str, Any]] = []
    for layer in [c for c in leaflet.children if type(c).__name__ == "GeoJSON"]:
        features = (getattr(layer, "data", None) or {}).get("features", [])
        chosen += [f for f in features if str(f.get("properties", {}).get("code")) in codes]
        style = dict(getattr(layer, "style", None) or {})
        layer.style = {**style, "fillOpacity": 0.35}
    if chosen:
        leaflet.children = [
            *leaflet.children,
            dl.GeoJSON(
                id={
                    "type": "tile-map-highlight",
                    "tile": str(leaflet.id.get("tile", "")),
                    "page": PAGE,
                },
                data={"type": "FeatureCollection", "features": chosen},
                style={"color": "#111111", "weight": 3, "fillOpacity": 0.9},
            ),
        ]


def apply_step_view(component: Any, tile: Tile, step: ScrollStep, locale: str) -> Any:
    """The drawn tile with the step's highlighted values and map view applied."""
    grain = getattr(getattr(tile, "dimension", None), "grain", None)
    labels = _labels(list(step.highlight), locale, grain)
    for node in _walk(component):
        name = type(node).__name__
        if name == "Graph" and step.highlight and hasattr(node.figure, "data"):
            _highlight_figure(node.figure, labels)
        elif name in ("Map", "MapContainer"):
            if step.highlight:
                _highlight_map(node, {str(v) for v in step.highlight})
            if step.view is not None:
                # Starting from centre and zoom (not the data's bounds) moves the map there.
                if hasattr(node, "bounds"):
                    delattr(node, "bounds")
                node.center = [step.view.lat, step.view.lon]
                node.zoom = step.view.zoom
    return component


def render_sticky(
    chapter: ScrollChapter, step: int, unit: UnitData, locale: str, settings: Any = None
) -> Any:
    """The sticky visual of a scroll chapter in the state of step `step` (0-based)."""
    state = chapter.steps[step]
    drawn = story_tile(chapter.tile, unit, locale, settings, id_prefix=f"{PAGE}-sticky")
    total = len(chapter.steps)
    return html.Div(
        [
            html.P(
                t("story.step_of", locale, n=step + 1, total=total),
                className="story-step-status visually-hidden",
                role="status",
            ),
            apply_step_view(drawn, chapter.tile, state, locale),
        ],
        # A new key per step makes React mount the visual afresh (a map takes its new view).
        key=f"{chapter.id}-{step}",
        className="story-sticky-state",
        **{"data-step": str(step)},
    )


def render_scroll(chapter: ScrollChapter, data: StoryData, locale: str, settings: Any) -> Any:
    """Sticky visual on one side, steps on the other; one column on a phone."""
    step = min(max(data.steps.get(chapter.id, 0), 0), len(chapter.steps) - 1)
    sticky = render_sticky(chapter, step, _unit(data, tile_key(chapter.tile.id)), locale, settings)
    steps = [
        html.Div(
            render_text(
                s.text,
                _unit(data, text_key(chapter.id, i)),
                locale,
                f"{chapter.id[:30]}-{i}",
                id_prefix=f"{PAGE}-step",
            )
            or html.P(str(i + 1)),
            className="story-step" + (" is-active" if i == step else ""),
            tabIndex="0",
            **{
                "data-chapter": chapter.id,
                "data-step": str(i),
                "aria-label": t("story.step_of", locale, n=i + 1, total=len(chapter.steps)),
            },
        )
        for i, s in enumerate(chapter.steps)
    ]
    label = t("story.visual", locale, title=chapter.tile.title or chapter.title)
    return html.Div(
        [
            html.Div(
                [
                    dcc.Store(id={"type": STEP_STORE, "chapter": chapter.id}, data=step),
                    html.Div(sticky, id={"type": STICKY, "chapter": chapter.id}),
                ],
                className="story-sticky",
                role="region",
                **{"aria-label": label},
            ),
            html.Div(steps, className="story-steps"),
        ],
        className="story-scroll",
    )


# --- dashboard parts -----------------------------------------------------------------------


def render_dashboard_part(
    part: DashboardPart | None,
    locale: str,
    settings: Any,
    chapter_id: str,
    link_target: str | None = None,
) -> Any:
    """A dashboard section's tiles, or a message when the reader may not see them."""
    if part is None:
        return html.P(
            t("story.dashboard_missing", locale),
            className="story-dashboard-missing alert alert-secondary",
        )
    tiles = [
        story_tile(
            tile,
            part.data.get(tile.id, NO_DATA),
            locale,
            settings,
            id_prefix=f"{PAGE}-dash-{chapter_id}",
        )
        for tile in part.tiles
    ]
    source = t("story.dashboard_source", locale, title=part.title)
    return html.Div(
        [
            html.P(
                [
                    source,
                    " · ",
                    html.A(
                        t("story.open_dashboard", locale),
                        href=part.href,
                        **({"target": link_target, "rel": "noopener"} if link_target else {}),
                    ),
                ],
                className="story-dashboard-source small text-muted",
            ),
            html.Div(tiles, className="story-tiles"),
        ],
        className="story-dashboard",
    )


# --- the story -----------------------------------------------------------------------------


def render_cover(story: StorySpec, locale: str, options: RenderOptions) -> Any:
    """Title, subtitle, author and date, and the cover image with its text alternative."""
    cover = story.cover
    byline = [
        part
        for part in (
            t("story.by", locale, author=cover.author) if cover.author else None,
            format_date(cover.date, locale) if cover.date else None,
        )
        if part
    ]
    image = None
    if cover.image and options.image_url is not None:
        image = html.Img(
            src=options.image_url(cover.image), alt=cover.image_alt, className="story-cover-image"
        )
    return html.Header(
        [
            image,
            html.H1(story.title, className="story-title"),
            html.P(cover.subtitle, className="story-subtitle lead") if cover.subtitle else None,
            html.P(" · ".join(byline), className="story-byline text-muted") if byline else None,
        ],
        className="story-cover",
    )


def render_toc(story: StorySpec, locale: str) -> Any:
    """The table of contents: one link per titled chapter, to its anchor."""
    entries = [(chapter_anchor(c.id), c.title) for c in story.chapters if c.title.strip()]
    if not entries:
        return None
    return html.Nav(
        [
            html.H2(
                t("story.toc", locale),
                className="h6 text-uppercase text-muted",
                id="story-toc-title",
            ),
            html.Ol([html.Li(html.A(title, href=f"#{anchor}")) for anchor, title in entries]),
        ],
        className="story-toc",
        **{"aria-labelledby": "story-toc-title"},
    )


def render_chapter(chapter: Any, data: StoryData, locale: str, options: RenderOptions) -> Any:
    """One chapter: its title (an anchor), its text, then what its kind shows."""
    anchor = chapter_anchor(chapter.id)
    parts: list[Any] = []
    if chapter.title:
        parts.append(html.H2(chapter.title, id=f"{anchor}-title", className="story-chapter-title"))
    parts.append(render_text(chapter.text, _unit(data, text_key(chapter.id)), locale, chapter.id))
    if chapter.kind == "tiles":
        parts.append(
            html.Div(
                [
                    story_tile(tile, _unit(data, tile_key(tile.id)), locale, options.settings)
                    for tile in chapter.tiles
                ],
                className="story-tiles",
            )
        )
    elif chapter.kind == "scroll":
        parts.append(render_scroll(chapter, data, locale, options.settings))
    else:
        parts.append(
            render_dashboard_part(
                data.dashboards.get(chapter.id),
                locale,
                options.settings,
                chapter.id,
                options.link_target,
            )
        )
    return html.Section(
        [p for p in parts if p is not None],
        id=anchor,
        className=f"story-chapter story-chapter-{chapter.kind}",
        **({"aria-labelledby": f"{anchor}-title"} if chapter.title else {}),
    )


def render_story(
    story: StorySpec, data: StoryData, locale: str = "fr", options: RenderOptions | None = None
) -> Any:
    """The whole story as an `<article>`: cover, table of contents, chapters."""
    options = options or RenderOptions()
    chapters = [render_chapter(c, data, locale, options) for c in story.chapters]
    if not chapters:
        chapters = [html.P(t("story.empty", locale), className="text-muted")]
    return html.Article(
        [
            render_cover(story, locale, options) if options.cover else None,
            render_toc(story, locale) if options.toc else None,
            *chapters,
        ],
        className="story",
        lang=locale,
    )
