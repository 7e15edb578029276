"""The audit trail: who did what to which object, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
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
