"""The one permission function: may this actor do this action on this object?"""

from __future__ import annotations

from typing import Any

ACTIONS = ("view", "create", "edit", "publish", "share", "manage")

ROLE_RANK = {"anonymous": 0, "viewer": 1, "editor": 2, "admin": 3}


class PermissionDenied(Exception):
    """The actor may not do this; carries the action and object kind for the message."""

    def __init__(self, action: str, obj: Any = None) -> None:
        super().__init__(f"not allowed to {action} {describe(obj)}")
        self.action = action
        self.obj = obj


def describe(obj: Any) -> str:
    """A short name of an object for messages and audit lines."""
    if isinstance(obj, str):
        return obj
    kind = getattr(obj, "object_type", None) or type(obj).__name__.lower()
    ident = getattr(obj, "id", None)
    return f"{kind} {ident}" if ident is not None else kind


def _rank(actor: Any) -> int:
    if not getattr(actor, "is_authenticated", False):
        return 0
    return ROLE_RANK.get(getattr(actor, "role", "anonymous"), 0)


def allowed(actor: Any, action: str, obj: Any) -> bool:
    """True when `actor` may do `action` on `obj`.

    `obj` is either an area name (a string: "users", "app", "datasets", …) for actions on
    a whole kind of thing, or a stored object with an `object_type`. Object-level rules for
    datasets, dashboards and stories slot in here as those objects arrive.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    rank = _rank(actor)
    if rank == 0:
        return False
    if isinstance(obj, str):
        return _allowed_on_area(rank, action, obj)
    checker = _OBJECT_RULES.get(getattr(obj, "object_type", ""))
    if checker is None:
        return rank >= ROLE_RANK["admin"]
    return checker(actor, action, obj)


def _allowed_on_area(rank: int, action: str, area: str) -> bool:
    if area == "app":
        return action == "view" and rank >= ROLE_RANK["viewer"]
    if area in ("users", "groups", "audit", "embed-keys", "connections"):
        return rank >= ROLE_RANK["admin"]
    if area in ("datasets", "dashboards", "stories"):
        if action == "view":
            return rank >= ROLE_RANK["viewer"]
        if action == "create":
            return rank >= ROLE_RANK["editor"]
        return rank >= ROLE_RANK["admin"]
    return False


def _sharing(obj: Any) -> Any:
    from studio.spec.sharing import NO_SHARING

    return getattr(obj, "sharing", None) or NO_SHARING


def _group_ids(actor: Any) -> frozenset[int]:
    return frozenset(getattr(actor, "group_ids", None) or ())


def _may_edit(actor: Any, obj: Any) -> bool:
    """Owner or edit grant (to the actor or one of their groups), for editors and admins."""
    if ROLE_RANK.get(actor.role, 0) < ROLE_RANK["editor"]:
        return False
    if getattr(obj, "owner_id", None) == actor.id:
        return True
    sharing = _sharing(obj)
    return actor.id in sharing.edit_users or bool(_group_ids(actor) & sharing.edit_groups)


def _may_view(actor: Any, obj: Any) -> bool:
    """The object's visibility and view grants (drafts aside)."""
    visibility = getattr(obj, "visibility", "private")
    if visibility in ("internal", "public") or getattr(obj, "owner_id", None) == actor.id:
        return True
    sharing = _sharing(obj)
    if actor.id in sharing.view_users or _group_ids(actor) & sharing.view_groups:
        return True
    return visibility == "groups" and actor.role in sharing.view_roles


def _owned_object_rule(actor: Any, action: str, obj: Any) -> bool:
    """Datasets (and other owned objects): admins do anything; the owner and co-editors
    (edit grants) edit and publish; only the owner and admins share and manage (co-editors
    may change an object, not widen who sees it); others view as visibility and grants say.
    """
    if actor.role == "admin":
        return True
    if action in ("share", "manage"):
        is_owner = getattr(obj, "owner_id", None) == actor.id
        return is_owner and ROLE_RANK.get(actor.role, 0) >= ROLE_RANK["editor"]
    if action in ("edit", "publish"):
        return _may_edit(actor, obj)
    if action == "view":
        return _may_view(actor, obj) or _may_edit(actor, obj)
    return False


def _document_rule(actor: Any, action: str, doc: Any) -> bool:
    """Dashboards and stories: as owned objects, but people who cannot edit one see it only
    once a revision is published (drafts never leak)."""
    if action == "view" and not _owned_object_rule(actor, "edit", doc):
        return bool(getattr(doc, "published_number", None)) and _may_view(actor, doc)
    return _owned_object_rule(actor, action, doc)


_OBJECT_RULES: dict[str, Any] = {
    "dataset": _owned_object_rule,
    "dashboard": _document_rule,
    "story": _document_rule,
}


def register_object_rule(object_type: str, rule: Any) -> None:
    """Install the rule `(actor, action, obj) -> bool` for one kind of stored object."""
    _OBJECT_RULES[object_type] = rule


def ensure(actor: Any, action: str, obj: Any) -> None:
    """Raise PermissionDenied unless `allowed(actor, action, obj)`."""
    if not allowed(actor, action, obj):
        raise PermissionDenied(action, obj)
