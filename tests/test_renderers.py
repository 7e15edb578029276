"""Renderers: every tile kind and main option, from small hand-built results."""

from __future__ import annotations

import json
from typing import Any

import dash_ag_grid as dag
import dash_leaflet as dl
import pytest
from dash import dcc, html

from studio.components.format import MINUS, NBSP, NNBSP
from studio.components.palettes import (
    BAD_COLOR,
    GOOD_COLOR,
    NO_DATA_COLOR,
    OKABE_ITO,
    SEQUENTIAL,
    TABLEAU10,
)
from studio.components.render import render_tile
from studio.spec.query import QueryResult
from studio.spec.tiles import TILE_ADAPTER

DEPS = QueryResult(columns=["departement", "foyers__sum"],
                   rows=[["Mayenne", 4000], ["Sarthe", 9000], ["Orne", 3000], ["Eure", 6000]])


def tile(data: dict[str, Any]) -> Any:
    return TILE_ADAPTER.validate_python(data)


def chart(**options: Any) -> Any:
    base = {"kind": "chart", "id": "c1", "title": "Foyers", "chart": "column", "dataset": 1,
            "dimension": {"field": "departement", "label": "Département"},
            "measures": [{"field": "foyers", "label": "Foyers"}],
            "source": "Source : CAF, 2024", "notes": "Données provisoires"}
    return tile({**base, **options})


def walk(node: Any) -> list[Any]:
    if isinstance(node, list | tuple):
        return [x for item in node for x in walk(item)]
    out = [node]
    children = getattr(node, "children", None)
    if children is not None:
        out.extend(walk(children))
    return out


def find(tree: Any, cls: type) -> list[Any]:
    return [n for n in walk(tree) if isinstance(n, cls)]


def texts(tree: Any) -> str:
    return " | ".join(n for n in walk(tree) if isinstance(n, str))


def figure(tree: Any) -> dict[str, Any]:
    graph = find(tree, dcc.Graph)[0]
    fig = graph.figure
    return fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig


# --- frame and messages --------------------------------------------------------------------


def test_frame_has_title_source_notes_and_table_alternative() -> None:
    out = render_tile(chart(subtitle="Par département"), {"data": DEPS}, "fr")
    assert out.id == {"type": "tile-frame", "tile": "c1"}
    assert find(out, html.H3)[0].children == "Foyers"
    all_text = texts(out)
    assert "Par département" in all_text and "Source : CAF, 2024" in all_text
    assert "Données provisoires" in all_text
    details = find(out, html.Details)[0]
    assert details.children[0].children == "Voir les données sous forme de tableau"
    cells = [td.children for td in find(details, html.Td)]
    assert cells[:2] == ["Sarthe", f"9{NNBSP}000"] or "Mayenne" in cells


def test_ids_are_namespaced_by_prefix() -> None:
    out = render_tile(chart(), {"data": DEPS}, "fr", id_prefix="dash-7")
    assert find(out, dcc.Graph)[0].id == {"type": "tile-graph", "tile": "c1", "page": "dash-7"}


@pytest.mark.parametrize(("locale", "expected"), [
    ("fr", "Aucune donnée pour cette sélection."), ("en", "No data for this selection.")])
def test_empty_result_message(locale: str, expected: str) -> None:
    out = render_tile(chart(), {"data": QueryResult(columns=DEPS.columns, rows=[])}, locale)
    assert expected in texts(out)
    assert not find(out, dcc.Graph)


def test_missing_field_message() -> None:
    bad = QueryResult(columns=["departement", "autre"], rows=[["Mayenne", 1]])
    out = render_tile(chart(), {"data": bad}, "fr")
    assert "Champ absent des données : foyers__sum." in texts(out)
    assert find(out, html.Div)[0].role == "alert" or "alert" in [
        getattr(n, "role", None) for n in find(out, html.Div)]


def test_missing_result_and_error_messages() -> None:
    assert "indisponibles" in texts(render_tile(chart(), {}, "fr"))
    out = render_tile(chart(), {"data": DEPS}, "en", error="the query timed out")
    assert "This tile could not be displayed: the query timed out" in texts(out)
    assert not find(out, dcc.Graph)


