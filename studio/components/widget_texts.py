"""Third-party widgets' own texts in the interface language: Dash's dropdown ("Search",
"Select All", "5 selected"…), which would otherwise speak English in a French interface."""

from __future__ import annotations

import functools
from typing import Any

from dash import dcc
from flask import has_request_context

from studio.i18n import normalise_locale

DROPDOWN_LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "select_all": "Tout sélectionner",
        "deselect_all": "Tout désélectionner",
        "selected_count": "{num_selected} sélectionnés",
        "search": "Rechercher",
        "clear_search": "Effacer la recherche",
        "clear_selection": "Effacer la sélection",
        "no_options_found": "Aucune option trouvée",
    },
    "en": {
        "select_all": "Select all",
        "deselect_all": "Deselect all",
        "selected_count": "{num_selected} selected",
        "search": "Search",
        "clear_search": "Clear search",
        "clear_selection": "Clear selection",
        "no_options_found": "No options found",
    },
}


def dropdown_labels(locale: str) -> dict[str, str]:
    """The texts a `dcc.Dropdown` shows around its options, in `locale`."""
    return dict(DROPDOWN_LABELS[normalise_locale(locale)])


def install() -> None:
    """Make every `dcc.Dropdown` built while answering a request speak the user's language
    unless it is given `labels` of its own (pages and callbacks build them in many places;
    one default here keeps all of them, and those added later, in French)."""
    original = dcc.Dropdown.__init__
    if getattr(original, "_studio_texts", False):
        return

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("labels") is None and has_request_context():
            from studio import runtime

            kwargs["labels"] = dropdown_labels(runtime.locale())
        original(self, *args, **kwargs)

    __init__._studio_texts = True  # type: ignore[attr-defined]
    dcc.Dropdown.__init__ = __init__  # type: ignore[method-assign]
