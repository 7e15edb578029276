"""Dashboard editor: drag and resize tiles, add filters, save, publish, see and restore history."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import dash_snap_grid as dsg
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from studio import runtime
from studio.i18n import register, t
from studio.pages import _embed_dialog
from studio.pages._conflict import conflict_alert
from studio.pages._grid import SECTION_PREFIX, grid_to_spec
from studio.pages._ids import cid
from studio.pages._sharing import sharing_dialog
from studio.pages._titles import document_title
from studio.pages._widgets import named_select
from studio.security.policy import allowed, ensure
from studio.services import dashboards as service
from studio.services import documents
from studio.spec.filters import filter_reach
from studio.store import NotFound, StaleRevision, audit
from studio.store import documents as repo

dash.register_page(
    __name__,
    path_template="/dashboards/<dashboard_id>/edit",
    title=document_title(
        "dashboard", "dashboard_id", "title.dashboard_edit", "title.dashboard_edit_named"
    ),
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
        "de.filter.date_range": ("Plage de dates", "Date range"),
        "de.filter_grain": ("Pas de la période", "Period step"),
        "de.grain.month": ("Mois", "Month"),
        "de.grain.quarter": ("Trimestre", "Quarter"),
        "de.grain.year": ("Année", "Year"),
        "de.filter.territory": ("Territoire", "Territory"),
        "de.duplicate": ("Dupliquer", "Duplicate"),
        "de.copy_tile": ("Copier une tuile existante…", "Copy an existing tile…"),
        "de.copy_tile_button": ("Copier", "Copy"),
        "de.copy_gone": (
            "Cette tuile n'existe plus ou ne vous est pas accessible.",
            "This tile no longer exists or is not yours to copy.",
        ),
        "de.add_section": ("Ajouter un onglet", "Add a tab"),
        "de.section_title": ("Titre de l'onglet", "Tab title"),
        "de.section_default": ("Onglet $n", "Tab $n"),
        "de.remove_section": ("Retirer l'onglet", "Remove the tab"),
        "de.sections_help": (
            "Chaque bande grise est un onglet du tableau de bord : faites glisser une tuile "
            "sous un autre titre pour la changer d'onglet.",
            "Each grey band is a tab of the dashboard: drag a tile under another title to move "
            "it to that tab.",
        ),
        "de.compare": ("Comparer la révision", "Compare revision"),
        "de.compare_with": ("avec", "with"),
        "de.compare_button": ("Comparer", "Compare"),
        "de.current_draft": ("le brouillon actuel", "the current draft"),
        "de.revision_short": ("révision $number", "revision $number"),
        "de.compare_gone": (
            "Cette révision n'existe pas ou plus.",
            "This revision does not exist (any more).",
        ),
        "de.delete": ("Supprimer", "Delete"),
        "de.delete_title": ("Supprimer ce tableau de bord ?", "Delete this dashboard?"),
        "de.delete_body": (
            "« $title » ira dans la corbeille : vous pourrez le restaurer pendant $days jours, "
            "puis il sera supprimé définitivement. Ses lecteurs ne le verront plus.",
            "'$title' will go to the bin: you can restore it for $days days, after which it is "
            "deleted for good. Its viewers will no longer see it.",
        ),
        "de.cancel": ("Annuler", "Cancel"),
        "de.confirm_delete": ("Mettre à la corbeille", "Move to the bin"),
        "de.unsaved": (
            "Modifications non enregistrées.",
            "Unsaved changes.",
        ),
    }
)

FILTER_KINDS = ("select", "multi_select", "period", "date_range", "territory")
PERIOD_GRAINS = ("month", "quarter", "year")
_embed_dialog.register_callbacks()


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
        style={"height": "100%"},
    )


def _section_band(section: Any, locale: str) -> html.Div:
    """A full-width, fixed grid row holding a section's title (editable) and its remove button."""
    return html.Div(
        html.Div(
            [
                html.Label(
                    [
                        html.Span(t("de.section_title", locale), className="visually-hidden"),
                        dbc.Input(
                            id={"type": "de-section-title", "section": section.id},
                            value=section.title,
                            debounce=True,
                            size="sm",
                            className="fw-semibold no-drag",
                            placeholder=t("de.section_title", locale),
                        ),
                    ],
                    className="mb-0",
                ),
                html.Button(
                    t("de.remove_section", locale),
                    id={"type": "de-remove-section", "section": section.id},
                    n_clicks=0,
                    className="btn btn-sm btn-link text-danger no-drag ms-2",
                ),
            ],
            className="d-flex align-items-center h-100 px-2 bg-light border rounded",
        ),
        id=SECTION_PREFIX + section.id,
        key=SECTION_PREFIX + section.id,
    )


