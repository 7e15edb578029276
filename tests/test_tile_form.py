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


OPTION_FORMS = [
    pytest.param(
        {"kind": "chart", "dataset": 1, "dimension": "code", "measures": ["foyers"],
         "chart_type": "bar", "mode": "percent", "sort": "value_desc", "top_n": 3,
         "others": False, "palette": "tableau10", "x_title": "Foyers", "y_title": "Dép.",
         "show_values": True, "ref_kind": "target", "ref_value": 500, "ref_label": "Cible",
         "format_style": "currency", "decimals": 1, "compact": True, "unit": "par an"},
        {"chart": "bar", "mode": "percent", "sort": "value_desc", "top_n": 3, "others": False,
         "palette": "tableau10", "x_title": "Foyers", "y_title": "Dép.", "show_values": True,
         "reference_line": {"kind": "target", "value": 500.0, "label": "Cible"},
         "number_format": {"style": "currency", "decimals": 1, "compact": True,
                           "unit": "par an"}},
        id="bar-options",
    ),
    pytest.param(
        {"kind": "chart", "dataset": 1, "dimension": "mois", "grain": "quarter",
         "measures": ["foyers"], "secondary": ["montant"], "chart_type": "combo",
         "markers": True, "y2_title": "Montant"},
        {"chart": "combo", "markers": True, "y2_title": "Montant",
         "secondary": [{"field": "montant", "agg": "sum", "label": None}]},
        id="combo-second-axis",
    ),
    pytest.param(
        {"kind": "chart", "dataset": 1, "dimension": "code", "measures": ["foyers"],
         "x_measure": "montant", "size_measure": "population", "chart_type": "scatter",
         "agg": "avg"},
        {"chart": "scatter", "x_measure": {"field": "montant", "agg": "avg", "label": None},
         "size_measure": {"field": "population", "agg": "avg", "label": None}},
        id="scatter-x-and-size",
    ),
    pytest.param(
        {"kind": "map", "dataset": 1, "code_field": "code", "measures": ["foyers"],
         "boundary_dataset": 2, "boundary_code": "code", "boundary_name": "nom",
         "classes_method": "manual", "breaks": "1 000 ; 2500,5;10000", "map_palette": "viridis",
         "legend": False},
        {"palette": "viridis", "legend": False,
         "classification": {"method": "manual", "classes": 5,
                            "breaks": [1000.0, 2500.5, 10000.0]}},
        id="map-manual-breaks",
    ),
    pytest.param(
        {"kind": "map", "dataset": 1, "layer": "points", "lat": "lat", "lon": "lon",
         "label_field": "nom", "measures": ["foyers"], "size_by_value": True,
         "color_by_value": True, "classes_method": "equal", "classes_n": 3},
        {"layer": "points", "label_field": "nom", "size_by_value": True, "color_by_value": True,
         "classification": {"method": "equal", "classes": 3, "breaks": []}},
        id="points-popups-size-colour",
    ),
    pytest.param(
        {"kind": "kpi", "dataset": 1, "measures": ["foyers"], "period_field": "mois",
         "change_as": "absolute", "sparkline": False, "good_direction": "down",
         "ref_field": "code", "ref_territory": "FR", "ref_territory_label": "France",
         "target": 8000, "target_label": "Objectif 2026", "format_style": "number",
         "unit": "foyers"},
        {"change_as": "absolute", "sparkline": False, "good_direction": "down",
         "reference": {"field": "code", "value": "FR", "label": "France"},
         "target": 8000.0, "target_label": "Objectif 2026",
         "number_format": {"style": "number", "decimals": None, "compact": False,
                           "unit": "foyers"}},
        id="kpi-options",
    ),
]


