"""Story editor: cover, chapters (add, duplicate, delete, reorder), texts, tiles, scroll steps.

The form only carries ids and typed values: every callback re-reads the stored draft, checks
the actor may edit it, applies the form (`studio.stories.editing`) and saves a revision
based on the version the page was opened at, so a concurrent save is a clear conflict.
"""

from __future__ import annotations

import base64
from typing import Any

import dash
import dash_bootstrap_components as dbc
import dash_snap_grid as dsg
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from studio import runtime
from studio.datasources.errors import StorageError
from studio.i18n import register, t
from studio.pages import _embed_dialog
from studio.pages._conflict import conflict_alert
from studio.pages._ids import cid
from studio.pages._sharing import sharing_dialog
from studio.pages._titles import document_title
from studio.pages._widgets import named_select
from studio.security.policy import allowed, ensure
from studio.services import dataset_service_fields, documents
from studio.services import stories as service
from studio.spec.messages import SpecMessageError
from studio.spec.story import SpecVersionError
from studio.store import NotFound, StaleRevision, audit
from studio.store import documents as repo
from studio.stories import editing

dash.register_page(
    __name__,
    path_template="/stories/<story_id>/edit",
    title=document_title("story", "story_id", "title.story_edit", "title.story_edit_named"),
    name="story_edit",
    order=14,
)

ID = lambda name: cid("se", name)  # noqa: E731

_embed_dialog.register_callbacks("story")

register(
    {
        "se.heading": ("Modifier le récit", "Edit the story"),
        "se.cover": ("Couverture", "Cover"),
        "se.title": ("Titre", "Title"),
        "se.subtitle": ("Sous-titre", "Subtitle"),
        "se.author": ("Auteur ou autrice", "Author"),
        "se.date": ("Date", "Date"),
        "se.image": (
            "Image de couverture (PNG, JPEG ou WebP, 2 Mo au plus)",
            "Cover image (PNG, JPEG or WebP, at most 2 MB)",
        ),
        "se.image_drop": (
            "Déposez une image ou cliquez pour la choisir",
            "Drop an image or click to choose one",
        ),
        "se.image_alt": ("Texte alternatif de l'image", "Image text alternative"),
        "se.image.too_large": (
            "Image refusée : elle dépasse 2 Mo. Réduisez-la puis réessayez.",
            "Image refused: it is larger than 2 MB. Shrink it and retry.",
        ),
        "se.image.not_image": (
            "Image refusée : ce fichier n'est ni un PNG, ni un JPEG, ni un WebP.",
            "Image refused: this file is not a PNG, JPEG or WebP image.",
        ),
        "se.order": (
            "Ordre des chapitres (glissez pour réordonner)",
            "Chapter order (drag to reorder)",
        ),
        "se.add_chapter": ("Ajouter le chapitre", "Add the chapter"),
        "se.new_title": ("Titre du nouveau chapitre", "New chapter's title"),
        "se.new_kind": ("Type du nouveau chapitre", "New chapter's kind"),
        "se.kind.tiles": ("Texte et tuiles", "Text and tiles"),
        "se.kind.scroll": ("Séquence défilante", "Scroll sequence"),
        "se.kind.dashboard": ("Partie d'un tableau de bord", "Part of a dashboard"),
        "se.chapter": ("Chapitre $n · $kind", "Chapter $n · $kind"),
        "se.ch_title": ("Titre du chapitre", "Chapter title"),
        "se.ch_text": ("Texte (markdown, valeurs {{nom}})", "Text (markdown, {{name}} values)"),
        "se.up": ("Monter", "Move up"),
        "se.down": ("Descendre", "Move down"),
        "se.duplicate": ("Dupliquer", "Duplicate"),
        "se.delete": ("Supprimer", "Delete"),
        "se.copy_suffix": (" (copie)", " (copy)"),
        "se.add_tile": ("Ajouter une tuile", "Add a tile"),
        "se.edit_tile": ("Modifier", "Edit"),
        "se.remove_tile": ("Retirer", "Remove"),
        "se.copy_from": ("Copier une tuile d'un tableau de bord", "Copy a tile from a dashboard"),
        "se.copy": ("Copier", "Copy"),
        "se.sticky": ("Visuel fixe : $title", "Sticky visual: $title"),
        "se.edit_sticky": ("Modifier le visuel", "Edit the visual"),
        "se.step": ("Étape $n", "Step $n"),
        "se.step_text": ("Texte de l'étape", "Step text"),
        "se.step_field": ("Filtrer le champ", "Filter the field"),
        "se.step_value": ("sur la valeur", "on the value"),
        "se.step_period_field": ("Période : champ date", "Period: date field"),
        "se.step_period": ("Période (2024, 2024-T1, 2024-03)", "Period (2024, 2024-Q1, 2024-03)"),
        "se.step_highlight": (
            "Mettre en avant (valeurs séparées par des virgules)",
            "Highlight (comma-separated values)",
        ),
        "se.step_view": (
            "Vue de la carte : latitude ; longitude ; zoom",
            "Map view: latitude ; longitude ; zoom",
        ),
        "se.add_step": ("Ajouter une étape", "Add a step"),
        "se.remove_step": ("Retirer l'étape", "Remove the step"),
        "se.dashboard": ("Tableau de bord publié", "Published dashboard"),
        "se.section": ("Section (vide : la première)", "Section (empty: the first one)"),
        "se.save": ("Enregistrer", "Save"),
        "se.publish": ("Publier", "Publish"),
        "se.view": ("Voir le récit", "View the story"),
        "se.saved": ("Enregistré (version $version).", "Saved (version $version)."),
        "se.published": (
            "Publié : les lecteurs voient maintenant la révision $number.",
            "Published: readers now see revision $number.",
        ),
        "se.reload": ("Recharger", "Reload"),
        "se.save_copy": ("Enregistrer une copie", "Save as a copy"),
        "se.copy_saved": ("Copie créée : ", "Copy created: "),
        "se.invalid": ("Impossible d'enregistrer : $detail", "Cannot save: $detail"),
        "se.history": ("Historique", "History"),
        "se.restore": ("Restaurer", "Restore"),
        "se.revision": ("Révision $number — $who, $when", "Revision $number — $who, $when"),
        "se.not_allowed": ("Vous ne pouvez pas modifier ce récit.", "You cannot edit this story."),
        "se.empty": (
            "Aucun chapitre pour l'instant : ajoutez-en un ci-dessous.",
            "No chapter yet: add one below.",
        ),
    }
)

