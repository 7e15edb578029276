"""Admin: users (create, role, groups, disable, reset password) and the audit log."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from studio import accounts, runtime
from studio.i18n import register, t
from studio.pages import _embed_keys_admin
from studio.pages._ids import cid
from studio.pages._titles import page_title
from studio.security.passwords import WeakPassword
from studio.security.policy import allowed, ensure
from studio.store import AlreadyExists, InvalidValue, audit
from studio.store import users as repo
from studio.store.models import ROLES

dash.register_page(__name__, path="/admin", title=page_title("title.admin"), name="admin")

ID = lambda name: cid("admin", name)  # noqa: E731
_embed_keys_admin.register_callbacks()

register(
    {
        "aud.all": (
            "Tout le journal, avec filtres (personne, action, objet, dates)",
            "The whole trail, with filters (person, action, object, dates)",
        ),
    }
)


def layout(**_kwargs: object) -> html.Div:
    """The admin page, or a refusal for anyone who is not an admin."""
    actor, locale = runtime.actor(), runtime.locale()
    if not allowed(actor, "manage", "users"):
        return dbc.Alert(t("error.forbidden", locale), color="warning", id=ID("forbidden"))
    with runtime.db().session() as s:
        users = repo.list_users(s)
        table = _users_table(users, locale)
        options = _user_options(users)
        events = audit.recent(s, 50)
        audit_table = _audit_table(events, locale)
    return html.Div(
        [
            html.H1(t("admin.title", locale), className="h3"),
            dbc.Row(
                [
                    dbc.Col(_create_form(locale), md=6),
                    dbc.Col(_edit_form(locale, options), md=6),
                ],
                className="g-3 mb-4",
            ),
            html.H2(t("admin.users", locale), className="h5"),
            html.Div(table, id=ID("users")),
            html.H2(t("admin.audit", locale), className="h5 mt-4"),
            dcc.Link(t("aud.all", locale), href="/admin/audit", id=ID("audit-all")),
            html.Div(audit_table, id=ID("audit")),
            _embed_keys_admin.section(locale),
        ]
    )


def _role_options(locale: str) -> list[dict[str, str]]:
    return [{"label": t(f"role.{r}", locale), "value": r} for r in ROLES]


def _user_options(users: list) -> list[dict[str, object]]:  # noqa: ANN001
    return [{"label": u.email, "value": u.id} for u in users]


def _create_form(locale: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(t("admin.create", locale), className="h5"),
                dbc.Label(t("admin.email", locale), html_for=ID("create-email")),
                dbc.Input(id=ID("create-email"), type="email", className="mb-2"),
                dbc.Label(t("admin.name", locale), html_for=ID("create-name")),
                dbc.Input(id=ID("create-name"), className="mb-2"),
                dbc.Label(t("admin.role", locale), html_for=ID("create-role")),
                dbc.Select(
                    id=ID("create-role"),
                    options=_role_options(locale),
                    value="viewer",
                    className="mb-2",
                ),
                dbc.Label(t("admin.groups", locale), html_for=ID("create-groups")),
                dbc.Input(id=ID("create-groups"), className="mb-1"),
                dbc.FormText(t("admin.groups_help", locale)),
                html.Br(),
                dbc.Label(t("admin.password_optional", locale), html_for=ID("create-password")),
                dbc.Input(id=ID("create-password"), type="password", className="mb-2"),
                dbc.Button(t("admin.submit_create", locale), id=ID("create-submit"), n_clicks=0),
                html.Div(id=ID("create-message"), className="mt-2", role="status"),
            ]
        )
    )


def _edit_form(locale: str, options: list[dict[str, object]]) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(t("admin.edit", locale), className="h5"),
                dbc.Label(t("admin.pick_user", locale), html_for=ID("edit-user")),
                dbc.Select(id=ID("edit-user"), options=options, className="mb-2"),
                dbc.Label(t("admin.role", locale), html_for=ID("edit-role")),
                dbc.Select(id=ID("edit-role"), options=_role_options(locale), className="mb-2"),
                dbc.Label(t("admin.groups", locale), html_for=ID("edit-groups")),
                dbc.Input(id=ID("edit-groups"), className="mb-2"),
                dbc.Checkbox(
                    id=ID("edit-disabled"),
                    label=t("admin.disable", locale),
                    value=False,
                    className="mb-2",
                ),
                dbc.Button(
                    t("admin.submit_save", locale),
                    id=ID("edit-submit"),
                    n_clicks=0,
                    className="me-2",
                ),
                dbc.Button(
                    t("admin.reset_password", locale),
                    id=ID("edit-reset"),
                    n_clicks=0,
                    color="secondary",
                ),
                html.Div(id=ID("edit-message"), className="mt-2", role="status"),
            ]
        )
    )


def _users_table(users: list, locale: str) -> dbc.Table:  # noqa: ANN001
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(key, locale))
                for key in (
                    "admin.email",
                    "admin.name",
                    "admin.role",
                    "admin.groups",
                    "admin.status",
                )
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(u.email),
                html.Td(u.name),
                html.Td(t(f"role.{u.role}", locale)),
                html.Td(", ".join(g.name for g in u.groups)),
                html.Td(t("admin.disabled" if u.disabled else "admin.active", locale)),
            ]
        )
        for u in users
    ]
    return dbc.Table([head, html.Tbody(rows)], striped=True, size="sm", responsive=True)


def _audit_table(events: list, locale: str) -> dbc.Table:  # noqa: ANN001
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(key, locale))
                for key in (
                    "admin.audit.when",
                    "admin.audit.who",
                    "admin.audit.what",
                    "admin.audit.object",
                )
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(
                    e.at.strftime("%d/%m/%Y %H:%M")
                    if locale == "fr"
                    else e.at.strftime("%Y-%m-%d %H:%M")
                ),
                html.Td(e.actor_email),
                html.Td(e.action),
                html.Td(f"{e.object_type} {e.object_id}".strip()),
            ]
        )
        for e in events
    ]
    return dbc.Table([head, html.Tbody(rows)], size="sm", responsive=True)


def _split_groups(raw: str | None) -> list[str]:
    return [g.strip() for g in (raw or "").split(",") if g.strip()]


def _error_message(exc: Exception, locale: str) -> str:
    if isinstance(exc, AlreadyExists):
        return t("admin.error.exists", locale)
    if isinstance(exc, WeakPassword):
        return t("admin.error.password", locale)
    if isinstance(exc, InvalidValue) and "group" in str(exc):
        return t("admin.error.group", locale)
    return t("admin.error.email", locale)


def _refreshed_table(locale: str) -> dbc.Table:
    with runtime.db().session() as s:
        return _users_table(repo.list_users(s), locale)


@callback(
    Output(ID("create-message"), "children"),
    Output(ID("users"), "children"),
    Output(ID("edit-user"), "options"),
    Input(ID("create-submit"), "n_clicks"),
    State(ID("create-email"), "value"),
    State(ID("create-name"), "value"),
    State(ID("create-role"), "value"),
    State(ID("create-groups"), "value"),
    State(ID("create-password"), "value"),
    prevent_initial_call=True,
)
def create_user(_n, email, name, role, groups, password):  # noqa: ANN001, ANN201
    """Create an account; a generated password is shown once."""
    actor, locale = runtime.actor(), runtime.locale()
    ensure(actor, "manage", "users")
    try:
        with runtime.db().session() as s:
            user, generated = accounts.create_account(
                s, email or "", role or "viewer", _split_groups(groups), password, name or ""
            )
            audit.record(
                s,
                actor,
                "user_created",
                "user",
                user.id,
                {"role": user.role},
                runtime.client_address(),
            )
            options = _user_options(repo.list_users(s))
    except (AlreadyExists, InvalidValue, WeakPassword) as exc:
        return (
            dbc.Alert(_error_message(exc, locale), color="danger"),
            dash.no_update,
            dash.no_update,
        )
    parts = [html.Div(t("admin.created", locale, email=user.email))]
    if generated:
        parts.append(
            html.Code(t("admin.generated", locale, password=generated), id=ID("generated"))
        )
    return dbc.Alert(parts, color="success"), _refreshed_table(locale), options


@callback(
    Output(ID("edit-role"), "value"),
    Output(ID("edit-groups"), "value"),
    Output(ID("edit-disabled"), "value"),
    Input(ID("edit-user"), "value"),
    prevent_initial_call=True,
)
def load_user(user_id):  # noqa: ANN001, ANN201
    """Fill the edit form with the chosen user's settings."""
    ensure(runtime.actor(), "manage", "users")
    if not user_id:
        raise dash.exceptions.PreventUpdate
    with runtime.db().session() as s:
        user = repo.get_user(s, int(user_id))
        return user.role, ", ".join(g.name for g in user.groups), user.disabled