def test_bad_data_never_raises() -> None:
    weird = QueryResult(columns=DEPS.columns, rows=[["Mayenne", -5], ["Orne", 3]])
    out = render_tile(chart(chart="pie"), {"data": weird}, "fr")
    assert "ne peuvent pas être représentées" in texts(out)


def test_truncated_result_is_said() -> None:
    result = DEPS.model_copy(update={"truncated": True})
    assert "premières lignes" in texts(render_tile(chart(), {"data": result}, "fr"))


# --- charts --------------------------------------------------------------------------------


def test_column_chart_trace_values_colours_and_french_separators() -> None:
    out = render_tile(chart(show_values=True), {"data": DEPS}, "fr")
    graph = find(out, dcc.Graph)[0]
    assert graph.config["displaylogo"] is False
    fig = figure(out)
    (bar,) = fig["data"]
    assert bar["type"] == "bar" and bar["orientation"] == "v"
    assert list(bar["x"]) == ["Mayenne", "Sarthe", "Orne", "Eure"]
    assert list(bar["y"]) == [4000, 9000, 3000, 6000]
    assert bar["marker"]["color"] == OKABE_ITO[0]
    assert list(bar["text"])[1] == f"9{NNBSP}000"
    assert fig["layout"]["separators"] == f",{NNBSP}"
    assert "plotlyServerURL" not in graph.config or not graph.config["plotlyServerURL"]


def test_chart_palette_choice_colours_each_series() -> None:
    result = QueryResult(columns=["departement", "foyers__sum", "montant__sum"],
                         rows=[["Mayenne", 4000, 10], ["Sarthe", 9000, 20]])
    two = [{"field": "foyers"}, {"field": "montant"}]
    default = figure(render_tile(chart(measures=two), {"data": result}, "fr"))
    assert [t["marker"]["color"] for t in default["data"]] == list(OKABE_ITO[:2])
    tableau = figure(render_tile(chart(measures=two, palette="tableau10"), {"data": result}))
    assert [t["marker"]["color"] for t in tableau["data"]] == list(TABLEAU10[:2])
    pie = figure(render_tile(chart(chart="pie", palette="greens"), {"data": DEPS}))
    assert set(pie["data"][0]["marker"]["colors"]) <= set(SEQUENTIAL["greens"])


def test_sort_and_top_n_with_others() -> None:
    fig = figure(render_tile(chart(top_n=2), {"data": DEPS}, "fr"))
    bar = fig["data"][0]
    assert list(bar["x"]) == ["Sarthe", "Eure", "Autres"]
    assert list(bar["y"]) == [9000, 6000, 7000]
    fig = figure(render_tile(chart(top_n=2, others=False, sort="value_asc"), {"data": DEPS}))
    assert list(fig["data"][0]["x"]) == ["Eure", "Sarthe"]
    fig = figure(render_tile(chart(sort="label"), {"data": DEPS}, "en"))
    assert list(fig["data"][0]["x"]) == ["Eure", "Mayenne", "Orne", "Sarthe"]


SERIES = QueryResult(columns=["departement", "annee", "foyers__sum"], rows=[
    ["Mayenne", 2023, 40], ["Mayenne", 2024, 60], ["Orne", 2023, 30], ["Orne", 2024, 10]])


def test_stacked_and_percent_bars_split_by_series() -> None:
    tile_ = chart(chart="bar", mode="stacked", series={"field": "annee"})
    fig = figure(render_tile(tile_, {"data": SERIES}))
    assert fig["layout"]["barmode"] == "relative"
    assert [t["name"] for t in fig["data"]] == ["2023", "2024"]
    assert fig["data"][0]["orientation"] == "h"
    assert [t["marker"]["color"] for t in fig["data"]] == list(OKABE_ITO[:2])
    pct = figure(render_tile(chart(mode="percent", series={"field": "annee"}),
                             {"data": SERIES}))
    assert list(pct["data"][0]["y"]) == [0.4, 0.75]
    assert pct["layout"]["yaxis"]["tickformat"].endswith("%")


MONTHS = QueryResult(columns=["mois", "foyers__sum", "montant__sum"], rows=[
    ["2026-02-01", 110, 1.5e6], ["2026-01-01", 100, 1.2e6], ["2026-03-01", 120, 1.6e6]])