KINDS = ("tiles", "scroll", "dashboard")
STEP_FIELDS = ("text", "field", "value", "period_field", "period", "highlight", "view")
CHAPTER_FIELDS = ("title", "text", "dashboard", "section")
COVER_FIELDS = ("title", "subtitle", "author", "date", "image_alt")


def _btn(label: str, id_: dict[str, Any], color: str = "link", **kw: Any) -> Any:
    return html.Button(label, id=id_, n_clicks=0, className=f"btn btn-sm btn-{color}", **kw)


def _input(
    kind: str, chapter: str, value: Any, label: str, step: int | None = None, textarea: bool = False
) -> Any:
    id_ = {"type": f"se-{kind}", "chapter": chapter}
    if step is not None:
        id_["step"] = step
    control = (
        dbc.Textarea(id=id_, value=value or "", rows=4)
        if textarea
        else dbc.Input(id=id_, value=value if value is not None else "")
    )
    # The label wraps its control: a pattern-matching id cannot be named in `for`.
    return html.Label(
        [html.Span(label, className="small d-block"), control], className="d-block mb-2"
    )


def _step_form(
    chapter: dict[str, Any], i: int, step: dict[str, Any], is_map: bool, locale: str
) -> Any:
    cid_ = chapter["id"]
    flt = (step.get("filters") or [{}])[0]
    period = step.get("period") or {}
    view = step.get("view")
    fields = [
        _input(
            "step-text",
            cid_,
            step.get("text", {}).get("markdown"),
            t("se.step_text", locale),
            i,
            textarea=True,
        ),
        dbc.Row(
            [
                dbc.Col(
                    _input("step-field", cid_, flt.get("field"), t("se.step_field", locale), i)
                ),
                dbc.Col(
                    _input("step-value", cid_, flt.get("value"), t("se.step_value", locale), i)
                ),
            ],
            className="g-2",
        ),
        dbc.Row(
            [
                dbc.Col(
                    _input(
                        "step-period_field",
                        cid_,
                        period.get("field"),
                        t("se.step_period_field", locale),
                        i,
                    )
                ),
                dbc.Col(
                    _input("step-period", cid_, period.get("value"), t("se.step_period", locale), i)
                ),
            ],
            className="g-2",
        ),
        _input(
            "step-highlight",
            cid_,
            ", ".join(str(v) for v in step.get("highlight", [])),
            t("se.step_highlight", locale),
            i,
        ),
    ]
    if is_map:
        text = f"{view['lat']} ; {view['lon']} ; {view['zoom']}" if view else ""
        fields.append(_input("step-view", cid_, text, t("se.step_view", locale), i))
    return html.Fieldset(
        [
            html.Legend(t("se.step", locale, n=i + 1), className="h6"),
            *fields,
            _btn(
                t("se.remove_step", locale),
                {"type": "se-rm-step", "chapter": cid_, "step": i},
                "outline-danger",
            ),
        ],
        className="border rounded p-2 mb-2 se-step",
    )


