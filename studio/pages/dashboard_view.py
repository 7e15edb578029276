"""Dashboard page: filters, sections, tiles; filter state in the URL; click to cross-filter."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, callback, ctx, dcc, html
from plotly.io.json import to_json_plotly

from studio import runtime
from studio.components.chart import esc
from studio.components.format import format_category
from studio.components.render import render_tile
from studio.i18n import register, t
from studio.pages._ids import cid
from studio.pages._outlines import outlines_path
from studio.pages._sharing import sharing_dialog
from studio.pages._titles import document_title
from studio.security.access import readable
from studio.security.policy import allowed
from studio.services import dashboards as service
from studio.services import datasets as dataset_service
from studio.services.sharing import row_filter_for
from studio.services.tiles import TileData, run_tiles
from studio.spec.dashboard import FilterValueError
from studio.spec.filters import decode_state, encode_state
from studio.store import NotFound, audit
from studio.store import datasets as ds_repo

dash.register_page(
    __name__,
    path_template="/dashboards/<dashboard_id>",
    title=document_title("dashboard", "dashboard_id", "title.dashboard"),
    name="dashboard_view",
    order=30,
)

ID = lambda name: cid("dv", name)  # noqa: E731
PAGE = "dv"
FILTER_TYPE = "dv-filter"
TILE_TYPE = "dv-tile"
SECTION_TYPE = "dv-section"
DRAWING_VERSION = 1
"""Part of the keys of cached tile drawings: bump it when the renderers' output changes, so
that a shared (Redis) cache never serves a drawing made by older code after a deploy."""

register(
    {
        "dv.not_found": (
            "Ce tableau de bord n'existe pas, n'est pas encore publié, ou ne vous est pas partagé.",
            "This dashboard does not exist, is not published yet, or is not shared with you.",
        ),
        "dv.draft": ("Brouillon non publié", "Unpublished draft"),
        "dv.published": ("Publié", "Published"),
        "dv.edit": ("Modifier", "Edit"),
        "dv.filtered_by": ("Filtré par $label : $value", "Filtered by $label: $value"),
        "dv.clear": ("Effacer ce filtre", "Clear this filter"),
        "dv.all": ("Tous", "All"),
        "dv.start": ("Début", "Start"),
        "dv.end": ("Fin", "End"),
        "dv.pdf": ("PDF", "PDF"),
        "dv.pdf_title": (
            "Télécharger le tableau de bord en PDF (A4 paysage, filtres appliqués)",
            "Download the dashboard as a PDF (A4 landscape, with the filters applied)",
        ),
        "dv.empty": (
            "Ce tableau de bord n'a pas encore de tuile. Ouvrez l'éditeur pour en ajouter.",
            "This dashboard has no tile yet. Open the editor to add some.",
        ),
    }
)


def _filter_options(board: service.OpenDashboard, flt: Any, locale: str) -> list[dict[str, Any]]:
    """Distinct values of a filter's field, from the first dataset that has it."""
    from studio.spec import Dimension, Measure, Query, Sort

    for ds_id, schema in board.schemas.items():
        if flt.field not in schema:
            continue
        query = Query(
            dataset=ds_id,
            dimensions=[Dimension(field=flt.field, grain=_grain(flt))],
            measures=[Measure(agg="count")],
            sort=[Sort(field=flt.field)],
            limit=2000,
        )
        with runtime.db().session() as s:
            ds = ds_repo.get_dataset(s, ds_id)
            if not readable(runtime.actor(), ds, board.vouched):
                continue
            result = dataset_service.query_dataset(
                runtime.settings(),
                runtime.service("query_cache"),
                ds,
                query,
                row_filter_for(s, runtime.actor(), ds),
            )
        return [
            {"label": format_category(row[0], locale, _grain(flt)), "value": row[0]}
            for row in result.rows
            if row[0] is not None
        ]
    return []


def _grain(flt: Any) -> str | None:
    return getattr(flt, "grain", None) if getattr(flt, "kind", "") == "period" else None