def _grid_contents(
    board: service.OpenDashboard, locale: str
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Grid children and layout: with several sections, each starts with a fixed band.

    Rows in the spec count within a section; in the editor's single grid each section's rows
    follow its band, so a tile dragged under another band changes section when saved.
    """
    spec, doc_id = board.spec, board.doc.id
    banded = len(spec.sections) > 1
    items: list[Any] = []
    layout: list[dict[str, Any]] = []
    offset = 0
    for section in spec.sections:
        if banded:
            items.append(_section_band(section, locale))
            band = {"i": SECTION_PREFIX + section.id, "x": 0, "y": offset, "w": 12, "h": 1}
            layout.append({**band, "static": True})
            offset += 1
        places = [spec.grid_item(tid) for tid in section.tiles]
        for it in places:
            layout.append({"i": it.tile, "x": it.x, "y": offset + it.y, "w": it.w, "h": it.h})
            items.append(_grid_item(spec.tile(it.tile), locale, doc_id))
        offset += max((it.y + it.h for it in places), default=0)
    return items, layout


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
                        named_select(
                            t("de.filter_kind", locale),
                            ID("filter-kind"),
                            "select",
                            [
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
                        md=3,
                    ),
                    dbc.Col(
                        named_select(
                            t("de.filter_grain", locale),
                            ID("filter-grain"),
                            "year",
                            [
                                {"label": t(f"de.grain.{g}", locale), "value": g}
                                for g in PERIOD_GRAINS
                            ],
                        ),
                        md=2,
                    ),
                    dbc.Col(
                        dbc.Input(id=ID("filter-label"), placeholder=t("de.filter_label", locale)),
                        md=2,
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
        [html.Summary(t("de.history", locale)), html.Ul(items), _compare_form(s, doc, locale)],
        className="mt-3",
        id=ID("history"),
    )


def _compare_form(s: Any, doc: Any, locale: str) -> html.Div:
    """Pick two revisions (or one and the current draft) and read what changed."""
    numbers = [r.number for r in repo.list_revisions(s, doc)]
    options = [
        {"label": t("de.revision_short", locale, number=n), "value": str(n)} for n in numbers
    ]
    first = str(numbers[1]) if len(numbers) > 1 else (str(numbers[0]) if numbers else None)
    return html.Div(
        [
            dbc.Label(t("de.compare", locale), html_for=ID("cmp-from"), className="me-2 mb-0"),
            dbc.Select(
                id=ID("cmp-from"), options=options, value=first, size="sm", className="w-auto me-2"
            ),
            dbc.Label(t("de.compare_with", locale), html_for=ID("cmp-to"), className="me-2 mb-0"),
            dbc.Select(
                id=ID("cmp-to"),
                options=[{"label": t("de.current_draft", locale), "value": "draft"}, *options],
                value="draft",
                size="sm",
                className="w-auto me-2",
            ),
            dbc.Button(t("de.compare_button", locale), id=ID("cmp"), n_clicks=0, size="sm"),
            html.Div(id=ID("cmp-result"), className="w-100 mt-2", role="status"),
        ],
        className="d-flex flex-wrap align-items-center mt-2",
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
            can_share = allowed(actor, "share", board.doc)
    except (ValueError, NotFound):
        return dbc.Alert(t("de.not_allowed", locale), color="warning", id=ID("not-allowed"))
    doc, spec = board.doc, board.doc.spec
    items, grid_layout = _grid_contents(board, locale)
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
            None
            if board.spec.tiles
            else dbc.Alert(t("de.empty", locale), color="light", className="border"),
            html.P(t("de.sections_help", locale), className="small text-muted mb-1")
            if len(board.spec.sections) > 1
            else None,
            dbc.Button(
                t("de.add_section", locale),
                id=ID("add-section"),
                n_clicks=0,
                size="sm",
                color="link",
                className="px-0",
            ),
        ]
    )
    return html.Div(
        [
            dcc.Store(id=ID("draft"), data={"id": doc.id, "version": doc.version, "spec": spec}),
            dcc.Location(id=ID("go"), refresh=True),
            html.H1(
                t("title.dashboard_edit_named", locale, name=board.spec.title), className="h3"
            ),
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
                    _embed_dialog.embed_button(locale) if can_share else None,
                    sharing_dialog("dashboard", doc.id, locale)
                    if allowed(actor, "share", doc)
                    else None,
                    dcc.Link(
                        t("de.view", locale),
                        href=f"/dashboards/{doc.id}",
                        className="btn btn-link btn-sm",
                        id=ID("view"),
                    ),
                    dbc.Button(
                        t("de.duplicate", locale),
                        id=ID("duplicate"),
                        n_clicks=0,
                        size="sm",
                        color="secondary",
                        outline=True,
                        className="ms-2",
                    ),
                    dbc.Button(
                        t("de.delete", locale),
                        id=ID("delete"),
                        n_clicks=0,
                        size="sm",
                        color="danger",
                        outline=True,
                        className="ms-2",
                    ),
                ],
                className="mb-2",
            ),
            _delete_modal(board.spec.title, locale),
            _copy_tile_row(actor, locale),
            _embed_dialog.embed_dialog(doc, _embed_dialog.lockable_fields(board.schemas), locale)
            if can_share
            else None,
            html.Div(id=ID("message"), role="status"),
            grid,
            _filters_panel(board, spec, locale),
            history,
        ]
    )


def _copy_tile_row(actor: Any, locale: str) -> html.Div:
    """A picker of tiles from the dashboards the actor may edit, to copy into this one."""
    from studio.services.tile_editing import copyable_tiles

    with runtime.db().session() as s:
        options = [
            {
                "label": f"{tile.get('title') or tile['id']} — {doc.title}",
                "value": f"{doc.id}:{tile['id']}",
            }
            for doc, tile in copyable_tiles(s, actor)
        ]
    return html.Div(
        [
            html.Div(
                dcc.Dropdown(
                    id=ID("copy-source"),
                    options=options,
                    placeholder=t("de.copy_tile", locale),
                ),
                style={"minWidth": "22rem"},
                className="me-2",
            ),
            dbc.Button(
                t("de.copy_tile_button", locale),
                id=ID("copy-tile"),
                n_clicks=0,
                size="sm",
                color="secondary",
                outline=True,
            ),
        ],
        className="d-flex align-items-center mb-2",
    )


def _delete_modal(title: str, locale: str) -> dbc.Modal:
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(t("de.delete_title", locale), id=ID("delete-title"))),
            dbc.ModalBody(
                t("de.delete_body", locale, title=title, days=documents.BIN_DAYS),
                id=ID("delete-body"),
            ),
            dbc.ModalFooter(
                [
                    dbc.Button(
                        t("de.cancel", locale),
                        id=ID("delete-cancel"),
                        n_clicks=0,
                        color="secondary",
                    ),
                    dbc.Button(
                        t("de.confirm_delete", locale),
                        id=ID("delete-confirm"),
                        n_clicks=0,
                        color="danger",
                    ),
                ]
            ),
        ],
        id=ID("delete-modal"),
        labelledby=ID("delete-title"),
        is_open=False,
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
        spec = grid_to_spec(spec, grid_layout)
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
        return _refused(exc, locale), dash.no_update
    return dbc.Alert(t("de.saved", locale, version=new["version"]), color="success"), new


def _refused(exc: Any, locale: str) -> Any:
    """The alert for a spec that cannot be saved or published (invalid, or naming a
    dataset the user may not view), saying where and what to do."""
    return dbc.Alert(t("de.invalid", locale, detail=exc.describe(locale)), color="danger")


def _conflict(exc: StaleRevision, locale: str) -> Any:
    return conflict_alert(
        exc, locale, "dashboard", ID, t("de.reload", locale), t("de.save_copy", locale)
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
    try:
        with runtime.db().session() as s:
            copy = documents.create(s, "dashboard", actor, spec)
            new_id = copy.id
            _audit(s, actor, "dashboard_created", new_id, {"copy_of": int(draft["id"])})
    except documents.SpecError as exc:
        return _refused(exc, locale), dash.no_update
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
    try:
        with runtime.db().session() as s:
            doc = repo.get_document(s, "dashboard", board.doc.id)
            number = documents.publish(s, actor, doc)
            _audit(s, actor, "dashboard_published", doc.id, {"revision": number})
    except documents.SpecError as exc:
        return _refused(exc, runtime.locale())
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
    State(ID("filter-grain"), "value"),
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
    grain,
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
        kind = kind if kind in FILTER_KINDS else "select"
        new = {"id": fid, "kind": kind, "field": field, "label": label or field}
        if kind == "period":
            new["grain"] = grain if grain in PERIOD_GRAINS else "year"
        spec["filters"] = [*spec.get("filters", []), new]
    message, new_draft = _save(draft, spec, "structure changed")
    if new_draft is dash.no_update:
        return message, dash.no_update
    return message, f"/dashboards/{draft['id']}/edit"


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
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
    try:
        with runtime.db().session() as s:
            doc = repo.get_document(s, "dashboard", board.doc.id)
            documents.restore_revision(s, actor, doc, int(trigger["number"]))
            _audit(s, actor, "dashboard_restored", doc.id, {"revision": int(trigger["number"])})
    except documents.SpecError as exc:
        return _refused(exc, runtime.locale()), dash.no_update
    return dash.no_update, f"/dashboards/{draft['id']}/edit"


@callback(
    Output(ID("delete-modal"), "is_open"),
    Input(ID("delete"), "n_clicks"),
    Input(ID("delete-cancel"), "n_clicks"),
    prevent_initial_call=True,
)
def toggle_delete(_open, _cancel):  # noqa: ANN001, ANN201
    """Ask before moving the dashboard to the bin."""
    if not runtime.actor().is_authenticated:
        raise dash.exceptions.PreventUpdate
    return ctx.triggered_id == ID("delete")


@callback(
    Output(ID("go"), "href", allow_duplicate=True),
    Input(ID("delete-confirm"), "n_clicks"),
    State(ID("draft"), "data"),
    prevent_initial_call=True,
)
def delete(n_clicks, draft):  # noqa: ANN001, ANN201
    """Move the dashboard to the bin (restorable for 30 days) and show the bin."""
    if not n_clicks or not draft:
        raise dash.exceptions.PreventUpdate
    actor, board = _open_editable(int(draft["id"]))
    from studio.store import audit

    with runtime.db().session() as s:
        doc = repo.get_document(s, "dashboard", board.doc.id)
        documents.delete(s, actor, doc)
        audit.record(
            s, actor, "dashboard_deleted", "dashboard", doc.id, None, runtime.client_address()
        )
    return "/bin"


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("go"), "href", allow_duplicate=True),
    Input(ID("duplicate"), "n_clicks"),
    State(ID("draft"), "data"),
    prevent_initial_call=True,
)
def duplicate(n_clicks, draft):  # noqa: ANN001, ANN201
    """A private copy of the saved draft, opened in the editor."""
    if not n_clicks or not draft:
        raise dash.exceptions.PreventUpdate
    actor, board = _open_editable(int(draft["id"]))
    try:
        with runtime.db().session() as s:
            doc = repo.get_document(s, "dashboard", board.doc.id)
            copy = documents.duplicate(s, actor, doc)
            copy_id = copy.id
    except documents.SpecError as exc:
        return _refused(exc, runtime.locale()), dash.no_update
    return dash.no_update, f"/dashboards/{copy_id}/edit"


@callback(
    Output(ID("cmp-result"), "children"),
    Input(ID("cmp"), "n_clicks"),
    State(ID("cmp-from"), "value"),
    State(ID("cmp-to"), "value"),
    State(ID("draft"), "data"),
    prevent_initial_call=True,
)
def compare(n_clicks, number, other, draft):  # noqa: ANN001, ANN201
    """What changed between two revisions, in sentences (editors only)."""
    from studio.services import revisions

    actor, board = _open_editable(int((draft or {}).get("id", 0)))
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    locale = runtime.locale()
    try:
        first = int(number)
        second = None if other in (None, "draft") else int(other)
        with runtime.db().session() as s:
            doc = repo.get_document(s, "dashboard", board.doc.id)
            changes = revisions.compare(s, actor, doc, first, second)
    except (TypeError, ValueError, NotFound):
        return dbc.Alert(t("de.compare_gone", locale), color="warning", className="py-1")
    if not changes:
        return html.P(t("rev.same", locale), className="text-muted mb-0")
    return html.Ul([html.Li(revisions.describe(c, locale)) for c in changes], className="mb-0")


def _section_edit(draft: dict[str, Any], spec: dict[str, Any], note: str) -> tuple[Any, Any]:
    message, new_draft = _save(draft, spec, note)
    if new_draft is dash.no_update:
        return message, dash.no_update
    return message, f"/dashboards/{draft['id']}/edit"


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("go"), "href", allow_duplicate=True),
    Input(ID("add-section"), "n_clicks"),
    State(ID("draft"), "data"),
    State(ID("grid"), "layout"),
    State(ID("title"), "value"),
    State(ID("description"), "value"),
    prevent_initial_call=True,
)
def add_section(n_clicks, draft, grid_layout, title, description):  # noqa: ANN001, ANN201
    """Add an empty tab at the end (the first one gets a title too when it had none)."""
    if not n_clicks or not draft:
        raise dash.exceptions.PreventUpdate
    _open_editable(int(draft["id"]))
    locale = runtime.locale()
    from studio.spec.dashboard import load_dashboard

    spec = _edited_spec(draft, grid_layout, title, description)
    sections = [s.model_dump() for s in load_dashboard(spec).sections]
    if len(sections) == 1 and not sections[0]["title"]:
        sections[0]["title"] = t("de.section_default", locale, n=1)
    used = {sec["id"] for sec in sections}
    new_id = next(f"s{i}" for i in range(1, 100) if f"s{i}" not in used)
    title_n = t("de.section_default", locale, n=len(sections) + 1)
    spec["sections"] = [*sections, {"id": new_id, "title": title_n, "tiles": []}]
    return _section_edit(draft, spec, "tab added")


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("go"), "href", allow_duplicate=True),
    Input({"type": "de-remove-section", "section": ALL}, "n_clicks"),
    State(ID("draft"), "data"),
    State(ID("grid"), "layout"),
    State(ID("title"), "value"),
    State(ID("description"), "value"),
    prevent_initial_call=True,
)
def remove_section(_clicks, draft, grid_layout, title, description):  # noqa: ANN001, ANN201
    """Remove a tab; its tiles join the tab before it (the next one for the first tab)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered[0].get("value") or not draft:
        raise dash.exceptions.PreventUpdate
    _open_editable(int(draft["id"]))
    spec = _edited_spec(draft, grid_layout, title, description)
    sections = [dict(sec) for sec in spec.get("sections", [])]
    index = next((i for i, sec in enumerate(sections) if sec["id"] == trigger["section"]), None)
    if index is None or len(sections) < 2:
        raise dash.exceptions.PreventUpdate
    gone = sections.pop(index)
    heir = sections[max(index - 1, 0)]
    bottom = max(
        (it["y"] + it["h"] for it in spec["layout"] if it["tile"] in heir["tiles"]), default=0
    )
    for it in spec["layout"]:
        if it["tile"] in gone["tiles"]:
            it["y"] += bottom
    heir["tiles"] = [*heir["tiles"], *gone["tiles"]]
    spec["sections"] = sections
    return _section_edit(draft, spec, "tab removed")


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("draft"), "data", allow_duplicate=True),
    Input({"type": "de-section-title", "section": ALL}, "value"),
    State(ID("draft"), "data"),
    State(ID("grid"), "layout"),
    State(ID("title"), "value"),
    State(ID("description"), "value"),
    prevent_initial_call=True,
)
def rename_section(_titles, draft, grid_layout, title, description):  # noqa: ANN001, ANN201
    """Save a tab's new title (the grid's unsaved moves are saved with it)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not draft:
        raise dash.exceptions.PreventUpdate
    _open_editable(int(draft["id"]))
    new_title = str(ctx.triggered[0].get("value") or "").strip()[:200]
    spec = _edited_spec(draft, grid_layout, title, description)
    sections = [dict(sec) for sec in spec.get("sections", [])]
    for sec in sections:
        if sec["id"] == trigger["section"]:
            if sec.get("title", "") == new_title:
                raise dash.exceptions.PreventUpdate
            sec["title"] = new_title
    spec["sections"] = sections
    return _save(draft, spec, "tab renamed")


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("go"), "href", allow_duplicate=True),
    Input(ID("copy-tile"), "n_clicks"),
    State(ID("copy-source"), "value"),
    State(ID("draft"), "data"),
    State(ID("grid"), "layout"),
    State(ID("title"), "value"),
    State(ID("description"), "value"),
    prevent_initial_call=True,
)
def copy_tile(n_clicks, source, draft, grid_layout, title, description):  # noqa: ANN001, ANN201
    """Add a copy of a tile of a dashboard the actor may edit (this one included)."""
    from studio.services.tile_editing import copy_tile as copy_into

    if not n_clicks or not draft:
        raise dash.exceptions.PreventUpdate
    actor, _board = _open_editable(int(draft["id"]))
    doc_id, _sep, tile_id = str(source or "").partition(":")
    if not doc_id.isdigit() or not tile_id:
        raise dash.exceptions.PreventUpdate
    spec = _edited_spec(draft, grid_layout, title, description)
    try:
        with runtime.db().session() as s:
            spec = copy_into(s, actor, int(doc_id), tile_id, spec)
    except NotFound:
        return dbc.Alert(t("de.copy_gone", runtime.locale()), color="warning"), dash.no_update
    return _section_edit(draft, spec, "tile copied")