def _tiles_part(
    doc_id: int, chapter: dict[str, Any], copy_options: list[dict[str, Any]], locale: str
) -> Any:
    rows = [
        html.Li(
            [
                html.Span(tile.get("title") or tile["id"], className="me-2"),
                html.Small(tile["kind"], className="text-muted me-2"),
                dcc.Link(
                    t("se.edit_tile", locale),
                    href=f"/stories/{doc_id}/tiles/{tile['id']}",
                    className="btn btn-sm btn-link",
                ),
                _btn(
                    t("se.remove_tile", locale),
                    {"type": "se-rm-tile", "tile": tile["id"]},
                    "link text-danger",
                ),
            ]
        )
        for tile in chapter.get("tiles", [])
    ]
    return html.Div(
        [
            html.Ul(rows, className="list-unstyled"),
            dcc.Link(
                t("se.add_tile", locale),
                href=f"/stories/{doc_id}/tiles/new?chapter={chapter['id']}",
                className="btn btn-outline-primary btn-sm me-2",
                id={"type": "se-add-tile", "chapter": chapter["id"]},
            ),
            html.Div(
                [
                    dcc.Dropdown(
                        id={"type": "se-copy-src", "chapter": chapter["id"]},
                        options=copy_options,
                        placeholder=t("se.copy_from", locale),
                        style={"minWidth": "18rem"},
                    ),
                    _btn(
                        t("se.copy", locale),
                        {"type": "se-copy", "chapter": chapter["id"]},
                        "outline-secondary ms-2",
                    ),
                ],
                className="d-flex align-items-center mt-2",
            ),
        ]
    )


def _scroll_part(doc_id: int, chapter: dict[str, Any], locale: str) -> Any:
    tile = chapter["tile"]
    is_map = tile.get("kind") == "map"
    return html.Div(
        [
            html.P(
                [
                    t("se.sticky", locale, title=tile.get("title") or tile["id"]),
                    " ",
                    dcc.Link(
                        t("se.edit_sticky", locale),
                        href=f"/stories/{doc_id}/tiles/{tile['id']}",
                        className="btn btn-sm btn-link",
                    ),
                ]
            ),
            *[
                _step_form(chapter, i, step, is_map, locale)
                for i, step in enumerate(chapter.get("steps", []))
            ],
            _btn(
                t("se.add_step", locale),
                {"type": "se-add-step", "chapter": chapter["id"]},
                "outline-primary",
            ),
        ]
    )


def _dashboard_part(chapter: dict[str, Any], dashboards: list[dict[str, Any]], locale: str) -> Any:
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(t("se.dashboard", locale), className="small mb-0"),
                    dcc.Dropdown(
                        id={"type": "se-dashboard", "chapter": chapter["id"]},
                        options=dashboards,
                        value=chapter.get("dashboard"),
                        clearable=False,
                    ),
                ],
                md=6,
            ),
            dbc.Col(
                _input("section", chapter["id"], chapter.get("section"), t("se.section", locale)),
                md=6,
            ),
        ]
    )


