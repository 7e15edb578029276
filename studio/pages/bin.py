"""The bin: the user's deleted dashboards (everyone's for admins), restorable for 30 days."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, callback, ctx, dcc, html

from studio import runtime
from studio.components.format import format_date
from studio.i18n import register, t
from studio.pages._titles import page_title
from studio.security.policy import allowed, ensure
from studio.services import documents
from studio.store import NotFound, audit

dash.register_page(__name__, path="/bin", title=page_title("title.bin"), name="bin", order=40)

register(
    {
        "bin.title": ("Corbeille", "Bin"),
        "bin.intro": (
            "Les tableaux de bord supprimés restent ici $days jours, puis sont effacés "
            "définitivement.",
            "Deleted dashboards stay here for $days days, then they are deleted for good.",
        ),
        "bin.empty": ("La corbeille est vide.", "The bin is empty."),
        "bin.restore": ("Restaurer", "Restore"),
        "bin.item": (
            "Supprimé le $day — encore $left jour(s)",
            "Deleted on $day — $left day(s) left",
        ),
        "bin.owner": ("Propriétaire : $owner", "Owner: $owner"),
        "bin.not_allowed": (
            "La corbeille est réservée aux personnes qui créent des tableaux de bord.",
            "The bin is for people who create dashboards.",
        ),
        "bin.gone": (
            "Ce tableau de bord n'est plus dans la corbeille.",
            "This dashboard is no longer in the bin.",
        ),
    }
)


def _items(actor: Any, locale: str) -> list[Any]:
    with runtime.db().session() as s:
        docs = documents.in_bin(s, actor, "dashboard")
        return [
            html.Li(
                [
                    html.Strong(d.title),
                    html.Span(
                        " — "
                        + t(
                            "bin.item",
                            locale,
                            day=format_date(d.deleted_at, locale),
                            left=documents.bin_days_left(d),
                        ),
                        className="text-muted small",
                    ),
                    html.Span(
                        " · " + t("bin.owner", locale, owner=d.owner.email if d.owner else "—"),
                        className="text-muted small",
                    )
                    if actor.role == "admin"
                    else None,
                    html.Button(
                        t("bin.restore", locale),
                        id={"type": "bin-restore", "doc": d.id},
                        n_clicks=0,
                        className="btn btn-sm btn-outline-primary ms-2",
                    ),
                ],
                className="mb-2",
                id=f"bin-item-{d.id}",
            )
            for d in docs
        ]


def layout(**_kwargs: Any) -> html.Div:
    """The bin of the current user."""
    actor, locale = runtime.actor(), runtime.locale()
    if not allowed(actor, "create", "dashboards"):
        return dbc.Alert(t("bin.not_allowed", locale), color="warning", id="bin-not-allowed")
    items = _items(actor, locale)
    return html.Div(
        [
            dcc.Location(id="bin-go", refresh=True),
            html.H1(t("bin.title", locale), className="h3"),
            html.P(t("bin.intro", locale, days=documents.BIN_DAYS), className="text-muted"),
            html.Div(id="bin-message", role="status"),
            html.Ul(items, className="list-unstyled", id="bin-list")
            if items
            else html.P(t("bin.empty", locale), id="bin-empty"),
        ]
    )


@callback(
    Output("bin-go", "href"),
    Output("bin-message", "children"),
    Input({"type": "bin-restore", "doc": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def restore(_clicks):  # noqa: ANN001, ANN201
    """Take a dashboard out of the bin (its owner or an admin) and open its editor."""
    actor, locale = runtime.actor(), runtime.locale()
    ensure(actor, "create", "dashboards")
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered[0].get("value"):
        raise dash.exceptions.PreventUpdate
    try:
        with runtime.db().session() as s:
            doc = documents.undelete(s, actor, "dashboard", int(trigger["doc"]))
            audit.record(
                s, actor, "dashboard_undeleted", "dashboard", doc.id, None, runtime.client_address()
            )
            doc_id = doc.id
    except NotFound:
        return dash.no_update, dbc.Alert(t("bin.gone", locale), color="warning")
    return f"/dashboards/{doc_id}/edit", None
