"""The "Règles d'accès aux lignes" card of a dataset's page (admins only).

`row_rules_card(s, ds, locale)` renders it; `register_callbacks(app)` (called once per app
by `create_app`) adds and deletes rules. Both callbacks re-derive the actor and the sharing
service re-checks the admin right on every call.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html

from studio import runtime
from studio.i18n import register, t
from studio.services import sharing as service
from studio.services.datasets import fields_of
from studio.services.sharing import SharingError
from studio.spec import OPERATORS
from studio.store import NotFound

P = "rr"
ID = lambda name: f"{P}-{name}"  # noqa: E731
DELETE = "rr-delete"
LIST_OPS = ("in", "not_in", "between")

register(
    {
        "rr.title": ("Règles d'accès aux lignes", "Row access rules"),
        "rr.help": (
            "Les membres d'un groupe ne voient que les lignes qui vérifient la règle de leur "
            "groupe (l'union, s'ils sont dans plusieurs groupes). Dès qu'une règle existe, les "
            "autres utilisateurs ne voient aucune ligne, sauf les administrateurs et le "
            "propriétaire du jeu de données.",
            "Members of a group only see the rows matching their group's rule (the union, for "
            "members of several groups). Once a rule exists, other users see no row at all, "
            "except administrators and the dataset's owner.",
        ),
        "rr.none": (
            "Aucune règle : chacun voit toutes les lignes.",
            "No rule: everyone sees every row.",
        ),
        "rr.group": ("Groupe", "Group"),
        "rr.field": ("Champ", "Field"),
        "rr.op": ("Opérateur", "Operator"),
        "rr.value": ("Valeur", "Value"),
        "rr.value_help": (
            "Plusieurs valeurs (dans la liste, entre) : séparez-les par « ; ».",
            "Several values (in list, between): separate them with ';'.",
        ),
        "rr.conditions": ("Lignes visibles", "Visible rows"),
        "rr.add": ("Ajouter la règle", "Add the rule"),
        "rr.delete": ("Supprimer", "Delete"),
        "rr.added": ("Règle ajoutée.", "Rule added."),
        "rr.deleted": ("Règle supprimée.", "Rule deleted."),
    }
)


def _conditions_text(conditions: list[dict[str, Any]]) -> str:
    parts = []
    for c in conditions:
        value = c.get("value")
        shown = " ; ".join(str(v) for v in value) if isinstance(value, list) else value
        parts.append(f"{c.get('field')} {c.get('op')} {'' if shown is None else shown}".strip())
    return " ET ".join(parts)


def rules_table(rules: list[dict[str, Any]], locale: str) -> Any:
    """The existing rules, each with a delete button."""
    if not rules:
        return html.P(t("rr.none", locale), className="text-muted small", id=ID("none"))
    head = html.Thead(
        html.Tr(
            [html.Th(t(k, locale), scope="col") for k in ("rr.group", "rr.conditions")]
            + [html.Th("")]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(rule["group"]),
                html.Td(html.Code(_conditions_text(rule["conditions"]))),
                html.Td(
                    dbc.Button(
                        t("rr.delete", locale),
                        id={"type": DELETE, "rule": rule["id"]},
                        n_clicks=0,
                        size="sm",
                        color="link",
                        className="text-danger p-0",
                    ),
                    className="text-end",
                ),
            ]
        )
        for rule in rules
    ]
    return dbc.Table([head, html.Tbody(rows)], size="sm", id=ID("table"))


def row_rules_card(s: Any, ds: Any, locale: str) -> dbc.Card:
    """The card listing the dataset's rules with a form to add one."""
    actor = runtime.actor()
    rules = service.list_rules(s, actor, ds)
    groups = service.share_choices(s)["groups"]
    fields = [f.name for f in fields_of(ds) if f.type != "geometry"]

    def labelled(key: str, control: Any, width: int) -> dbc.Col:
        return dbc.Col(
            [dbc.Label(t(key, locale), html_for=control.id, className="small"), control], md=width
        )

    form = dbc.Row(
        [
            labelled("rr.group", dcc.Dropdown(id=ID("group"), options=groups), 3),
            labelled("rr.field", dcc.Dropdown(id=ID("field"), options=fields), 3),
            labelled(
                "rr.op",
                dcc.Dropdown(id=ID("op"), options=list(OPERATORS), value="=", clearable=False),
                2,
            ),
            labelled("rr.value", dbc.Input(id=ID("value"), type="text", maxLength=2000), 2),
            dbc.Col(
                dbc.Button(t("rr.add", locale), id=ID("add"), n_clicks=0, size="sm"),
                md=2,
                className="d-flex align-items-end",
            ),
        ],
        className="g-2",
    )
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(t("rr.title", locale), className="h5"),
                html.P(t("rr.help", locale), className="small text-muted"),
                dcc.Store(id=ID("dataset"), data=ds.id),
                html.Div(rules_table(rules, locale), id=ID("list")),
                form,
                html.P(t("rr.value_help", locale), className="small text-muted mt-1 mb-0"),
                html.Div(id=ID("message"), role="status", className="mt-2"),
            ]
        ),
        className="mt-4",
        id=ID("card"),
    )