def _chapter_card(
    doc_id: int, n: int, chapter: dict[str, Any], extras: dict[str, Any], locale: str
) -> Any:
    cid_ = chapter["id"]
    kind = chapter["kind"]
    if kind == "tiles":
        body = _tiles_part(doc_id, chapter, extras["copy_options"], locale)
    elif kind == "scroll":
        body = _scroll_part(doc_id, chapter, locale)
    else:
        body = _dashboard_part(chapter, extras["dashboards"], locale)
    header = html.Div(
        [
            html.Strong(
                t("se.chapter", locale, n=n, kind=t(f"se.kind.{kind}", locale)), className="me-auto"
            ),
            _btn("↑", {"type": "se-up", "chapter": cid_}, **{"aria-label": t("se.up", locale)}),
            _btn("↓", {"type": "se-down", "chapter": cid_}, **{"aria-label": t("se.down", locale)}),
            _btn(t("se.duplicate", locale), {"type": "se-dup", "chapter": cid_}),
            _btn(t("se.delete", locale), {"type": "se-del", "chapter": cid_}, "link text-danger"),
        ],
        className="d-flex align-items-center",
    )
    return dbc.Card(
        dbc.CardBody(
            [
                header,
                _input("ch-title", cid_, chapter.get("title"), t("se.ch_title", locale)),
                _input(
                    "ch-text",
                    cid_,
                    chapter.get("text", {}).get("markdown"),
                    t("se.ch_text", locale),
                    textarea=True,
                ),
                body,
            ]
        ),
        className="mb-3 se-chapter",
        id={"type": "se-chapter", "chapter": cid_},
    )


def _order_grid(chapters: list[dict[str, Any]], locale: str) -> Any:
    items = [
        html.Div(
            html.Div(
                [html.Span("⠿ ", **{"aria-hidden": "true"}), chapter.get("title") or chapter["id"]],
                className="border rounded bg-light px-2 py-1 h-100 se-order-item",
            ),
            id=chapter["id"],
            key=chapter["id"],
        )
        for chapter in chapters
    ]
    layout = [{"i": c["id"], "x": 0, "y": i, "w": 1, "h": 1} for i, c in enumerate(chapters)]
    return html.Div(
        [
            html.H2(t("se.order", locale), className="h6"),
            dsg.Grid(
                id=ID("order"),
                cols=1,
                rowHeight=36,
                layout=layout,
                children=items,
                compactType="vertical",
                isResizable=False,
            ),
        ],
        className="mb-3",
    )


def _history(s: Any, doc: Any, locale: str) -> Any:
    fmt = "%d/%m/%Y %H:%M" if locale == "fr" else "%Y-%m-%d %H:%M"
    items = [
        html.Li(
            [
                t(
                    "se.revision",
                    locale,
                    number=r.number,
                    who=r.author_email,
                    when=r.created_at.strftime(fmt),
                ),
                " ✓" if r.number == doc.published_number else "",
                _btn(t("se.restore", locale), {"type": "se-restore", "number": r.number}),
            ]
        )
        for r in repo.list_revisions(s, doc)[:20]
    ]
    return html.Details(
        [html.Summary(t("se.history", locale)), html.Ul(items)], className="mt-3", id=ID("history")
    )


def _extras(s: Any, actor: Any) -> dict[str, Any]:
    """Dashboards the actor may view (published ones) and their tiles, for copying."""
    dashboards, copy_options = [], []
    for doc in repo.list_documents(s, "dashboard"):
        if not allowed(actor, "view", doc):
            continue
        try:
            spec, _state = documents.visible_spec(s, actor, doc)
        except NotFound:
            continue
        title = spec.get("title", doc.title)
        if doc.published_number:
            dashboards.append({"label": title, "value": doc.id})
        copy_options += [
            {
                "label": f"{title} — {tile.get('title') or tile['id']}",
                "value": f"{doc.id}/{tile['id']}",
            }
            for tile in spec.get("tiles", [])
        ]
    return {"dashboards": dashboards, "copy_options": copy_options}