def _date_range_control(flt: Any, value: Any, locale: str) -> Any:
    """Two dates picked in a calendar; a hidden field holds them as "start..end" (the URL's
    form), so the range is one filter value like the others."""
    start, end = value or (None, None)
    return html.Div(
        [
            dbc.Label(flt.label or flt.field, className="small mb-0 d-block"),
            dcc.DatePickerRange(
                id={"type": "dv-dates", "filter": flt.id},
                start_date=start,
                end_date=end,
                display_format="DD/MM/YYYY" if locale == "fr" else "YYYY-MM-DD",
                first_day_of_week=1 if locale == "fr" else 0,
                clearable=True,
                start_date_placeholder_text=t("dv.start", locale),
                end_date_placeholder_text=t("dv.end", locale),
            ),
            dcc.Input(
                id={"type": FILTER_TYPE, "filter": flt.id},
                type="hidden",
                value=f"{start or ''}..{end or ''}" if value else "",
            ),
        ],
        className="me-3 mb-2",
    )


@callback(
    Output({"type": FILTER_TYPE, "filter": MATCH}, "value"),
    Input({"type": "dv-dates", "filter": MATCH}, "start_date"),
    Input({"type": "dv-dates", "filter": MATCH}, "end_date"),
    prevent_initial_call=True,
)
def date_range_value(start, end):  # noqa: ANN001, ANN201
    """The picked range as "start..end" ("" when cleared); cleaned like the URL by refilter."""
    if not runtime.actor().is_authenticated:
        raise dash.exceptions.PreventUpdate
    return f"{start or ''}..{end or ''}" if (start or end) else ""


def _filter_control(board: service.OpenDashboard, flt: Any, value: Any, locale: str) -> Any:
    if flt.kind == "date_range":
        return _date_range_control(flt, value, locale)
    fid = {"type": FILTER_TYPE, "filter": flt.id}
    options = _filter_options(board, flt, locale)
    multi = flt.kind in ("multi_select", "territory")
    return html.Div(
        [
            dbc.Label(flt.label or flt.field, html_for=str(flt.id), className="small mb-0"),
            dcc.Dropdown(
                id=fid,
                options=options,
                value=value,
                multi=multi,
                placeholder=t("dv.all", locale),
                style={"minWidth": "12rem"},
            ),
        ],
        className="me-3 mb-2",
    )


def _grid_style(item: Any) -> dict[str, str]:
    return {
        "gridColumn": f"{item.x + 1} / span {item.w}",
        "gridRow": f"{item.y + 1} / span {item.h}",
    }


def _tile_cells(
    board: service.OpenDashboard, tile_ids: list[str], bodies: dict[str, Any]
) -> html.Div:
    places = {item.tile: item for item in board.spec.layout}
    ordered = sorted(tile_ids, key=lambda tid: (places[tid].y, places[tid].x))
    cells = [
        html.Div(
            [
                _downloads(board, tid),
                html.Div(bodies.get(tid), id={"type": TILE_TYPE, "tile": tid}),
            ],
            className="studio-tile",
            style=_grid_style(places[tid]),
        )
        for tid in ordered
    ]
    return html.Div(cells, className="studio-grid")


def _downloads(board: service.OpenDashboard, tile_id: str) -> html.Div | None:
    """CSV and XLSX buttons for a tile that has data."""
    tile = next(x for x in board.spec.tiles if x.id == tile_id)
    if not tile.queries():
        return None
    label = runtime.locale() == "en" and "Download the data as" or "Télécharger les données en"
    return html.Div(
        [
            html.Button(
                fmt.upper(),
                id={"type": "dv-dl", "tile": tile_id, "fmt": fmt},
                n_clicks=0,
                className="btn btn-link btn-sm p-0 ms-2",
                title=f"{label} {fmt.upper()}",
                **{"aria-label": f"{label} {fmt.upper()}"},
            )
            for fmt in ("csv", "xlsx")
        ],
        className="studio-tile-tools text-end small",
    )


def main_query_name(queries: dict[str, Any]) -> str | None:
    """The query whose rows a tile's download holds (not boundaries nor a reference)."""
    return next((name for name in queries if name not in ("boundaries", "reference")), None)


