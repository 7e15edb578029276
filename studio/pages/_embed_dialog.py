"""The "Intégrer" (embed) dialog of the dashboard and story editors: allowed origins,
display options, the iframe + script snippet, and for non-public objects a signed, expiring
link.

`embed_button` and `embed_dialog` go in the editor's layout; `register_callbacks(kind)` is
called by the editor page module (page modules run once per app, so their callbacks bind
to each app). Ids are `de-embed-*` in the dashboard editor, `se-embed-*` in the story editor.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from markupsafe import escape

from studio import runtime
from studio.i18n import register, t
from studio.pages._ids import cid
from studio.security.policy import allowed
from studio.services import embeds as service
from studio.store import NotFound
from studio.store import documents as repo

PREFIXES = {"dashboard": "de-embed", "story": "se-embed"}
STORY_FRAME_STYLE = "width:100%;border:0;height:85vh;min-height:400px"


def ID(kind: str, name: str) -> str:  # noqa: N802
    """A component id of the dialog in the editor of `kind`."""
    return cid(PREFIXES[kind], name)


def _t(key: str, kind: str, locale: str, **params: Any) -> str:
    """A message, in its story wording for the story editor when it has one."""
    return t(f"{key}_story" if kind == "story" and key in STORY_WORDING else key, locale, **params)


EXPIRIES = (3600, 86400, 7 * 86400, 30 * 86400)

register(
    {
        "emb.open": ("Intégrer", "Embed"),
        "emb.dialog_title": ("Intégrer ce tableau de bord", "Embed this dashboard"),
        "emb.origins": ("Sites autorisés à l'intégrer", "Websites allowed to embed it"),
        "emb.origins_help": (
            "Une origine par ligne, sous la forme https://www.exemple.fr (avec :port si "
            "besoin). Les autres sites ne pourront pas l'afficher.",
            "One origin per line, like https://www.example.org (with :port if needed). "
            "Other websites cannot show it.",
        ),
        "emb.save_origins": ("Enregistrer les sites", "Save the websites"),
        "emb.origins_saved": (
            "Sites autorisés enregistrés ($count).",
            "Allowed websites saved ($count).",
        ),
        "emb.bad_origin": (
            "« $origin » n'est pas une origine : écrivez schéma://hôte[:port], par exemple "
            "https://www.exemple.fr (sans chemin ni *).",
            "'$origin' is not an origin: write scheme://host[:port], e.g. "
            "https://www.example.org (no path, no *).",
        ),
        "emb.options": ("Affichage", "Display"),
        "emb.hide_title": ("Masquer le titre", "Hide the title"),
        "emb.hide_filters": ("Masquer les filtres", "Hide the filters"),
        "emb.theme": ("Thème", "Theme"),
        "emb.light": ("Clair", "Light"),
        "emb.dark": ("Sombre", "Dark"),
        "emb.lang": ("Langue", "Language"),
        "emb.snippet": (
            "Code à coller dans la page du site",
            "Code to paste in the website's page",
        ),
        "emb.copy": ("Copier", "Copy"),
        "emb.preview": (
            "Aperçu (version publiée, telle que le site l'affichera)",
            "Preview (published version, as the website will show it)",
        ),
        "emb.public": (
            "Ce tableau de bord est public : il s'intègre sans jeton.",
            "This dashboard is public: it embeds without a token.",
        ),
        "emb.private": (
            "Ce tableau de bord n'est pas public : créez un lien signé qui expire. Un site "
            "peut aussi signer ses propres liens avec une clé d'intégration (page "
            "Administration, voir docs/embedding.md).",
            "This dashboard is not public: create a signed link that expires. A website can "
            "also sign its own links with an embed key (Administration page, see "
            "docs/embedding.md).",
        ),
        "emb.expires": ("Validité", "Valid for"),
        "emb.expiry.3600": ("1 heure", "1 hour"),
        "emb.expiry.86400": ("1 jour", "1 day"),
        "emb.expiry.604800": ("7 jours", "7 days"),
        "emb.expiry.2592000": ("30 jours", "30 days"),
        "emb.lock_field": ("Filtre verrouillé (facultatif)", "Locked filter (optional)"),
        "emb.lock_none": ("Aucun", "None"),
        "emb.lock_values": (
            "Valeurs (séparées par des virgules)",
            "Values (separated by commas)",
        ),
        "emb.issue": ("Créer un lien signé", "Create a signed link"),
        "emb.issued": (
            "Lien signé créé : il expire dans $expiry. Le code ci-dessous l'utilise.",
            "Signed link created: it expires in $expiry. The code below uses it.",
        ),
        "emb.lock_needs_values": (
            "Indiquez au moins une valeur pour le filtre verrouillé « $field ».",
            "Give at least one value for the locked filter '$field'.",
        ),
        "emb.not_published": (
            "Publiez d'abord le tableau de bord : l'intégration montre la version publiée.",
            "Publish the dashboard first: the embed shows the published version.",
        ),
        "emb.failed": ("Impossible : $detail", "Not possible: $detail"),
        "emb.no_right": (
            "Seul le propriétaire (ou un administrateur) peut intégrer ce tableau de bord.",
            "Only the owner (or an administrator) can embed this dashboard.",
        ),
        "emb.dialog_title_story": ("Intégrer ce récit", "Embed this story"),
        "emb.public_story": (
            "Ce récit est public : il s'intègre sans jeton. Il défile dans son cadre, de "
            "hauteur fixe (modifiable dans le code).",
            "This story is public: it embeds without a token. It scrolls inside its frame, "
            "of fixed height (change it in the code).",
        ),
        "emb.private_story": (
            "Ce récit n'est pas public : créez un lien signé qui expire. Un site peut aussi "
            "signer ses propres liens avec une clé d'intégration (page Administration, voir "
            "docs/embedding.md).",
            "This story is not public: create a signed link that expires. A website can also "
            "sign its own links with an embed key (Administration page, see "
            "docs/embedding.md).",
        ),
        "emb.not_published_story": (
            "Publiez d'abord le récit : l'intégration montre la version publiée.",
            "Publish the story first: the embed shows the published version.",
        ),
        "emb.no_right_story": (
            "Seul le propriétaire (ou un administrateur) peut intégrer ce récit.",
            "Only the owner (or an administrator) can embed this story.",
        ),
    }
)

STORY_WORDING = {
    "emb.dialog_title",
    "emb.public",
    "emb.private",
    "emb.not_published",
    "emb.no_right",
}


def embed_button(locale: str, kind: str = "dashboard") -> dbc.Button:
    """The toolbar button that opens the dialog."""
    return dbc.Button(
        t("emb.open", locale),
        id=ID(kind, "open"),
        n_clicks=0,
        size="sm",
        color="secondary",
        outline=True,
        className="me-2",
    )


def embed_dialog(doc: Any, fields: list[str], locale: str, kind: str = "dashboard") -> dbc.Modal:
    """The dialog for one dashboard or story (its origins, visibility and lockable fields)."""
    public = doc.visibility == "public"
    return dbc.Modal(
        [
            dbc.ModalHeader(
                dbc.ModalTitle(_t("emb.dialog_title", kind, locale), id=ID(kind, "modal-title"))
            ),
            dbc.ModalBody(
                [
                    dcc.Store(id=ID(kind, "doc"), data={"id": doc.id}),
                    dcc.Store(id=ID(kind, "token")),
                    _origins_section(doc, locale, kind),
                    html.Hr(),
                    _options_section(locale, kind),
                    html.Hr(),
                    dbc.Alert(_t("emb.public", kind, locale), color="info", className="py-2")
                    if public
                    else _token_section(fields, locale, kind),
                    dbc.Label(
                        t("emb.snippet", locale),
                        html_for=ID(kind, "snippet"),
                        className="h6 mt-3 d-block",
                    ),
                    html.Div(
                        [
                            dcc.Textarea(
                                id=ID(kind, "snippet"),
                                readOnly=True,
                                className="form-control font-monospace small",
                                style={"height": "8rem"},
                            ),
                            dcc.Clipboard(
                                target_id=ID(kind, "snippet"),
                                title=t("emb.copy", locale),
                                className="position-absolute top-0 end-0 m-1",
                            ),
                        ],
                        className="position-relative",
                    ),
                    html.H3(t("emb.preview", locale), className="h6 mt-3"),
                    html.Iframe(
                        id=ID(kind, "preview"),
                        title=t("emb.preview", locale),
                        style={"width": "100%", "height": "420px", "border": "1px solid #dee2e6"},
                    ),
                ]
            ),
        ],
        id=ID(kind, "modal"),
        labelledby=ID(kind, "modal-title"),
        is_open=False,
        size="lg",
    )


def _origins_section(doc: Any, locale: str, kind: str) -> html.Div:
    return html.Div(
        [
            dbc.Label(t("emb.origins", locale), html_for=ID(kind, "origins")),
            dbc.Textarea(
                id=ID(kind, "origins"),
                value="\n".join(doc.allowed_origins or []),
                rows=3,
                placeholder="https://www.exemple.fr",
            ),
            dbc.FormText(t("emb.origins_help", locale)),
            html.Div(
                dbc.Button(
                    t("emb.save_origins", locale),
                    id=ID(kind, "save-origins"),
                    n_clicks=0,
                    size="sm",
                    className="mt-2",
                )
            ),
            html.Div(id=ID(kind, "origins-message"), role="status", className="mt-2"),
        ]
    )


def _options_section(locale: str, kind: str) -> html.Div:
    return html.Div(
        [
            html.H3(t("emb.options", locale), className="h6"),
            dbc.Checklist(
                id=ID(kind, "hide"),
                options=[
                    {"label": t("emb.hide_title", locale), "value": "title"},
                    *(
                        [{"label": t("emb.hide_filters", locale), "value": "filters"}]
                        if kind == "dashboard"
                        else []
                    ),
                ],
                value=[],
                inline=True,
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(t("emb.theme", locale), html_for=ID(kind, "theme")),
                            dbc.Select(
                                id=ID(kind, "theme"),
                                options=[
                                    {"label": t("emb.light", locale), "value": "light"},
                                    {"label": t("emb.dark", locale), "value": "dark"},
                                ],
                                value="light",
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("emb.lang", locale), html_for=ID(kind, "lang")),
                            dbc.Select(
                                id=ID(kind, "lang"),
                                options=[
                                    {"label": "Français", "value": "fr"},
                                    {"label": "English", "value": "en"},
                                ],
                                value=locale,
                            ),
                        ],
                        md=4,
                    ),
                ],
                className="mt-2",
            ),
        ]
    )


def _token_section(fields: list[str], locale: str, kind: str) -> html.Div:
    none = [{"label": t("emb.lock_none", locale), "value": ""}]
    return html.Div(
        [
            dbc.Alert(
                _t("emb.private", kind, locale), color="light", className="border py-2 small"
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(t("emb.expires", locale), html_for=ID(kind, "expires")),
                            dbc.Select(
                                id=ID(kind, "expires"),
                                options=[
                                    {"label": t(f"emb.expiry.{s}", locale), "value": str(s)}
                                    for s in EXPIRIES
                                ],
                                value=str(EXPIRIES[2]),
                            ),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("emb.lock_field", locale), html_for=ID(kind, "lock-field")),
                            dbc.Select(
                                id=ID(kind, "lock-field"),
                                options=none + [{"label": f, "value": f} for f in fields],
                                value="",
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(
                                t("emb.lock_values", locale), html_for=ID(kind, "lock-values")
                            ),
                            dbc.Input(id=ID(kind, "lock-values"), placeholder="53"),
                        ],
                        md=5,
                    ),
                ]
            ),
            dbc.Button(
                t("emb.issue", locale),
                id=ID(kind, "issue"),
                n_clicks=0,
                size="sm",
                color="primary",
                className="mt-2",
            ),
            html.Div(id=ID(kind, "token-message"), role="status", className="mt-2"),
        ]
    )


def lockable_fields(schemas: dict[int, dict[str, str]]) -> list[str]:
    """Fields a token may lock: every non-geometry field of the dashboard's datasets."""
    return sorted(
        {f for schema in schemas.values() for f, kind in schema.items() if kind != "geometry"}
    )