def test_line_chart_over_months_with_markers_and_several_series() -> None:
    tile_ = chart(chart="line", markers=True, dimension={"field": "mois", "grain": "month"},
                  measures=[{"field": "foyers"}, {"field": "montant"}])
    fig = figure(render_tile(tile_, {"data": MONTHS}, "fr"))
    assert len(fig["data"]) == 2
    line = fig["data"][0]
    assert line["mode"] == "lines+markers"
    assert list(line["x"]) == [f"janv.{NBSP}2026", f"févr.{NBSP}2026", f"mars{NBSP}2026"]
    assert list(line["y"]) == [100, 110, 120]
    en = figure(render_tile(tile_, {"data": MONTHS}, "en"))
    assert list(en["data"][0]["x"])[0] == f"Jan{NBSP}2026"
    assert en["layout"]["separators"] == ".,"


def test_area_stacked_uses_stackgroup() -> None:
    tile_ = chart(chart="area", mode="stacked", series={"field": "annee"})
    fig = figure(render_tile(tile_, {"data": SERIES}))
    assert all(t["stackgroup"] == "one" for t in fig["data"])


def test_pie_and_donut() -> None:
    pie = figure(render_tile(chart(chart="pie"), {"data": DEPS}))["data"][0]
    assert pie["type"] == "pie" and pie["hole"] == 0
    assert list(pie["values"]) == [4000, 9000, 3000, 6000]
    donut = figure(render_tile(chart(chart="donut"), {"data": DEPS}))["data"][0]
    assert donut["hole"] == 0.5


def test_scatter_with_size_and_colour() -> None:
    result = QueryResult(columns=["departement", "region", "foyers__sum", "taux__avg",
                                  "population__sum"],
                         rows=[["Mayenne", "PDL", 4000, 0.05, 300000],
                               ["Orne", "NOR", 3000, 0.07, 280000],
                               ["Sarthe", "PDL", 9000, 0.08, 560000]])
    tile_ = chart(chart="scatter", series={"field": "region"},
                  x_measure={"field": "taux", "agg": "avg"},
                  size_measure={"field": "population"})
    fig = figure(render_tile(tile_, {"data": result}))
    assert [t["name"] for t in fig["data"]] == ["PDL", "NOR"]
    pdl = fig["data"][0]
    assert list(pdl["x"]) == [0.05, 0.08] and list(pdl["y"]) == [4000, 9000]
    assert pdl["marker"]["size"][1] == pytest.approx(40)
    assert "Mayenne" in pdl["customdata"][0]


def test_combo_has_second_axis() -> None:
    tile_ = chart(chart="combo", dimension={"field": "mois", "grain": "month"},
                  secondary=[{"field": "montant", "label": "Montant"}], y2_title="€")
    fig = figure(render_tile(tile_, {"data": MONTHS}))
    bar, line = fig["data"]
    assert bar["type"] == "bar" and line["type"] == "scatter"
    assert line["yaxis"] == "y2"
    assert fig["layout"]["yaxis2"]["overlaying"] == "y"


def test_treemap_with_parents() -> None:
    tile_ = chart(chart="treemap", series={"field": "annee"})
    tm = figure(render_tile(tile_, {"data": SERIES}))["data"][0]
    assert tm["type"] == "treemap"
    assert "2023" in list(tm["parents"])
    assert list(tm["values"])[-2:] == [70, 70]


def test_reference_lines() -> None:
    fig = figure(render_tile(chart(reference_line={"kind": "average"}), {"data": DEPS}))
    shapes = fig["layout"]["shapes"]
    assert shapes[0]["y0"] == 5500
    assert f"Moyenne : 5{NNBSP}500" in fig["layout"]["annotations"][0]["text"]
    fig = figure(render_tile(chart(reference_line={"value": 8000, "label": "Cible <b>"}),
                             {"data": DEPS}, "en"))
    assert fig["layout"]["shapes"][0]["y0"] == 8000
    assert "Cible &lt;b&gt; : 8,000" in fig["layout"]["annotations"][0]["text"]


