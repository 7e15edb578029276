"""The "Observatoire RSA (démo)" dashboard, built on the demo datasets.

It uses every tile kind, a territory filter (départements) and a period filter (year), on a
12-column grid split into two sections. Tiles that add households up over several months
would count the same household many times, so snapshots (map, table, breakdowns) read the
December dataset (households in December, euros paid over the year) and time series read
the monthly one.
"""

from __future__ import annotations

from typing import Any

from studio.demo.data import SOURCE
from studio.spec.dashboard import DashboardSpec, load_dashboard

TITLE = "Observatoire RSA (démo)"
LATEST_YEAR = "2024-01-01"


def _foyers(label: str = "Foyers allocataires") -> dict[str, Any]:
    return {"field": "foyers_allocataires", "agg": "sum", "label": label}


def _common(tile_id: str, title: str) -> dict[str, Any]:
    return {"id": tile_id, "title": title, "source": SOURCE}


def _overview_tiles(monthly: int, december: int, boundaries: int) -> list[dict[str, Any]]:
    euros = {"style": "currency", "compact": True}
    return [
        {**_common("kpi-foyers", "Foyers allocataires"), "kind": "kpi", "dataset": monthly,
         "measure": _foyers(), "period_field": "mois", "grain": "month",
         "compare": "year_ago", "good_direction": "down",
         "reference": {"field": "pays", "value": "France", "label": "France"},
         "number_format": {"unit": "foyers"}, "sparkline_points": 24},
        {**_common("kpi-montant", "Montant versé dans le mois"), "kind": "kpi",
         "dataset": monthly, "measure": {"field": "montant_verse", "agg": "sum"},
         "period_field": "mois", "grain": "month", "compare": "year_ago",
         "good_direction": "neutral", "number_format": euros},
        {**_common("texte", "En bref"), "kind": "text", "dataset": monthly,
         "markdown": "Sur la période choisie, **{{montant}}** ont été versés au titre du RSA "
                     "dans le territoire sélectionné.\n\n*Données fictives, générées pour la "
                     "démonstration : elles ne décrivent aucune réalité.*",
         "values": [{"name": "montant", "field": "montant_verse", "agg": "sum",
                     "number_format": euros}]},
        {**_common("evolution", "Évolution mensuelle des foyers allocataires"),
         "kind": "chart", "chart": "line", "dataset": monthly,
         "dimension": {"field": "mois", "grain": "month", "label": "Mois"},
         "series": {"field": "type_foyer", "label": "Type de foyer"},
         "measures": [_foyers()], "markers": True, "y_title": "Foyers"},
        {**_common("carte", "Foyers allocataires en décembre, par département"),
         "kind": "map", "layer": "choropleth", "dataset": december,
         "code_field": "code_departement", "measure": _foyers(),
         "boundaries": {"dataset": boundaries, "code_field": "code", "name_field": "nom",
                        "geometry_field": "geometry"},
         "number_format": {"unit": "foyers"}},
    ]


def _detail_tiles(december: int) -> list[dict[str, Any]]:
    return [
        {**_common("types", "Foyers par type de foyer (décembre)"), "kind": "chart",
         "chart": "bar", "dataset": december,
         "dimension": {"field": "type_foyer", "label": "Type de foyer"},
         "measures": [_foyers()], "sort": "value_desc", "show_values": True},
        {**_common("ages", "Foyers par tranche d'âge (décembre)"), "kind": "chart",
         "chart": "donut", "dataset": december,
         "dimension": {"field": "tranche_age", "label": "Tranche d'âge"},
         "measures": [_foyers()]},
        {**_common("regions", "Montant versé dans l'année, par région"), "kind": "chart",
         "chart": "column", "mode": "stacked", "dataset": december,
         "dimension": {"field": "region", "label": "Région"},
         "series": {"field": "type_foyer", "label": "Type de foyer"},
         "measures": [{"field": "montant_verse_annuel", "agg": "sum", "label": "Montant"}],
         "number_format": {"style": "currency", "compact": True}},
        {**_common("tableau", "Détail par département"), "kind": "table",
         "dataset": december, "totals": True, "page_size": 20,
         "columns": [
             {"field": "code_departement", "label": "Code"},
             {"field": "nom_departement", "label": "Département"},
             {"field": "foyers_allocataires", "agg": "sum", "label": "Foyers (décembre)"},
             {"field": "montant_verse_annuel", "agg": "sum", "label": "Montant versé (année)",
              "number_format": {"style": "currency", "decimals": 0}},
         ],
         "sort": [{"field": "foyers_allocataires__sum", "desc": True}]},
    ]


_LAYOUT = (
    ("kpi-foyers", 0, 0, 4, 3), ("kpi-montant", 4, 0, 4, 3), ("texte", 8, 0, 4, 3),
    ("evolution", 0, 3, 7, 6), ("carte", 7, 3, 5, 6),
    ("types", 0, 0, 6, 5), ("ages", 6, 0, 6, 5), ("regions", 0, 5, 12, 5),
    ("tableau", 0, 10, 12, 8),
)
_SECTIONS = (
    ("vue-ensemble", "Vue d'ensemble", ("kpi-foyers", "kpi-montant", "texte", "evolution",
                                         "carte")),
    ("detail", "Détail", ("types", "ages", "regions", "tableau")),
)


def build_demo_dashboard(ids: dict[str, int], boundaries_dataset_id: int) -> DashboardSpec:
    """The "Observatoire RSA (démo)" dashboard over the demo datasets with these ids.

    `ids` maps the demo dataset names (`rsa_mensuel`, `rsa_decembre`) to their dataset ids.
    """
    monthly, december = ids["rsa_mensuel"], ids["rsa_decembre"]
    return load_dashboard({
        "title": TITLE,
        "description": "Foyers allocataires du RSA et montants versés, par département et "
                       "par période. Données fictives (démonstration de Studio).",
        "tiles": [*_overview_tiles(monthly, december, boundaries_dataset_id),
                  *_detail_tiles(december)],
        "layout": [{"tile": t, "x": x, "y": y, "w": w, "h": h} for t, x, y, w, h in _LAYOUT],
        "sections": [{"id": i, "title": title, "tiles": list(tiles)}
                     for i, title, tiles in _SECTIONS],
        "filters": [
            {"id": "territoire", "label": "Département", "kind": "territory",
             "field": "code_departement"},
            {"id": "annee", "label": "Année", "kind": "period", "grain": "year",
             "field": "mois", "default": LATEST_YEAR},
            {"id": "type", "label": "Type de foyer", "kind": "multi_select",
             "field": "type_foyer"},
        ],
    })
