"""Embeds: a second, small Dash app at /embed/ on the same server, for anonymous visitors.

`/embed/dashboards/<id>?token=…&title=0&filters=0&theme=dark&lang=en` shows the published
revision of one dashboard without the app's navigation. Its callbacks live on
`/embed/_dash-update-component`; each one re-verifies the token it is given (as State) and
rebuilds every query from the stored spec, with the token's locked filters added on the
server. Nothing here reads the signed-in user of the browser: an embed runs as its token.

`/embed/stories/<id>?token=…&title=0&theme=dark&lang=en` shows a published story the same
way: every query (texts, tiles, the sticky visual at each scroll step, public dashboard
chapters) gets the token's locked filters and row-level rules; its own sticky-redraw callback
re-verifies the token from `emb-ctx` and rebuilds the step's queries from the stored spec.
The cover image is left out of story embeds (its route checks a signed-in reader).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import dash
import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, ctx, dcc, html
from flask import Flask, Response, g, request, send_from_directory

from studio import runtime
from studio.components.format import format_category
from studio.components.render import render_tile
from studio.i18n import register, t
from studio.security.policy import PermissionDenied
from studio.services import embeds as service
from studio.services import stories as story_service
from studio.spec import Dimension, Measure, Query, Sort
from studio.spec.dashboard import FilterValueError
from studio.store import NotFound
from studio.stories.model import tile_key
from studio.stories.render import STEP_STORE, STICKY, RenderOptions, render_sticky, render_story

STATIC = Path(__file__).resolve().parents[1] / "static" / "embed"
PREFIX = "/embed/"
EMBED_PATH = re.compile(r"^/embed/(dashboards|stories)/(\d{1,12})/?$")
KINDS = {"dashboards": "dashboard", "stories": "story"}
PAGE = "emb"
FILTER_TYPE = "emb-filter"
TILE_TYPE = "emb-tile"

register(
    {
        "emb.denied": (
            "Ce contenu ne peut pas être affiché : le lien d'intégration est invalide, a expiré "
            "ou a été révoqué. Demandez un nouveau lien au site qui l'intègre.",
            "This content cannot be shown: the embed link is invalid, expired or revoked. "
            "Ask the website that embeds it for a new link.",
        ),
        "emb.not_found": (
            "Ce contenu n'existe pas ou n'est pas publié.",
            "This content does not exist or is not published.",
        ),
        "emb.all": ("Tous", "All"),
        "emb.empty": ("Ce tableau de bord n'a pas de tuile.", "This dashboard has no tile."),
        "emb.source": ("Réalisé avec Studio", "Made with Studio"),
    }
)


def create_embed_app(server: Flask) -> dash.Dash:
    """The embed Dash app mounted at /embed/ on `server`, with its Flask hooks."""
    previous = dash._get_app.APP  # creating a Dash app makes it the "current" one
    app = dash.Dash(
        "studio_embed",
        server=server,
        url_base_pathname=PREFIX,
        assets_folder=str(STATIC),
        external_stylesheets=[
            "/vendor/bootstrap.min.css",
            "/assets/studio.css",
            "/assets/story.css",
        ],
        # The map layers' style and tooltip functions (window.studioMaps) and the story
        # scroll observer live in the main app's assets; embeds need them too.
        # studio_a11y.js repairs the third-party widgets' accessibility (see that file).
        external_scripts=[
            "/assets/studio_maps.js",
            "/assets/story_scroll.js",
            "/assets/studio_a11y.js",
            "/assets/plotly_locale_fr.js",
        ],
        suppress_callback_exceptions=True,
        serve_locally=True,
        title="Studio",
        update_title=None,
        compress=False,
    )
    dash._get_app.APP = previous
    app.layout = html.Div(
        [
            dcc.Location(id="emb-url", refresh=False),
            dcc.Store(id="emb-ctx"),
            html.Div(id="emb-root", className="studio-embed"),
        ]
    )
    _register_callbacks(app)
    _register_routes(server)
    return app


# --- Flask side: the page answer and its headers --------------------------------------------


def _register_routes(server: Flask) -> None:
    @server.before_request
    def embed_page() -> Response | None:
        """Refuse a bad embed before any HTML is sent; set the page's frame-ancestors."""
        path = request.path
        if not path.startswith(PREFIX) or path.startswith((PREFIX + "_", PREFIX + "assets/")):
            return None  # Dash's own routes (_dash-*, _favicon.ico) and the embed's assets
        match = EMBED_PATH.match(path)
        if match is None:
            return _refusal(404, "emb.not_found", _lang(request.args))
        kind, doc_id = KINDS[match.group(1)], int(match.group(2))
        try:
            with runtime.db().session() as s:
                view = service.open_embed(s, kind, doc_id, request.args.get("token"))
        except service.EmbedError as exc:
            key = "emb.not_found" if exc.status == 404 else "emb.denied"
            return _refusal(exc.status, key, _lang(request.args))
        if request.args.get("preview") == "1":
            g.frame_ancestors = ["'self'"]
        else:
            g.frame_ancestors = service.valid_origins(view.allowed_origins)
        return None

    @server.get("/embed.js")
    def embed_script() -> Response:
        """The script a host page includes to let Studio iframes size themselves."""
        response = send_from_directory(STATIC.parent, "embed.js", max_age=3600)
        response.headers["Cache-Control"] = "public, max-age=3600"
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response


