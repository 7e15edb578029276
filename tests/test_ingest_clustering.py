"""Large datasets are written sorted by territory then date, so filters skip row groups."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from studio.datasources import ingest, tabular
from studio.datasources.tabular import cluster_columns

ROWS = [
    ("75", "15/03/2020", "RSA", 4),
    ("01", "01/02/2021", "AAH", 1),
    ("2A", "10/01/2019", "RSA", 7),
    ("01", "05/06/2019", "RSA", 2),
    ("75", "01/01/2019", "AAH", 3),
    ("2A", "20/12/2020", "AAH", 9),
]


def write_csv(tmp_path: Path) -> Path:
    lines = ["prestation;code_departement;date;effectif"]
    lines += [f"{p};{dep};{day};{n}" for dep, day, p, n in ROWS]
    path = tmp_path / "rsa.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(path: Path) -> list[tuple]:
    con = duckdb.connect()
    try:
        return con.execute(
            "SELECT code_departement, strftime(date, '%Y-%m-%d'), effectif FROM read_parquet(?)",
            [str(path)],
        ).fetchall()
    finally:
        con.close()


def test_cluster_columns_take_coarse_territory_then_time() -> None:
    types = ["text", "date", "commune", "departement", "integer", "region", "datetime"]
    assert cluster_columns(types) == [5, 3, 2]  # region, département, commune (three at most)
    assert cluster_columns(["text", "date", "departement"]) == [2, 1]
    assert cluster_columns(["text", "integer"]) == []


def test_large_dataset_is_sorted_by_territory_then_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "CLUSTER_MIN_ROWS", len(ROWS))
    result = ingest(write_csv(tmp_path), "rsa.csv", dest_dir=tmp_path / "out")
    assert {f.name: f.type for f in result.fields}["code_departement"] == "departement"
    assert stored(result.parquet_path) == [
        ("01", "2019-06-05", 2),
        ("01", "2021-02-01", 1),
        ("2A", "2019-01-10", 7),
        ("2A", "2020-12-20", 9),
        ("75", "2019-01-01", 3),
        ("75", "2020-03-15", 4),
    ]


def test_small_dataset_keeps_the_file_order(tmp_path: Path) -> None:
    result = ingest(write_csv(tmp_path), "rsa.csv", dest_dir=tmp_path / "out")
    assert [row[0] for row in stored(result.parquet_path)] == [dep for dep, *_ in ROWS]