def _value(op: str, raw: Any) -> Any:
    """The typed-in value in the shape the operator takes (the service types it)."""
    text = str(raw or "").strip()
    if op in ("is_null", "not_null"):
        return None
    if op in LIST_OPS:
        return [part.strip() for part in text.split(";") if part.strip()]
    return text or None


def _dataset(s: Any, dataset_id: Any) -> Any:
    if not isinstance(dataset_id, int):
        raise NotFound("no dataset")
    return service.load_object(s, runtime.actor(), "dataset", dataset_id)


def register_callbacks(app: dash.Dash) -> None:
    """Attach the card's callbacks to `app` (once per app)."""

    @app.callback(
        Output(ID("list"), "children"),
        Output(ID("message"), "children"),
        Input(ID("add"), "n_clicks"),
        State(ID("dataset"), "data"),
        State(ID("group"), "value"),
        State(ID("field"), "value"),
        State(ID("op"), "value"),
        State(ID("value"), "value"),
        prevent_initial_call=True,
    )
    def add_rule(n_clicks, dataset_id, group, field, op, value):  # noqa: ANN001, ANN202
        """Add a one-condition rule for a group (admins only)."""
        actor, locale = runtime.actor(), runtime.locale()
        if not n_clicks:
            raise dash.exceptions.PreventUpdate
        body = {
            "group": group or "",
            "conditions": [
                {"field": field or "", "op": op or "=", "value": _value(op or "=", value)}
            ],
        }
        try:
            with runtime.db().session() as s:
                ds = _dataset(s, dataset_id)
                service.add_rule(s, actor, ds, body, runtime.client_address())
                table = rules_table(service.list_rules(s, actor, ds), locale)
        except SharingError as exc:
            return dash.no_update, dbc.Alert(exc.message(locale), color="danger", id=ID("error"))
        return table, dbc.Alert(t("rr.added", locale), color="success", duration=6000)

    @app.callback(
        Output(ID("list"), "children", allow_duplicate=True),
        Output(ID("message"), "children", allow_duplicate=True),
        Input({"type": DELETE, "rule": ALL}, "n_clicks"),
        State(ID("dataset"), "data"),
        prevent_initial_call=True,
    )
    def delete_rule(clicks, dataset_id):  # noqa: ANN001, ANN202
        """Delete the rule whose button was clicked (admins only)."""
        actor, locale = runtime.actor(), runtime.locale()
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks or []):
            raise dash.exceptions.PreventUpdate
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            raise dash.exceptions.PreventUpdate
        with runtime.db().session() as s:
            ds = _dataset(s, dataset_id)
            service.delete_rule(s, actor, ds, int(trigger["rule"]), runtime.client_address())
            table = rules_table(service.list_rules(s, actor, ds), locale)
        return table, dbc.Alert(t("rr.deleted", locale), color="success", duration=6000)
