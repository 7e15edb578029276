"""The "Partager" dialog: who sees and who edits a dashboard, story or dataset.

Drop it into any page with `sharing_dialog(kind, object_id, locale)` (render it only for
actors who may share: `allowed(actor, "share", obj)`); `register_callbacks(app)` is called
once per app by `create_app`. The callbacks re-derive the actor and re-check the "share"
right on every call: the store holding (kind, id) is only a pointer.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from studio import runtime
from studio.i18n import register, t
from studio.services import sharing as service
from studio.services.sharing import SharingError

P = "share"
ID = lambda name: f"{P}-{name}"  # noqa: E731

register(
    {
        "share.button": ("Partager", "Share"),
        "share.title": ("Partager", "Share"),
        "share.visibility": ("Qui peut voir", "Who can see"),
        "share.vis.private": (
            "Privé : moi et les personnes ou groupes choisis",
            "Private: me and the people or groups chosen",
        ),
        "share.vis.internal": (
            "Interne : tout utilisateur connecté",
            "Internal: every signed-in user",
        ),
        "share.vis.groups": ("Rôles ou groupes choisis", "Chosen roles or groups"),
        "share.vis.public": (
            "Public : tout le monde, intégrable sans jeton",
            "Public: everyone, embeddable without a token",
        ),
        "share.groups": ("Groupes", "Groups"),
        "share.roles": ("Rôles", "Roles"),
        "share.users": ("Personnes", "People"),
        "share.editors": (
            "Peuvent modifier (personnes ayant le rôle éditeur, ou groupes)",
            "Can edit (people with the editor role, or groups)",
        ),
        "share.origins": (
            "Sites autorisés à intégrer (une origine par ligne, ex. https://www.exemple.fr)",
            "Sites allowed to embed (one origin per line, e.g. https://www.example.org)",
        ),
        "share.save": ("Enregistrer le partage", "Save sharing"),
        "share.close": ("Fermer", "Close"),
        "share.saved": ("Partage enregistré.", "Sharing saved."),
        "share.draft_note": (
            "Les lecteurs ne voient que la dernière version publiée, jamais le brouillon.",
            "Viewers only see the last published version, never the draft.",
        ),
    }
)


def sharing_dialog(kind: str, object_id: int, locale: str) -> html.Div:
    """The "Partager" button and its dialog for one object (kind: dashboard|story|dataset)."""
    roles = [{"label": t(f"role.{r}", locale), "value": r} for r in ("viewer", "editor", "admin")]
    visibilities = [
        {"label": t(f"share.vis.{v}", locale), "value": v}
        for v in ("private", "internal", "groups", "public")
    ]

    def field(label_key: str, control: Any, wrapper_id: str | None = None) -> html.Div:
        extra = {"id": wrapper_id} if wrapper_id else {}
        return html.Div(
            [dbc.Label(t(label_key, locale), html_for=control.id), control],
            className="mb-3",
            **extra,
        )

    body = [
        html.Fieldset(
            [
                html.Legend(t("share.visibility", locale), className="form-label fs-6"),
                dbc.RadioItems(id=ID("visibility"), options=visibilities, value="private"),
            ],
            className="mb-3",
        ),
        field("share.groups", dcc.Dropdown(id=ID("groups"), multi=True, options=[])),
        field("share.roles", dbc.Checklist(id=ID("roles"), options=roles, value=[], inline=True)),
        field("share.users", dcc.Dropdown(id=ID("users"), multi=True, options=[])),
        field("share.editors", dcc.Dropdown(id=ID("editors"), multi=True, options=[])),
        field(
            "share.origins",
            dbc.Textarea(id=ID("origins"), rows=2, value=""),
            wrapper_id=ID("origins-wrap"),
        ),
        html.P(t("share.draft_note", locale), className="small text-muted")
        if kind != "dataset"
        else None,
        html.Div(id=ID("message"), role="status"),
    ]
    return html.Div(
        [
            dcc.Store(id=ID("target"), data={"kind": kind, "id": object_id}),
            dbc.Button(
                t("share.button", locale),
                id=ID("open"),
                n_clicks=0,
                size="sm",
                color="secondary",
                outline=True,
                className="me-2",
            ),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle(t("share.title", locale), id=ID("modal-title"))),
                    dbc.ModalBody(body),
                    dbc.ModalFooter(
                        [
                            dbc.Button(t("share.close", locale), id=ID("close"), color="link"),
                            dbc.Button(t("share.save", locale), id=ID("save"), n_clicks=0),
                        ]
                    ),
                ],
                id=ID("modal"),
                labelledby=ID("modal-title"),
                is_open=False,
                size="lg",
            ),
        ],
        className="d-inline-block",
    )


def _object(s: Any, target: Any) -> Any:
    """The object named by the dialog's store, as the current actor may see it (NotFound)."""
    target = target if isinstance(target, dict) else {}
    kind, object_id = str(target.get("kind", "")), target.get("id")
    if not isinstance(object_id, int):
        from studio.store import NotFound

        raise NotFound("no object")
    return service.load_object(s, runtime.actor(), kind, object_id)


