"""The audit trail: who did what to which object, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studio.store.models import AuditEvent


def record(
    s: Session,
    actor: Any,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    details: dict[str, Any] | None = None,
    address: str = "",
) -> None:
    """Add one audit event (committed with the session's other changes)."""
    s.add(
        AuditEvent(
            actor_id=getattr(actor, "id", None),
            actor_email=getattr(actor, "email", "") or "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            details=details or {},
            address=address or "",
        )
    )


def recent(s: Session, limit: int = 200, action: str | None = None) -> list[AuditEvent]:
    """The newest audit events, optionally of one action."""
    q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        q = q.where(AuditEvent.action == action)
    return list(s.scalars(q))


VIEW_WINDOW_SECONDS = 300


def record_view(
    s: Session,
    actor: Any,
    object_type: str,
    object_id: Any,
    address: str = "",
    window_seconds: int = VIEW_WINDOW_SECONDS,
) -> bool:
    """Record that `actor` opened an object, once per actor and object per window.

    Returns True when an event was added (False: already recorded within the window)."""
    since = datetime.now(UTC) - timedelta(seconds=window_seconds)
    action = f"{object_type}_viewed"
    seen = s.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.action == action,
            AuditEvent.actor_id == getattr(actor, "id", None),
            AuditEvent.object_type == object_type,
            AuditEvent.object_id == str(object_id),
            AuditEvent.at >= since,
        )
        .limit(1)
    )
    if seen is not None:
        return False
    record(s, actor, action, object_type, object_id, None, address)
    return True


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit trail; empty values filter nothing."""

    actor: str = ""  # e-mail, exact or a part of it
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def search(
    s: Session, query: AuditQuery, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and how many match in all."""
    conditions = []
    if query.actor.strip():
        conditions.append(AuditEvent.actor_email.ilike(f"%{query.actor.strip().lower()}%"))
    if query.action.strip():
        conditions.append(AuditEvent.action == query.action.strip())
    if query.object_type.strip():
        conditions.append(AuditEvent.object_type == query.object_type.strip())
    if query.object_id.strip():
        conditions.append(AuditEvent.object_id == query.object_id.strip())
    if query.since is not None:
        conditions.append(AuditEvent.at >= query.since)
    if query.until is not None:
        conditions.append(AuditEvent.at < query.until)
    total = s.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
    rows = s.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total)


def actions(s: Session) -> list[str]:
    """Every action name present in the trail, sorted (for the admin page's filter)."""
    return sorted(s.scalars(select(AuditEvent.action).distinct()))


def to_json(event: AuditEvent) -> dict[str, Any]:
    """An event as the API gives it."""
    return {
        "id": event.id,
        "at": event.at.isoformat() if event.at else None,
        "actor": event.actor_email,
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "details": event.details or {},
        "address": event.address,
    }
