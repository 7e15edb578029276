"""Spec errors in French and English: every validator's key, pydantic's own errors, SpecError."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from studio.services.documents import SpecError, validate_spec
from studio.spec.dashboard import DashboardSpec, SelectFilter, load_dashboard
from studio.spec.filters import clean_cross_filter, current_values
from studio.spec.messages import (
    MAX_VALUE,
    MESSAGES,
    SpecIssue,
    SpecMessageError,
    location_text,
    render,
    spec_error,
)
from studio.spec.query import Query
from studio.spec.story import ScrollStep, StepPeriod, StorySpec, load_story
from studio.spec.tiles import TILE_ADAPTER
from studio.stories.editing import parse_view

SPEC_DIR = Path(__file__).parent.parent / "studio" / "spec"
PLACEHOLDER = re.compile(r"\$([A-Za-z_]\w*)")


def test_every_key_has_french_and_english_with_the_same_parameters() -> None:
    for key, (fr, en) in MESSAGES.items():
        assert fr.strip() and en.strip(), key
        assert fr != en or key in ("pydantic.other",), key
        if not key.startswith("pydantic."):
            assert set(PLACEHOLDER.findall(fr)) == set(PLACEHOLDER.findall(en)), key


def _chart(**kw: Any) -> dict[str, Any]:
    base = {
        "kind": "chart",
        "id": "t1",
        "chart": "column",
        "dataset": 1,
        "dimension": {"field": "d"},
        "measures": [{"field": "v"}],
    }
    return {**base, **kw}


def _query(**kw: Any) -> dict[str, Any]:
    return {"dataset": 1, "measures": [{"field": "v"}], **kw}


def _map(**kw: Any) -> dict[str, Any]:
    base = {
        "kind": "map",
        "id": "m1",
        "dataset": 1,
        "measure": {"field": "v"},
        "code_field": "c",
        "boundaries": {"dataset": 2, "code_field": "c", "name_field": "n"},
    }
    return {**base, **kw}


def _points(**kw: Any) -> dict[str, Any]:
    return {"kind": "map", "id": "m1", "layer": "points", "dataset": 1, **kw}


def _table(**kw: Any) -> dict[str, Any]:
    return {
        "kind": "table",
        "id": "x1",
        "dataset": 1,
        "columns": [{"field": "a"}, {"field": "v", "agg": "sum"}],
        **kw,
    }


def _board(**kw: Any) -> dict[str, Any]:
    tiles = [
        {"kind": "text", "id": "a", "markdown": "A"},
        {"kind": "text", "id": "b", "markdown": "B"},
    ]
    layout = [{"tile": "a", "x": 0, "y": 0}, {"tile": "b", "x": 6, "y": 0}]
    return {"title": "T", "tiles": tiles, "layout": layout, **kw}


RULE = {"op": "<", "value": 1, "background": "#ffffff"}
TEXT_TILE = {"kind": "text", "id": "x", "markdown": "hi"}
TILE = TILE_ADAPTER
QUERY = TypeAdapter(Query)
BOARD = TypeAdapter(DashboardSpec)
STORY = TypeAdapter(StorySpec)

CASES: list[tuple[str, TypeAdapter[Any], dict[str, Any]]] = [
    ("spec.agg_needs_field", QUERY, _query(measures=[{"agg": "sum"}])),
    (
        "spec.op_takes_no_value",
        QUERY,
        _query(filters=[{"field": "a", "op": "is_null", "value": 1}]),
    ),
    ("spec.op_needs_list", QUERY, _query(filters=[{"field": "a", "op": "in", "value": []}])),
    (
        "spec.op_too_many_values",
        QUERY,
        _query(filters=[{"field": "a", "op": "in", "value": list(range(1001))}]),
    ),
    (
        "spec.between_needs_two",
        QUERY,
        _query(filters=[{"field": "a", "op": "between", "value": [1]}]),
    ),
    (
        "spec.contains_needs_text",
        QUERY,
        _query(filters=[{"field": "a", "op": "contains", "value": ""}]),
    ),
    ("spec.op_needs_value", QUERY, _query(filters=[{"field": "a", "op": "="}])),
    (
        "spec.filter_value_type",
        QUERY,
        _query(filters=[{"field": "a", "op": "=", "value": {"x": 1}}]),
    ),
    ("spec.measure_asked_twice", QUERY, _query(measures=[{"field": "v"}, {"field": "v"}])),
    ("spec.query_empty", QUERY, {"dataset": 1}),
    ("spec.query_sort_unknown", QUERY, _query(sort=[{"field": "zz"}])),
    ("spec.target_needs_value", TILE, _chart(reference_line={"kind": "target"})),
    ("spec.average_no_value", TILE, _chart(reference_line={"kind": "average", "value": 1})),
    ("spec.measure_twice", TILE, _chart(measures=[{"field": "v"}, {"field": "v"}])),
    ("spec.column_twice", TILE, _table(columns=[{"field": "a"}, {"field": "a"}])),
    (
        "spec.placeholder_twice",
        TILE,
        {
            **TEXT_TILE,
            "dataset": 1,
            "values": [{"name": "x", "field": "a"}, {"name": "x", "field": "b"}],
        },
    ),
    ("spec.secondary_not_combo", TILE, _chart(secondary=[{"field": "w"}])),
    ("spec.combo_needs_secondary", TILE, _chart(chart="combo")),
    ("spec.scatter_options_only", TILE, _chart(x_measure={"field": "w"})),
    ("spec.scatter_needs_x", TILE, _chart(chart="scatter")),
    ("spec.mode_not_stackable", TILE, _chart(chart="line", mode="stacked")),
    ("spec.markers_not_line", TILE, _chart(markers=True)),
    ("spec.single_measure", TILE, _chart(chart="pie", measures=[{"field": "v"}, {"field": "w"}])),
    ("spec.no_series", TILE, _chart(chart="pie", series={"field": "s"})),
    (
        "spec.series_or_measures",
        TILE,
        _chart(series={"field": "s"}, measures=[{"field": "v"}, {"field": "w"}]),
    ),
    (
        "spec.scatter_one_measure",
        TILE,
        _chart(
            chart="scatter", x_measure={"field": "x"}, measures=[{"field": "v"}, {"field": "w"}]
        ),
    ),
    ("spec.top_n_time", TILE, _chart(dimension={"field": "d", "grain": "month"}, top_n=3)),
    ("spec.top_n_scatter", TILE, _chart(chart="scatter", x_measure={"field": "x"}, top_n=3)),
    ("spec.others_not_additive", TILE, _chart(top_n=3, measures=[{"field": "v", "agg": "avg"}])),
    ("spec.manual_needs_break", TILE, _map(classification={"method": "manual"})),
    ("spec.breaks_increasing", TILE, _map(classification={"method": "manual", "breaks": [3, 1]})),
    ("spec.breaks_not_manual", TILE, _map(classification={"method": "equal", "breaks": [1]})),
    ("spec.choropleth_needs", TILE, _map(code_field=None)),
    ("spec.choropleth_no_points", TILE, _map(cluster=True)),
    ("spec.points_latlon_pair", TILE, _points(lat_field="lat")),
    ("spec.points_need_place", TILE, _points()),
    ("spec.points_no_choropleth", TILE, _points(lat_field="a", lon_field="b", code_field="c")),
    (
        "spec.points_value_needs_measure",
        TILE,
        _points(lat_field="a", lon_field="b", size_by_value=True),
    ),
    (
        "spec.points_cluster_no_value",
        TILE,
        _points(
            lat_field="a", lon_field="b", measure={"field": "v"}, cluster=True, color_by_value=True
        ),
    ),
    (
        "spec.rule_between_two",
        TILE,
        _table(columns=[{"field": "v", "agg": "sum", "colors": [{**RULE, "op": "between"}]}]),
    ),
    (
        "spec.rule_one_number",
        TILE,
        _table(columns=[{"field": "v", "agg": "sum", "colors": [{**RULE, "value": [1, 2]}]}]),
    ),
    ("spec.group_column_needs_field", TILE, _table(columns=[{"label": "x"}])),
    ("spec.colors_measure_only", TILE, _table(columns=[{"field": "a", "colors": [RULE]}])),
    (
        "spec.grain_group_only",
        TILE,
        _table(columns=[{"field": "v", "agg": "sum", "grain": "month"}]),
    ),
    ("spec.table_sort_unknown", TILE, _table(sort=[{"field": "zz"}])),
    ("spec.values_need_dataset", TILE, {**TEXT_TILE, "values": [{"name": "x", "field": "a"}]}),
    (
        "spec.grid_overflow",
        BOARD,
        _board(layout=[{"tile": "a", "x": 10, "y": 0, "w": 6}, {"tile": "b", "x": 0, "y": 4}]),
    ),
    ("spec.version_current", BOARD, _board(schema_version=2)),
    ("spec.tile_id_twice", BOARD, _board(tiles=[TEXT_TILE, TEXT_TILE], layout=[])),
    (
        "spec.filter_id_twice",
        BOARD,
        _board(filters=[{"kind": "select", "id": "f", "field": "a"}] * 2),
    ),
    ("spec.section_id_twice", BOARD, _board(sections=[{"id": "s"}, {"id": "s"}])),
    ("spec.layout_unknown_tile", BOARD, _board(layout=[{"tile": "z", "x": 0, "y": 0}])),
    ("spec.layout_tile_twice", BOARD, _board(layout=[{"tile": "a", "x": 0, "y": 0}] * 2)),
    ("spec.layout_tile_unplaced", BOARD, _board(layout=[{"tile": "a", "x": 0, "y": 0}])),
    ("spec.section_unknown_tile", BOARD, _board(sections=[{"id": "s", "tiles": ["z"]}])),
    (
        "spec.tile_two_sections",
        BOARD,
        _board(sections=[{"id": "s", "tiles": ["a"]}, {"id": "u", "tiles": ["a"]}]),
    ),
    ("spec.bad_period", TypeAdapter(StepPeriod), {"field": "d", "value": "nope"}),
    ("spec.highlight_too_long", TypeAdapter(ScrollStep), {"highlight": ["x" * 201]}),
    (
        "spec.step_view_needs_map",
        STORY,
        {
            "title": "S",
            "chapters": [
                {
                    "kind": "scroll",
                    "id": "c",
                    "tile": _chart(),
                    "steps": [{"view": {"lat": 47, "lon": 2, "zoom": 7}}],
                }
            ],
        },
    ),
    (
        "spec.step_highlight_kind",
        STORY,
        {
            "title": "S",
            "chapters": [
                {"kind": "scroll", "id": "c", "tile": TEXT_TILE, "steps": [{"highlight": ["a"]}]}
            ],
        },
    ),
    (
        "spec.chapter_id_twice",
        STORY,
        {"title": "S", "chapters": [{"kind": "tiles", "id": "c"}, {"kind": "tiles", "id": "c"}]},
    ),
    (
        "spec.story_tile_id_twice",
        STORY,
        {
            "title": "S",
            "chapters": [
                {"kind": "tiles", "id": "c", "tiles": [TEXT_TILE]},
                {"kind": "tiles", "id": "d", "tiles": [TEXT_TILE]},
            ],
        },
    ),
]


def _raised_keys(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in SPEC_DIR.glob("*.py"):
        found |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return found


def test_every_validator_key_has_a_case() -> None:
    used = _raised_keys(r'spec_error\(\s*"([\w.]+)"') | _raised_keys(r'"(spec\.[\w.]+_twice)"')
    assert used, "no spec_error call found"
    assert used <= set(MESSAGES)
    assert used <= {key for key, _, _ in CASES}


@pytest.mark.parametrize(("key", "adapter", "data"), CASES, ids=[c[0] for c in CASES])
def test_each_validator_says_its_problem_in_french_and_english(
    key: str, adapter: TypeAdapter[Any], data: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(data)
    errors = [e for e in caught.value.errors() if e["type"] == key]
    assert errors, caught.value.errors()
    issue = SpecIssue.from_error(errors[0])
    fr, en = issue.message("fr"), issue.message("en")
    assert en == errors[0]["msg"]  # the API's English is the template filled in
    assert fr != en and "$" not in fr and "$" not in en
    assert fr == render(key, errors[0]["ctx"], "fr")


@pytest.mark.parametrize(
    ("data", "where", "french"),
    [
        (
            {
                "title": "T",
                "tiles": [_chart(chart="combo")],
                "layout": [{"tile": "t1", "x": 0, "y": 0}],
            },
            "tiles.0.chart",
            "tuile 1 : un graphique combiné a besoin d'au moins une mesure secondaire (la courbe)",
        ),
        (
            {
                "title": "T",
                "tiles": [_map(classification={"method": "manual", "breaks": [5, 2]})],
                "layout": [{"tile": "m1", "x": 0, "y": 0}],
            },
            "tiles.0.map.classification",
            "tuile 1 › classes : les limites des classes manuelles doivent être strictement "
            "croissantes",
        ),
        ({"tiles": []}, "title", "titre : champ obligatoire"),
        (
            {"title": "T", "colour": "red"},
            "colour",
            "colour : clé inconnue : elle n'est pas permise ici (vérifiez son orthographe)",
        ),
        ({"title": 12}, "title", "titre : un texte est attendu"),
        (
            {
                "title": "T",
                "tiles": [_chart(dataset="deux")],
                "layout": [{"tile": "t1", "x": 0, "y": 0}],
            },
            "tiles.0.chart.dataset",
            "tuile 1 › jeu de données : un nombre entier est attendu",
        ),
        (
            {
                "title": "T",
                "tiles": [_chart(chart="camembert")],
                "layout": [{"tile": "t1", "x": 0, "y": 0}],
            },
            "tiles.0.chart.chart",
            "tuile 1 › type de graphique : valeur non permise : choisissez parmi 'column', "
            "'bar', 'line', 'area', 'pie', 'donut', 'scatter', 'combo' ou 'treemap'",
        ),
        (
            {"title": "T", "layout": [{"tile": "a", "x": -1, "y": 0}]},
            "layout.0.x",
            "emplacement 1 › x : doit être supérieur ou égal à 0",
        ),
        (
            {
                "title": "T",
                "filters": [{"kind": "period", "id": "p", "field": "d", "default": "bientôt"}],
            },
            "filters.0.period",
            "filtre 1 : filtre « p » : 'bientôt' n'est pas une période (ex. : 2024, 2024-T1, "
            "2024-03)",
        ),
    ],
)
def test_spec_error_speaks_french_and_keeps_the_api_path(
    data: dict[str, Any], where: str, french: str
) -> None:
    with pytest.raises(SpecError) as caught:
        validate_spec("dashboard", data)
    assert caught.value.where == where
    assert caught.value.describe("fr") == french
    assert caught.value.message("en") != caught.value.message("fr")


def test_api_english_is_unchanged_for_a_validator_message() -> None:
    with pytest.raises(SpecError) as caught:
        validate_spec(
            "dashboard",
            {
                "title": "T",
                "tiles": [_chart(chart="combo")],
                "layout": [{"tile": "t1", "x": 0, "y": 0}],
            },
        )
    assert caught.value.key == "spec.combo_needs_secondary"
    assert caught.value.message("en") == (
        "a combo chart needs at least one 'secondary' measure (the line)"
    )
    assert str(caught.value).startswith("tiles.0.chart: a combo chart")


def test_version_and_shape_errors_outside_pydantic_are_translated() -> None:
    cases = [
        (
            lambda: load_dashboard({"title": "T", "schema_version": 99}),
            "spec.version_newer.dashboard",
        ),
        (lambda: load_story({"title": "T", "schema_version": "un"}), "spec.version_not_int"),
        (lambda: load_story([1]), "spec.not_object.story"),
        (lambda: parse_view("au nord"), "spec.view_format"),
    ]
    for call, key in cases:
        with pytest.raises(SpecMessageError) as caught:
            call()
        assert caught.value.key == key
        assert caught.value.message("fr") != caught.value.message("en") == str(caught.value)
    with pytest.raises(SpecError) as caught:
        validate_spec("story", {"title": "T", "schema_version": 99})
    assert caught.value.describe("fr").startswith("ce récit a été enregistré par une version")


FLT = SelectFilter(id="f", field="a")


@pytest.mark.parametrize(
    ("call", "key"),
    [
        (lambda: FLT.clean("x" * 201), "filter.value_too_long"),
        (lambda: FLT.clean({"a": 1}), "filter.value_type"),
        (
            lambda: FLT.model_validate({"kind": "select", "id": "f", "field": "a"}).clean([1]),
            "filter.value_type",
        ),
        (lambda: current_values(DashboardSpec(title="T"), [1]), "filter.values_mapping"),
        (lambda: clean_cross_filter(DashboardSpec(title="T"), {"tile": 1}), "filter.cross_shape"),
        (
            lambda: clean_cross_filter(
                DashboardSpec(title="T"), {"tile": "z", "field": "a", "value": 1}
            ),
            "filter.cross_unknown_tile",
        ),
    ],
)
def test_filter_value_errors_are_translated(call: Any, key: str) -> None:
    from studio.spec.dashboard import FilterValueError

    with pytest.raises(FilterValueError) as caught:
        call()
    assert caught.value.key == key
    fr = caught.value.message("fr")
    assert fr.startswith("filtre « ") and "$" not in fr
    assert caught.value.message("en") == str(caught.value)


def test_filter_keys_all_used() -> None:
    used = _raised_keys(r'_fail\(\s*"(filter\.[\w.]+)"') | _raised_keys(
        r'FilterValueError\([^,]+,\s*"(filter\.[\w.]+)"'
    )
    assert used == {k for k in MESSAGES if k.startswith("filter.")}


def test_user_values_are_inserted_verbatim_and_cut() -> None:
    typed = "{title} $title ${x} %(a)s " + "z" * 100
    error = spec_error("spec.query_sort_unknown", field=typed)
    assert error.message().startswith("cannot sort by '{title} $title ${x} %(a)s zz")
    assert "…" in error.message() and len(error.context["field"]) == MAX_VALUE
    fr = render("spec.query_sort_unknown", {"field": typed}, "fr")
    assert "« {title} $title ${x} %(a)s zz" in fr


def test_locations_in_words() -> None:
    loc = ("chapters", 1, "scroll", "tile", "chart", "measures", 0, "field")
    assert location_text(loc, "fr") == "chapitre 2 › tuile › mesure 1 › champ"
    assert location_text(loc, "en") == "chapter 2 › tile › measure 1 › field"
    assert location_text("columns.2.colors.0.background", "fr") == (
        "colonne 3 › règle de couleur 1 › background"
    )


def test_a_tile_for_a_chapter_without_tiles_is_refused_in_the_users_language() -> None:
    from studio.services.tile_editing import TileSaveError, place_story_tile

    story = {"chapters": [{"kind": "scroll", "id": "sc", "tile": TEXT_TILE, "steps": [{}]}]}
    for locale, said in (
        ("fr", "le chapitre « sc » ne reçoit pas de tuiles"),
        ("en", "chapter 'sc' takes no tiles"),
    ):
        with pytest.raises(TileSaveError) as caught:
            place_story_tile(story, {"kind": "text", "id": "new"}, "sc", locale)
        assert said in caught.value.message


def test_a_story_text_checked_as_a_text_tile_reports_the_inner_problem() -> None:
    text = {"markdown": "x", "values": [{"name": "a", "field": "f"}]}
    with pytest.raises(SpecError) as caught:
        validate_spec(
            "story", {"title": "S", "chapters": [{"kind": "tiles", "id": "c", "text": text}]}
        )
    assert caught.value.key == "spec.values_need_dataset"
    assert caught.value.message("en") == "live values need a 'dataset'"
    assert caught.value.describe("fr") == (
        "chapitre 1 › texte : les valeurs dynamiques ont besoin d'un jeu de données"
    )