@callback(
    Output(ID("download"), "data"),
    Input({"type": "dv-dl", "tile": ALL, "fmt": ALL}, "n_clicks"),
    State({"type": FILTER_TYPE, "filter": ALL}, "value"),
    State(ID("cross"), "data"),
    State(ID("doc"), "data"),
    prevent_initial_call=True,
)
def download(_clicks, filter_values, cross, doc):  # noqa: ANN001, ANN201
    """A tile's aggregated rows as CSV or XLSX, with the filters on screen, formulas escaped."""
    from studio.exports import columns_of, export_filename, result_to_csv, result_to_xlsx

    actor, locale = runtime.actor(), runtime.locale()
    with runtime.db().session() as s:
        board = service.open_dashboard(s, actor, int((doc or {}).get("id", 0)))
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered[0].get("value"):
        raise dash.exceptions.PreventUpdate
    tile = next((x for x in board.spec.tiles if x.id == trigger.get("tile")), None)
    if tile is None or trigger.get("fmt") not in ("csv", "xlsx"):
        raise dash.exceptions.PreventUpdate
    _state, values, cross = _state_from(board, ctx.states_list[0], filter_values, cross)
    queries = service.merged_queries(board, values, cross)[tile.id]
    name = main_query_name(queries)
    if name is None:
        raise dash.exceptions.PreventUpdate
    data = _run(board, {tile.id: {name: queries[name]}}, locale)[tile.id]
    if data.error or name not in data.results:
        raise dash.exceptions.PreventUpdate
    title = tile.title or board.spec.title
    columns = columns_of(tile, queries[name], locale)
    if trigger["fmt"] == "csv":
        content = result_to_csv(data.results[name], locale, columns)
    else:
        content = result_to_xlsx(data.results[name], title, columns, locale)
    return dcc.send_bytes(content, export_filename(title, trigger["fmt"]))


@callback(
    Output(ID("pdf-download"), "data"),
    Input(ID("pdf"), "n_clicks"),
    State({"type": FILTER_TYPE, "filter": ALL}, "value"),
    State(ID("cross"), "data"),
    State(ID("doc"), "data"),
    prevent_initial_call=True,
)
def download_pdf(n_clicks, filter_values, cross, doc):  # noqa: ANN001, ANN201
    """The whole dashboard as a PDF, filtered as on screen (queries rebuilt on the server)."""
    from studio.services.dashboard_pdf import render_pdf

    actor, locale = runtime.actor(), runtime.locale()
    with runtime.db().session() as s:
        board = service.open_dashboard(s, actor, int((doc or {}).get("id", 0)))
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    _state, values, cross = _state_from(board, ctx.states_list[0], filter_values, cross)
    content, filename = render_pdf(
        runtime.db(),
        runtime.settings(),
        runtime.service("query_cache"),
        actor,
        board,
        values,
        cross,
        locale,
    )
    return dcc.send_bytes(content, filename, type="application/pdf")


def _run(
    board: service.OpenDashboard, queries: dict[str, Any], locale: str, then: Any = None
) -> dict[str, Any]:
    """Run tiles' queries as the current actor, with the app's cache (see `run_tiles`)."""
    return run_tiles(
        runtime.db(),
        runtime.settings(),
        runtime.service("query_cache"),
        runtime.actor(),
        queries,
        locale,
        board.vouched,
        then,
    )


def _state_from(
    board: service.OpenDashboard,
    items: list[dict[str, Any]],
    values: list[Any],
    cross: dict[str, Any] | None,
) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """The URL state, filter values and cross-filter from the filter controls' values."""
    raw = {item["id"]["filter"]: value for item, value in zip(items, values, strict=True)}
    state = encode_state(_clean_values(board, raw), cross)
    clean, clean_cross = decode_state(state, board.spec)
    return state, clean, clean_cross


def render_bodies(
    board: service.OpenDashboard,
    values: dict[str, Any],
    cross: dict[str, Any] | None,
    locale: str,
    only: Collection[str] | None = None,
    session: Any = None,
) -> dict[str, Any]:
    """The tiles of the dashboard (those in `only`, if given) drawn with these filter values.

    `session`: the caller's open session, reused for the access checks (the datasets it
    already loaded are not read again).

    Permissions are checked for every tile on every call; a tile the actor may see is then
    taken from the drawing cache when one was made from the same data (see
    `service.tile_access`), else queried, drawn and kept there.
    """
    tiles = [t for t in board.spec.tiles if only is None or t.id in only]
    queries = service.merged_queries(board, values, cross)
    cache = runtime.service("query_cache")
    if session is not None:
        access = service.tile_access(
            session, runtime.settings(), runtime.actor(), board, queries, locale
        )
    else:
        with runtime.db().session() as s:
            access = service.tile_access(
                s, runtime.settings(), runtime.actor(), board, queries, locale
            )
    bodies: dict[str, Any] = {}
    keys: dict[str, str] = {}
    for tile in tiles:
        check = access[tile.id]
        if check.error:
            error = TileData(error=check.error)
            options = _draw_options(board, tile, cross)
            bodies[tile.id] = _draw(tile, error, locale, runtime.settings(), options)
            continue
        if cache is None:
            continue
        keys[tile.id] = cache.derived_key(
            "tile", {**check.depends, "locale": locale, "draw": _draw_options(board, tile, cross)}
        )
        hit = cache.get_bytes(keys[tile.id])
        if hit is not None:
            bodies[tile.id] = json.loads(hit)
    missing = {t.id: t for t in tiles if t.id not in bodies}
    settings = runtime.settings()
    options = {tid: _draw_options(board, tile, cross) for tid, tile in missing.items()}

    def draw(tile_id: str, data: TileData) -> Any:
        # in a worker thread, without the request context: everything is passed in
        drawn = _draw(missing[tile_id], data, locale, settings, options[tile_id])
        if tile_id not in keys or data.error:
            return drawn
        text = to_json_plotly(drawn)
        cache.set_bytes(keys[tile_id], text.encode())
        return json.loads(text)

    if missing:
        queries = {tid: queries[tid] for tid in missing}
        bodies.update(_run(board, queries, locale, then=draw))
    return bodies


