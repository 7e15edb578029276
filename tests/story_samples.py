"""Sample story specs shared by the story tests (a dataset shaped like FRENCH_CSV)."""

from __future__ import annotations

from typing import Any


def chart_tile(ds_id: int, tile_id: str = "c1") -> dict[str, Any]:
    return {
        "kind": "chart",
        "id": tile_id,
        "title": "Montant par département",
        "chart": "column",
        "dataset": ds_id,
        "dimension": {"field": "code_departement"},
        "measures": [{"field": "montant", "agg": "sum"}],
    }


def story_spec(
    ds_id: int, title: str = "Le RSA en 2024", dashboard_id: int | None = None
) -> dict[str, Any]:
    """A three-chapter story: text and tiles, a scroll sequence, and (maybe) a dashboard part."""
    chapters: list[dict[str, Any]] = [
        {
            "kind": "tiles",
            "id": "intro",
            "title": "Introduction",
            "text": {
                "markdown": "Au total **{{total}}** euros versés.",
                "dataset": ds_id,
                "values": [{"name": "total", "field": "montant", "agg": "sum"}],
            },
            "tiles": [chart_tile(ds_id, "c1")],
        },
        {
            "kind": "scroll",
            "id": "defile",
            "title": "Département par département",
            "tile": chart_tile(ds_id, "s1"),
            "steps": [
                {"text": {"markdown": "Tous les départements."}},
                {
                    "text": {"markdown": "L'Ain seul."},
                    "filters": [{"field": "code_departement", "op": "=", "value": "01"}],
                },
                {"text": {"markdown": "La Guadeloupe ressort."}, "highlight": ["971"]},
            ],
        },
    ]
    if dashboard_id is not None:
        chapters.append(
            {
                "kind": "dashboard",
                "id": "tableau",
                "title": "Le tableau de bord",
                "dashboard": dashboard_id,
            }
        )
    else:
        chapters.append(
            {
                "kind": "tiles",
                "id": "fin",
                "title": "Pour finir",
                "text": {"markdown": "Données *fictives*."},
            }
        )
    return {
        "title": title,
        "cover": {"subtitle": "Données fictives", "author": "Observatoire", "date": "2024-06-30"},
        "chapters": chapters,
    }
