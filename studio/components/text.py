"""Text tiles: user markdown, sanitised, with live values in its placeholders."""

from __future__ import annotations

from typing import Any

from dash import html

from studio.components.common import Component, Rendered, component_id
from studio.components.format import MISSING, format_number
from studio.components.sanitize import markdown_components
from studio.spec.query import QueryResult
from studio.spec.tiles import TextTile


def placeholder_values(tile: TextTile, results: dict[str, QueryResult],
                       locale: str) -> dict[str, str]:
    """Formatted live values by placeholder name, from the first row of `values`."""
    result = results.get("values")
    row = result.rows[0] if result is not None and result.rows else None
    values: dict[str, str] = {}
    for v in tile.values:
        if row is None or v.key not in result.columns:  # type: ignore[union-attr]
            values[v.name] = MISSING
            continue
        raw = row[result.columns.index(v.key)]  # type: ignore[union-attr]
        values[v.name] = format_number(raw, locale, v.number_format)
    return values


def render_text(tile: TextTile, results: dict[str, QueryResult], locale: str = "fr", *,
                settings: Any = None, id_prefix: str | None = None) -> Rendered:
    """The body of a text tile: sanitised components, placeholders filled and escaped."""
    values = placeholder_values(tile, results, locale)
    body: Component = html.Div(
        markdown_components(tile.markdown, values, locale),
        id=component_id(tile.id, "text", id_prefix),
        className="studio-text",
    )
    return Rendered(body)
