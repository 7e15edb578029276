"""Dashboard editor: drag and resize tiles, add filters, save, publish, see and restore history."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import dash_snap_grid as dsg
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from studio import runtime
from studio.i18n import register, t
from studio.pages._ids import cid
from studio.pages._sharing import sharing_dialog
from studio.security.policy import allowed, ensure
from studio.services import dashboards as service
from studio.services import documents
from studio.services.tile_editing import stale_message
from studio.spec.filters import filter_reach
from studio.store import NotFound, StaleRevision, audit
from studio.store import documents as repo

dash.register_page(
    __name__,
    path_template="/dashboards/<dashboard_id>/edit",
    title="Modifier le tableau de bord · Studio",
    name="dashboard_edit",
    order=12,
)

ID = lambda name: cid("de", name)  # noqa: E731

register(
    {
        "de.title": ("Titre du tableau de bord", "Dashboard title"),
        "de.description": ("Description", "Description"),
        "de.add_tile": ("Ajouter une tuile", "Add a tile"),
        "de.save": ("Enregistrer", "Save"),
        "de.publish": ("Publier", "Publish"),
        "de.view": ("Voir", "View"),
        "de.saved": ("Enregistré (version $version).", "Saved (version $version)."),
        "de.published": (
            "Publié : les lecteurs voient maintenant la révision $number.",
            "Published: viewers now see revision $number.",
        ),
        "de.reload": ("Recharger", "Reload"),
        "de.save_copy": ("Enregistrer une copie", "Save as a copy"),
        "de.copy_saved": ("Copie créée : ", "Copy created: "),
        "de.edit_tile": ("Modifier", "Edit"),
        "de.remove_tile": ("Retirer", "Remove"),
        "de.filters": ("Filtres", "Filters"),
        "de.filter_kind": ("Type de filtre", "Filter kind"),
        "de.filter_field": ("Champ", "Field"),
        "de.filter_label": ("Libellé", "Label"),
        "de.add_filter": ("Ajouter le filtre", "Add the filter"),
        "de.reaches": ("S'applique à : $tiles", "Applies to: $tiles"),
        "de.reaches_none": ("Ne s'applique à aucune tuile.", "Applies to no tile."),
        "de.history": ("Historique", "History"),
        "de.restore": ("Restaurer", "Restore"),
        "de.revision": ("Révision $number — $who, $when", "Revision $number — $who, $when"),
        "de.restored": ("Révision $number restaurée.", "Revision $number restored."),
        "de.not_allowed": (
            "Vous ne pouvez pas modifier ce tableau de bord.",
            "You cannot edit this dashboard.",
        ),
        "de.empty": (
            "Aucune tuile pour l'instant : cliquez sur « Ajouter une tuile ».",
            "No tile yet: click 'Add a tile'.",
        ),
        "de.invalid": ("Impossible d'enregistrer : $detail", "Cannot save: $detail"),
        "de.filter.select": ("Liste déroulante", "Dropdown"),
        "de.filter.multi_select": ("Choix multiple", "Multi-select"),
        "de.filter.period": ("Période", "Period"),
        "de.filter.territory": ("Territoire", "Territory"),
        "de.unsaved": (
            "Modifications non enregistrées.",
            "Unsaved changes.",
        ),
    }
)

FILTER_KINDS = ("select", "multi_select", "period", "territory")


def _grid_item(tile: Any, locale: str, dashboard_id: int) -> html.Div:
    return html.Div(
        dbc.Card(
            [
                dbc.CardHeader(
                    [
                        html.Span(tile.title or tile.id, className="fw-semibold me-auto"),
                        dcc.Link(
                            t("de.edit_tile", locale),
                            href=f"/dashboards/{dashboard_id}/tiles/{tile.id}",
                            className="btn btn-sm btn-link no-drag",
                        ),
                        html.Button(
                            t("de.remove_tile", locale),
                            id={"type": "de-remove", "tile": tile.id},
                            n_clicks=0,
                            className="btn btn-sm btn-link text-danger no-drag",
                        ),
                    ],
                    className="d-flex align-items-center py-1 drag-handle",
                    style={"cursor": "move"},
                ),
                dbc.CardBody(html.Small(f"{tile.kind} · {tile.id}", className="text-muted")),
            ],
            className="h-100",
        ),
        id=tile.id,
        key=tile.id,
    )


def _reach_text(reach: dict[str, list[str]], titles: dict[str, str], fid: str, locale: str) -> str:
    names = [titles.get(tid, tid) for tid in reach.get(fid, [])]
    return (
        t("de.reaches", locale, tiles=", ".join(names)) if names else t("de.reaches_none", locale)
    )


def _filters_panel(board: service.OpenDashboard, spec: dict[str, Any], locale: str) -> html.Div:
    from studio.spec.dashboard import load_dashboard

    model = load_dashboard(spec)
    reach = filter_reach(model, board.schemas)
    titles = {tile.id: tile.title or tile.id for tile in model.tiles}
    rows = [
        html.Li(
            [
                html.Strong(f.label or f.field),
                f" ({t('de.filter.' + f.kind, locale)}) — ",
                html.Span(_reach_text(reach, titles, f.id, locale), className="text-muted"),
                html.Button(
                    "×",
                    id={"type": "de-remove-filter", "filter": f.id},
                    n_clicks=0,
                    className="btn btn-sm btn-link text-danger",
                    **{"aria-label": t("de.remove_tile", locale)},
                ),
            ],
            id={"type": "de-filter-row", "filter": f.id},
        )
        for f in model.filters
    ]
    fields = sorted({name for schema in board.schemas.values() for name in schema})
    return html.Div(
        [
            html.H2(t("de.filters", locale), className="h5"),
            html.Ul(rows, id=ID("filter-list")),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Select(
                            id=ID("filter-kind"),
                            value="select",
                            options=[
                                {"label": t(f"de.filter.{k}", locale), "value": k}
                                for k in FILTER_KINDS
                            ],
                        ),
                        md=3,
                    ),
                    dbc.Col(
                        dcc.Dropdown(
                            id=ID("filter-field"),
                            options=fields,
                            placeholder=t("de.filter_field", locale),
                        ),
                        md=4,
                    ),
                    dbc.Col(
                        dbc.Input(id=ID("filter-label"), placeholder=t("de.filter_label", locale)),
                        md=3,
                    ),
                    dbc.Col(
                        dbc.Button(
                            t("de.add_filter", locale), id=ID("filter-add"), n_clicks=0, size="sm"
                        ),
                        md=2,
                    ),
                ],
                className="g-2",
            ),
        ],
        id=ID("filters"),
    )


def _history(s: Any, doc: Any, locale: str) -> html.Div:
    items = [
        html.Li(
            [
                t(
                    "de.revision",
                    locale,
                    number=r.number,
                    who=r.author_email,
                    when=r.created_at.strftime(
                        "%d/%m/%Y %H:%M" if locale == "fr" else "%Y-%m-%d %H:%M"
                    ),
                ),
                " ✓" if r.number == doc.published_number else "",
                html.Button(
                    t("de.restore", locale),
                    id={"type": "de-restore", "number": r.number},
                    n_clicks=0,
                    className="btn btn-sm btn-link",
                ),
            ]
        )
        for r in repo.list_revisions(s, doc)[:20]
    ]
    return html.Details(
        [html.Summary(t("de.history", locale)), html.Ul(items)], className="mt-3", id=ID("history")
    )


def layout(dashboard_id: str = "", **_kwargs: Any) -> html.Div:
    """The editor of a dashboard's draft (editors and owners only)."""
    actor, locale = runtime.actor(), runtime.locale()
    try:
        with runtime.db().session() as s:
            board = service.open_dashboard(s, actor, int(dashboard_id))
            if not allowed(actor, "edit", board.doc):
                raise NotFound("not editable")
            history = _history(s, board.doc, locale)
    except (ValueError, NotFound):
        return dbc.Alert(t("de.not_allowed", locale), color="warning", id=ID("not-allowed"))
    doc, spec = board.doc, board.doc.spec
    items = [_grid_item(tile, locale, doc.id) for tile in board.spec.tiles]
    grid_layout = [
        {"i": it.tile, "x": it.x, "y": it.y, "w": it.w, "h": it.h} for it in board.spec.layout
    ]
    grid = html.Div(
        [
            # always present: the save callbacks read its layout, even when it is still empty
            dsg.Grid(
                id=ID("grid"),
                cols=12,
                rowHeight=60,
                layout=grid_layout,
                children=items,
                compactType="vertical",
                draggableHandle=".drag-handle",
                draggableCancel=".no-drag",
            ),
            None if items else dbc.Alert(t("de.empty", locale), color="light", className="border"),
        ]
    )
    return html.Div(
        [
            dcc.Store(id=ID("draft"), data={"id": doc.id, "version": doc.version, "spec": spec}),
            dcc.Location(id=ID("go"), refresh=True),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(t("de.title", locale), html_for=ID("title")),
                            dbc.Input(id=ID("title"), value=board.spec.title),
                        ],
                        md=6,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("de.description", locale), html_for=ID("description")),
                            dbc.Input(id=ID("description"), value=board.spec.description),
                        ],
                        md=6,
                    ),
                ],
                className="mb-2",
            ),
            html.Div(
                [
                    dcc.Link(
                        t("de.add_tile", locale),
                        href=f"/dashboards/{doc.id}/tiles/new",
                        className="btn btn-outline-primary btn-sm me-2",
                        id=ID("add-tile"),
                    ),
                    dbc.Button(
                        t("de.save", locale), id=ID("save"), n_clicks=0, size="sm", className="me-2"
                    ),
                    dbc.Button(
                        t("de.publish", locale),
                        id=ID("publish"),
                        n_clicks=0,
                        size="sm",
                        color="success",
                        className="me-2",
                    ),
                    sharing_dialog("dashboard", doc.id, locale)
                    if allowed(actor, "share", doc)
                    else None,
                    dcc.Link(
                        t("de.view", locale),
                        href=f"/dashboards/{doc.id}",
                        className="btn btn-link btn-sm",
                        id=ID("view"),
                    ),
                ],
                className="mb-2",
            ),
            html.Div(id=ID("message"), role="status"),
            grid,
            _filters_panel(board, spec, locale),
            history,
        ]
    )