def test_user_text_is_escaped_in_figures() -> None:
    hostile = QueryResult(columns=DEPS.columns, rows=[["<img src=x onerror=alert(1)>", 5]])
    fig = figure(render_tile(chart(), {"data": hostile}))
    assert "<img" not in json.dumps(fig["data"][0]["customdata"])


def test_axis_titles_and_number_format() -> None:
    tile_ = chart(x_title="Département", y_title="Montant",
                  number_format={"style": "currency", "compact": True})
    fig = figure(render_tile(tile_, {"data": DEPS}, "fr"))
    assert fig["layout"]["xaxis"]["title"]["text"] == "Département"
    assert fig["layout"]["yaxis"]["ticksuffix"] == f"{NBSP}€"
    assert fig["data"][0]["customdata"][1].endswith(f"9{NBSP}k€")


# --- KPI -----------------------------------------------------------------------------------


def kpi(**options: Any) -> Any:
    base = {"kind": "kpi", "id": "k1", "title": "Foyers RSA", "dataset": 1,
            "measure": {"field": "foyers", "label": "Foyers"}, "period_field": "mois"}
    return tile({**base, **options})


KPI_SERIES = QueryResult(columns=["mois", "foyers__sum"], rows=[
    ["2026-03-01", 10500], ["2026-02-01", 10000], ["2026-01-01", 9800], ["2025-03-01", 11000]])


def by_id(tree: Any, role: str) -> Any:
    return next(n for n in walk(tree) if getattr(n, "id", None) == {"type": role, "tile": "k1"})


def test_a_kpi_reading_its_last_periods_does_not_say_rows_were_cut() -> None:
    """A KPI asks for its last periods only: more periods in the data is no truncation."""
    series = KPI_SERIES.model_copy(update={"truncated": True})
    assert "premières lignes" not in texts(render_tile(kpi(), {"series": series}, "fr"))


def test_kpi_value_change_arrow_colour_and_sparkline() -> None:
    out = render_tile(kpi(), {"series": KPI_SERIES}, "fr")
    assert by_id(out, "tile-kpi-value").children == f"10{NNBSP}500"
    change = by_id(out, "tile-kpi-change")
    assert change.style["color"] == GOOD_COLOR
    assert change.children[0].children == "▲"
    assert change.children[1].children == f" +5,0{NBSP}%"
    assert f"févr.{NBSP}2026" in texts(change)
    spark = by_id(out, "tile-sparkline")
    assert list(spark.figure.data[0].y) == [11000, 9800, 10000, 10500]
    assert f"mars{NBSP}2026" in texts(out)


def test_kpi_rise_is_bad_when_down_is_good() -> None:
    out = render_tile(kpi(good_direction="down"), {"series": KPI_SERIES}, "en")
    change = by_id(out, "tile-kpi-change")
    assert change.style["color"] == BAD_COLOR
    assert "(up)" in texts(change)


def test_kpi_year_on_year_and_absolute() -> None:
    out = render_tile(kpi(compare="year_ago", change_as="absolute"), {"series": KPI_SERIES})
    change = by_id(out, "tile-kpi-change")
    assert change.children[0].children == "▼"
    assert change.children[1].children == f" {MINUS}500"
    assert change.style["color"] == BAD_COLOR
    assert "sur un an" in texts(change)


def test_kpi_without_previous_period_shows_no_change() -> None:
    result = QueryResult(columns=KPI_SERIES.columns, rows=[["2026-03-01", 1], ["2025-12-01", 2]])
    out = render_tile(kpi(), {"series": result})
    assert not [n for n in walk(out) if getattr(n, "id", None) == {
        "type": "tile-kpi-change", "tile": "k1"}]


def test_kpi_reference_and_target() -> None:
    tile_ = kpi(reference={"field": "dep", "value": "FR", "label": "France"}, target=12000,
                sparkline=False)
    ref = QueryResult(columns=KPI_SERIES.columns, rows=[["2026-03-01", 1_900_000]])
    out = render_tile(tile_, {"series": KPI_SERIES, "reference": ref}, "fr")
    all_text = texts(out)
    assert f"France : 1{NNBSP}900{NNBSP}000" in all_text
    assert f"Objectif : 12{NNBSP}000 (88{NBSP}% atteint)" in all_text
    assert not find(out, dcc.Graph)
    import dash_bootstrap_components as dbc
    assert find(out, dbc.Progress)[0].value == pytest.approx(87.5)