def layout(story_id: str = "", **_kwargs: Any) -> Any:
    """The editor of a story's draft (those who may edit it only)."""
    actor, locale = runtime.actor(), runtime.locale()
    try:
        with runtime.db().session() as s:
            doc = repo.get_document(s, "story", int(story_id))
            if not allowed(actor, "edit", doc):
                raise NotFound("not editable")
            spec = doc.spec
            history = _history(s, doc, locale)
            extras = _extras(s, actor)
            doc_id, version = doc.id, doc.version
            can_share = allowed(actor, "share", doc)
            embed = None
            if allowed(actor, "share", doc):
                published = repo.published_spec(s, doc) or spec
                schemas = dataset_service_fields(s, documents.dataset_ids(published))
                fields = _embed_dialog.lockable_fields(schemas)
                embed = _embed_dialog.embed_dialog(doc, fields, locale, "story")
    except (ValueError, NotFound):
        return dbc.Alert(t("se.not_allowed", locale), color="warning", id=ID("not-allowed"))
    cover = spec.get("cover", {})
    chapters = spec.get("chapters", [])
    image = None
    if cover.get("image"):
        image = html.Img(
            src=f"/story-images/{doc_id}/{cover['image']}",
            alt=cover.get("image_alt", ""),
            id=ID("image-preview"),
            style={"maxHeight": "8rem"},
        )
    cover_form = dbc.Card(
        dbc.CardBody(
            [
                html.H2(t("se.cover", locale), className="h5"),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label(t("se.title", locale), html_for=ID("title")),
                                dbc.Input(id=ID("title"), value=spec.get("title", "")),
                            ],
                            md=6,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(t("se.subtitle", locale), html_for=ID("subtitle")),
                                dbc.Input(id=ID("subtitle"), value=cover.get("subtitle", "")),
                            ],
                            md=6,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(t("se.author", locale), html_for=ID("author")),
                                dbc.Input(id=ID("author"), value=cover.get("author", "")),
                            ],
                            md=6,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(t("se.date", locale), html_for=ID("date")),
                                dbc.Input(
                                    id=ID("date"), type="date", value=cover.get("date") or ""
                                ),
                            ],
                            md=6,
                        ),
                    ],
                    className="g-2",
                ),
                dbc.Label(t("se.image", locale), className="mt-2"),
                dcc.Upload(
                    html.Div(t("se.image_drop", locale)),
                    id=ID("image"),
                    accept="image/*",
                    max_size=service.MAX_IMAGE_BYTES * 2,
                    className="border border-dashed rounded p-2 text-center",
                ),
                image,
                dbc.Label(t("se.image_alt", locale), html_for=ID("image_alt"), className="mt-2"),
                dbc.Input(id=ID("image_alt"), value=cover.get("image_alt", "")),
            ]
        ),
        className="mb-3",
    )
    add = dbc.Row(
        [
            dbc.Col(
                named_select(
                    t("se.new_kind", locale),
                    ID("new-kind"),
                    "tiles",
                    [{"label": t(f"se.kind.{k}", locale), "value": k} for k in KINDS],
                    className="w-100",
                ),
                md=4,
            ),
            dbc.Col(dbc.Input(id=ID("new-title"), placeholder=t("se.new_title", locale)), md=5),
            dbc.Col(
                dbc.Button(
                    t("se.add_chapter", locale), id=ID("add-chapter"), n_clicks=0, size="sm"
                ),
                md=3,
            ),
        ],
        className="g-2 mb-3",
    )
    cards = [_chapter_card(doc_id, n, c, extras, locale) for n, c in enumerate(chapters, 1)]
    return html.Div(
        [
            dcc.Store(id=ID("draft"), data={"id": doc_id, "version": version}),
            dcc.Location(id=ID("go"), refresh=True),
            html.H1(t("se.heading", locale), className="h3"),
            html.Div(
                [
                    dbc.Button(
                        t("se.save", locale), id=ID("save"), n_clicks=0, size="sm", className="me-2"
                    ),
                    dbc.Button(
                        t("se.publish", locale),
                        id=ID("publish"),
                        n_clicks=0,
                        size="sm",
                        color="success",
                        className="me-2",
                    ),
                    sharing_dialog("story", doc_id, locale) if can_share else None,
                    _embed_dialog.embed_button(locale, "story") if embed else None,
                    dcc.Link(
                        t("se.view", locale),
                        href=f"/stories/{doc_id}",
                        id=ID("view"),
                        className="btn btn-link btn-sm",
                    ),
                ],
                className="mb-2 sticky-top bg-white py-2",
            ),
            embed,
            html.Div(id=ID("message"), role="status"),
            cover_form,
            _order_grid(chapters, locale),  # always present: the save callbacks read its layout
            *(cards or [dbc.Alert(t("se.empty", locale), color="light", className="border")]),
            add,
            history,
        ],
        className="se-editor",
    )


# --- reading the form --------------------------------------------------------------------

