"""Reading the audit trail (admins): filters from text input, one page of events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from studio.security.policy import ensure
from studio.services.sharing import SharingError
from studio.store import audit
from studio.store.models import AuditEvent

MAX_PAGE = 500


def parse_when(text: str, field: str, end: bool = False) -> datetime | None:
    """An ISO date or date-time (UTC when no zone is given); a bare date as an end bound
    means the end of that day. SharingError (naming `field`) on anything else."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        value = datetime.fromisoformat(text)
    except ValueError:
        raise SharingError(
            field, "raw", text=f"'{field}' must be a date (2026-01-31) or an ISO date-time."
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def build_query(values: dict[str, Any]) -> audit.AuditQuery:
    """The filters from text values keyed actor, action, object_type, object_id, since,
    until (empty values filter nothing)."""

    def text(key: str) -> str:
        return str(values.get(key) or "")[:254]

    return audit.AuditQuery(
        actor=text("actor"),
        action=text("action"),
        object_type=text("object_type"),
        object_id=text("object_id"),
        since=parse_when(text("since"), "since"),
        until=parse_when(text("until"), "until", end=True),
    )


def page_of_events(
    s: Session, actor: Any, query: audit.AuditQuery, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and the total (admins only)."""
    ensure(actor, "view", "audit")
    return audit.search(s, query, max(1, min(limit, MAX_PAGE)), max(0, offset))