def test_kpi_quarters_in_english() -> None:
    result = QueryResult(columns=KPI_SERIES.columns, rows=[["2026-04-01", 5], ["2026-01-01", 4]])
    out = render_tile(kpi(grain="quarter"), {"series": result}, "en")
    assert f"Q2{NBSP}2026" in texts(out)
    assert f"Q1{NBSP}2026" in texts(by_id(out, "tile-kpi-change"))


# --- table ---------------------------------------------------------------------------------


def table(**options: Any) -> Any:
    base = {"kind": "table", "id": "t1", "dataset": 1, "columns": [
        {"field": "departement", "label": "Département"},
        {"field": "foyers", "agg": "sum", "label": "Foyers", "colors": [
            {"op": ">", "value": 5000, "background": "#fde0dd", "color": "#7a0177"}]},
        {"field": "taux", "agg": "avg", "number_format": {"style": "percent"}},
    ]}
    return tile({**base, **options})


TABLE_ROWS = QueryResult(columns=["departement", "foyers__sum", "taux__avg"], rows=[
    ["Mayenne", 4000, 0.051], ["Sarthe", 9000, 0.083]])


def test_table_grid_values_formats_colours_and_totals() -> None:
    out = render_tile(table(totals=True, page_size=10), {"rows": TABLE_ROWS}, "fr")
    grid = find(out, dag.AgGrid)[0]
    assert [c["headerName"] for c in grid.columnDefs] == ["Département", "Foyers", "taux"]
    assert grid.columnDefs[1]["type"] == "rightAligned"
    assert grid.columnDefs[1]["sortable"] is True
    first, second = grid.rowData
    assert first["c1"] == 4000 and first["c1_text"] == f"4{NNBSP}000"
    assert second["c2_text"] == f"8,3{NBSP}%"
    assert first["c1_style"] is None
    assert second["c1_style"] == {"backgroundColor": "#fde0dd", "color": "#7a0177"}
    options = grid.dashGridOptions
    assert options["pagination"] is True and options["paginationPageSize"] == 10
    total = options["pinnedBottomRowData"][0]
    assert total["c0_text"] == "Total" and total["c1"] == 13000 and total["c2_text"] == ""
    assert "dangerously_allow_code" not in grid.to_plotly_json()["props"]
    plain = find(out, html.Details)[0]
    assert [td.children for td in find(plain, html.Td)][-3:] == ["Total", f"13{NNBSP}000", ""]


def test_table_without_pagination_or_sorting_in_english() -> None:
    out = render_tile(table(page_size=None, sortable=False), {"rows": TABLE_ROWS}, "en")
    grid = find(out, dag.AgGrid)[0]
    assert "pagination" not in grid.dashGridOptions
    assert grid.columnDefs[0]["sortable"] is False
    assert grid.rowData[1]["c1_text"] == "9,000"


# --- text ----------------------------------------------------------------------------------


def test_text_fills_placeholders_and_stays_safe() -> None:
    tile_ = tile({"kind": "text", "id": "x1", "dataset": 1,
                  "markdown": "## Bilan\n\n**{{foyers}}** foyers, {{montant}}, {{inconnu}}",
                  "values": [{"name": "foyers", "field": "foyers"},
                             {"name": "montant", "field": "montant",
                              "number_format": {"style": "currency", "compact": True}}]})
    result = QueryResult(columns=["foyers__sum", "montant__sum"], rows=[[12345, 2_500_000]])
    out = render_tile(tile_, {"values": result}, "fr")
    assert find(out, html.H2)[0].children == ["Bilan"]
    assert find(out, html.Strong)[0].children == [f"12{NNBSP}345"]
    all_text = texts(out)
    assert f"2,5{NBSP}M€" in all_text and "[inconnu ?]" in all_text