def snippet(
    base: str,
    doc_id: int,
    title: str,
    token: str | None,
    options: dict[str, Any],
    kind: str = "dashboard",
) -> str:
    """The iframe and script a website pastes (its values HTML-escaped). A story's iframe
    has a fixed height and scrolls inside (its sticky visuals need a scrolling frame)."""
    params = {"token": token} if token else {}
    params |= {k: v for k, v in options.items() if v}
    url = f"{base}{service.embed_path(kind, doc_id)}"
    if params:
        url += "?" + urlencode(params)
    if kind == "story":
        return (
            f'<iframe src="{escape(url)}" title="{escape(title)}" loading="lazy"\n'
            f'        style="{STORY_FRAME_STYLE}"></iframe>'
        )
    return (
        f'<iframe src="{escape(url)}" title="{escape(title)}" loading="lazy"\n'
        '        style="width:100%;border:0;min-height:200px"></iframe>\n'
        f'<script src="{escape(base)}/embed.js" async></script>'
    )


def _shareable(doc_id: Any, kind: str) -> Any:
    """The document if the current user may share it (PermissionDenied/NotFound otherwise)."""
    from studio.security.policy import PermissionDenied

    if not isinstance(doc_id, int) or isinstance(doc_id, bool):
        raise PermissionDenied("share", kind)
    with runtime.db().session() as s:
        doc = repo.get_document(s, kind, doc_id)
        if not allowed(runtime.actor(), "share", doc):
            raise PermissionDenied("share", doc)
        return doc