def _refusal(status: int, key: str, locale: str) -> Response:
    from markupsafe import escape

    text = escape(t(key, locale))
    body = (
        f'<!doctype html><html lang="{locale}"><meta charset="utf-8"><title>Studio</title>'
        f'<p id="embed-refused" style="font-family:sans-serif;margin:1rem">{text}</p></html>'
    )
    return Response(body, status=status, mimetype="text/html")


def _lang(params: Any) -> str:
    value = params.get("lang") if hasattr(params, "get") else None
    if isinstance(value, list):
        value = value[0] if value else None
    return "en" if value == "en" else "fr"


# --- Dash side --------------------------------------------------------------------------------


def _options(search: str) -> dict[str, Any]:
    params = parse_qs((search or "").lstrip("?"), max_num_fields=20)
    one = {k: v[0] for k, v in params.items() if v}
    return {
        "token": one.get("token") or None,
        "title": one.get("title") != "0",
        "filters": one.get("filters") != "0",
        "lang": _lang(one),
    }


def _open(kind: Any, doc_id: Any, token: Any, want: type = service.EmbedView) -> Any:
    """The embed (of type `want`) for these client-sent values, verified again (403 JSON
    when refused)."""
    if kind not in KINDS.values() or not isinstance(doc_id, int) or isinstance(doc_id, bool):
        raise PermissionDenied("view", "embed")
    if token is not None and not isinstance(token, str):
        raise PermissionDenied("view", "embed")
    try:
        with runtime.db().session() as s:
            view = service.open_embed(s, kind, doc_id, token)
    except service.EmbedError:
        raise PermissionDenied("view", "embed") from None
    if not isinstance(view, want):
        raise PermissionDenied("view", "embed")
    return view


def _locked_filter(view: service.EmbedView, flt: Any) -> bool:
    return flt.field in view.locked


def _clean_values(view: service.EmbedView, raw: dict[str, Any]) -> dict[str, Any]:
    """Each filter's cleaned value (a forged one gets the default); locked fields cleared."""
    values: dict[str, Any] = {}
    for flt in view.spec.filters:
        if _locked_filter(view, flt):
            values[flt.id] = None
            continue
        try:
            values[flt.id] = flt.clean(raw.get(flt.id, flt.default))
        except FilterValueError:
            values[flt.id] = _default(flt)
    return values


def _default(flt: Any) -> Any:
    try:
        return flt.clean(flt.default)
    except FilterValueError:
        return None