def _draw_options(board: service.OpenDashboard, tile: Any, cross: dict[str, Any] | None) -> dict:
    """What, beyond data and locale, changes how a tile is drawn on this page."""
    options: dict[str, Any] = {"page": PAGE, "renderer": DRAWING_VERSION}
    settings = runtime.settings()
    if tile.kind == "map":
        options["tiles"] = [
            getattr(settings, "tile_url", None),
            getattr(settings, "tile_attribution", None),
        ]
        options["selected"] = cross["value"] if cross and cross["tile"] == tile.id else None
        options["outlines"] = _outlines_url(board, tile)
    return options


def _outlines_url(board: service.OpenDashboard, tile: Any) -> str | None:
    if getattr(tile, "layer", None) != "choropleth":
        return None
    return outlines_path(board.doc.id, tile.id)


def _draw(tile: Any, data: TileData, locale: str, settings: Any, options: dict) -> Any:
    return render_tile(
        tile,
        data.results,
        locale,
        settings=settings,
        error=data.error,
        id_prefix=PAGE,
        selected=options.get("selected"),
        outlines_url=options.get("outlines"),
    )


def layout(dashboard_id: str = "", **query: Any) -> html.Div:
    """The dashboard as the current user may see it, filtered as the URL says."""
    actor, locale = runtime.actor(), runtime.locale()
    try:
        with runtime.db().session() as s:
            board = service.open_dashboard(s, actor, int(dashboard_id))
            audit.record_view(s, actor, "dashboard", board.doc.id, runtime.client_address())
    except (ValueError, NotFound):
        return dbc.Alert(t("dv.not_found", locale), color="warning", id=ID("not-found"))
    values, cross = decode_state(urlencode(query, doseq=True), board.spec)
    sections = board.spec.sections
    if len(sections) > 1:
        # only the open tab's tiles exist (and are drawn); `show_section` draws another one
        shown = list(sections[0].tiles)
        bodies = render_bodies(board, values, cross, locale, only=shown)
        content = dbc.Tabs(
            [
                dbc.Tab(
                    html.Div(
                        _tile_cells(board, shown, bodies) if i == 0 else None,
                        id={"type": SECTION_TYPE, "section": sec.id},
                    ),
                    label=sec.title,
                    tab_id=sec.id,
                )
                for i, sec in enumerate(sections)
            ],
            id=ID("tabs"),
            active_tab=sections[0].id,
        )
    elif board.spec.tiles:
        bodies = render_bodies(board, values, cross, locale)
        content = _tile_cells(board, [tile.id for tile in board.spec.tiles], bodies)
    else:
        content = dbc.Alert(t("dv.empty", locale), color="light", className="border")
    state = "published" if board.doc.published_number == board.doc.version else board.showing
    badge = dbc.Badge(
        t(f"dv.{state}", locale),
        color="secondary" if state == "draft" else "success",
        className="ms-2 align-middle",
        id=ID("state"),
    )
    edit = (
        dcc.Link(
            t("dv.edit", locale),
            href=f"/dashboards/{board.doc.id}/edit",
            className="btn btn-outline-primary btn-sm ms-3",
            id=ID("edit"),
        )
        if allowed(actor, "edit", board.doc)
        else None
    )
    share = (
        sharing_dialog("dashboard", board.doc.id, locale)
        if allowed(actor, "share", board.doc)
        else None
    )
    return html.Div(
        [
            dcc.Store(id=ID("doc"), data={"id": board.doc.id}),
            dcc.Store(id=ID("cross"), data=cross),
            dcc.Location(id=ID("url"), refresh=False),
            dcc.Download(id=ID("download")),
            dcc.Download(id=ID("pdf-download")),
            html.Div(
                [
                    html.H1([board.spec.title, badge], className="h3 d-inline me-3"),
                    share,
                    edit,
                    html.Button(
                        t("dv.pdf", locale),
                        id=ID("pdf"),
                        n_clicks=0,
                        className="btn btn-outline-secondary btn-sm ms-2",
                        title=t("dv.pdf_title", locale),
                        **{"aria-label": t("dv.pdf_title", locale)},
                    ),
                ],
                className="mb-2",
            ),
            html.P(board.spec.description, className="text-muted")
            if board.spec.description
            else None,
            html.Div(
                [_filter_control(board, f, values.get(f.id), locale) for f in board.spec.filters],
                className="d-flex flex-wrap align-items-end",
                id=ID("filters"),
            ),
            html.Div(_chip(board, cross, locale), id=ID("chip")),
            content,
        ]
    )