FORM_STATES = [
    State(ID("draft"), "data"),
    *[State(ID(name), "value") for name in COVER_FIELDS],
    State({"type": "se-ch-title", "chapter": ALL}, "value"),
    State({"type": "se-ch-text", "chapter": ALL}, "value"),
    State({"type": "se-dashboard", "chapter": ALL}, "value"),
    State({"type": "se-section", "chapter": ALL}, "value"),
    *[
        State({"type": f"se-step-{name}", "chapter": ALL, "step": ALL}, "value")
        for name in STEP_FIELDS
    ],
    State(ID("order"), "layout"),
]


def _form(
    states: list[Any],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any], list[str] | None]:
    """(draft, cover, chapters, steps, order) from `ctx.states_list`."""
    draft = states[0]["value"] or {}
    cover = {name: states[1 + i].get("value") for i, name in enumerate(COVER_FIELDS)}
    offset = 1 + len(COVER_FIELDS)
    chapters: dict[str, dict[str, Any]] = {}
    for field, group in zip(CHAPTER_FIELDS, states[offset : offset + 4], strict=True):
        for item in group:
            chapters.setdefault(item["id"]["chapter"], {})[field] = item.get("value")
    steps: dict[tuple[str, int], dict[str, Any]] = {}
    groups = states[offset + 4 : offset + 4 + len(STEP_FIELDS)]
    for field, group in zip(STEP_FIELDS, groups, strict=True):
        for item in group:
            key = (item["id"]["chapter"], int(item["id"]["step"]))
            steps.setdefault(key, {})[field] = item.get("value")
    grid = states[-1].get("value")
    order = None
    if isinstance(grid, list) and grid:
        order = [str(it.get("i")) for it in sorted(grid, key=lambda it: it.get("y", 0))]
    return draft, cover, chapters, steps, order


def _open_editable(draft: dict[str, Any]) -> tuple[Any, Any]:
    actor = runtime.actor()
    ensure(actor, "create", "stories")
    with runtime.db().session() as s:
        doc = repo.get_document(s, "story", int(draft.get("id", 0)))
        ensure(actor, "edit", doc)
        return actor, dict(doc.spec)


def _edited(spec: dict[str, Any], form: tuple[Any, ...]) -> dict[str, Any]:
    _draft, cover, chapters, steps, order = form
    out = editing.apply_edits(spec, cover, chapters, steps)
    return editing.reorder_chapters(out, order) if order else out


def _audit(s: Any, actor: Any, action: str, doc_id: int, details: dict[str, Any]) -> None:
    audit.record(s, actor, action, "story", doc_id, details, runtime.client_address())


def _save(draft: dict[str, Any], spec: dict[str, Any], note: str) -> tuple[Any, Any]:
    """Save `spec` on the version the page was opened at; (message, new draft store)."""
    actor, locale = runtime.actor(), runtime.locale()
    try:
        with runtime.db().session() as s:
            doc = repo.get_document(s, "story", int(draft["id"]))
            documents.save(s, actor, doc, spec, int(draft["version"]), note)
            _audit(s, actor, "story_saved", doc.id, {"version": doc.version})
            new = {"id": doc.id, "version": doc.version}
    except StaleRevision as exc:
        return _conflict(exc, locale), dash.no_update
    except documents.SpecError as exc:
        return dbc.Alert(
            t("se.invalid", locale, detail=exc.describe(locale)),
            color="danger",
            id=ID("invalid"),
        ), dash.no_update
    return dbc.Alert(t("se.saved", locale, version=new["version"]), color="success"), new


def _conflict(exc: StaleRevision, locale: str) -> Any:
    return conflict_alert(
        exc, locale, "story", ID, t("se.reload", locale), t("se.save_copy", locale)
    )


def _bad_form(exc: Exception) -> Any:
    locale = runtime.locale()
    if isinstance(exc, SpecMessageError):
        detail = exc.message(locale)
    else:
        detail = str(exc).strip("'\"")
    return dbc.Alert(t("se.invalid", locale, detail=detail), color="danger", id=ID("invalid"))