def _audit(s: Any, actor: Any, action: str, doc_id: int, details: dict[str, Any]) -> None:
    audit.record(s, actor, action, "dashboard", doc_id, details, runtime.client_address())


def _open_editable(doc_id: int) -> tuple[Any, Any]:
    actor = runtime.actor()
    ensure(actor, "create", "dashboards")
    with runtime.db().session() as s:
        board = service.open_dashboard(s, actor, doc_id)
        ensure(actor, "edit", board.doc)
    return actor, board


def _edited_spec(
    draft: dict[str, Any],
    grid_layout: list[dict[str, Any]] | None,
    title: str | None,
    description: str | None,
) -> dict[str, Any]:
    spec = dict(draft["spec"])
    if grid_layout:
        spec["layout"] = [
            {
                "tile": it["i"],
                "x": int(it["x"]),
                "y": int(it["y"]),
                "w": int(it["w"]),
                "h": int(it["h"]),
            }
            for it in grid_layout
        ]
    spec["title"] = (title or spec.get("title") or "").strip()[:200] or spec.get("title", "")
    spec["description"] = (description or "").strip()[:2000]
    return spec


def _save(draft: dict[str, Any], spec: dict[str, Any], note: str) -> tuple[Any, dict[str, Any]]:
    """Save `spec` as the draft; returns a message and the new draft store."""
    locale = runtime.locale()
    actor, board = _open_editable(int(draft["id"]))
    try:
        with runtime.db().session() as s:
            doc = repo.get_document(s, "dashboard", board.doc.id)
            documents.save(s, actor, doc, spec, int(draft["version"]), note)
            _audit(s, actor, "dashboard_saved", doc.id, {"version": doc.version})
            new = {"id": doc.id, "version": doc.version, "spec": doc.spec}
    except StaleRevision as exc:
        return _conflict(exc, locale), dash.no_update
    except documents.SpecError as exc:
        return dbc.Alert(
            t("de.invalid", locale, detail=f"{exc.where}: {exc.message}"), color="danger"
        ), dash.no_update
    return dbc.Alert(t("de.saved", locale, version=new["version"]), color="success"), new


