"""Third-party widgets speak the interface language: Dash's dropdowns get French texts."""

from __future__ import annotations

import json
from typing import Any

from conftest import render_page
from test_dashboards_api import spec
from test_datasets_api import upload

from studio.components.widget_texts import dropdown_labels


def _dropdowns(node: Any) -> list[dict[str, Any]]:
    """The props of every dcc.Dropdown in a serialised Dash layout."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "Dropdown" and node.get("namespace") == "dash_core_components":
            found.append(node["props"])
        for value in node.values():
            found += _dropdowns(value)
    elif isinstance(node, list):
        for value in node:
            found += _dropdowns(value)
    return found


def test_dashboard_filters_say_search_and_select_all_in_french(login: Any, app: Any) -> None:
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/dashboards", json=spec(ds_id)).get_json()["id"]
    for path in (f"/dashboards/{doc_id}/edit", f"/dashboards/{doc_id}/tiles/new"):
        layout = json.loads(render_page(editor, app, path).get_data(as_text=True))
        dropdowns = _dropdowns(layout)
        assert dropdowns, path
        for props in dropdowns:
            assert props["labels"]["search"] == "Rechercher"
            assert props["labels"]["select_all"] == "Tout sélectionner"
            assert props["labels"]["no_options_found"] == "Aucune option trouvée"


def test_labels_exist_in_both_languages_with_the_count_placeholder() -> None:
    for locale in ("fr", "en"):
        labels = dropdown_labels(locale)
        assert set(labels) == set(dropdown_labels("fr"))
        assert "{num_selected}" in labels["selected_count"]
    assert dropdown_labels("de") == dropdown_labels("fr")  # unknown: the default language