def test_text_without_values_and_with_empty_result() -> None:
    plain = tile({"kind": "text", "id": "x2", "markdown": "<script>x</script> *ok*"})
    out = render_tile(plain, {}, "fr")
    assert "<script>x</script> " in texts(out)
    assert find(out, html.Em)[0].children == ["ok"]
    live = tile({"kind": "text", "id": "x3", "dataset": 1, "markdown": "N = {{n}}",
                 "values": [{"name": "n", "agg": "count"}]})
    out = render_tile(live, {"values": QueryResult(columns=["count"], rows=[])}, "fr")
    assert "N = –" in texts(out)


# --- maps ----------------------------------------------------------------------------------


def square(x: float, y: float) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [
        [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]})


BOUNDARIES = QueryResult(columns=["code", "nom", "geometry"], rows=[
    ["53", "Mayenne", square(-1, 48)], ["72", "Sarthe", square(0, 47.5)],
    ["61", "Orne <b>", square(0, 48.5)], ["27", "Eure", square(1, 49)],
    ["14", "Calvados", "not json"]])
VALUES = QueryResult(columns=["code_dep", "foyers__sum"], rows=[
    ["53", 4000], ["72", 9000], ["61", 3000]])


def choropleth(**options: Any) -> Any:
    base = {"kind": "map", "id": "m1", "title": "Carte", "dataset": 1, "code_field": "code_dep",
            "measure": {"field": "foyers", "label": "Foyers"},
            "boundaries": {"dataset": 2, "code_field": "code", "name_field": "nom"}}
    return tile({**base, **options})


def test_choropleth_classes_colours_tooltips_and_legend() -> None:
    tile_ = choropleth(classification={"method": "manual", "breaks": [3500, 5000]})
    out = render_tile(tile_, {"values": VALUES, "boundaries": BOUNDARIES}, "fr")
    leaflet = find(out, dl.Map)[0]
    assert not find(out, dl.TileLayer)
    assert leaflet.bounds == [[47.5, -1.0], [50.0, 2.0]]
    [layer] = find(out, dl.GeoJSON)  # one layer; colours by code in its hideout
    codes = [f["properties"]["code"] for f in layer.data["features"]]
    assert codes == ["53", "72", "61", "27"]  # "14" has no valid outline
    assert layer.style == {"variable": "studioMaps.areaStyle"}
    assert layer.onEachFeature == {"variable": "studioMaps.areaTooltip"}
    fills, tips = layer.hideout["fills"], layer.hideout["tips"]
    assert "27" not in fills and layer.hideout["missing"] == NO_DATA_COLOR
    assert len({fills["53"], fills["72"], fills["61"]}) == 3
    assert NO_DATA_COLOR not in fills.values()
    assert tips["61"] == f"<strong>Orne &lt;b&gt;</strong><br>3{NNBSP}000"
    assert tips["27"] == "<strong>Eure</strong><br>Pas de donnée"
    assert layer.hideout["selected"] is None
    assert all(set(f["properties"]) == {"code", "name"} for f in layer.data["features"])
    legend = texts(find(out, html.Ul)[0])
    assert f"< 3{NNBSP}500" in legend and f"≥ 5{NNBSP}000" in legend
    assert "Pas de donnée" in legend


def test_choropleth_palette_and_no_legend() -> None:
    tile_ = choropleth(palette="greens", legend=False,
                       classification={"method": "equal", "classes": 2})
    out = render_tile(tile_, {"values": VALUES, "boundaries": BOUNDARIES}, "fr")
    [layer] = find(out, dl.GeoJSON)
    colors = set(layer.hideout["fills"].values()) - {NO_DATA_COLOR}
    assert len(colors) == 2 and colors <= set(SEQUENTIAL["greens"])
    assert not [n for n in walk(out) if getattr(n, "className", "") == "studio-map-legend"]


def test_choropleth_quantiles_and_tile_layer_from_settings() -> None:
    settings = {"tile_url": "https://tiles.example/{z}/{x}/{y}.png",
                "tile_attribution": "© contributeurs"}
    out = render_tile(choropleth(classification={"classes": 3}),
                      {"values": VALUES, "boundaries": BOUNDARIES}, "en", settings=settings)
    assert find(out, dl.TileLayer)[0].url == settings["tile_url"]
    [layer] = find(out, dl.GeoJSON)
    assert len(set(layer.hideout["fills"].values())) == 3  # + "no data" for Eure


