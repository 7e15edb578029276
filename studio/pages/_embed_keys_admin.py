"""Admin section "Clés d'intégration": create (secret shown once), list and revoke the keys
websites sign embed tokens with, and how to sign one.

`section(locale)` goes in the admin layout; `register_callbacks()` is called by the admin
page module (page modules run once per app, so their callbacks bind to each app).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, html

from studio import runtime
from studio.i18n import register, t
from studio.pages._ids import cid
from studio.security.policy import ensure
from studio.services import embeds as service
from studio.store import NotFound

ID = lambda name: cid("admin-ek", name)  # noqa: E731
REVOKE = "admin-ek-revoke"

register(
    {
        "ek.title": ("Clés d'intégration", "Embed keys"),
        "ek.help": (
            "Le serveur d'un site signe lui-même des liens d'intégration (jetons JWT HS256) "
            "avec une clé créée ici, pour afficher un tableau de bord non public dans une "
            "iframe. Le secret n'est affiché qu'une fois ; révoquer une clé arrête aussitôt "
            "tous les liens signés avec elle. La clé « Studio » signe les liens créés depuis "
            "Studio : la révoquer les arrête tous et la renouvelle. Format complet : "
            "docs/embedding.md.",
            "A website's server signs its own embed links (HS256 JWT tokens) with a key "
            "created here, to show a non-public dashboard in an iframe. The secret is shown "
            "once; revoking a key stops every link signed with it at once. The 'Studio' key "
            "signs the links created from Studio: revoking it stops them all and renews it. "
            "Full format: docs/embedding.md.",
        ),
        "ek.name": ("Nom de la clé (par ex. le site)", "Key name (e.g. the website)"),
        "ek.create": ("Créer une clé", "Create a key"),
        "ek.created": (
            "Clé $kid créée. Copiez son secret maintenant, il ne sera plus affiché :",
            "Key $kid created. Copy its secret now, it will not be shown again:",
        ),
        "ek.name_needed": (
            "Donnez un nom à la clé (1 à 200 caractères), par exemple celui du site.",
            "Give the key a name (1 to 200 characters), e.g. the website's.",
        ),
        "ek.kid": ("Identifiant (kid)", "Key id (kid)"),
        "ek.by": ("Créée par", "Created by"),
        "ek.when": ("Créée le", "Created on"),
        "ek.state": ("État", "State"),
        "ek.active": ("Active", "Active"),
        "ek.revoked": ("Révoquée le $when", "Revoked on $when"),
        "ek.revoke": ("Révoquer", "Revoke"),
        "ek.revoked_now": ("Clé $kid révoquée.", "Key $kid revoked."),
        "ek.none": ("Aucune clé pour l'instant.", "No key yet."),
        "ek.example": ("Exemple (Python, PyJWT)", "Example (Python, PyJWT)"),
    }
)

EXAMPLE = """import time, jwt  # pip install pyjwt

