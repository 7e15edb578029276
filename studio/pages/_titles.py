"""Page titles (RGAA 8.6): each page's own, in the reader's language, naming the dashboard,
story or dataset it shows to those who may see it (the generic page name to anyone else)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from studio import runtime
from studio.i18n import register, t
from studio.security.policy import allowed
from studio.services import documents
from studio.store import NotFound
from studio.store import datasets as ds_repo

register(
    {
        "title.suffix": ("$page · Studio", "$page · Studio"),
        "title.dashboard": ("Tableau de bord", "Dashboard"),
        "title.dashboard_edit": ("Modifier le tableau de bord", "Edit dashboard"),
        "title.dashboard_edit_named": ("Modifier « $name »", "Edit “$name”"),
        "title.tile": ("Éditeur de tuile", "Tile editor"),
        "title.tile_named": ("Tuile de « $name »", "Tile of “$name”"),
        "title.story": ("Récit", "Story"),
        "title.story_edit": ("Modifier le récit", "Edit story"),
        "title.story_edit_named": ("Modifier « $name »", "Edit “$name”"),
        "title.dataset": ("Jeu de données", "Dataset"),
        "title.dataset_new": ("Nouveau jeu de données", "New dataset"),
        "title.datasets": ("Jeux de données", "Datasets"),
        "title.home": ("Catalogue", "Catalogue"),
        "title.bin": ("Corbeille", "Bin"),
        "title.admin": ("Administration", "Administration"),
        "title.audit": ("Journal d'audit", "Audit log"),
        "title.not_found": ("Page introuvable", "Page not found"),
    }
)


def _full(page: str, locale: str) -> str:
    return t("title.suffix", locale, page=page)


def page_title(key: str) -> Callable[..., str]:
    """A `register_page(title=…)` function: the page's name in the user's language."""

    def title(**_path: Any) -> str:
        return _full(t(key, runtime.locale()), runtime.locale())

    return title


def _document_name(kind: str, raw_id: Any) -> str | None:
    """The title the current user sees of a document, or None if they may not see it."""
    try:
        doc_id = int(str(raw_id))
        with runtime.db().session() as s:
            doc = documents.get_visible(s, kind, runtime.actor(), doc_id)
            return documents.visible_title(s, runtime.actor(), doc)
    except (ValueError, NotFound):
        return None


def document_title(
    kind: str, arg: str, key: str, named_key: str | None = None
) -> Callable[..., str]:
    """A title function naming the document of path variable `arg` (by `named_key`'s
    template, or the name alone), falling back to `key`'s generic name."""

    def title(**path: Any) -> str:
        locale = runtime.locale()
        name = _document_name(kind, path.get(arg))
        if name is None:
            return _full(t(key, locale), locale)
        return _full(t(named_key, locale, name=name) if named_key else name, locale)

    return title


def dataset_title(**path: Any) -> str:
    """The dataset page's title: the dataset's name for those who may view it."""
    locale = runtime.locale()
    try:
        with runtime.db().session() as s:
            ds = ds_repo.get_dataset(s, int(str(path.get("dataset_id"))))
            if allowed(runtime.actor(), "view", ds):
                return _full(ds.name, locale)
    except (ValueError, NotFound):
        pass
    return _full(t("title.dataset", locale), locale)