def _chip(board: service.OpenDashboard, cross: dict[str, Any] | None, locale: str) -> Any:
    if not cross:
        return None
    label = cross.get("field", "")
    return dbc.Alert(
        [
            t("dv.filtered_by", locale, label=label, value=cross.get("value")),
            dbc.Button(
                t("dv.clear", locale),
                id=ID("clear"),
                size="sm",
                color="link",
                className="ms-2",
                n_clicks=0,
            ),
        ],
        color="info",
        className="py-1 d-inline-block",
    )


def _clean_values(board: service.OpenDashboard, raw: dict[str, Any]) -> dict[str, Any]:
    """Each known filter's value in canonical form; a forged value is dropped (default)."""
    cleaned: dict[str, Any] = {}
    for flt in board.spec.filters:
        if flt.id not in raw:
            continue
        try:
            cleaned[flt.id] = flt.clean(raw[flt.id])  # None: cleared, and stays so in the URL
        except FilterValueError:
            continue
    return cleaned


@callback(
    Output({"type": TILE_TYPE, "tile": ALL}, "children"),
    Output(ID("url"), "search"),
    Output(ID("chip"), "children"),
    Input({"type": FILTER_TYPE, "filter": ALL}, "value"),
    Input(ID("cross"), "data"),
    State(ID("doc"), "data"),
    prevent_initial_call=True,
)
def refilter(values_list, cross, doc):  # noqa: ANN001, ANN201
    """Redraw every tile for the new filter values (queries rebuilt from the stored spec)."""
    actor, locale = runtime.actor(), runtime.locale()
    with runtime.db().session() as s:
        board = service.open_dashboard(s, actor, int((doc or {}).get("id", 0)))
        state, values, cross = _state_from(board, ctx.inputs_list[0], values_list, cross)
        order = [item["id"]["tile"] for item in ctx.outputs_list[0]]
        # the open tab's tiles; one session for the dashboard and every tile's access check
        bodies = render_bodies(board, values, cross, locale, only=order, session=s)
    return (
        [bodies.get(tid) for tid in order],
        ("?" + state if state else ""),
        _chip(board, cross, locale),
    )


@callback(
    Output({"type": SECTION_TYPE, "section": ALL}, "children"),
    Input(ID("tabs"), "active_tab"),
    State({"type": FILTER_TYPE, "filter": ALL}, "value"),
    State(ID("cross"), "data"),
    State(ID("doc"), "data"),
    prevent_initial_call=True,
)
def show_section(active, values_list, cross, doc):  # noqa: ANN001, ANN201
    """Draw the tiles of the tab just opened, with the filters on screen; empty the others
    (so that a filter change redraws only what can be seen)."""
    actor, locale = runtime.actor(), runtime.locale()
    with runtime.db().session() as s:
        board = service.open_dashboard(s, actor, int((doc or {}).get("id", 0)))
    section = next((sec for sec in board.spec.sections if sec.id == active), None)
    if section is None:
        raise dash.exceptions.PreventUpdate
    _state, values, cross = _state_from(board, ctx.states_list[0], values_list, cross)
    shown = list(section.tiles)
    bodies = render_bodies(board, values, cross, locale, only=shown)
    return [
        _tile_cells(board, shown, bodies) if item["id"]["section"] == section.id else None
        for item in ctx.outputs_list
    ]


