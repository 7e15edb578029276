"""Dashboard filters: reach, merged queries for each kind, cross-filter, URL state."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.spec import Filter, Query
from studio.spec.dashboard import FilterValueError, load_dashboard
from studio.spec.filters import (
    current_values,
    decode_state,
    encode_state,
    filter_reach,
    tile_queries,
)

FACTS, BOUNDS, OTHER = 1, 2, 3
SCHEMAS: dict[int, dict[str, str]] = {
    FACTS: {"dep": "departement", "mois": "date", "type": "text", "foyers": "integer",
            "pays": "text", "horodatage": "datetime"},
    BOUNDS: {"code": "departement", "nom": "text", "geometry": "geometry"},
    OTHER: {"type": "text", "budget": "decimal"},
}
FOYERS = {"field": "foyers", "agg": "sum"}
TILES = [
    {"kind": "chart", "id": "bars", "chart": "bar", "dataset": FACTS,
     "dimension": {"field": "type"}, "measures": [FOYERS]},
    {"kind": "table", "id": "table", "dataset": FACTS,
     "columns": [{"field": "dep"}, {"field": "type"}, {**FOYERS}]},
    {"kind": "map", "id": "map", "dataset": FACTS, "code_field": "dep", "measure": FOYERS,
     "boundaries": {"dataset": BOUNDS, "code_field": "code", "name_field": "nom"}},
    {"kind": "kpi", "id": "kpi", "dataset": FACTS, "measure": FOYERS, "period_field": "mois",
     "compare": "year_ago", "reference": {"field": "pays", "value": "France"}},
    {"kind": "text", "id": "budget", "markdown": "{{b}}", "dataset": OTHER,
     "values": [{"name": "b", "field": "budget"}]},
    {"kind": "text", "id": "plain", "markdown": "Bonjour"},
]
FILTERS = [
    {"id": "dep", "kind": "territory", "field": "dep"},
    {"id": "type", "kind": "select", "field": "type"},
    {"id": "types", "kind": "multi_select", "field": "type", "datasets": [FACTS]},
    {"id": "jours", "kind": "date_range", "field": "mois"},
    {"id": "periode", "kind": "period", "grain": "quarter", "field": "mois"},
    {"id": "heure", "kind": "date_range", "field": "horodatage"},
    {"id": "annee", "kind": "period", "grain": "year", "field": "mois", "default": "2023"},
]


def make_board(filters: list[dict[str, Any]] = FILTERS) -> Any:
    layout = [{"tile": t["id"], "x": 0, "y": i, "w": 12, "h": 1} for i, t in enumerate(TILES)]
    return load_dashboard({"title": "Test", "tiles": TILES, "layout": layout,
                           "filters": filters})


BOARD = make_board()
CLEARED = {"annee": None}


def added(tile_id: str, values: dict[str, Any], cross: dict[str, Any] | None = None,
          name: str | None = None) -> list[Filter]:
    """The filters the dashboard adds to one named query of a tile."""
    tile = BOARD.tile(tile_id)
    merged = tile_queries(tile, BOARD, values, SCHEMAS, cross)
    name = name or next(iter(merged))
    own = tile.queries()[name].filters
    assert merged[name].filters[: len(own)] == own
    return merged[name].filters[len(own):]


def test_reach_follows_fields_types_and_dataset_restrictions() -> None:
    assert filter_reach(BOARD, SCHEMAS) == {
        "dep": ["bars", "table", "map", "kpi"],  # not the boundaries, not the budget
        "type": ["bars", "table", "map", "kpi", "budget"],
        "types": ["bars", "table", "map", "kpi"],  # restricted to FACTS
        "jours": ["bars", "table", "map", "kpi"],
        "periode": ["bars", "table", "map", "kpi"],
        "heure": ["bars", "table", "map", "kpi"],
        "annee": ["bars", "table", "map", "kpi"],
    }
    as_text = {FACTS: {**SCHEMAS[FACTS], "dep": "text", "mois": "text"}}
    reach = filter_reach(BOARD, as_text)
    assert reach["dep"] == [] and reach["annee"] == []  # wrong field types


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"type": "Personne seule"}, [Filter(field="type", value="Personne seule")]),
        ({"types": ["A", "B", "A"]}, [Filter(field="type", op="in", value=["A", "B"])]),
        ({"types": "A"}, [Filter(field="type", op="in", value=["A"])]),
        ({"dep": ["75"]}, [Filter(field="dep", value="75")]),
        ({"dep": ["2a", "971"]}, [Filter(field="dep", op="in", value=["2A", "971"])]),
        ({"jours": ["2024-01-15", "2024-02-10"]},
         [Filter(field="mois", op="between", value=["2024-01-15", "2024-02-10"])]),
        ({"jours": [None, "2024-02-10"]}, [Filter(field="mois", op="<=", value="2024-02-10")]),
        ({"jours": "2024-01-15.."}, [Filter(field="mois", op=">=", value="2024-01-15")]),
        ({"periode": "2024-T2"},
         [Filter(field="mois", op="between", value=["2024-04-01", "2024-06-30"])]),
        ({"periode": "2024-05-17"},
         [Filter(field="mois", op="between", value=["2024-04-01", "2024-06-30"])]),
        ({"heure": [date(2024, 1, 1), date(2024, 1, 31)]},
         [Filter(field="horodatage", op=">=", value="2024-01-01"),
          Filter(field="horodatage", op="<", value="2024-02-01")]),
        ({}, [Filter(field="mois", op="between", value=["2023-01-01", "2023-12-31"])]),
        ({"annee": "2020"},
         [Filter(field="mois", op="between", value=["2020-01-01", "2020-12-31"])]),
        ({"type": None, "types": [], "dep": ""}, []),
    ],
)
def test_each_filter_kind_becomes_query_filters(values: dict[str, Any],
                                                expected: list[Filter]) -> None:
    values = {"annee": None, **values} if values else values
    assert added("table", values) == expected


def test_boundaries_are_never_filtered() -> None:
    values = {"dep": ["75", "13"], "type": "A"}
    cross = {"tile": "bars", "field": "type", "value": "A"}
    merged = tile_queries(BOARD.tile("map"), BOARD, values, SCHEMAS, cross)
    assert merged["boundaries"] == BOARD.tile("map").queries()["boundaries"]
    assert Filter(field="dep", op="in", value=["75", "13"]) in merged["values"].filters


def test_kpi_reference_keeps_its_territory_and_reads_periods_as_of() -> None:
    values = {"dep": ["75"], "periode": "2024-Q1", "annee": None}
    cross = {"tile": "map", "field": "dep", "value": "13"}
    assert added("kpi", values, cross, "series") == [
        Filter(field="dep", value="75"),
        Filter(field="mois", op="<=", value="2024-03-31"),
        Filter(field="dep", value="13"),
    ]
    assert added("kpi", values, cross, "reference") == [
        Filter(field="mois", op="<=", value="2024-03-31"),
    ]
    reference = tile_queries(BOARD.tile("kpi"), BOARD, values, SCHEMAS)["reference"]
    assert Filter(field="pays", value="France") in reference.filters


def test_cross_filter_applies_to_other_tiles_only() -> None:
    cross = {"tile": "bars", "field": "type", "value": "Famille monoparentale"}
    condition = Filter(field="type", value="Famille monoparentale")
    assert added("bars", CLEARED, cross) == []
    assert added("table", CLEARED, cross) == [condition]
    assert added("budget", CLEARED, cross) == [condition]  # another dataset with the field
    assert tile_queries(BOARD.tile("plain"), BOARD, CLEARED, SCHEMAS, cross) == {}


def test_cross_filter_on_a_grouped_date_keeps_the_clicked_period() -> None:
    cross = {"tile": "kpi", "field": "mois", "value": "2024-02-01"}  # the KPI groups by month
    assert added("table", CLEARED, cross) == [
        Filter(field="mois", op="between", value=["2024-02-01", "2024-02-29"]),
    ]
    assert added("kpi", CLEARED, cross, "series") == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"type": {"$ne": 1}}, "expected text, a number or a date"),
        ({"type": ["a"]}, "expected text, a number or a date"),
        ({"types": [str(i) for i in range(10_000)]}, "at most 500 values"),
        ({"types": [["nested"]]}, "expected text"),
        ({"dep": [75]}, "not a territory code"),
        ({"dep": ["75; DROP TABLE"]}, "not a territory code"),
        ({"jours": ["2024-02-01", "2024-01-01"]}, "starts (2024-02-01) after it ends"),
        ({"jours": ["2024-01-01"]}, "two dates"),
        ({"jours": "demain"}, "two dates"),
        ({"periode": "2024-13"}, "not a period"),
        ({"type": "x" * 201}, "longer than 200"),
        ({"type": float("nan")}, "expected text"),
    ],
)
def test_forged_values_are_refused(values: dict[str, Any], message: str) -> None:
    with pytest.raises(FilterValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tile_queries(BOARD.tile("table"), BOARD, values, SCHEMAS)


@pytest.mark.parametrize(
    "cross",
    [
        {"tile": "ghost", "field": "type", "value": "A"},
        {"tile": "bars", "field": "budget", "value": "A"},
        {"tile": "bars", "field": "type", "value": {"x": 1}},
        {"tile": "bars", "field": "type"},
        ["bars", "type", "A"],
    ],
)
def test_forged_cross_filters_are_refused(cross: Any) -> None:
    with pytest.raises(FilterValueError):
        tile_queries(BOARD.tile("table"), BOARD, {}, SCHEMAS, cross)


def test_values_must_be_a_mapping() -> None:
    with pytest.raises(FilterValueError):
        current_values(BOARD, [("type", "A")])  # type: ignore[arg-type]


# --- the merged filters select the same rows as pandas would -----------------------------


FRAME = pd.DataFrame({
    "dep": ["01", "01", "75", "75", "2A", "971", "13", "13"],
    "mois": [date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1), date(2024, 4, 1),
             date(2024, 6, 1), date(2024, 7, 1), date(2024, 12, 1), date(2025, 1, 1)],
    "type": ["A", "B", "A", "B", "A", "B", "A", "C"],
    "foyers": [10, 20, 30, 40, 50, 60, 70, 80],
    "pays": ["France"] * 8,
    "horodatage": [datetime(2024, 1, 31, 23, 59), datetime(2024, 2, 1), datetime(2024, 1, 1)]
    + [datetime(2023, 1, 1)] * 5,
})


def run_on_frame(query: Query, frame: pd.DataFrame) -> dict[tuple[Any, ...], Any]:
    """Evaluate a query's filters and sum measures with pandas (the engine's semantics)."""
    keep = pd.Series(True, index=frame.index)
    for f in query.filters:
        keep &= _mask(frame[f.field], f.op, _typed(f.value, frame[f.field]))
    rows = frame[keep]
    keys = [d.field for d in query.dimensions]
    sums = rows.groupby(keys)[[m.field for m in query.measures]].sum()
    return {(k if isinstance(k, tuple) else (k,)): tuple(v) for k, v in sums.iterrows()}


OPERATIONS = {
    "=": lambda column, value: column == value,
    "in": lambda column, value: column.isin(value),
    "between": lambda column, value: column.between(value[0], value[1]),
    ">=": lambda column, value: column >= value,
    "<=": lambda column, value: column <= value,
    "<": lambda column, value: column < value,
}


def _mask(column: pd.Series, op: str, value: Any) -> pd.Series:
    return OPERATIONS[op](column, value)


def _typed(value: Any, column: pd.Series) -> Any:
    if isinstance(value, list):
        return [_typed(v, column) for v in value]
    sample = column.iloc[0]
    if isinstance(sample, datetime):
        return datetime.fromisoformat(value)
    if isinstance(sample, date):
        return date.fromisoformat(value)
    return value


def expected_rows(mask: pd.Series) -> dict[tuple[Any, ...], Any]:
    rows = FRAME[mask]
    sums = rows.groupby(["dep", "type"])[["foyers"]].sum()
    return {k: tuple(v) for k, v in sums.iterrows()}


@pytest.mark.parametrize(
    ("values", "mask"),
    [
        ({"dep": ["75", "13"]}, FRAME.dep.isin(["75", "13"])),
        ({"periode": "2024-Q2"},
         (FRAME.mois >= date(2024, 4, 1)) & (FRAME.mois <= date(2024, 6, 30))),
        ({"annee": "2024", "types": ["A"]},
         FRAME.mois.map(lambda d: d.year == 2024) & (FRAME.type == "A")),
        ({"jours": ["2024-01-01", None], "dep": ["2A", "971"]},
         (FRAME.mois >= date(2024, 1, 1)) & FRAME.dep.isin(["2A", "971"])),
        ({"heure": ["2024-01-01", "2024-01-31"]},
         FRAME.horodatage.map(lambda t: date(2024, 1, 1) <= t.date() <= date(2024, 1, 31))),
        ({}, FRAME.mois.map(lambda d: d.year == 2023)),
    ],
)
def test_merged_filters_match_pandas(values: dict[str, Any], mask: pd.Series) -> None:
    values = {"annee": None, **values} if values else values  # {} keeps the 2023 default
    query = tile_queries(BOARD.tile("table"), BOARD, values, SCHEMAS)["rows"]
    got = run_on_frame(query, FRAME)
    assert got == expected_rows(mask)
    assert got  # every combination keeps some rows, so the check is not vacuous


def test_cross_filter_matches_pandas() -> None:
    cross = {"tile": "map", "field": "dep", "value": "01"}
    query = tile_queries(BOARD.tile("table"), BOARD, {"annee": None}, SCHEMAS, cross)["rows"]
    assert run_on_frame(query, FRAME) == expected_rows(FRAME.dep == "01")


# --- URL state ------------------------------------------------------------------------------


def test_url_state_round_trip() -> None:
    values = {"dep": ["01", "2A"], "type": "Personne seule", "types": ["A", "B"],
              "jours": ["2024-01-01", None], "periode": "2024-04-01", "heure": None,
              "annee": None}
    cross = {"tile": "bars", "field": "type", "value": "Couple sans enfant"}
    query_string = encode_state(values, cross)
    assert parse_qs(query_string)["dep"] == ["01", "2A"]
    assert decode_state(query_string, BOARD) == (values, cross)
    assert decode_state("?" + query_string, BOARD) == (values, cross)


def test_url_omitting_a_filter_gives_its_default_and_empty_clears_it() -> None:
    values, cross = decode_state("", BOARD)
    assert values["annee"] == "2023-01-01" and values["dep"] is None and cross is None
    assert decode_state("annee=", BOARD)[0]["annee"] is None
    assert decode_state(encode_state({"annee": None}), BOARD)[0]["annee"] is None
    assert decode_state("annee=2021-T3", BOARD)[0]["annee"] == "2021-01-01"


@pytest.mark.parametrize(
    "query_string",
    [
        "dep=75;DROP&dep=<script>",
        "type=a&type=b",  # two values for a single choice
        "jours=2024-05-01&jours=2024-01-01",
        "periode=%00%ff",
        "annee=9999-99",
        "x.tile=ghost&x.field=type&x.value=A",
        "x.tile=bars&x.field=budget&x.value=1",
        "x.tile=bars&x.field=type",
        "x.tile=bars&x.tile=table&x.field=type&x.value=A",
        "types=" + "&types=".join(str(i) for i in range(700)),
        "a" * 30_000,
        "%%%&&&==;;",
        "__proto__=1&constructor=2",
    ],
)
def test_hostile_urls_are_ignored(query_string: str) -> None:
    values, cross = decode_state(query_string, BOARD)
    assert cross is None
    defaults = decode_state("", BOARD)[0]
    changed = {k for k in values if values[k] != defaults[k]}
    assert changed <= {"dep"}
    assert values["dep"] in (None, ["75"])  # never the injected text
    for tile in BOARD.tiles:  # whatever was decoded is safe to merge
        tile_queries(tile, BOARD, values, SCHEMAS, cross)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_decode_state_never_raises(query_string: str) -> None:
    values, cross = decode_state(query_string, BOARD)
    for tile in BOARD.tiles:
        tile_queries(tile, BOARD, values, SCHEMAS, cross)