def _filter_options(view: service.EmbedView, flt: Any, locale: str) -> list[dict[str, Any]]:
    """Distinct values of a filter's field, as locked and row-filtered as the tiles."""
    grain = getattr(flt, "grain", None) if flt.kind == "period" else None
    for ds_id, schema in view.board.schemas.items():
        if flt.field not in schema:
            continue
        query = Query(
            dataset=ds_id,
            dimensions=[Dimension(field=flt.field, grain=grain)],
            measures=[Measure(agg="count")],
            sort=[Sort(field=flt.field)],
            limit=2000,
        )
        try:
            with runtime.db().session() as s:
                result = service.run_query(
                    s, runtime.settings(), runtime.service("query_cache"), view, query
                )
        except PermissionDenied:
            continue  # a dataset no longer vouched for: its values are not listed
        return [
            {"label": format_category(row[0], locale, grain), "value": row[0]}
            for row in result.rows
            if row[0] is not None
        ]
    return []


def _bodies(view: service.EmbedView, values: dict[str, Any], locale: str) -> dict[str, Any]:
    data = service.run_tiles(
        runtime.db(), runtime.settings(), runtime.service("query_cache"), view, values, locale
    )
    return {
        tile.id: render_tile(
            tile,
            data[tile.id].results,
            locale,
            settings=runtime.settings(),
            error=data[tile.id].error,
            id_prefix=PAGE,
        )
        for tile in view.spec.tiles
    }


def _content(view: service.EmbedView, bodies: dict[str, Any]) -> Any:
    """The tiles in their grid, one tab per section when the dashboard has several."""
    sections = view.spec.sections
    if len(sections) <= 1:
        return _grid(view, [tile.id for tile in view.spec.tiles], bodies)
    return dbc.Tabs(
        [
            dbc.Tab(_grid(view, list(sec.tiles), bodies), label=sec.title, tab_id=sec.id)
            for sec in sections
        ],
        id="emb-tabs",
        active_tab=sections[0].id,
    )


def _grid(view: service.EmbedView, tile_ids: list[str], bodies: dict[str, Any]) -> html.Div:
    places = {item.tile: item for item in view.spec.layout}
    ordered = sorted(
        (tid for tid in tile_ids if tid in places),
        key=lambda tid: (places[tid].y, places[tid].x),
    )
    cells = [
        html.Div(
            html.Div(bodies.get(tid), id={"type": TILE_TYPE, "tile": tid}),
            className="studio-tile",
            style={
                "gridColumn": f"{places[tid].x + 1} / span {places[tid].w}",
                "gridRow": f"{places[tid].y + 1} / span {places[tid].h}",
            },
        )
        for tid in ordered
    ]
    return html.Div(cells, className="studio-grid")


def _filter_bar(view: service.EmbedView, values: dict[str, Any], locale: str) -> html.Div:
    controls = [
        html.Div(
            [
                dbc.Label(flt.label or flt.field, className="small mb-0"),
                dcc.Dropdown(
                    id={"type": FILTER_TYPE, "filter": flt.id},
                    options=_filter_options(view, flt, locale),
                    value=values.get(flt.id),
                    multi=flt.kind in ("multi_select", "territory"),
                    placeholder=t("emb.all", locale),
                    style={"minWidth": "12rem"},
                ),
            ],
            className="me-3 mb-2",
        )
        for flt in view.spec.filters
        if not _locked_filter(view, flt)
    ]
    return html.Div(controls, className="d-flex flex-wrap align-items-end", id="emb-filters")


def render_embed(view: service.EmbedView, options: dict[str, Any]) -> list[Any]:
    """The embed's content: title, filters (unless hidden) and tiles."""
    locale = options["lang"]
    values = _clean_values(view, {})
    spec = view.spec
    body: Any = (
        _content(view, _bodies(view, values, locale))
        if spec.tiles
        else html.P(t("emb.empty", locale), className="text-muted")
    )
    return [
        html.H1(spec.title, className="h4 mb-1", id="emb-title") if options["title"] else None,
        html.P(spec.description, className="text-muted small")
        if options["title"] and spec.description
        else None,
        _filter_bar(view, values, locale) if options["filters"] and spec.filters else None,
        body,
        html.Div(t("emb.source", locale), className="text-muted small text-end mt-1"),
    ]


