"""Repository of dashboards and stories: drafts, revisions, publishing, optimistic locking."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from studio.store.errors import NotFound, StaleRevision
from studio.store.models import Document, Revision

KINDS = ("dashboard", "story")


def get_document(s: Session, kind: str, doc_id: int) -> Document:
    """The live document of this kind and id, or NotFound."""
    doc = s.get(Document, doc_id)
    if doc is None or doc.kind != kind or doc.deleted_at is not None:
        raise NotFound(f"no {kind} {doc_id}")
    return doc


def list_documents(s: Session, kind: str, search: str = "") -> list[Document]:
    """Live documents of a kind, most recently updated first."""
    q = select(Document).where(Document.kind == kind, Document.deleted_at.is_(None))
    if search.strip():
        q = q.where(Document.title.ilike(f"%{search.strip()}%"))
    return list(s.scalars(q.order_by(Document.updated_at.desc(), Document.id.desc())))


def _add_revision(
    s: Session, doc: Document, spec: dict[str, Any], actor: Any, note: str
) -> Revision:
    number = (
        s.scalar(select(func.max(Revision.number)).where(Revision.document_id == doc.id)) or 0
    ) + 1
    rev = Revision(
        document_id=doc.id,
        number=number,
        spec=spec,
        author_id=getattr(actor, "id", None),
        author_email=getattr(actor, "email", "") or "",
        note=note[:500],
    )
    s.add(rev)
    s.flush()
    return rev


def create_document(
    s: Session, kind: str, title: str, spec: dict[str, Any], actor: Any
) -> Document:
    """A new draft document with its first revision."""
    doc = Document(
        kind=kind,
        title=title[:200],
        owner_id=actor.id,
        spec=spec,
        version=1,
        updated_by=actor.email,
    )
    s.add(doc)
    s.flush()
    _add_revision(s, doc, spec, actor, "created")
    return doc


def save_document(
    s: Session,
    doc: Document,
    title: str,
    spec: dict[str, Any],
    expected_version: int,
    actor: Any,
    note: str = "",
) -> Document:
    """Save a new draft if nobody saved since `expected_version`; else StaleRevision.

    The check and the increment are one conditional UPDATE, so two workers saving at the
    same moment cannot both win.
    """
    now = datetime.now(UTC)
    result = s.execute(
        update(Document)
        .where(Document.id == doc.id, Document.version == expected_version)
        .values(
            version=expected_version + 1,
            spec=spec,
            title=title[:200],
            updated_at=now,
            updated_by=actor.email,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        s.refresh(doc)
        raise StaleRevision(doc.version, doc.updated_by, doc.updated_at)
    s.refresh(doc)
    _add_revision(s, doc, spec, actor, note)
    return doc


def list_revisions(s: Session, doc: Document) -> list[Revision]:
    """The document's revisions, newest first."""
    q = select(Revision).where(Revision.document_id == doc.id).order_by(Revision.number.desc())
    return list(s.scalars(q))


def get_revision(s: Session, doc: Document, number: int) -> Revision:
    """Revision `number` of the document, or NotFound."""
    rev = s.scalar(
        select(Revision).where(Revision.document_id == doc.id, Revision.number == number)
    )
    if rev is None:
        raise NotFound(f"no revision {number}")
    return rev


def revision_author(s: Session, doc: Document, number: int) -> int | None:
    """The id of who saved revision `number` (its spec is not read again)."""
    return s.scalar(
        select(Revision.author_id).where(
            Revision.document_id == doc.id, Revision.number == number
        )
    )


def latest_revision(s: Session, doc: Document) -> Revision:
    """The newest revision (the draft as saved)."""
    return list_revisions(s, doc)[0]


def publish(s: Session, doc: Document, actor: Any) -> Revision:
    """Publish the latest revision: viewers and embeds see it from now on."""
    rev = latest_revision(s, doc)
    doc.published_number = rev.number
    doc.updated_at = datetime.now(UTC)
    doc.updated_by = actor.email
    return rev


def published_spec(s: Session, doc: Document) -> dict[str, Any] | None:
    """The spec of the published revision, or None when never published."""
    if not doc.published_number:
        return None
    return get_revision(s, doc, doc.published_number).spec


def mark_deleted(doc: Document) -> None:
    """Move the document to the bin (recoverable)."""
    doc.deleted_at = datetime.now(UTC)


def restore_deleted(doc: Document) -> None:
    """Take the document out of the bin."""
    doc.deleted_at = None