@callback(
    Output(ID("edit-message"), "children"),
    Output(ID("users"), "children", allow_duplicate=True),
    Input(ID("edit-submit"), "n_clicks"),
    State(ID("edit-user"), "value"),
    State(ID("edit-role"), "value"),
    State(ID("edit-groups"), "value"),
    State(ID("edit-disabled"), "value"),
    prevent_initial_call=True,
)
def save_user(_n, user_id, role, groups, disabled):  # noqa: ANN001, ANN201
    """Save role, groups and status; an admin cannot lock themselves out."""
    actor, locale = runtime.actor(), runtime.locale()
    ensure(actor, "manage", "users")
    if not user_id:
        raise dash.exceptions.PreventUpdate
    if int(user_id) == actor.id and (role != "admin" or disabled):
        return dbc.Alert(t("admin.self_lockout", locale), color="warning"), dash.no_update
    try:
        with runtime.db().session() as s:
            user = repo.update_user(
                s,
                repo.get_user(s, int(user_id)),
                role=role,
                groups=_split_groups(groups),
                disabled=bool(disabled),
            )
            audit.record(
                s,
                actor,
                "user_updated",
                "user",
                user.id,
                {"role": user.role, "disabled": user.disabled},
                runtime.client_address(),
            )
            email = user.email
    except InvalidValue as exc:
        return dbc.Alert(_error_message(exc, locale), color="danger"), dash.no_update
    return dbc.Alert(t("admin.saved", locale, email=email), color="success"), _refreshed_table(
        locale
    )


@callback(
    Output(ID("edit-message"), "children", allow_duplicate=True),
    Input(ID("edit-reset"), "n_clicks"),
    State(ID("edit-user"), "value"),
    prevent_initial_call=True,
)
def reset_user_password(_n, user_id):  # noqa: ANN001, ANN201
    """Give the user a new generated password (shown once) and end their sessions."""
    actor, locale = runtime.actor(), runtime.locale()
    ensure(actor, "manage", "users")
    if not user_id:
        raise dash.exceptions.PreventUpdate
    with runtime.db().session() as s:
        user = repo.get_user(s, int(user_id))
        generated = accounts.reset_password(s, user)
        audit.record(s, actor, "password_reset", "user", user.id, {}, runtime.client_address())
        email = user.email
    return dbc.Alert(
        [
            html.Div(t("admin.reset_done", locale, email=email)),
            html.Code(t("admin.generated", locale, password=generated), id=ID("generated")),
        ],
        color="success",
    )