def _lines(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def register_callbacks(app: dash.Dash) -> None:
    """Attach the dialog's callbacks to `app` (once per app)."""

    @app.callback(
        Output(ID("modal"), "is_open"),
        Output(ID("visibility"), "value"),
        Output(ID("groups"), "options"),
        Output(ID("groups"), "value"),
        Output(ID("roles"), "value"),
        Output(ID("users"), "options"),
        Output(ID("users"), "value"),
        Output(ID("editors"), "options"),
        Output(ID("editors"), "value"),
        Output(ID("origins"), "value"),
        Output(ID("origins-wrap"), "style"),
        Output(ID("message"), "children"),
        Input(ID("open"), "n_clicks"),
        State(ID("target"), "data"),
        prevent_initial_call=True,
    )
    def open_dialog(n_clicks: int, target: Any) -> tuple[Any, ...]:
        """Open the dialog filled with the object's current sharing (share right needed)."""
        actor = runtime.actor()
        if not n_clicks:
            raise dash.exceptions.PreventUpdate
        with runtime.db().session() as s:
            obj = _object(s, target)
            current = service.describe_sharing(s, actor, obj)
            choices = service.share_choices(s)
        editor_choices = choices["editor_emails"] + choices["groups"]
        return (
            True,
            current["visibility"],
            choices["groups"],
            current["groups"],
            current["roles"],
            choices["users"],
            current["users"],
            editor_choices,
            current["editors"],
            "\n".join(current.get("allowed_origins", [])),
            {} if "allowed_origins" in current else {"display": "none"},
            None,
        )

    @app.callback(
        Output(ID("modal"), "is_open", allow_duplicate=True),
        Input(ID("close"), "n_clicks"),
        prevent_initial_call=True,
    )
    def close_dialog(n_clicks: int) -> bool:
        """Close without saving."""
        if not n_clicks or not runtime.actor().is_authenticated:
            raise dash.exceptions.PreventUpdate
        return False

    @app.callback(
        Output(ID("message"), "children", allow_duplicate=True),
        Input(ID("save"), "n_clicks"),
        State(ID("target"), "data"),
        State(ID("visibility"), "value"),
        State(ID("groups"), "value"),
        State(ID("roles"), "value"),
        State(ID("users"), "value"),
        State(ID("editors"), "value"),
        State(ID("origins"), "value"),
        prevent_initial_call=True,
    )
    def save(  # noqa: PLR0913
        n_clicks: int,
        target: Any,
        visibility: Any,
        groups: Any,
        roles: Any,
        users: Any,
        editors: Any,
        origins: Any,
    ) -> Any:
        """Apply the dialog's choices (validated and audited by the sharing service)."""
        actor, locale = runtime.actor(), runtime.locale()
        if not n_clicks:
            raise dash.exceptions.PreventUpdate
        body: dict[str, Any] = {
            "visibility": visibility,
            "groups": list(groups or []),
            "roles": list(roles or []) if visibility == "groups" else [],
            "users": list(users or []),
            "editors": list(editors or []),
        }
        try:
            with runtime.db().session() as s:
                obj = _object(s, target)
                if obj.object_type != "dataset":
                    body["allowed_origins"] = _lines(origins)
                service.update_sharing(s, actor, obj, body, runtime.client_address())
        except SharingError as exc:
            return dbc.Alert(exc.message(locale), color="danger", id=ID("error"))
        return dbc.Alert(t("share.saved", locale), color="success", id=ID("saved"), duration=6000)
