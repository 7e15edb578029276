"""The tile editor's form: every kind round-trips between form values and a valid spec."""

from __future__ import annotations

import pytest

from studio.pages._tile_form import form_to_spec, placeholder_name, spec_to_form, validate_tile

FORMS = [
    {"kind": "chart", "dataset": 1, "title": "T", "dimension": "mois", "grain": "month",
     "measures": ["foyers", "montant"], "chart_type": "line", "ref_kind": "average"},
    {"kind": "chart", "dataset": 1, "dimension": "code", "measures": ["foyers"],
     "chart_type": "column", "mode": "stacked", "series": "type", "top_n": 5},
    {"kind": "map", "dataset": 1, "code_field": "code", "measures": ["foyers"],
     "boundary_dataset": 2, "boundary_code": "code", "boundary_name": "nom", "classes_n": 4},
    {"kind": "kpi", "dataset": 1, "measures": ["foyers"], "period_field": "mois",
     "grain": "year", "compare": "year_ago", "ref_field": "code", "ref_territory": "53",
     "target": 1000, "good_direction": "down"},
    {"kind": "table", "dataset": 1, "group_columns": ["code", "nom"], "measures": ["foyers"],
     "totals": True, "format_style": "currency"},
    {"kind": "text", "dataset": 1, "markdown": "Total : {{foyers}}", "measures": ["foyers"]},
    {"kind": "text", "markdown": "Texte seul"},
]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f["kind"])
def test_form_gives_a_valid_tile_that_round_trips(form: dict) -> None:
    tile, problems = validate_tile(form_to_spec("t1", form))
    assert problems == [] and tile is not None and tile.kind == form["kind"]
    again, problems = validate_tile(form_to_spec("t1", spec_to_form(tile)))
    assert problems == [] and again == tile


def test_incomplete_form_says_what_is_missing() -> None:
    tile, problems = validate_tile(form_to_spec("t1", {"kind": "chart", "dataset": 1}))
    assert tile is None
    assert any(p.startswith("dimension") for p in problems)
    assert any(p.startswith("measures") for p in problems)


def test_count_without_field() -> None:
    tile, problems = validate_tile(form_to_spec(
        "t1", {"kind": "chart", "dataset": 1, "dimension": "code", "agg": "count"}))
    assert problems == [] and tile.measures[0].key == "count"


@pytest.mark.parametrize(("field", "name"), [("montant_versé", "montant_verse"),
                                             ("2024 total", "_2024_total"), ("€", "valeur")])
def test_placeholder_names(field: str, name: str) -> None:
    assert placeholder_name(field) == name