@callback(
    Output(ID("cross"), "data"),
    Input({"type": "tile-graph", "tile": ALL, "page": PAGE}, "clickData"),
    State(ID("doc"), "data"),
    prevent_initial_call=True,
)
def cross_filter(clicks, doc):  # noqa: ANN001, ANN201
    """A click on a bar or a slice filters the other tiles by that category."""
    actor, locale = runtime.actor(), runtime.locale()
    trigger = ctx.triggered_id
    if not trigger or not isinstance(trigger, dict):
        raise dash.exceptions.PreventUpdate
    click = next(
        (c for item, c in zip(ctx.inputs_list[0], clicks, strict=True) if item["id"] == trigger),
        None,
    )
    if not click or not click.get("points"):
        raise dash.exceptions.PreventUpdate
    with runtime.db().session() as s:
        board = service.open_dashboard(s, actor, int((doc or {}).get("id", 0)))
    tile = next((x for x in board.spec.tiles if x.id == trigger["tile"]), None)
    if tile is None or getattr(tile, "kind", "") != "chart":
        raise dash.exceptions.PreventUpdate
    point = click["points"][0]
    label = point.get("label", point.get("y") if tile.chart == "bar" else point.get("x"))
    value = _raw_value(board, tile, label, locale)
    if value is None:
        raise dash.exceptions.PreventUpdate
    return {"tile": tile.id, "field": tile.dimension.field, "value": value}


def _raw_value(board: service.OpenDashboard, tile: Any, label: Any, locale: str) -> Any:
    """The stored value whose label is `label` in the tile's own (unfiltered-by-self) result."""
    queries = service.merged_queries(board, {}, None)[tile.id]
    data = _run(board, {tile.id: queries}, locale)[tile.id]
    result = data.results.get("data")
    if result is None:
        return None
    for value in result.column(tile.dimension.field):
        shown = format_category(value, locale, tile.dimension.grain)
        if label in (shown, esc(shown)):  # charts show labels escaped (esc)
            return value
    return None


@callback(
    Output(ID("cross"), "data", allow_duplicate=True),
    Input({"type": "tile-map-areas", "tile": ALL, "page": PAGE}, "clickData"),
    State(ID("doc"), "data"),
    State(ID("cross"), "data"),
    prevent_initial_call=True,
)
def map_cross_filter(clicks, doc, current):  # noqa: ANN001, ANN201
    """A click on a map area filters the other tiles by its code; a second click clears it."""
    actor, locale = runtime.actor(), runtime.locale()
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict):
        raise dash.exceptions.PreventUpdate
    click = next(
        (c for item, c in zip(ctx.inputs_list[0], clicks, strict=True) if item["id"] == trigger),
        None,
    )
    code = ((click or {}).get("properties") or {}).get("code")
    if not isinstance(code, str | int) or isinstance(code, bool):
        raise dash.exceptions.PreventUpdate
    with runtime.db().session() as s:
        board = service.open_dashboard(s, actor, int((doc or {}).get("id", 0)))
    tile = board.spec.tile(str(trigger.get("tile")))
    if tile is None or tile.kind != "map" or tile.code_field is None:
        raise dash.exceptions.PreventUpdate
    value = _area_value(board, tile, str(code), locale)
    if value is None:
        raise dash.exceptions.PreventUpdate
    chosen = {"tile": tile.id, "field": tile.code_field, "value": value}
    return None if current == chosen else chosen


def _area_value(board: service.OpenDashboard, tile: Any, code: str, locale: str) -> Any:
    """The stored code value of the clicked area in the map's own values, or None."""
    queries = service.merged_queries(board, {}, None)[tile.id]
    values = {"values": queries["values"]} if "values" in queries else {}
    data = _run(board, {tile.id: values}, locale)[tile.id]
    result = data.results.get("values")
    if result is None:
        return None
    return next((v for v in result.column(tile.code_field) if str(v).strip() == code), None)


@callback(
    Output(ID("cross"), "data", allow_duplicate=True),
    Input(ID("clear"), "n_clicks"),
    prevent_initial_call=True,
)
def clear_cross_filter(n_clicks):  # noqa: ANN001, ANN201
    """Remove the cross-filter chip."""
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    if not runtime.actor().is_authenticated:
        raise dash.exceptions.PreventUpdate
    return None
