"""Small form widgets the editors share."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html


def named_select(
    label: str, id_: Any, value: str, options: list[dict[str, str]], className: str = "w-100 mb-0"
) -> html.Label:
    """A select named for screen readers by a hidden label (its neighbours say what it is)."""
    return html.Label(
        [
            html.Span(label, className="visually-hidden"),
            dbc.Select(id=id_, value=value, options=options),
        ],
        className=className,
    )
