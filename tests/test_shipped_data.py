"""The open data shipped in studio/data: present, credited, in the wheel, and consistent."""

from __future__ import annotations

import fnmatch
import json
import tomllib
from pathlib import Path

import pandas as pd

from studio.data import DATA_DIR, DEPARTEMENTS, DEPARTEMENTS_OUTRE_MER, POPULATION, RSA

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = (DEPARTEMENTS, DEPARTEMENTS_OUTRE_MER, RSA, POPULATION)


def test_every_file_is_credited_and_packaged() -> None:
    sources = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert "Licence Ouverte" in sources
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["studio"]
    files = sorted(p for p in DATA_DIR.iterdir() if p.suffix != ".py" and p.is_file())
    assert set(SHIPPED) < set(files)
    for path in files:
        assert path.name in sources or path.name == "SOURCES.md", path.name
        relative = f"data/{path.name}"
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


def test_shipped_data_stays_small() -> None:
    assert sum(p.stat().st_size for p in DATA_DIR.iterdir()) < 1024**2


def _codes(path: Path) -> set[str]:
    return {f["properties"]["code"] for f in json.loads(path.read_bytes())["features"]}


def test_boundaries_cover_every_departement_once() -> None:
    metro, overseas = _codes(DEPARTEMENTS), _codes(DEPARTEMENTS_OUTRE_MER)
    assert len(metro) == 96 and {"01", "2A", "2B", "95"} <= metro
    assert overseas == {"971", "972", "973", "974", "976"} and not metro & overseas


def test_series_read_with_codes_as_text() -> None:
    rsa = pd.read_csv(RSA, dtype={"code_departement": str})
    population = pd.read_csv(POPULATION, dtype={"code_departement": str})
    assert len(rsa) == 1078 and len(population) == 4749
    assert population["annee"].min() == 1975 and population["annee"].max() == 2022
    assert set(rsa["code_departement"]) <= set(population["code_departement"])
    paris_2019 = population[(population["code_departement"] == "75")
                            & (population["annee"] == 2019)]["population"].item()
    assert 2_000_000 < paris_2019 < 2_300_000