@pytest.mark.parametrize(("form", "expected"), OPTION_FORMS)
def test_every_form_option_reaches_the_spec_and_comes_back(form: dict, expected: dict) -> None:
    tile, problems = validate_tile(form_to_spec("t1", form))
    assert problems == [] and tile is not None
    dumped = tile.model_dump(mode="json")
    for key, value in expected.items():
        assert dumped[key] == value, key
    back = spec_to_form(tile)
    for key, value in form.items():
        if key == "breaks":
            assert back[key] == "1000 ; 2500,5 ; 10000"
        else:
            assert back[key] == value, key
    again, _ = validate_tile(form_to_spec("t1", back))
    assert again == tile


def test_table_columns_formats_colour_rules_totals_and_pages() -> None:
    settings = {
        "foyers__sum": {"label": "Foyers", "style": "number", "decimals": 0, "unit": "foyers",
                        "rule_op": "<", "rule_value": "1 000", "rule_color": "#ffcccc"},
        "montant__sum": {"style": "currency", "rule_op": "between",
                         "rule_value": "10 ; 20,5", "rule_color": "#ccffcc"},
    }
    form = {"kind": "table", "dataset": 1, "group_columns": ["code"],
            "measures": ["foyers", "montant"], "column_settings": settings, "totals": True,
            "page_size": None}
    tile, problems = validate_tile(form_to_spec("t1", form))
    assert problems == [] and tile is not None
    code, foyers, montant = tile.columns
    assert code.field == "code" and code.agg is None
    assert foyers.label == "Foyers" and foyers.number_format.decimals == 0
    assert foyers.number_format.unit == "foyers"
    assert [(r.op, r.value, r.background) for r in foyers.colors] == [("<", 1000.0, "#ffcccc")]
    assert montant.number_format.style == "currency"
    assert [(r.op, r.value) for r in montant.colors] == [("between", [10.0, 20.5])]
    assert tile.totals is True and tile.page_size is None
    back = spec_to_form(tile)
    assert back["column_settings"]["foyers__sum"]["rule_value"] == "1000"
    assert back["column_settings"]["montant__sum"]["rule_value"] == "10 ; 20,5"
    assert validate_tile(form_to_spec("t1", back))[0] == tile


def test_table_keeps_colour_rules_the_form_does_not_show() -> None:
    from studio.spec import TILE_ADAPTER

    tile = TILE_ADAPTER.validate_python({
        "kind": "table", "id": "t1", "dataset": 1,
        "columns": [{"field": "foyers", "agg": "sum", "colors": [
            {"op": ">", "value": 5, "background": "#000000", "color": "#ffffff"},
            {"op": "<", "value": 1, "background": "#ff0000"}]}],
    })
    assert validate_tile(form_to_spec("t1", spec_to_form(tile)))[0] == tile


@pytest.mark.parametrize(("form", "where"), [
    ({"kind": "map", "dataset": 1, "code_field": "c", "measures": ["v"], "boundary_dataset": 2,
      "boundary_code": "c", "boundary_name": "n", "classes_method": "manual",
      "breaks": "10 ; douze"}, "classification.breaks.1"),
    ({"kind": "map", "dataset": 1, "code_field": "c", "measures": ["v"], "boundary_dataset": 2,
      "boundary_code": "c", "boundary_name": "n", "classes_method": "manual", "breaks": "20;10"},
     "classification"),
    ({"kind": "table", "dataset": 1, "measures": ["v"], "column_settings": {
        "v__sum": {"rule_op": "between", "rule_value": "3"}}}, "columns.0.colors.0"),
    ({"kind": "chart", "dataset": 1, "dimension": "d", "measures": ["v"], "decimals": 9},
     "number_format.decimals"),
])
def test_bad_option_values_are_named(form: dict, where: str) -> None:
    tile, problems = validate_tile(form_to_spec("t1", form))
    assert tile is None
    assert any(p.startswith(where) for p in problems), problems


