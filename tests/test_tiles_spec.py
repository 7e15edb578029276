"""Tile specs: every kind loads from JSON, builds its queries, and refuses bad options."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from studio.spec.tiles import (
    TILE_ADAPTER,
    ChartTile,
    KpiTile,
    MapTile,
    TableTile,
    TextTile,
    accepted_field_types,
    fields_for_slot,
)

CHART = {"kind": "chart", "id": "c1", "title": "Foyers RSA", "chart": "column", "dataset": 1,
         "dimension": {"field": "departement"}, "measures": [{"field": "foyers"}],
         "source": "Source : CAF, 2024"}
CHOROPLETH = {"kind": "map", "id": "m1", "title": "Carte", "dataset": 1,
              "code_field": "code_dep", "measure": {"field": "foyers"},
              "boundaries": {"dataset": 2, "code_field": "code", "name_field": "nom"}}
POINTS = {"kind": "map", "id": "m2", "layer": "points", "dataset": 3, "lat_field": "lat",
          "lon_field": "lon", "label_field": "nom", "measure": {"agg": "count"}}
KPI = {"kind": "kpi", "id": "k1", "title": "Foyers", "dataset": 1,
       "measure": {"field": "foyers"}, "period_field": "mois", "grain": "month"}
TABLE = {"kind": "table", "id": "t1", "dataset": 1,
         "columns": [{"field": "departement"}, {"field": "foyers", "agg": "sum"}]}
TEXT = {"kind": "text", "id": "x1", "markdown": "Il y a {{foyers}} foyers.", "dataset": 1,
        "values": [{"name": "foyers", "field": "foyers"}]}


def load(data: dict[str, Any]) -> Any:
    return TILE_ADAPTER.validate_python(data)


def errors(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        load(data)
    return str(info.value)


@pytest.mark.parametrize(("data", "cls"), [
    (CHART, ChartTile), (CHOROPLETH, MapTile), (POINTS, MapTile), (KPI, KpiTile),
    (TABLE, TableTile), (TEXT, TextTile),
])
def test_every_kind_round_trips_through_json(data: dict[str, Any], cls: type) -> None:
    tile = load(data)
    assert isinstance(tile, cls)
    again = TILE_ADAPTER.validate_json(TILE_ADAPTER.dump_json(tile))
    assert again == tile


def test_chart_query_groups_and_aggregates() -> None:
    tile = load({**CHART, "series": {"field": "annee"},
                 "measures": [{"field": "foyers", "agg": "sum"}]})
    q = tile.queries()["data"]
    assert [d.field for d in q.dimensions] == ["departement", "annee"]
    assert q.columns == ["departement", "annee", "foyers__sum"]


def test_time_chart_sorts_by_period() -> None:
    tile = load({**CHART, "chart": "line", "dimension": {"field": "mois", "grain": "month"}})
    q = tile.queries()["data"]
    assert q.dimensions[0].grain == "month"
    assert q.sort[0].field == "mois"


def test_combo_and_scatter_queries_include_every_measure() -> None:
    combo = load({**CHART, "chart": "combo", "secondary": [{"field": "montant"}]})
    assert combo.queries()["data"].columns[-2:] == ["foyers__sum", "montant__sum"]
    scatter = load({**CHART, "chart": "scatter", "x_measure": {"field": "taux", "agg": "avg"},
                    "size_measure": {"field": "population"}})
    assert scatter.queries()["data"].columns == [
        "departement", "foyers__sum", "taux__avg", "population__sum"]


def test_choropleth_queries_values_and_boundaries() -> None:
    queries = load(CHOROPLETH).queries()
    assert set(queries) == {"values", "boundaries"}
    assert queries["values"].columns == ["code_dep", "foyers__sum"]
    assert queries["boundaries"].dataset == 2
    assert queries["boundaries"].columns == ["code", "nom", "geometry"]


def test_point_map_query() -> None:
    q = load(POINTS).queries()["points"]
    assert q.columns == ["lat", "lon", "nom", "count"]
    geo = load({**POINTS, "lat_field": None, "lon_field": None, "geometry_field": "geom"})
    assert geo.queries()["points"].columns == ["geom", "nom", "count"]


def test_kpi_queries_series_and_reference() -> None:
    tile = load({**KPI, "compare": "year_ago",
                 "filters": [{"field": "dep", "op": "=", "value": "53"}],
                 "reference": {"field": "dep", "value": "FR", "label": "France"}})
    queries = tile.queries()
    series = queries["series"]
    assert series.columns == ["mois", "foyers__sum"]
    assert series.sort[0].desc is True
    assert series.limit == 13
    ref = queries["reference"]
    assert [(f.field, f.value) for f in ref.filters] == [("dep", "FR")]
    assert "reference" not in load(KPI).queries()


def test_table_and_text_queries() -> None:
    assert load(TABLE).queries()["rows"].columns == ["departement", "foyers__sum"]
    values = load(TEXT).queries()["values"]
    assert values.columns == ["foyers__sum"] and values.dimensions == []
    assert load({"kind": "text", "id": "x2", "markdown": "Bonjour"}).queries() == {}
    assert load(TEXT).placeholders() == ["foyers"]


@pytest.mark.parametrize(("data", "expected"), [
    ({**CHART, "colour": "red"}, "Extra inputs are not permitted"),
    ({**CHART, "kind": "gauge"}, "does not match any of the expected tags"),
    ({**CHART, "chart": "radar"}, "Input should be 'column'"),
    ({**CHART, "id": "a b"}, "String should match pattern"),
    ({**CHART, "chart": "pie", "mode": "stacked"}, "mode 'stacked' is for column"),
    ({**CHART, "chart": "pie", "measures": [{"field": "a"}, {"field": "b"}]},
     "exactly one measure"),
    ({**CHART, "chart": "combo"}, "needs at least one 'secondary'"),
    ({**CHART, "chart": "scatter"}, "needs an 'x_measure'"),
    ({**CHART, "secondary": [{"field": "x"}]}, "are for combo charts"),
    ({**CHART, "markers": True}, "'markers' is for line"),
    ({**CHART, "top_n": 5, "measures": [{"field": "taux", "agg": "avg"}]},
     "meaningless for 'taux__avg'"),
    ({**CHART, "measures": [{"agg": "avg"}]}, "the aggregate 'avg' needs a field"),
    ({**CHART, "measures": []}, "at least 1 item"),
    ({**CHART, "reference_line": {"kind": "target"}}, "needs a value"),
    ({**CHART, "number_format": {"decimals": 9}}, "less than or equal to 6"),
    ({**CHART, "measures": [{"field": "a"}, {"field": "a"}]}, "given twice"),
    ({**CHOROPLETH, "boundaries": None}, "needs 'boundaries'"),
    ({**CHOROPLETH, "cluster": True}, "do not apply to a choropleth"),
    ({**CHOROPLETH, "classification": {"method": "manual"}}, "at least one break"),
    ({**CHOROPLETH, "classification": {"method": "manual", "breaks": [5, 2]}},
     "strictly increasing"),
    ({**CHOROPLETH, "classification": {"classes": 12}}, "less than or equal to 9"),
    ({**POINTS, "lon_field": None}, "both 'lat_field' and 'lon_field'"),
    ({**POINTS, "geometry_field": "g"}, "either 'lat_field' and 'lon_field', or"),
    ({**POINTS, "cluster": True, "size_by_value": True}, "cannot be sized"),
    ({**KPI, "grain": "decade"}, "Input should be 'day'"),
    ({**KPI, "good_direction": "sideways"}, "Input should be 'up'"),
    ({**TABLE, "columns": [{"field": "a"}, {"field": "a"}]}, "given twice"),
    ({**TABLE, "sort": [{"field": "nope"}]}, "cannot sort by 'nope'"),
    ({**TABLE, "columns": [{"field": "a", "colors": [
        {"op": ">", "value": 1, "background": "#ff0000"}]}]}, "measure columns only"),
    ({**TABLE, "columns": [{"field": "a", "agg": "sum", "colors": [
        {"op": "between", "value": 1, "background": "#ff0000"}]}]}, "two values"),
    ({**TABLE, "columns": [{"field": "a", "agg": "sum", "colors": [
        {"op": ">", "value": 1, "background": "red"}]}]}, "String should match pattern"),
    ({**TEXT, "dataset": None}, "live values need a 'dataset'"),
    ({**TEXT, "values": [{"name": "1bad", "field": "x"}]}, "String should match pattern"),
])
def test_precise_validation_errors(data: dict[str, Any], expected: str) -> None:
    assert expected in errors(data)


def test_error_location_names_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        load({**KPI, "sparkline_points": 1})
    assert info.value.errors()[0]["loc"] == ("kpi", "sparkline_points")


def test_form_slots_offer_only_fitting_fields() -> None:
    schema = {"code_dep": "departement", "nom": "text", "foyers": "integer",
              "montant": "decimal", "mois": "date", "geom": "geometry", "lat": "decimal"}
    assert fields_for_slot("map", "code_field", schema) == ["code_dep", "nom"]
    assert fields_for_slot("chart", "measures", schema) == ["foyers", "montant", "lat"]
    assert fields_for_slot("kpi", "period_field", schema) == ["mois"]
    assert fields_for_slot("map", "boundaries.geometry_field", schema) == ["nom", "geom"]
    assert "nom" in fields_for_slot("chart", "measures", schema, agg="count_distinct")
    assert "geometry" not in accepted_field_types("chart", "dimension")
    with pytest.raises(KeyError):
        accepted_field_types("chart", "nope")