def test_choropleth_selected_area_and_outlines_by_url() -> None:
    results = {"values": VALUES, "boundaries": BOUNDARIES}
    out = render_tile(choropleth(), results, "fr", selected="72",
                      outlines_url="/dashboards/1/outlines/m1.geojson")
    [layer] = find(out, dl.GeoJSON)
    assert layer.hideout["selected"] == "72"
    assert layer.url == "/dashboards/1/outlines/m1.geojson"
    assert getattr(layer, "data", None) is None  # the outlines are not in the component
    assert find(out, dl.Map)[0].bounds == [[47.5, -1.0], [50.0, 2.0]]
    unknown = render_tile(choropleth(), results, "fr", selected="99")
    assert find(unknown, dl.GeoJSON)[0].hideout["selected"] is None


def test_choropleth_outlines_are_built_once_and_served_as_json() -> None:
    from studio.components.map import outlines_of

    tile_ = choropleth()
    first = outlines_of(tile_.boundaries, BOUNDARIES)
    copy = QueryResult.model_validate_json(BOUNDARIES.model_dump_json())  # as from the cache
    assert outlines_of(tile_.boundaries, copy) is first
    served = json.loads(first.geojson)
    assert served["type"] == "FeatureCollection" and len(served["features"]) == 4
    assert served["features"][2]["properties"] == {"code": "61", "name": "Orne <b>"}
    assert len(first.etag) == 32


def test_point_map_clustered_and_sized() -> None:
    points = QueryResult(columns=["lat", "lon", "nom", "count"], rows=[
        [48.07, -0.77, "Laval", 10], [47.99, 0.2, "Le Mans", 40], [None, 1, "?", 1]])
    base = {"kind": "map", "id": "m2", "layer": "points", "dataset": 3, "lat_field": "lat",
            "lon_field": "lon", "label_field": "nom", "measure": {"agg": "count"}}
    clustered = render_tile(tile({**base, "cluster": True}), {"points": points}, "fr")
    layer = find(clustered, dl.GeoJSON)[0]
    assert layer.cluster is True and len(layer.data["features"]) == 2
    sized = render_tile(tile({**base, "size_by_value": True, "color_by_value": True}),
                        {"points": points}, "fr")
    markers = find(sized, dl.CircleMarker)
    assert markers[1].radius == pytest.approx(20)
    assert markers[0].center == [48.07, -0.77]
    assert find(markers[0], dl.Tooltip)[0].children == "Laval : 10"


def test_map_coordinates_are_rounded_and_parsing_is_cached() -> None:
    import json

    from studio.components.map import COORDINATE_DECIMALS, parse_geometry

    text = json.dumps({"type": "Polygon", "coordinates": [[[4.852756157390729, 46.3281997754],
                                                           [4.9, 46.4], [4.8, 46.5],
                                                           [4.852756157390729, 46.3281997754]]]})
    geometry = parse_geometry(text)
    assert geometry["coordinates"][0][0] == [round(4.852756157390729, COORDINATE_DECIMALS),
                                             round(46.3281997754, COORDINATE_DECIMALS)]
    assert parse_geometry(text) is geometry  # the same outlines are not parsed twice
    feature = {"type": "Feature", "geometry": json.loads(text), "properties": {}}
    assert parse_geometry(feature) == geometry
    assert parse_geometry("not json") is None and parse_geometry(42) is None


def test_chart_png_download_is_named_after_the_title() -> None:
    graph = find(render_tile(chart(title="Foyers par département"), {"data": DEPS}), dcc.Graph)
    options = graph[0].config["toImageButtonOptions"]
    assert options == {"format": "png", "filename": "foyers-par-departement", "scale": 2}
    assert graph[0].config["displaylogo"] is False and "showSendToCloud" in graph[0].config
    untitled = find(render_tile(chart(title=""), {"data": DEPS}), dcc.Graph)[0]
    assert untitled.config["toImageButtonOptions"]["filename"] == "c1"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_chart_toolbar_speaks_the_interface_language(locale: str) -> None:
    graph = find(render_tile(chart(), {"data": DEPS}, locale), dcc.Graph)[0]
    assert graph.config["locale"] == locale  # plotly's French: assets/plotly_locale_fr.js
