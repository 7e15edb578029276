"""Dashboard specs: JSON round trip, migrations, and precise errors for a bad grid or section."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pydantic import ValidationError

from studio.spec import SCHEMA_VERSION
from studio.spec.dashboard import (
    MIGRATIONS,
    DashboardSpec,
    SpecVersionError,
    dump_dashboard,
    load_dashboard,
    migrate_dashboard,
    stacked_order,
)

TEXT = {"kind": "text", "markdown": "Bonjour"}
KPI = {"kind": "kpi", "dataset": 1, "measure": {"field": "foyers"}, "period_field": "mois"}


def board(**changes: Any) -> dict[str, Any]:
    """A valid three-tile dashboard spec, with top-level keys replaced by `changes`."""
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "title": "Observatoire",
        "description": "Foyers allocataires",
        "tiles": [{**KPI, "id": "kpi"}, {**TEXT, "id": "intro"}, {**TEXT, "id": "notes"}],
        "layout": [
            {"tile": "kpi", "x": 0, "y": 0, "w": 4, "h": 3},
            {"tile": "intro", "x": 4, "y": 0, "w": 8, "h": 3},
            {"tile": "notes", "x": 0, "y": 0, "w": 12, "h": 2},
        ],
        "sections": [
            {"id": "vue", "title": "Vue d'ensemble", "tiles": ["kpi", "intro"]},
            {"id": "notes", "title": "Notes", "tiles": ["notes"]},
        ],
        "filters": [
            {"id": "dep", "label": "Département", "kind": "territory",
             "field": "code_departement", "default": ["75"]},
            {"id": "annee", "kind": "period", "grain": "year", "field": "mois",
             "default": "2024-01-01"},
        ],
    }
    data.update(changes)
    return data


def error_of(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        load_dashboard(data)
    return str(info.value)


def test_json_round_trip_is_identical() -> None:
    spec = load_dashboard(board())
    dumped = dump_dashboard(spec)
    text = json.dumps(dumped, ensure_ascii=False)
    again = dump_dashboard(load_dashboard(json.loads(text)))
    assert again == dumped
    assert dumped["schema_version"] == SCHEMA_VERSION
    assert [t["id"] for t in dumped["tiles"]] == ["kpi", "intro", "notes"]
    assert dumped["filters"][1] == {"id": "annee", "label": "", "field": "mois",
                                    "default": "2024-01-01", "datasets": None,
                                    "kind": "period", "grain": "year"}


def test_default_section_holds_every_tile_and_orphans_join_the_first() -> None:
    single = load_dashboard(board(sections=[]))
    assert [(s.id, s.tiles) for s in single.sections] == [("main", ["kpi", "intro", "notes"])]
    partial = load_dashboard(board(sections=[{"id": "a", "tiles": ["notes"]},
                                             {"id": "b", "tiles": ["kpi"]}]))
    assert [s.tiles for s in partial.sections] == [["notes", "intro"], ["kpi"]]
    assert partial.section_of("intro").id == "a"


def test_migration_from_version_0_renames_layout_key() -> None:
    old = board(schema_version=0)
    old["layout"] = [{"i": item["tile"], **{k: v for k, v in item.items() if k != "tile"}}
                     for item in old["layout"]]
    before = copy.deepcopy(old)
    spec = load_dashboard(old)
    assert old == before  # the caller's dict is not modified
    assert spec.schema_version == SCHEMA_VERSION
    assert [(i.tile, i.x, i.w) for i in spec.layout] == [("kpi", 0, 4), ("intro", 4, 8),
                                                         ("notes", 0, 12)]
    assert dump_dashboard(spec) == dump_dashboard(load_dashboard(board()))
    assert set(MIGRATIONS) == set(range(SCHEMA_VERSION))


def test_spec_without_version_is_current_and_newer_versions_are_refused() -> None:
    data = board()
    del data["schema_version"]
    assert migrate_dashboard(data)["schema_version"] == SCHEMA_VERSION
    with pytest.raises(SpecVersionError, match="newer Studio"):
        load_dashboard(board(schema_version=SCHEMA_VERSION + 1))
    with pytest.raises(SpecVersionError, match="whole number"):
        load_dashboard(board(schema_version="1"))
    with pytest.raises(SpecVersionError, match="too old"):
        load_dashboard(board(schema_version=-1))
    with pytest.raises(SpecVersionError):
        load_dashboard([])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="load_dashboard"):
        DashboardSpec.model_validate(board(schema_version=0))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tiles": [{**TEXT, "id": "a"}, {**TEXT, "id": "a"}]}, "tile id 'a' is used twice"),
        ({"layout": board()["layout"] + [{"tile": "kpi", "x": 0, "y": 9, "w": 2, "h": 2}]},
         "tile 'kpi' is placed twice"),
        ({"layout": board()["layout"][:2]}, "tile 'notes' has no place on the grid"),
        ({"layout": board()["layout"] + [{"tile": "ghost", "x": 0, "y": 9}]},
         "'ghost' is not a tile of this dashboard"),
        ({"layout": [{"tile": "kpi", "x": 8, "y": 0, "w": 6, "h": 3}, *board()["layout"][1:]]},
         "overflows the grid: x=8 + w=6"),
        ({"layout": [{"tile": "kpi", "x": 12, "y": 0}, *board()["layout"][1:]]},
         "layout.0.x"),
        ({"layout": [{"tile": "kpi", "x": -1, "y": 0}, *board()["layout"][1:]]}, "layout.0.x"),
        ({"sections": [{"id": "a", "tiles": ["kpi", "ghost"]}]},
         "section 'a': 'ghost' is not a tile of this dashboard"),
        ({"sections": [{"id": "a", "tiles": ["kpi"]}, {"id": "b", "tiles": ["kpi"]}]},
         "tile 'kpi' is in two sections ('a' and 'b')"),
        ({"sections": [{"id": "a"}, {"id": "a"}]}, "section id 'a' is used twice"),
        ({"filters": [{"id": "f", "kind": "select", "field": "x"}] * 2},
         "filter id 'f' is used twice"),
        ({"filters": [{"id": "f", "kind": "slider", "field": "x"}]}, "filters.0"),
        ({"filters": [{"id": "f", "kind": "period", "grain": "week", "field": "mois"}]},
         "filters.0.period.grain"),
        ({"filters": [{"id": "f", "kind": "territory", "field": "dep", "default": {"a": 1}}]},
         "not a territory code"),
        ({"filters": [{"id": "f", "kind": "period", "field": "mois", "default": "hier"}]},
         "'hier' is not a period"),
        ({"title": "T", "colour": "red"}, "colour"),
        ({"title": ""}, "title"),
    ],
)
def test_precise_validation_errors(changes: dict[str, Any], message: str) -> None:
    assert message in error_of(board(**changes))


def test_stacked_order_is_by_row_then_column_section_by_section() -> None:
    spec = load_dashboard(board(
        layout=[{"tile": "kpi", "x": 6, "y": 0, "w": 6}, {"tile": "intro", "x": 0, "y": 0},
                {"tile": "notes", "x": 0, "y": 0}],
        sections=[{"id": "a", "tiles": ["kpi", "intro"]}, {"id": "b", "tiles": ["notes"]}],
    ))
    assert stacked_order(spec) == ["intro", "kpi", "notes"]
    assert stacked_order(spec, "b") == ["notes"]
    assert stacked_order(spec, "missing") == []


def test_lookups() -> None:
    spec = load_dashboard(board())
    assert spec.tile("kpi").kind == "kpi"  # type: ignore[union-attr]
    assert spec.tile("nope") is None
    assert spec.grid_item("intro").x == 4
    assert spec.filter("annee").grain == "year"  # type: ignore[union-attr]
    assert spec.filter("nope") is None
