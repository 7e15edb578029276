"""Real open data shipped with Studio, small and credited (see SOURCES.md beside it).

The demo draws its map with `DEPARTEMENTS` and the tests read these files, so a fresh
clone needs neither a download nor any folder beside it.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
DEPARTEMENTS = DATA_DIR / "departements.geojson"
"""The 96 départements of metropolitan France, simplified (properties `code`, `nom`)."""
DEPARTEMENTS_OUTRE_MER = DATA_DIR / "departements-outre-mer.geojson"
"""The 5 overseas départements (971, 972, 973, 974, 976), simplified, at their true place."""
RSA = DATA_DIR / "rsa-departements-2009-2019.csv"
"""Households receiving the RSA and people covered, by département and year (DREES)."""
POPULATION = DATA_DIR / "population-departements-1975-2022.csv.gz"
"""Population at 1 January by département and year, sex and age band (INSEE), gzipped."""

__all__ = ["DATA_DIR", "DEPARTEMENTS", "DEPARTEMENTS_OUTRE_MER", "POPULATION", "RSA"]