def test_options_of_other_chart_types_are_not_carried_over() -> None:
    form = {"kind": "chart", "dataset": 1, "dimension": "d", "measures": ["v"],
            "chart_type": "pie", "secondary": ["w"], "x_measure": "w", "markers": True,
            "mode": "stacked", "series": "s"}
    tile, problems = validate_tile(form_to_spec("t1", form))
    assert problems == [] and tile is not None
    assert tile.secondary == [] and tile.x_measure is None and tile.markers is False
    assert tile.mode == "grouped" and tile.series is None


def test_text_placeholders_offered_for_chosen_values() -> None:
    from studio.pages._tile_form import placeholders

    assert placeholders({"measures": ["montant_versé", "foyers"], "agg": "sum"}) == [
        "montant_verse", "foyers"]
    assert placeholders({"measures": [], "agg": "count"}) == []
    kept = {"names": {"montant__sum": "total"}}
    assert placeholders({"measures": ["montant"], "agg": "sum", "kept": kept}) == ["total"]


KEPT_TILES = [
    {"kind": "chart", "id": "t1", "chart": "line", "dataset": 1,
     "dimension": {"field": "mois", "grain": "month", "label": "Mois"},
     "series": {"field": "date_ouverture", "grain": "year", "label": "Année"},
     "measures": [{"field": "foyers", "label": "Foyers allocataires"}],
     "filters": [{"field": "code", "op": "in", "value": ["53", "72"]}]},
    {"kind": "kpi", "id": "t1", "dataset": 1, "measure": {"field": "foyers", "label": "Foyers"},
     "period_field": "mois", "sparkline_points": 24,
     "filters": [{"field": "code", "op": "=", "value": "53"}]},
    {"kind": "map", "id": "t1", "dataset": 1, "layer": "points", "geometry_field": "geom",
     "label_field": "nom", "measure": {"field": "foyers", "label": "Foyers"}},
    {"kind": "map", "id": "t1", "dataset": 1, "code_field": "code",
     "measure": {"field": "foyers"},
     "boundaries": {"dataset": 2, "code_field": "c", "name_field": "n", "geometry_field": "g"}},
    {"kind": "table", "id": "t1", "dataset": 1, "sortable": False, "limit": 50,
     "sort": [{"field": "foyers__sum", "desc": True}],
     "columns": [{"field": "mois", "grain": "quarter", "label": "Trimestre", "width": 120},
                 {"field": "foyers", "agg": "sum", "label": "Foyers", "width": 90}]},
    {"kind": "text", "id": "t1", "dataset": 1, "markdown": "Total : {{total}}",
     "values": [{"name": "total", "field": "montant"}],
     "filters": [{"field": "code", "op": "=", "value": "53"}]},
]


@pytest.mark.parametrize("data", KEPT_TILES, ids=lambda d: d["kind"])
def test_editing_a_saved_tile_keeps_what_the_form_does_not_show(data: dict) -> None:
    from studio.spec import TILE_ADAPTER

    tile = TILE_ADAPTER.validate_python(data)
    again, problems = validate_tile(form_to_spec("t1", spec_to_form(tile)))
    assert problems == [] and again == tile


def test_kept_options_follow_the_form_not_the_other_way() -> None:
    from studio.spec import TILE_ADAPTER

    tile = TILE_ADAPTER.validate_python(KEPT_TILES[4])
    form = spec_to_form(tile)
    form["measures"] = []  # the sorted value column is removed: its sort goes with it
    form["group_columns"] = ["mois", "code"]
    edited, problems = validate_tile(form_to_spec("t1", form))
    assert problems == [] and edited.sort == [] and edited.limit == 50
    assert edited.columns[0].label == "Trimestre" and edited.columns[1].label is None
    form = spec_to_form(TILE_ADAPTER.validate_python(KEPT_TILES[0]))
    form["kind"] = "text"
    form["markdown"] = "x"
    text, problems = validate_tile(form_to_spec("t1", form))
    assert problems == [] and text.filters == []  # another kind starts clean
