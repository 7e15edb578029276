"""The stale-save alert shared by the dashboard and story editors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from studio.services.tile_editing import stale_message
from studio.store import StaleRevision


def conflict_alert(
    exc: StaleRevision,
    locale: str,
    kind: str,
    id_of: Callable[[str], Any],
    reload_text: str,
    copy_text: str,
) -> dbc.Alert:
    """ "Changed by X at HH:MM", with a reload link and a "save as a copy" button."""
    return dbc.Alert(
        [
            html.Div(stale_message(exc, locale, kind).split(". ")[0] + "."),
            html.A(
                reload_text,
                href="",
                className="btn btn-sm btn-outline-danger me-2",
                id=id_of("reload"),
            ),
            dbc.Button(copy_text, id=id_of("save-copy"), n_clicks=0, size="sm", color="danger"),
        ],
        color="danger",
        id=id_of("conflict"),
    )