@callback(
    Output(ID("message"), "children"),
    Output(ID("draft"), "data"),
    Input(ID("save"), "n_clicks"),
    *FORM_STATES,
    prevent_initial_call=True,
)
def save(n_clicks, *_states):  # noqa: ANN001, ANN201
    """Save the cover, chapters' texts, steps and order as a new revision (refused if stale)."""
    form = _form(ctx.states_list)
    actor, spec = _open_editable(form[0])
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    try:
        edited = _edited(spec, form)
    except ValueError as exc:
        return _bad_form(exc), dash.no_update
    return _save(form[0], edited, "story saved")


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("go"), "href", allow_duplicate=True),
    Input(ID("save-copy"), "n_clicks"),
    *FORM_STATES,
    prevent_initial_call=True,
)
def save_copy(n_clicks, *_states):  # noqa: ANN001, ANN201
    """After a conflict: keep my version as a new story; nothing is lost."""
    form = _form(ctx.states_list)
    actor, spec = _open_editable(form[0])
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    locale = runtime.locale()
    try:
        edited = _edited(spec, form)
    except ValueError as exc:
        return _bad_form(exc), dash.no_update
    edited["title"] = (edited.get("title", "") + t("se.copy_suffix", locale))[:200]
    try:
        with runtime.db().session() as s:
            new_id = documents.create(s, "story", actor, edited).id
    except documents.SpecError as exc:
        return _bad_form(ValueError(exc.describe(locale))), dash.no_update
    return dbc.Alert(
        t("se.copy_saved", locale) + edited["title"], color="success"
    ), f"/stories/{new_id}/edit"


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Input(ID("publish"), "n_clicks"),
    State(ID("draft"), "data"),
    prevent_initial_call=True,
)
def publish(n_clicks, draft):  # noqa: ANN001, ANN201
    """Publish the latest saved revision."""
    actor, _spec = _open_editable(draft or {})
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    try:
        with runtime.db().session() as s:
            doc = repo.get_document(s, "story", int(draft["id"]))
            number = documents.publish(s, actor, doc)
            _audit(s, actor, "story_published", doc.id, {"revision": number})
    except documents.SpecError as exc:
        return _bad_form(ValueError(exc.describe(runtime.locale())))
    return dbc.Alert(
        t("se.published", runtime.locale(), number=number), color="success", id=ID("published")
    )


def _copied_tile(actor: Any, source: Any) -> dict[str, Any] | None:
    """The tile `dashboard id/tile id` from a dashboard the actor may view, as they see it."""
    if not isinstance(source, str) or "/" not in source:
        return None
    doc_part, tile_id = source.split("/", 1)
    try:
        with runtime.db().session() as s:
            doc = documents.get_visible(s, "dashboard", actor, int(doc_part))
            spec, _state = documents.visible_spec(s, actor, doc)
    except (ValueError, NotFound):
        return None
    return next((tile for tile in spec.get("tiles", []) if tile.get("id") == tile_id), None)


def _structural(
    trigger: dict[str, Any],
    spec: dict[str, Any],
    actor: Any,
    new_kind: Any,
    new_title: Any,
    copy_sources: dict[str, Any],
) -> dict[str, Any]:
    """The spec after one structural action (KeyError for an id not in the spec)."""
    kind = trigger.get("type") if isinstance(trigger, dict) else None
    chapter = trigger.get("chapter") if isinstance(trigger, dict) else None
    locale = runtime.locale()
    if kind == "se-up":
        return editing.move_chapter(spec, chapter, -1)
    if kind == "se-down":
        return editing.move_chapter(spec, chapter, 1)
    if kind == "se-dup":
        return editing.duplicate_chapter(spec, chapter, t("se.copy_suffix", locale))
    if kind == "se-del":
        return editing.delete_chapter(spec, chapter)
    if kind == "se-rm-tile":
        return editing.remove_tile(spec, trigger.get("tile"))
    if kind == "se-add-step":
        return editing.add_step(spec, chapter)
    if kind == "se-rm-step":
        return editing.remove_step(spec, chapter, int(trigger.get("step", -1)))
    if kind == "se-copy":
        tile = _copied_tile(actor, copy_sources.get(chapter))
        if tile is None:
            raise dash.exceptions.PreventUpdate
        return editing.add_tile(spec, chapter, tile)
    if trigger == ID("add-chapter"):
        chosen = new_kind if new_kind in KINDS else "tiles"
        chapter_spec = editing.new_chapter(spec, chosen, new_title or "", editing.tile_ids(spec))
        if chosen == "dashboard":
            if not (options := _extras_for(actor)["dashboards"]):
                raise ValueError(t("se.dashboard", locale) + " ?")
            chapter_spec["dashboard"] = options[0]["value"]
        return {**spec, "chapters": [*spec.get("chapters", []), chapter_spec]}
    raise dash.exceptions.PreventUpdate


