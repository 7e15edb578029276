"""Fictitious RSA observatory data for the demo workspace, generated from a fixed seed.

The frames are shaped like what a département or the DREES publishes (households receiving
the RSA and amounts paid, by département and month, household type and age band) with
realistic magnitudes, but every figure is drawn at random: each row says so in its
`source` column, and each frame's description says so again.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from studio.demo.departements import DEPARTEMENTS

DEMO_SEED = 20261123
SOURCE = "Données fictives (démo Studio)"
FIRST_MONTH = date(2019, 1, 1)
MONTHS = 72  # 2019-01 to 2024-12

TYPES_FOYER = ("Personne seule", "Couple sans enfant", "Famille monoparentale",
               "Couple avec enfants")
TRANCHES_AGE = ("moins de 25 ans", "25-34 ans", "35-49 ans", "50 ans et plus")
_TYPE_SHARES = np.array([0.55, 0.06, 0.28, 0.11])
_OVERSEAS_TYPE_SHARES = np.array([0.45, 0.04, 0.40, 0.11])
_AGE_SHARES = np.array([0.05, 0.30, 0.38, 0.27])
_MONTHLY_AMOUNT = np.array([480.0, 620.0, 650.0, 780.0])
"""Average amount paid to a household in a month in 2019, by household type (euros)."""
_REVALUATION = {2019: 1.0, 2020: 1.009, 2021: 1.010, 2022: 1.052, 2023: 1.098, 2024: 1.135}


class DemoDataset(NamedTuple):
    """How a demo frame is presented in the catalogue."""

    title: str
    description: str


DEMO_DATASETS: dict[str, DemoDataset] = {
    "rsa_mensuel": DemoDataset(
        "RSA : foyers allocataires et montants versés par mois (données fictives)",
        "Données fictives, générées pour la démonstration de Studio : elles imitent la forme "
        "d'un observatoire du RSA (foyers allocataires et montants versés par département, "
        "mois, type de foyer et tranche d'âge, 2019-2024) mais ne décrivent aucune réalité.",
    ),
    "rsa_decembre": DemoDataset(
        "RSA : situation en décembre et montants de l'année (données fictives)",
        "Données fictives, générées pour la démonstration de Studio : foyers allocataires "
        "en décembre de chaque année (colonne mois = 1er décembre) et montant versé sur "
        "l'année, par département, type de foyer et tranche d'âge. Aucune réalité décrite.",
    ),
}


def _months() -> list[date]:
    return [date(FIRST_MONTH.year + i // 12, i % 12 + 1, 1) for i in range(MONTHS)]


def _national_curve(rng: np.random.Generator) -> np.ndarray:
    """Caseload index by month: a rise in 2020 (health crisis), then a slow decline."""
    t = np.arange(MONTHS)
    crisis = 0.075 * np.exp(-(((t - 22) / 7.0) ** 2))
    drift = -0.012 * np.clip(t - 24, 0, None) / 12
    return 1.0 + crisis + drift + rng.normal(0, 0.003, MONTHS)


def _caseload(rng: np.random.Generator) -> np.ndarray:
    """Households by département and month, shape (départements, months)."""
    scale = np.array([d.foyers_centaines * 100.0 for d in DEPARTEMENTS])
    level = scale * rng.lognormal(0, 0.05, len(scale))
    local_drift = rng.normal(0, 0.012, len(scale))[:, None] * np.arange(MONTHS)[None, :] / 12
    noise = rng.normal(0, 0.006, (len(scale), MONTHS))
    return level[:, None] * (_national_curve(rng)[None, :] + local_drift + noise)


def _shares(rng: np.random.Generator, base: np.ndarray, overseas: np.ndarray | None = None
            ) -> np.ndarray:
    """Shares of each category by département (rows sum to 1), drawn around `base`."""
    rows = [overseas if overseas is not None and len(d.code) == 3 else base
            for d in DEPARTEMENTS]
    return np.array([rng.dirichlet(row * 300) for row in rows])


def _monthly_amounts(rng: np.random.Generator, foyers: np.ndarray, months: list[date]
                     ) -> np.ndarray:
    """Euros paid, same shape as `foyers` (départements, months, types, ages)."""
    revaluation = np.array([_REVALUATION[m.year] for m in months])
    age_factor = np.array([0.92, 1.0, 1.03, 0.98])
    mean = (_MONTHLY_AMOUNT[None, None, :, None] * age_factor[None, None, None, :]
            * revaluation[None, :, None, None])
    return np.round(foyers * mean * rng.normal(1, 0.02, foyers.shape), 2)


def _long_frame(values: dict[str, np.ndarray], months: list[date]) -> pd.DataFrame:
    """One row per (département, month, type, age) cell of the 4-D arrays in `values`."""
    n_dep, n_month = len(DEPARTEMENTS), len(months)
    shape = (n_dep, n_month, len(TYPES_FOYER), len(TRANCHES_AGE))
    dep, month, kind, age = (idx.ravel() for idx in np.indices(shape))
    frame = pd.DataFrame({
        "code_departement": [DEPARTEMENTS[i].code for i in dep],
        "nom_departement": [DEPARTEMENTS[i].nom for i in dep],
        "region": [DEPARTEMENTS[i].region for i in dep],
        "pays": "France",
        "mois": [months[i] for i in month],
        "type_foyer": np.array(TYPES_FOYER, dtype=object)[kind],
        "tranche_age": np.array(TRANCHES_AGE, dtype=object)[age],
    })
    for name, array in values.items():
        frame[name] = array.ravel()
    frame["source"] = SOURCE
    return frame


def generate_demo_frames(seed: int = DEMO_SEED) -> dict[str, pd.DataFrame]:
    """The demo datasets by name (`rsa_mensuel`, `rsa_decembre`), identical for a seed.

    Codes are text with their leading zeros ('01', '2A', '971'); `mois` holds dates (the
    first day of the month); every row's `source` says the data is fictitious, and each
    frame's `attrs` carry its `title` and `description`.
    """
    rng = np.random.default_rng(seed)
    months = _months()
    total = _caseload(rng)
    types = _shares(rng, _TYPE_SHARES, _OVERSEAS_TYPE_SHARES)
    ages = _shares(rng, _AGE_SHARES)
    cells = total[:, :, None, None] * types[:, None, :, None] * ages[:, None, None, :]
    foyers = np.round(cells * rng.normal(1, 0.02, cells.shape)).clip(0).astype("int64")
    amounts = _monthly_amounts(rng, foyers, months)
    monthly = _long_frame({"foyers_allocataires": foyers, "montant_verse": amounts}, months)
    frames = {"rsa_mensuel": monthly, "rsa_decembre": _december(foyers, amounts, months)}
    for name, frame in frames.items():
        frame.attrs.update(DEMO_DATASETS[name]._asdict())
    return frames


def _december(foyers: np.ndarray, amounts: np.ndarray, months: list[date]) -> pd.DataFrame:
    """Households in December and euros paid over the year, one row per year and cell."""
    years = len(months) // 12
    by_year = amounts.reshape(amounts.shape[0], years, 12, *amounts.shape[2:])
    december = foyers[:, 11::12]
    paid = np.round(by_year.sum(axis=2), 2)
    return _long_frame({"foyers_allocataires": december, "montant_verse_annuel": paid},
                       months[11::12])