def _conflict(exc: StaleRevision, locale: str) -> dbc.Alert:
    return dbc.Alert(
        [
            html.Div(stale_message(exc, locale).split(". ")[0] + "."),
            html.A(
                t("de.reload", locale),
                href="",
                className="btn btn-sm btn-outline-danger me-2",
                id=ID("reload"),
            ),
            dbc.Button(
                t("de.save_copy", locale), id=ID("save-copy"), n_clicks=0, size="sm", color="danger"
            ),
        ],
        color="danger",
        id=ID("conflict"),
    )


@callback(
    Output(ID("message"), "children"),
    Output(ID("draft"), "data"),
    Input(ID("save"), "n_clicks"),
    State(ID("draft"), "data"),
    State(ID("grid"), "layout"),
    State(ID("title"), "value"),
    State(ID("description"), "value"),
    prevent_initial_call=True,
)
def save(n_clicks, draft, grid_layout, title, description):  # noqa: ANN001, ANN201
    """Save the layout, title and description as a new revision (refused when stale)."""
    if not n_clicks or not draft:
        raise dash.exceptions.PreventUpdate
    return _save(draft, _edited_spec(draft, grid_layout, title, description), "layout saved")


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("go"), "href", allow_duplicate=True),
    Input(ID("save-copy"), "n_clicks"),
    State(ID("draft"), "data"),
    State(ID("grid"), "layout"),
    State(ID("title"), "value"),
    State(ID("description"), "value"),
    prevent_initial_call=True,
)
def save_copy(n_clicks, draft, grid_layout, title, description):  # noqa: ANN001, ANN201
    """After a conflict: keep my version as a new dashboard; nothing is lost."""
    if not n_clicks or not draft:
        raise dash.exceptions.PreventUpdate
    locale = runtime.locale()
    actor, _board = _open_editable(int(draft["id"]))
    spec = _edited_spec(draft, grid_layout, title, description)
    spec["title"] = (spec.get("title", "") + " (copie)")[:200]
    with runtime.db().session() as s:
        copy = documents.create(s, "dashboard", actor, spec)
        new_id = copy.id
        _audit(s, actor, "dashboard_created", new_id, {"copy_of": int(draft["id"])})
    return dbc.Alert(
        t("de.copy_saved", locale) + spec["title"], color="success"
    ), f"/dashboards/{new_id}/edit"


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Input(ID("publish"), "n_clicks"),
    State(ID("draft"), "data"),
    prevent_initial_call=True,
)
def publish(n_clicks, draft):  # noqa: ANN001, ANN201
    """Publish the latest saved revision."""
    if not n_clicks or not draft:
        raise dash.exceptions.PreventUpdate
    actor, board = _open_editable(int(draft["id"]))
    with runtime.db().session() as s:
        doc = repo.get_document(s, "dashboard", board.doc.id)
        number = documents.publish(s, actor, doc)
        _audit(s, actor, "dashboard_published", doc.id, {"revision": number})
    return dbc.Alert(t("de.published", runtime.locale(), number=number), color="success")


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("go"), "href", allow_duplicate=True),
    Input({"type": "de-remove", "tile": ALL}, "n_clicks"),
    Input({"type": "de-remove-filter", "filter": ALL}, "n_clicks"),
    Input(ID("filter-add"), "n_clicks"),
    State(ID("filter-kind"), "value"),
    State(ID("filter-field"), "value"),
    State(ID("filter-label"), "value"),
    State(ID("draft"), "data"),
    State(ID("grid"), "layout"),
    State(ID("title"), "value"),
    State(ID("description"), "value"),
    prevent_initial_call=True,
)
def change_structure(
    _rm,
    _rmf,
    _add,
    kind,
    field,
    label,
    draft,
    grid_layout,
    title,  # noqa: ANN001, ANN201, PLR0913
    description,
):
    """Remove a tile, remove a filter or add one: saved at once, then the page reloads."""
    trigger = ctx.triggered_id
    if not trigger or not draft or not any(x for x in (ctx.triggered[0].get("value"),)):
        raise dash.exceptions.PreventUpdate
    spec = _edited_spec(draft, grid_layout, title, description)
    if isinstance(trigger, dict) and trigger.get("type") == "de-remove":
        tid = trigger["tile"]
        spec["tiles"] = [x for x in spec.get("tiles", []) if x["id"] != tid]
        spec["layout"] = [x for x in spec.get("layout", []) if x["tile"] != tid]
        spec["sections"] = [
            {**sec, "tiles": [x for x in sec.get("tiles", []) if x != tid]}
            for sec in spec.get("sections", [])
        ]
    elif isinstance(trigger, dict) and trigger.get("type") == "de-remove-filter":
        spec["filters"] = [f for f in spec.get("filters", []) if f["id"] != trigger["filter"]]
    else:
        if not field:
            raise dash.exceptions.PreventUpdate
        existing = {f["id"] for f in spec.get("filters", [])}
        fid = next(f"f{i}" for i in range(1, 1000) if f"f{i}" not in existing)
        new = {"id": fid, "kind": kind or "select", "field": field, "label": label or field}
        if kind == "period":
            new["grain"] = "year"
        spec["filters"] = [*spec.get("filters", []), new]
    message, new_draft = _save(draft, spec, "structure changed")
    if new_draft is dash.no_update:
        return message, dash.no_update
    return message, f"/dashboards/{draft['id']}/edit"


@callback(
    Output(ID("go"), "href", allow_duplicate=True),
    Input({"type": "de-restore", "number": ALL}, "n_clicks"),
    State(ID("draft"), "data"),
    prevent_initial_call=True,
)
def restore(_clicks, draft):  # noqa: ANN001, ANN201
    """Make an earlier revision the draft again."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered[0].get("value") or not draft:
        raise dash.exceptions.PreventUpdate
    actor, board = _open_editable(int(draft["id"]))
    with runtime.db().session() as s:
        doc = repo.get_document(s, "dashboard", board.doc.id)
        documents.restore_revision(s, actor, doc, int(trigger["number"]))
        _audit(s, actor, "dashboard_restored", doc.id, {"revision": int(trigger["number"])})
    return f"/dashboards/{draft['id']}/edit"
