"""Repository of grants and row-level rules, and the SQL form of "what may this actor see".

`visible_clause` is the bulk twin of `security.policy.allowed(actor, "view", obj)`: lists
filter in SQL with it, and tests check both agree on every combination.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, delete, exists, false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from studio.store.errors import NotFound
from studio.store.models import Dataset, Document, Grant, Revision, RowRule

EDIT_RANK_ROLES = ("editor", "admin")


def _grant_match(model: Any, object_types: tuple[str, ...], actor: Any, perms: tuple[str, ...]):  # noqa: ANN202
    """EXISTS a grant of one of `perms` on the row, to the actor, one of their groups or
    (for visibility "groups" and view) their role."""
    principals = [and_(Grant.principal_type == "user", Grant.principal == str(actor.id))]
    group_ids = [str(g) for g in sorted(getattr(actor, "group_ids", None) or ())]
    if group_ids:
        principals.append(and_(Grant.principal_type == "group", Grant.principal.in_(group_ids)))
    if "view" in perms:
        principals.append(
            and_(
                Grant.principal_type == "role",
                Grant.principal == str(actor.role),
                Grant.permission == "view",
                model.visibility == "groups",
            )
        )
    return exists().where(
        Grant.object_type.in_(object_types),
        Grant.object_id == model.id,
        Grant.permission.in_(perms),
        or_(*principals),
    )


def visible_clause(model: Any, actor: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows of `model` (Dataset or Document) the actor may view."""
    if not getattr(actor, "is_authenticated", False):
        return false()
    if actor.role == "admin":
        return true()
    types = ("dataset",) if model is Dataset else ("dashboard", "story")
    may_edit: ColumnElement[bool] = false()
    if actor.role in EDIT_RANK_ROLES:
        may_edit = or_(model.owner_id == actor.id, _grant_match(model, types, actor, ("edit",)))
    may_view = or_(
        model.owner_id == actor.id,
        model.visibility.in_(("internal", "public")),
        _grant_match(model, types, actor, ("view",)),
    )
    if model is Document:
        return or_(may_edit, and_(model.published_number.is_not(None), may_view))
    return or_(may_edit, may_view)


def visible_documents(s: Session, kind: str, actor: Any, search: str = "") -> list[Document]:
    """Live documents of a kind the actor may view, most recently updated first."""
    q = select(Document).where(
        Document.kind == kind, Document.deleted_at.is_(None), visible_clause(Document, actor)
    )
    if search.strip():
        q = q.where(Document.title.ilike(f"%{search.strip()}%"))
    return list(s.scalars(q.order_by(Document.updated_at.desc(), Document.id.desc())))


def visible_datasets(s: Session, actor: Any, search: str = "") -> list[Dataset]:
    """Live datasets the actor may view, most recently updated first."""
    q = select(Dataset).where(Dataset.deleted_at.is_(None), visible_clause(Dataset, actor))
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        q = q.where(or_(Dataset.name.ilike(pattern), Dataset.description.ilike(pattern)))
    return list(s.scalars(q.order_by(Dataset.updated_at.desc(), Dataset.id.desc())))


def published_titles(s: Session, docs: Iterable[Document]) -> dict[int, str]:
    """`{document id: title of its published revision}` in one query (published ones only)."""
    ids = [d.id for d in docs if d.published_number]
    if not ids:
        return {}
    rows = s.execute(
        select(Revision.document_id, Revision.spec)
        .join(
            Document,
            and_(
                Document.id == Revision.document_id,
                Document.published_number == Revision.number,
            ),
        )
        .where(Document.id.in_(ids))
    )
    return {doc_id: str((spec or {}).get("title", "")) for doc_id, spec in rows}


# --- grants -----------------------------------------------------------------------------


def grants_of(s: Session, object_type: str, object_id: int) -> list[Grant]:
    """Every grant on one object."""
    q = select(Grant).where(Grant.object_type == object_type, Grant.object_id == object_id)
    return list(s.scalars(q.order_by(Grant.id)))


def replace_grants(
    s: Session, obj: Any, object_type: str, grants: Iterable[tuple[str, str, str]]
) -> None:
    """Make `(principal_type, principal, permission)` the object's whole set of grants."""
    s.execute(delete(Grant).where(Grant.object_type == object_type, Grant.object_id == obj.id))
    for principal_type, principal, permission in sorted(set(grants)):
        s.add(
            Grant(
                object_type=object_type,
                object_id=obj.id,
                principal_type=principal_type,
                principal=principal,
                permission=permission,
            )
        )
    s.flush()
    s.expire(obj, ["grants"])
    obj.grants  # noqa: B018  (reload now, while the session is open)


# --- row-level rules --------------------------------------------------------------------


def row_rules(s: Session, dataset_id: int) -> list[RowRule]:
    """The dataset's row-level rules, oldest first."""
    q = select(RowRule).where(RowRule.dataset_id == dataset_id).order_by(RowRule.id)
    return list(s.scalars(q))


def add_row_rule(
    s: Session, dataset_id: int, group_id: int, conditions: list[dict[str, Any]], by: str
) -> RowRule:
    """Store a new rule."""
    rule = RowRule(dataset_id=dataset_id, group_id=group_id, conditions=conditions, created_by=by)
    s.add(rule)
    s.flush()
    return rule


def delete_row_rule(s: Session, dataset_id: int, rule_id: int) -> RowRule:
    """Remove one rule of the dataset (NotFound when it is not one of its rules)."""
    rule = s.get(RowRule, rule_id)
    if rule is None or rule.dataset_id != dataset_id:
        raise NotFound(f"no rule {rule_id}")
    s.delete(rule)
    s.flush()
    return rule
