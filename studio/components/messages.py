"""Interface texts of the renderers, in French and English."""

from __future__ import annotations

from studio.components.format import normalize_locale

AGG_LABELS: dict[str, tuple[str, str]] = {
    "sum": ("Somme", "Sum"),
    "avg": ("Moyenne", "Average"),
    "count": ("Nombre de lignes", "Count"),
    "count_distinct": ("Nombre de valeurs distinctes", "Distinct count"),
    "min": ("Minimum", "Minimum"),
    "max": ("Maximum", "Maximum"),
    "median": ("Médiane", "Median"),
}
"""The aggregates in words (French, English): the tile editor's choices, export headers."""

MESSAGES: dict[str, dict[str, str]] = {
    "empty": {
        "fr": "Aucune donnée pour cette sélection.",
        "en": "No data for this selection.",
    },
    "error": {
        "fr": "Cette tuile n’a pas pu être affichée : {detail}",
        "en": "This tile could not be displayed: {detail}",
    },
    "missing_result": {
        "fr": "Les données de cette tuile sont indisponibles.",
        "en": "The data of this tile is unavailable.",
    },
    "missing_field": {
        "fr": "Champ absent des données : {field}.",
        "en": "Field missing from the data: {field}.",
    },
    "bad_data": {
        "fr": "Les données ne peuvent pas être représentées ainsi : {detail}",
        "en": "The data cannot be drawn this way: {detail}",
    },
    "view_table": {"fr": "Voir les données sous forme de tableau", "en": "View data as a table"},
    "truncated": {
        "fr": "Seules les premières lignes sont affichées.",
        "en": "Only the first rows are shown.",
    },
    "others": {"fr": "Autres", "en": "Others"},
    "average": {"fr": "Moyenne", "en": "Average"},
    "target": {"fr": "Objectif", "en": "Target"},
    "total": {"fr": "Total", "en": "Total"},
    "value": {"fr": "Valeur", "en": "Value"},
    "count": {"fr": "Nombre", "en": "Count"},
    "no_value": {"fr": "Pas de donnée", "en": "No data"},
    "vs_previous": {"fr": "par rapport à {period}", "en": "vs {period}"},
    "vs_year_ago": {"fr": "sur un an ({period})", "en": "year on year ({period})"},
    "reference": {"fr": "{label} : {value}", "en": "{label}: {value}"},
    "target_progress": {
        "fr": "{label} : {target} ({progress} atteint)",
        "en": "{label}: {target} ({progress} reached)",
    },
    "up": {"fr": "en hausse", "en": "up"},
    "down": {"fr": "en baisse", "en": "down"},
    "stable": {"fr": "stable", "en": "unchanged"},
    "legend": {"fr": "Légende", "en": "Legend"},
    "unknown_placeholder": {"fr": "[{name} ?]", "en": "[{name} ?]"},
    "trend": {"fr": "Évolution", "en": "Trend"},
    "period": {"fr": "Période", "en": "Period"},
    "map_label": {"fr": "Carte : {title}", "en": "Map: {title}"},
}


def message(key: str, locale: str = "fr", **values: object) -> str:
    """The interface text `key` in the locale, with `values` put in its fixed template.

    Only our own constant templates are formatted; user text is only ever a value.
    """
    template = MESSAGES[key][normalize_locale(locale)]
    return template.format(**values) if values else template
