"""Steps every tile renderer shares: ids, the frame, messages and the accessible table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from studio.components.format import format_category, format_value
from studio.components.messages import message
from studio.spec.query import QueryResult
from studio.spec.tiles import NumberFormat, TileBase

Component = Any
"""A Dash component (the Dash base class is not precise enough to be worth importing)."""


class TileDataError(ValueError):
    """The results cannot be drawn by this tile; the message is shown in the tile."""


@dataclass
class Rendered:
    """What a kind renderer gives back: the body and, if any, its table alternative."""

    body: Component
    table: Component | None = None
    extra: list[Component] = field(default_factory=list)


def component_id(tile_id: str, role: str, id_prefix: str | None = None) -> dict[str, str]:
    """A pattern-matching id `{"type": "tile-<role>", "tile": ..., ["page": ...]}`."""
    cid = {"type": f"tile-{role}", "tile": tile_id}
    if id_prefix:
        cid["page"] = id_prefix
    return cid


def message_box(text: str, *, error: bool = False) -> Component:
    """An in-tile message: a status line, or an alert for errors."""
    return html.Div(
        text,
        role="alert" if error else "status",
        className="studio-tile-message " + ("text-danger" if error else "text-muted"),
    )


def rows_as_dicts(result: QueryResult) -> list[dict[str, Any]]:
    """The result rows as dicts keyed by column name."""
    return [dict(zip(result.columns, row, strict=False)) for row in result.rows]


def data_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    locale: str,
    *,
    tile_id: str,
    id_prefix: str | None = None,
    numeric: Sequence[bool] | None = None,
) -> Component:
    """The accessible alternative: a collapsible plain table of already formatted cells."""
    numeric = numeric or [False] * len(headers)
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in headers]))
    body = html.Tbody([
        html.Tr([
            html.Td(cell, className="text-end" if numeric[i] else None)
            for i, cell in enumerate(row)
        ])
        for row in rows
    ])
    table = html.Table(
        [head, body],
        className="table table-sm studio-data-table",
        id=component_id(tile_id, "data-table", id_prefix),
    )
    return html.Details(
        [html.Summary(message("view_table", locale)), table],
        className="studio-tile-table-alternative",
    )


def result_table(
    result: QueryResult,
    labels: Mapping[str, str],
    locale: str,
    *,
    tile_id: str,
    id_prefix: str | None = None,
    formats: Mapping[str, NumberFormat] | None = None,
    grains: Mapping[str, str | None] | None = None,
) -> Component:
    """The accessible table of a result's aggregated rows, cells formatted for `locale`."""
    formats = formats or {}
    grains = grains or {}
    headers = [labels.get(c, c) for c in result.columns]
    rows = [
        [format_value(v, locale, formats[c]) if c in formats
         else format_category(v, locale, grains.get(c))
         for c, v in zip(result.columns, row, strict=False)]
        for row in result.rows
    ]
    numeric = [c in formats for c in result.columns]
    return data_table(headers, rows, locale, tile_id=tile_id, id_prefix=id_prefix,
                      numeric=numeric)


def tile_frame(
    tile: TileBase,
    rendered: Rendered,
    locale: str,
    *,
    id_prefix: str | None = None,
    truncated: bool = False,
) -> Component:
    """The card around a tile: title and subtitle, body, table alternative, source, notes."""
    title_id = f"{id_prefix + '-' if id_prefix else ''}tile-{tile.id}-title"
    header: list[Component] = []
    if tile.title:
        header.append(html.H3(tile.title, id=title_id, className="studio-tile-title h5"))
    if tile.subtitle:
        header.append(html.P(tile.subtitle, className="studio-tile-subtitle text-muted"))
    footer: list[Component] = []
    if truncated:
        footer.append(html.P(message("truncated", locale), className="studio-tile-truncated"))
    if tile.source:
        footer.append(html.P(tile.source, className="studio-tile-source small text-muted"))
    if tile.notes:
        footer.append(html.P(tile.notes, className="studio-tile-notes small text-muted"))
    parts = [*header, rendered.body, *rendered.extra]
    if rendered.table is not None:
        parts.append(rendered.table)
    if footer:
        parts.append(html.Footer(footer, className="studio-tile-footer"))
    kind = getattr(tile, "kind", "tile")
    return html.Section(
        dbc.Card(dbc.CardBody(parts), className="h-100"),
        id=component_id(tile.id, "frame", id_prefix),
        className=f"studio-tile studio-tile-{kind} h-100",
        **({"aria-labelledby": title_id} if tile.title else {}),
    )


def value_label(label: str | None, field_name: str | None, agg: str, locale: str) -> str:
    """Display name of a measure: its label, else its field, else "Nombre"."""
    if label:
        return label
    if field_name:
        return field_name
    return message("count", locale)