def register_callbacks(kind: str = "dashboard") -> None:
    """Bind the dialog's callbacks for the editor of `kind` (called from its page module)."""

    @callback(
        Output(ID(kind, "modal"), "is_open"),
        Input(ID(kind, "open"), "n_clicks"),
        State(ID(kind, "modal"), "is_open"),
        prevent_initial_call=True,
    )
    def toggle(n_clicks, is_open):  # noqa: ANN001, ANN202
        """Open the dialog."""
        if not n_clicks:
            raise dash.exceptions.PreventUpdate
        return not is_open

    @callback(
        Output(ID(kind, "origins-message"), "children"),
        Output(ID(kind, "origins"), "value"),
        Input(ID(kind, "save-origins"), "n_clicks"),
        State(ID(kind, "origins"), "value"),
        State(ID(kind, "doc"), "data"),
        prevent_initial_call=True,
    )
    def save_origins(n_clicks, text, doc):  # noqa: ANN001, ANN202
        """Validate and save the allowed origins (owner or admin)."""
        if not n_clicks:
            raise dash.exceptions.PreventUpdate
        locale = runtime.locale()
        doc_id = (doc or {}).get("id")
        _shareable(doc_id, kind)
        lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
        for line in lines:
            try:
                service.normalise_origin(line)
            except service.EmbedError:
                alert = dbc.Alert(t("emb.bad_origin", locale, origin=line[:200]), color="danger")
                return alert, dash.no_update
        try:
            with runtime.db().session() as s:
                saved = service.set_allowed_origins(
                    s,
                    runtime.actor(),
                    repo.get_document(s, kind, doc_id),
                    lines,
                    runtime.client_address(),
                )
        except service.EmbedError as exc:
            return dbc.Alert(t("emb.failed", locale, detail=exc.message), color="danger"), (
                dash.no_update
            )
        message = t("emb.origins_saved", locale, count=len(saved))
        return dbc.Alert(message, color="success", className="py-2"), "\n".join(saved)

    @callback(
        Output(ID(kind, "token"), "data"),
        Output(ID(kind, "token-message"), "children"),
        Input(ID(kind, "issue"), "n_clicks"),
        State(ID(kind, "expires"), "value"),
        State(ID(kind, "lock-field"), "value"),
        State(ID(kind, "lock-values"), "value"),
        State(ID(kind, "doc"), "data"),
        prevent_initial_call=True,
    )
    def issue(n_clicks, expires, field, values, doc):  # noqa: ANN001, ANN202
        """Issue a signed, expiring token for the published object (audited)."""
        if not n_clicks:
            raise dash.exceptions.PreventUpdate
        locale = runtime.locale()
        doc_id = (doc or {}).get("id")
        _shareable(doc_id, kind)
        seconds = int(expires) if str(expires) in {str(s) for s in EXPIRIES} else EXPIRIES[0]
        locks: dict[str, Any] = {}
        if field:
            parts = [v.strip() for v in str(values or "").split(",") if v.strip()]
            if not parts:
                return dash.no_update, dbc.Alert(
                    t("emb.lock_needs_values", locale, field=field), color="danger"
                )
            locks[str(field)] = parts
        try:
            with runtime.db().session() as s:
                token = service.issue_token(
                    s,
                    runtime.actor(),
                    kind,
                    doc_id,
                    seconds,
                    locks,
                    runtime.client_address(),
                )
        except service.EmbedError as exc:
            key = "emb.not_published" if exc.status == 409 else None
            text = _t(key, kind, locale) if key else t("emb.failed", locale, detail=exc.message)
            return dash.no_update, dbc.Alert(text, color="danger")
        except NotFound:
            return dash.no_update, dbc.Alert(_t("emb.no_right", kind, locale), color="danger")
        expiry = t(f"emb.expiry.{seconds}", locale)
        return token, dbc.Alert(t("emb.issued", locale, expiry=expiry), color="success")

    @callback(
        Output(ID(kind, "snippet"), "value"),
        Output(ID(kind, "preview"), "src"),
        Input(ID(kind, "hide"), "value"),
        Input(ID(kind, "theme"), "value"),
        Input(ID(kind, "lang"), "value"),
        Input(ID(kind, "token"), "data"),
        Input(ID(kind, "modal"), "is_open"),
        State(ID(kind, "doc"), "data"),
    )
    def show_snippet(hide, theme, lang, token, _open, doc):  # noqa: ANN001, ANN202
        """The code to paste, for the chosen options (and token, once issued)."""
        doc_obj = _shareable((doc or {}).get("id"), kind)
        hide = hide if isinstance(hide, list) else []
        options = {
            "title": "0" if "title" in hide else None,
            "filters": "0" if "filters" in hide else None,
            "theme": "dark" if theme == "dark" else None,
            "lang": "en" if lang == "en" else None,
        }
        public = doc_obj.visibility == "public"
        token = None if public else (token if isinstance(token, str) else None)
        base = runtime.settings().public_base_url
        code = snippet(
            base, doc_obj.id, doc_obj.title, token or (None if public else "TOKEN"), options, kind
        )
        if not (public or token):
            return code, None
        # The preview is framed by Studio itself: `preview=1` answers frame-ancestors 'self'.
        preview = {**({"token": token} if token else {}), **{k: v for k, v in options.items() if v}}
        path = service.embed_path(kind, doc_obj.id)
        return code, f"{path}?{urlencode({**preview, 'preview': '1'})}"