def render_story_embed(view: service.StoryEmbedView, options: dict[str, Any]) -> list[Any]:
    """The embedded story: cover (unless `title=0`, never its image), contents, chapters."""
    locale = options["lang"]
    db = runtime.db()
    data = story_service.story_data(
        db,
        runtime.settings(),
        runtime.service("query_cache"),
        view.actor,
        view.story,
        locale,
        transform=service.story_locks(db, view),
        parts=service.public_dashboard_part,
    )
    render_options = RenderOptions(
        image_url=None, settings=runtime.settings(), cover=options["title"], link_target="_blank"
    )
    return [
        html.Div(
            render_story(view.story.spec, data, locale, render_options), className="story-page"
        ),
        html.Div(t("emb.source", locale), className="text-muted small text-end mt-1"),
    ]


def _register_callbacks(app: dash.Dash) -> None:
    # The frame's document is titled by the dashboard or story it shows (RGAA 8.5, 8.6).
    app.clientside_callback(
        """function () {
            var heading = document.querySelector("#emb-root h1");
            var name = heading ? heading.textContent.trim() : "";
            if (name) { document.title = name + " · Studio"; }
        }""",
        Input("emb-root", "children"),
    )

    @app.callback(
        Output("emb-root", "children"),
        Output("emb-ctx", "data"),
        Input("emb-url", "pathname"),
        State("emb-url", "search"),
    )
    def show(pathname, search):  # noqa: ANN001, ANN202
        """Draw the embed named by the page's address (token re-verified here)."""
        match = EMBED_PATH.match(pathname or "")
        options = _options(search if isinstance(search, str) else "")
        if match is None:
            return html.P(t("emb.not_found", options["lang"]), id="embed-refused"), None
        kind, doc_id = KINDS[match.group(1)], int(match.group(2))
        try:
            with runtime.db().session() as s:
                view = service.open_embed(s, kind, doc_id, options["token"])
        except service.EmbedError as exc:
            key = "emb.not_found" if exc.status == 404 else "emb.denied"
            return html.P(t(key, options["lang"]), id="embed-refused"), None
        context = {"kind": kind, "id": doc_id, "token": options["token"], "lang": options["lang"]}
        if isinstance(view, service.StoryEmbedView):
            return render_story_embed(view, options), context
        return render_embed(view, options), context

    @app.callback(
        Output({"type": TILE_TYPE, "tile": ALL}, "children"),
        Input({"type": FILTER_TYPE, "filter": ALL}, "value"),
        State("emb-ctx", "data"),
        prevent_initial_call=True,
    )
    def refilter(values_list, context):  # noqa: ANN001, ANN202
        """Redraw the tiles for new filter values; locks and token re-applied."""
        context = context if isinstance(context, dict) else {}
        view = _open(context.get("kind"), context.get("id"), context.get("token"))
        locale = _lang(context)
        raw = {
            item["id"].get("filter"): value
            for item, value in zip(ctx.inputs_list[0], values_list or [], strict=False)
            if isinstance(item.get("id"), dict)
        }
        bodies = _bodies(view, _clean_values(view, raw), locale)
        order = [item["id"].get("tile") for item in ctx.outputs_list]
        return [bodies.get(tid) for tid in order]

    @app.callback(
        Output({"type": STICKY, "chapter": MATCH}, "children"),
        Input({"type": STEP_STORE, "chapter": MATCH}, "data"),
        State("emb-ctx", "data"),
        prevent_initial_call=True,
    )
    def redraw_sticky(step, context):  # noqa: ANN001, ANN202
        """A story's sticky visual at the step being read; token and locks re-applied."""
        context = context if isinstance(context, dict) else {}
        view = _open(
            context.get("kind"), context.get("id"), context.get("token"), service.StoryEmbedView
        )
        locale = _lang(context)
        triggered = ctx.triggered_id if isinstance(ctx.triggered_id, dict) else {}
        try:
            chapter = story_service.scroll_chapter(view.story, triggered.get("chapter"))
        except NotFound:
            raise dash.exceptions.PreventUpdate from None
        db = runtime.db()
        number, data = story_service.step_data(
            db,
            runtime.settings(),
            runtime.service("query_cache"),
            view.actor,
            view.story,
            chapter,
            step,
            locale,
            transform=service.story_locks(db, view),
        )
        return render_sticky(
            chapter, number, data.units[tile_key(chapter.tile.id)], locale, runtime.settings()
        )