def _extras_for(actor: Any) -> dict[str, Any]:
    with runtime.db().session() as s:
        return _extras(s, actor)


STRUCTURE_INPUTS = [
    Input({"type": name, "chapter": ALL}, "n_clicks")
    for name in ("se-up", "se-down", "se-dup", "se-del", "se-add-step", "se-copy")
] + [
    Input({"type": "se-rm-tile", "tile": ALL}, "n_clicks"),
    Input({"type": "se-rm-step", "chapter": ALL, "step": ALL}, "n_clicks"),
    Input(ID("add-chapter"), "n_clicks"),
]


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("go"), "href", allow_duplicate=True),
    *STRUCTURE_INPUTS,
    State(ID("new-kind"), "value"),
    State(ID("new-title"), "value"),
    State({"type": "se-copy-src", "chapter": ALL}, "value"),
    *FORM_STATES,
    prevent_initial_call=True,
)
def change_structure(*_args):  # noqa: ANN002, ANN201
    """Add, move, duplicate or delete a chapter, a step or a tile: saved at once, then reload."""
    states = ctx.states_list
    form = _form(states[3:])
    actor, spec = _open_editable(form[0])
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered[0].get("value"):
        raise dash.exceptions.PreventUpdate
    new_kind, new_title = states[0].get("value"), states[1].get("value")
    copy_sources = {item["id"]["chapter"]: item.get("value") for item in states[2]}
    try:
        edited = _structural(
            trigger if isinstance(trigger, dict) else trigger,
            _edited(spec, form),
            actor,
            new_kind,
            new_title,
            copy_sources,
        )
    except (KeyError, ValueError, SpecVersionError) as exc:
        return _bad_form(exc), dash.no_update
    message, new_draft = _save(form[0], edited, "structure changed")
    if new_draft is dash.no_update:
        return message, dash.no_update
    return message, f"/stories/{form[0]['id']}/edit"


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("go"), "href", allow_duplicate=True),
    Input(ID("image"), "contents"),
    *FORM_STATES,
    prevent_initial_call=True,
)
def upload_image(contents, *_states):  # noqa: ANN001, ANN201
    """Store an uploaded cover image (type and size checked) and save it into the draft."""
    form = _form(ctx.states_list)
    actor, spec = _open_editable(form[0])
    if not isinstance(contents, str) or "," not in contents:
        raise dash.exceptions.PreventUpdate
    locale = runtime.locale()
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=True)
        name = service.save_cover_image(runtime.settings(), form[0]["id"], data)
    except StorageError as exc:  # disk full or read-only: say what to do
        return dbc.Alert(exc.message(locale), color="danger", id=ID("image-error")), dash.no_update
    except service.ImageError as exc:
        return dbc.Alert(
            t(f"se.image.{exc}", locale), color="danger", id=ID("image-error")
        ), dash.no_update
    except ValueError:
        return dbc.Alert(
            t("se.image.not_image", locale), color="danger", id=ID("image-error")
        ), dash.no_update
    edited = _edited(spec, form)
    edited["cover"] = {**edited.get("cover", {}), "image": name}
    message, new_draft = _save(form[0], edited, "cover image")
    if new_draft is dash.no_update:
        return message, dash.no_update
    return message, f"/stories/{form[0]['id']}/edit"


@callback(
    Output(ID("message"), "children", allow_duplicate=True),
    Output(ID("go"), "href", allow_duplicate=True),
    Input({"type": "se-restore", "number": ALL}, "n_clicks"),
    State(ID("draft"), "data"),
    prevent_initial_call=True,
)
def restore(_clicks, draft):  # noqa: ANN001, ANN201
    """Make an earlier revision the draft again."""
    actor, _spec = _open_editable(draft or {})
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered[0].get("value"):
        raise dash.exceptions.PreventUpdate
    try:
        with runtime.db().session() as s:
            doc = repo.get_document(s, "story", int(draft["id"]))
            documents.restore_revision(s, actor, doc, int(trigger["number"]))
            _audit(s, actor, "story_restored", doc.id, {"revision": int(trigger["number"])})
    except documents.SpecError as exc:
        return _bad_form(ValueError(exc.describe(runtime.locale()))), dash.no_update
    return dash.no_update, f"/stories/{draft['id']}/edit"
