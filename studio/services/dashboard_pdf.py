"""The dashboard as a PDF: every tile's queries rebuilt from the stored spec and the filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from studio.components.pdf import TileResults, dashboard_pdf, filter_summary
from studio.config import Settings
from studio.datasources import QueryCache
from studio.exports import export_filename
from studio.services import dashboards
from studio.services.tiles import run_tiles
from studio.spec.filters import decode_state
from studio.store.db import Database


def render_pdf(
    db: Database,
    settings: Settings,
    cache: QueryCache | None,
    actor: Any,
    board: dashboards.OpenDashboard,
    values: dict[str, Any],
    cross: dict[str, Any] | None,
    locale: str,
    day: date | None = None,
) -> tuple[bytes, str]:
    """(PDF bytes, file name) of the dashboard the actor opened, with these cleaned filters."""
    queries = dashboards.merged_queries(board, values, cross)
    data = run_tiles(db, settings, cache, actor, queries, locale, board.vouched)
    tiles = {tid: TileResults(d.results, d.error) for tid, d in data.items()}
    content = dashboard_pdf(
        board.spec,
        tiles,
        locale,
        filters=filter_summary(board.spec, values, cross, locale),
        day=day,
    )
    return content, export_filename(board.spec.title, "pdf", day)


def pdf_from_query_string(
    db: Database,
    settings: Settings,
    cache: QueryCache | None,
    actor: Any,
    doc_id: int,
    query_string: str,
    locale: str,
) -> tuple[bytes, str]:
    """The PDF of a dashboard the actor may view (NotFound otherwise), filtered as a URL says.

    The query string is read exactly like the dashboard page's URL: unknown keys and values
    of the wrong shape are dropped, omitted filters take their defaults.
    """
    with db.session() as s:
        board = dashboards.open_dashboard(s, actor, doc_id)
    values, cross = decode_state(query_string, board.spec)
    return render_pdf(db, settings, cache, actor, board, values, cross, locale)
