"""Admin: the audit trail, filterable by person, action, object and dates, page by page."""

from __future__ import annotations

import json
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html

from studio import runtime
from studio.i18n import register, t
from studio.pages._ids import cid
from studio.pages._titles import page_title
from studio.security.policy import allowed, ensure
from studio.services import audit as service
from studio.services.sharing import SharingError
from studio.store import audit

dash.register_page(
    __name__, path="/admin/audit", title=page_title("title.audit"), name="admin_audit"
)

PAGE = "aud"
ID = lambda name: cid(PAGE, name)  # noqa: E731
PAGE_SIZE = 50
OBJECT_TYPES = ("dashboard", "story", "dataset", "user", "embed_key")

register(
    {
        "aud.title": ("Journal d'audit", "Audit trail"),
        "aud.actor": ("Personne (e-mail)", "Person (e-mail)"),
        "aud.action": ("Action", "Action"),
        "aud.object_type": ("Type d'objet", "Object type"),
        "aud.object_id": ("N° d'objet", "Object id"),
        "aud.since": ("Du", "From"),
        "aud.until": ("Au (inclus)", "To (included)"),
        "aud.search": ("Filtrer", "Filter"),
        "aud.prev": ("← Plus récents", "← Newer"),
        "aud.next": ("Plus anciens →", "Older →"),
        "aud.count": ("$first–$last sur $total événements", "$first–$last of $total events"),
        "aud.none": (
            "Aucun événement ne correspond à ces filtres.",
            "No event matches these filters.",
        ),
        "aud.details": ("Détails", "Details"),
        "aud.bad_date": (
            "Date invalide : utilisez le sélecteur de date (AAAA-MM-JJ).",
            "Invalid date: use the date picker (YYYY-MM-DD).",
        ),
    }
)


def layout(**_kwargs: object) -> html.Div:
    """The filters and the first page of events (admins only)."""
    actor, locale = runtime.actor(), runtime.locale()
    if not allowed(actor, "view", "audit"):
        return dbc.Alert(t("error.forbidden", locale), color="warning", id=ID("forbidden"))
    with runtime.db().session() as s:
        actions = audit.actions(s)
        events, total = service.page_of_events(s, actor, service.build_query({}), PAGE_SIZE)
        first = _results(events, total, 0, locale)

    def labelled(key: str, control: Any, width: int) -> dbc.Col:
        return dbc.Col(
            [dbc.Label(t(key, locale), html_for=control.id, className="small"), control], md=width
        )

    filters = dbc.Row(
        [
            labelled("aud.actor", dbc.Input(id=ID("actor"), type="search", maxLength=254), 3),
            labelled("aud.action", dcc.Dropdown(id=ID("action"), options=actions), 3),
            labelled(
                "aud.object_type", dcc.Dropdown(id=ID("object_type"), options=list(OBJECT_TYPES)), 2
            ),
            labelled("aud.object_id", dbc.Input(id=ID("object_id"), maxLength=64), 1),
            labelled("aud.since", dbc.Input(id=ID("since"), type="date"), 1),
            labelled("aud.until", dbc.Input(id=ID("until"), type="date"), 1),
            dbc.Col(
                dbc.Button(t("aud.search", locale), id=ID("search"), n_clicks=0, size="sm"),
                md=1,
                className="d-flex align-items-end",
            ),
        ],
        className="g-2 mb-3",
    )
    pager = html.Div(
        [
            dbc.Button(t("aud.prev", locale), id=ID("prev"), n_clicks=0, size="sm", color="link"),
            dbc.Button(t("aud.next", locale), id=ID("next"), n_clicks=0, size="sm", color="link"),
        ]
    )
    return html.Div(
        [
            html.H1(t("aud.title", locale), className="h3"),
            filters,
            dcc.Store(id=ID("offset"), data=0),
            html.Div(first, id=ID("results")),
            pager,
        ]
    )


def _when(at: Any, locale: str) -> str:
    return at.strftime("%d/%m/%Y %H:%M:%S") if locale == "fr" else at.strftime("%Y-%m-%d %H:%M:%S")


def _results(events: list[Any], total: int, offset: int, locale: str) -> Any:
    if not events:
        return dbc.Alert(t("aud.none", locale), color="light", className="border", id=ID("none"))
    heads = (
        "admin.audit.when",
        "admin.audit.who",
        "admin.audit.what",
        "admin.audit.object",
        "aud.details",
    )
    rows = [
        html.Tr(
            [
                html.Td(_when(e.at, locale)),
                html.Td(e.actor_email),
                html.Td(e.action),
                html.Td(f"{e.object_type} {e.object_id}".strip()),
                html.Td(
                    html.Code(json.dumps(e.details or {}, ensure_ascii=False)[:300]),
                    className="small",
                ),
            ]
        )
        for e in events
    ]
    count = t("aud.count", locale, first=offset + 1, last=offset + len(events), total=total)
    return html.Div(
        [
            html.P(count, className="small text-muted", id=ID("count")),
            dbc.Table(
                [
                    html.Thead(html.Tr([html.Th(t(h, locale), scope="col") for h in heads])),
                    html.Tbody(rows),
                ],
                size="sm",
                responsive=True,
                id=ID("table"),
            ),
        ]
    )


@callback(
    Output(ID("results"), "children"),
    Output(ID("offset"), "data"),
    Input(ID("search"), "n_clicks"),
    Input(ID("prev"), "n_clicks"),
    Input(ID("next"), "n_clicks"),
    State(ID("actor"), "value"),
    State(ID("action"), "value"),
    State(ID("object_type"), "value"),
    State(ID("object_id"), "value"),
    State(ID("since"), "value"),
    State(ID("until"), "value"),
    State(ID("offset"), "data"),
    prevent_initial_call=True,
)
def show(_search, _prev, _next, who, action, object_type, object_id, since, until, offset):  # noqa: ANN001, ANN201, PLR0913
    """The page of events for the filters: the first page on "Filtrer", else one page on."""
    actor, locale = runtime.actor(), runtime.locale()
    ensure(actor, "view", "audit")
    offset = offset if isinstance(offset, int) and offset >= 0 else 0
    trigger = ctx.triggered_id
    if trigger == ID("next"):
        offset += PAGE_SIZE
    elif trigger == ID("prev"):
        offset = max(0, offset - PAGE_SIZE)
    else:
        offset = 0
    values = {
        "actor": who,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "since": since,
        "until": until,
    }
    try:
        query = service.build_query(values)
    except SharingError:
        return dbc.Alert(t("aud.bad_date", locale), color="danger", id=ID("error")), 0
    with runtime.db().session() as s:
        events, total = service.page_of_events(s, actor, query, PAGE_SIZE, offset)
        if offset and not events:  # past the last page: show the last one
            offset = max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE)
            events, total = service.page_of_events(s, actor, query, PAGE_SIZE, offset)
        return _results(events, total, offset, locale), offset
