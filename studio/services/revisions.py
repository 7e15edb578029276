"""Comparing two revisions of a dashboard, told in the user's language."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from studio.i18n import register, t
from studio.security.policy import ensure
from studio.spec.diff import Change, compare_dashboards
from studio.store import documents as repo
from studio.store.models import Document

register(
    {
        "rev.title": (
            "Titre modifié : « $before » → « $after »",
            "Title changed: '$before' → '$after'",
        ),
        "rev.description": ("Description modifiée", "Description changed"),
        "rev.tile_added": ("Tuile ajoutée : « $subject »", "Tile added: '$subject'"),
        "rev.tile_removed": ("Tuile retirée : « $subject »", "Tile removed: '$subject'"),
        "rev.tile_changed": (
            "Tuile « $subject » modifiée ($properties)",
            "Tile '$subject' changed ($properties)",
        ),
        "rev.tile_renamed": (
            "Tuile renommée : « $before » → « $after »",
            "Tile renamed: '$before' → '$after'",
        ),
        "rev.tile_moved": (
            "Tuile « $subject » déplacée (colonne $x0, ligne $y0 → colonne $x1, ligne $y1)",
            "Tile '$subject' moved (column $x0, row $y0 → column $x1, row $y1)",
        ),
        "rev.tile_resized": (
            "Tuile « $subject » redimensionnée ($w0 × $h0 → $w1 × $h1)",
            "Tile '$subject' resized ($w0 × $h0 → $w1 × $h1)",
        ),
        "rev.filter_added": ("Filtre ajouté : « $subject »", "Filter added: '$subject'"),
        "rev.filter_removed": ("Filtre retiré : « $subject »", "Filter removed: '$subject'"),
        "rev.filter_changed": (
            "Filtre « $subject » modifié ($properties)",
            "Filter '$subject' changed ($properties)",
        ),
        "rev.section_added": ("Onglet ajouté : « $subject »", "Tab added: '$subject'"),
        "rev.section_removed": ("Onglet retiré : « $subject »", "Tab removed: '$subject'"),
        "rev.section_renamed": (
            "Onglet renommé : « $before » → « $after »",
            "Tab renamed: '$before' → '$after'",
        ),
        "rev.tile_section": (
            "Tuile « $subject » passée de l'onglet « $before » à « $after »",
            "Tile '$subject' moved from tab '$before' to '$after'",
        ),
        "rev.same": ("Aucune différence.", "No difference."),
    }
)

PROPERTY_NAMES: dict[str, tuple[str, str]] = {
    "title": ("titre", "title"),
    "subtitle": ("sous-titre", "subtitle"),
    "source": ("source", "source"),
    "notes": ("notes", "notes"),
    "kind": ("type de tuile", "tile kind"),
    "chart": ("type de graphique", "chart type"),
    "dataset": ("jeu de données", "dataset"),
    "dimension": ("axe des catégories", "category axis"),
    "series": ("séries", "series"),
    "measures": ("mesures", "measures"),
    "measure": ("mesure", "measure"),
    "secondary": ("mesures secondaires", "secondary measures"),
    "filters": ("filtres de la tuile", "tile filters"),
    "number_format": ("format des nombres", "number format"),
    "palette": ("couleurs", "colours"),
    "mode": ("empilement", "stacking"),
    "sort": ("tri", "sort"),
    "top_n": ("nombre de catégories", "top N"),
    "columns": ("colonnes", "columns"),
    "markdown": ("texte", "text"),
    "values": ("valeurs en direct", "live values"),
    "reference": ("territoire de référence", "reference territory"),
    "reference_line": ("ligne de référence", "reference line"),
    "target": ("objectif", "target"),
    "compare": ("comparaison", "comparison"),
    "grain": ("pas de temps", "time grain"),
    "period_field": ("champ de période", "period field"),
    "classification": ("classes", "classes"),
    "boundaries": ("contours", "boundaries"),
    "code_field": ("champ du code", "code field"),
    "label": ("libellé", "label"),
    "field": ("champ", "field"),
    "default": ("valeur par défaut", "default value"),
    "datasets": ("jeux de données visés", "datasets reached"),
}


def property_names(keys: list[str], locale: str) -> str:
    """The changed properties in words: "titre, mesures"."""
    index = 1 if locale == "en" else 0
    return ", ".join(PROPERTY_NAMES[k][index] if k in PROPERTY_NAMES else k for k in keys)


def describe(change: Change, locale: str) -> str:
    """One change as a sentence in the locale."""
    if change.kind == "tile_changed" and change.properties == ["title"]:
        return t("rev.tile_renamed", locale, before=change.before, after=change.after)
    params: dict[str, Any] = {
        "subject": change.subject,
        "before": change.before if change.before is not None else "",
        "after": change.after if change.after is not None else "",
        "properties": property_names(change.properties, locale),
    }
    if change.kind in ("tile_moved", "tile_resized"):
        a, b = ("x", "y") if change.kind == "tile_moved" else ("w", "h")
        params.update(
            {
                f"{a}0": _one_based(change.before[0], a),
                f"{b}0": _one_based(change.before[1], b),
                f"{a}1": _one_based(change.after[0], a),
                f"{b}1": _one_based(change.after[1], b),
            }
        )
    return t(f"rev.{change.kind}", locale, **params)


def _one_based(value: Any, axis: str) -> Any:
    """Columns and rows are counted from 1 for people (sizes stay as they are)."""
    return value + 1 if axis in ("x", "y") and isinstance(value, int) else value


def compare(
    s: Session, actor: Any, doc: Document, number: int, other: int | None = None
) -> list[Change]:
    """What changed from revision `number` to revision `other` (None: the current draft).

    Editors only (PermissionDenied otherwise); NotFound for an unknown revision.
    """
    ensure(actor, "edit", doc)
    old = repo.get_revision(s, doc, number).spec
    new = doc.spec if other is None else repo.get_revision(s, doc, other).spec
    return compare_dashboards(old, new)