now = int(time.time())
token = jwt.encode(
    {
        "resource": {"type": "dashboard", "id": 12},
        "locked_filters": {"code_departement": "53"},
        "iat": now,
        "exp": now + 600,
    },
    SECRET,                      # the key's secret, kept on the server
    algorithm="HS256",
    headers={"kid": "ek_…"},     # the key id
)
url = f"https://studio.example.fr/embed/dashboards/12?token={token}"
"""


def _when(value: Any, locale: str) -> str:
    return value.strftime("%d/%m/%Y %H:%M" if locale == "fr" else "%Y-%m-%d %H:%M")


def keys_table(keys: list[Any], locale: str) -> Any:
    """The keys with their state and a revoke button for active ones."""
    if not keys:
        return html.P(t("ek.none", locale), className="text-muted")
    head = html.Thead(
        html.Tr(
            [html.Th(t(k, locale)) for k in ("ek.name", "ek.kid", "ek.by", "ek.when", "ek.state")]
            + [html.Th("")]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(k.name),
                html.Td(html.Code(k.key_id)),
                html.Td(k.created_by),
                html.Td(_when(k.created_at, locale)),
                html.Td(
                    t("ek.revoked", locale, when=_when(k.revoked_at, locale))
                    if k.revoked_at
                    else t("ek.active", locale)
                ),
                html.Td(
                    None
                    if k.revoked_at
                    else html.Button(
                        t("ek.revoke", locale),
                        id={"type": REVOKE, "key": k.key_id},
                        n_clicks=0,
                        className="btn btn-sm btn-outline-danger",
                    )
                ),
            ]
        )
        for k in keys
    ]
    return dbc.Table([head, html.Tbody(rows)], size="sm", responsive=True)


def section(locale: str) -> html.Div:
    """The admin page's embed keys section (the caller has checked the actor is an admin)."""
    with runtime.db().session() as s:
        table = keys_table(service.list_keys(s, runtime.actor()), locale)
    return html.Div(
        [
            html.H2(t("ek.title", locale), className="h5 mt-4"),
            html.P(t("ek.help", locale), className="small text-muted"),
            dbc.InputGroup(
                [
                    dbc.Input(id=ID("name"), placeholder=t("ek.name", locale), maxLength=200),
                    dbc.Button(t("ek.create", locale), id=ID("create"), n_clicks=0),
                ],
                className="mb-2",
                style={"maxWidth": "36rem"},
            ),
            html.Div(id=ID("message"), role="status"),
            html.Div(table, id=ID("table")),
            html.Details(
                [
                    html.Summary(t("ek.example", locale)),
                    html.Pre(EXAMPLE, className="small bg-light p-2 border"),
                ],
                className="mb-3",
            ),
        ],
        id=ID("section"),
    )


def _table(locale: str) -> Any:
    with runtime.db().session() as s:
        return keys_table(service.list_keys(s, runtime.actor()), locale)


def register_callbacks() -> None:
    """Bind the section's callbacks (called from the admin page module)."""

    @callback(
        Output(ID("message"), "children"),
        Output(ID("table"), "children"),
        Input(ID("create"), "n_clicks"),
        State(ID("name"), "value"),
        prevent_initial_call=True,
    )
    def create(n_clicks, name):  # noqa: ANN001, ANN202
        """Create a website key; its secret is shown this once."""
        actor, locale = runtime.actor(), runtime.locale()
        ensure(actor, "manage", "embed-keys")
        if not n_clicks:
            raise dash.exceptions.PreventUpdate
        try:
            with runtime.db().session() as s:
                key, secret = service.create_key(
                    s, actor, name if isinstance(name, str) else "", runtime.client_address()
                )
                kid = key.key_id
        except service.EmbedError:
            return dbc.Alert(t("ek.name_needed", locale), color="danger"), dash.no_update
        message = dbc.Alert(
            [
                t("ek.created", locale, kid=kid),
                html.Pre(secret, id=ID("secret"), className="mb-0 mt-1 user-select-all"),
            ],
            color="warning",
        )
        return message, _table(locale)

    @callback(
        Output(ID("message"), "children", allow_duplicate=True),
        Output(ID("table"), "children", allow_duplicate=True),
        Input({"type": REVOKE, "key": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def revoke(_clicks):  # noqa: ANN001, ANN202
        """Revoke the clicked key."""
        actor, locale = runtime.actor(), runtime.locale()
        ensure(actor, "manage", "embed-keys")
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not ctx.triggered[0].get("value"):
            raise dash.exceptions.PreventUpdate
        kid = str(trigger.get("key", ""))
        try:
            with runtime.db().session() as s:
                service.revoke_key(s, actor, kid, runtime.client_address())
        except NotFound:
            raise dash.exceptions.PreventUpdate from None
        message = dbc.Alert(t("ek.revoked_now", locale, kid=kid), color="success")
        return message, _table(locale)
