"""The demo workspace: fictitious, deterministic RSA data and the dashboard built on it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from studio.data import DEPARTEMENTS
from studio.demo import (
    DEMO_DATASETS,
    SOURCE,
    DemoError,
    build_demo_dashboard,
    generate_demo_frames,
    read_boundaries,
    write_demo_files,
)
from studio.spec import TILE_KINDS, dump_dashboard, load_dashboard
from studio.spec.filters import filter_reach, tile_queries

BOUNDARIES = DEPARTEMENTS
IDS = {"rsa_mensuel": 11, "rsa_decembre": 12}


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return generate_demo_frames()


def test_same_seed_gives_identical_frames(frames: dict[str, pd.DataFrame]) -> None:
    again = generate_demo_frames()
    assert frames.keys() == again.keys() == DEMO_DATASETS.keys()
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, again[name])
    other = generate_demo_frames(seed=1)
    assert not other["rsa_mensuel"]["foyers_allocataires"].equals(
        frames["rsa_mensuel"]["foyers_allocataires"])


def test_frames_are_labelled_fictitious(frames: dict[str, pd.DataFrame]) -> None:
    for name, frame in frames.items():
        assert (frame["source"] == SOURCE).all()
        assert "fictives" in SOURCE.lower()
        assert "Données fictives" in frame.attrs["description"]
        assert "données fictives" in frame.attrs["title"]
        assert frame.attrs["title"] == DEMO_DATASETS[name].title


def test_monthly_shape_and_codes(frames: dict[str, pd.DataFrame]) -> None:
    monthly = frames["rsa_mensuel"]
    assert len(monthly) <= 150_000
    codes = sorted(set(monthly["code_departement"]))
    assert len(codes) == 101
    assert {"01", "09", "2A", "2B", "95", "971", "976"} <= set(codes)
    assert all(isinstance(c, str) for c in codes)
    assert all(isinstance(c, str) and len(c) == 2 for c in monthly["region"].unique())
    months = sorted(set(monthly["mois"]))
    assert months[0] == date(2019, 1, 1) and months[-1] == date(2024, 12, 1)
    assert len(months) == 72 and all(m.day == 1 for m in months)
    assert set(monthly["type_foyer"]) == {"Personne seule", "Couple sans enfant",
                                          "Famille monoparentale", "Couple avec enfants"}
    assert set(monthly["tranche_age"]) == {"moins de 25 ans", "25-34 ans", "35-49 ans",
                                           "50 ans et plus"}
    assert monthly["foyers_allocataires"].dtype == "int64"
    assert (monthly["foyers_allocataires"] >= 0).all()
    assert monthly[["code_departement", "mois", "type_foyer", "tranche_age"]] \
        .duplicated().sum() == 0


def test_magnitudes_look_like_an_rsa_observatory(frames: dict[str, pd.DataFrame]) -> None:
    monthly = frames["rsa_mensuel"]
    national = monthly.groupby("mois")["foyers_allocataires"].sum()
    assert national.between(1_600_000, 2_300_000).all()  # about 1.9 million households
    by_dep = monthly[monthly["mois"] == date(2024, 12, 1)] \
        .groupby("code_departement")["foyers_allocataires"].sum()
    assert by_dep["59"] > 10 * by_dep["48"]  # Nord is far bigger than Lozère
    per_household = monthly["montant_verse"].sum() / monthly["foyers_allocataires"].sum()
    assert 400 < per_household < 800  # euros a month
    yearly = monthly.groupby(monthly["mois"].map(lambda d: d.year))["montant_verse"].sum()
    assert yearly.between(10e9, 18e9).all()


def test_december_frame_agrees_with_the_monthly_one(frames: dict[str, pd.DataFrame]) -> None:
    monthly, december = frames["rsa_mensuel"], frames["rsa_decembre"]
    assert set(december["mois"]) == {date(y, 12, 1) for y in range(2019, 2025)}
    keys = ["code_departement", "mois", "type_foyer", "tranche_age"]
    joined = december.merge(monthly, on=keys, suffixes=("", "_m"))
    assert len(joined) == len(december)
    assert (joined["foyers_allocataires"] == joined["foyers_allocataires_m"]).all()
    paid_2023 = monthly[monthly["mois"].map(lambda d: d.year == 2023)]["montant_verse"].sum()
    assert december[december["mois"] == date(2023, 12, 1)]["montant_verse_annuel"].sum() \
        == pytest.approx(paid_2023)


def test_parquet_files_keep_codes_as_text_and_months_as_dates(tmp_path: Path) -> None:
    paths = write_demo_files(tmp_path)
    schema = pq.read_schema(paths["rsa_mensuel"])
    assert str(schema.field("mois").type) == "date32[day]"
    assert "string" in str(schema.field("code_departement").type)
    table = pq.read_table(paths["rsa_mensuel"], columns=["code_departement"])
    assert table.column(0)[0].as_py() == "01"


def test_boundaries_are_read_from_a_path_and_checked(tmp_path: Path) -> None:
    assert b"FeatureCollection" in read_boundaries(str(BOUNDARIES))
    with pytest.raises(DemoError, match="STUDIO_BOUNDARIES"):
        read_boundaries("")
    with pytest.raises(DemoError, match="cannot read"):
        read_boundaries(str(tmp_path / "missing.geojson"))
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"properties": {"code": "01"}}]}')
    with pytest.raises(DemoError, match="'nom'"):
        read_boundaries(str(bad))


def test_demo_dashboard_uses_every_tile_kind_and_validates() -> None:
    board = build_demo_dashboard(IDS, boundaries_dataset_id=13)
    assert board.title == "Observatoire RSA (démo)"
    assert {t.kind for t in board.tiles} == set(TILE_KINDS)
    charts = {t.chart for t in board.tiles if t.kind == "chart"}  # type: ignore[union-attr]
    assert len(charts) >= 3
    assert {f.kind for f in board.filters} >= {"territory", "period"}
    assert len(board.sections) == 2
    assert load_dashboard(dump_dashboard(board)) == board
    assert dump_dashboard(build_demo_dashboard(IDS, 13)) == dump_dashboard(board)
    kpi = next(t for t in board.tiles if t.kind == "kpi" and t.reference is not None)
    assert kpi.compare == "year_ago"  # type: ignore[union-attr]
    text = next(t for t in board.tiles if t.kind == "text")
    assert text.placeholders() == [v.name for v in text.values]  # type: ignore[union-attr]
    choropleth = next(t for t in board.tiles if t.kind == "map")
    assert choropleth.boundaries.dataset == 13  # type: ignore[union-attr]
    assert choropleth.boundaries.code_field == "code"  # type: ignore[union-attr]


def test_demo_dashboard_fields_exist_and_filters_reach_every_data_tile(
    frames: dict[str, pd.DataFrame],
) -> None:
    board = build_demo_dashboard(IDS, 13)
    kinds = {"code_departement": "departement", "region": "region", "mois": "date"}
    schemas = {IDS[name]: {c: kinds.get(c, "text") for c in frame.columns}
               for name, frame in frames.items()}
    schemas[13] = {"code": "departement", "nom": "text", "geometry": "geometry"}
    for tile in board.tiles:
        for query in tile.queries().values():
            assert query.fields_used <= schemas[query.dataset].keys(), tile.id
    reach = filter_reach(board, schemas)
    assert set(reach["territoire"]) == set(reach["annee"]) == {t.id for t in board.tiles}
    merged = tile_queries(board.tile("carte"), board, {"territoire": ["59"]}, schemas)
    assert merged["boundaries"].filters == []
    assert {f.field for f in merged["values"].filters} == {"code_departement", "mois"}
