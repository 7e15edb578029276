"""The "Le RSA en six ans (démo)" story, built on the demo datasets and dashboard.

Four chapters: text with a live value and a chart; a scroll sequence on a bar chart
(highlighting household types, then going back to 2019); a scroll sequence on a map
(zooming on a region); and the demo dashboard's detail section. December snapshots are
read per year (a step's period), so no household is counted twice.
"""

from __future__ import annotations

from typing import Any

from studio.demo.data import SOURCE
from studio.spec.story import StorySpec, load_story

STORY_TITLE = "Le RSA en six ans (démo)"
LATEST = {"field": "mois", "grain": "year", "value": "2024"}


def _foyers() -> dict[str, Any]:
    return {"field": "foyers_allocataires", "agg": "sum", "label": "Foyers allocataires"}


def _step(markdown: str, **state: Any) -> dict[str, Any]:
    return {"text": {"markdown": markdown}, "period": LATEST, **state}


def build_demo_story(
    ids: dict[str, int], boundaries_dataset_id: int, dashboard_id: int | None
) -> StorySpec:
    """The demo story over the demo datasets (and dashboard) with these ids."""
    monthly, december = ids["rsa_mensuel"], ids["rsa_decembre"]
    chapters: list[dict[str, Any]] = [
        {
            "kind": "tiles",
            "id": "six-ans",
            "title": "Six ans de RSA",
            "text": {
                "markdown": "Fin 2024, **{{foyers}}** foyers percevaient le RSA dans les "
                "départements de cette démonstration. Leur nombre a suivi la "
                "conjoncture : la courbe ci-dessous le montre mois par mois.\n\n"
                "*Données fictives, générées pour la démonstration de Studio.*",
                "dataset": monthly,
                "values": [
                    {
                        "name": "foyers",
                        "field": "foyers_allocataires",
                        "agg": "sum",
                        "number_format": {"decimals": 0},
                    }
                ],
                "filters": [{"field": "mois", "op": "=", "value": "2024-12-01"}],
            },
            "tiles": [
                {
                    "kind": "chart",
                    "id": "evolution",
                    "chart": "line",
                    "dataset": monthly,
                    "title": "Foyers allocataires par mois",
                    "source": SOURCE,
                    "dimension": {"field": "mois", "grain": "month", "label": "Mois"},
                    "series": {"field": "type_foyer", "label": "Type de foyer"},
                    "measures": [_foyers()],
                }
            ],
        },
        {
            "kind": "scroll",
            "id": "qui",
            "title": "Qui sont les foyers allocataires ?",
            "text": {"markdown": "Faites défiler : le graphique suit le texte."},
            "tile": {
                "kind": "chart",
                "id": "types",
                "chart": "bar",
                "dataset": december,
                "title": "Foyers allocataires en décembre, par type de foyer",
                "source": SOURCE,
                "dimension": {"field": "type_foyer", "label": "Type"},
                "measures": [_foyers()],
                "sort": "value_desc",
                "show_values": True,
            },
            "steps": [
                _step("En décembre 2024, quatre types de foyers se partagent le RSA."),
                _step(
                    "Les **personnes seules** sont de loin les plus nombreuses.",
                    highlight=["Personne seule"],
                ),
                _step(
                    "Viennent ensuite les **familles monoparentales**.",
                    highlight=["Famille monoparentale"],
                ),
                {
                    "text": {"markdown": "En **2019**, la répartition était déjà la même."},
                    "period": {"field": "mois", "grain": "year", "value": "2019"},
                },
            ],
        },
        {
            "kind": "scroll",
            "id": "territoires",
            "title": "Des territoires contrastés",
            "tile": {
                "kind": "map",
                "id": "carte",
                "layer": "choropleth",
                "dataset": december,
                "title": "Foyers allocataires en décembre 2024, par département",
                "source": SOURCE,
                "code_field": "code_departement",
                "measure": _foyers(),
                "boundaries": {
                    "dataset": boundaries_dataset_id,
                    "code_field": "code",
                    "name_field": "nom",
                    "geometry_field": "geometry",
                },
                "number_format": {"unit": "foyers"},
            },
            "steps": [
                _step("Les départements les plus peuplés comptent le plus de foyers."),
                _step(
                    "Zoom sur les **Pays de la Loire** : la Loire-Atlantique domine la région.",
                    highlight=["44", "49", "53", "72", "85"],
                    view={"lat": 47.4, "lon": -0.8, "zoom": 7},
                ),
            ],
        },
    ]
    if dashboard_id is not None:
        chapters.append(
            {
                "kind": "dashboard",
                "id": "detail",
                "title": "Pour aller plus loin",
                "text": {
                    "markdown": "Le détail par type de foyer, âge et région, extrait du "
                    "tableau de bord de l'observatoire."
                },
                "dashboard": dashboard_id,
                "section": "detail",
            }
        )
    return load_story(
        {
            "title": STORY_TITLE,
            "cover": {
                "subtitle": "Un récit de démonstration sur des données fictives",
                "author": "Observatoire RSA (démo)",
                "date": "2025-01-15",
            },
            "chapters": chapters,
        }
    )
