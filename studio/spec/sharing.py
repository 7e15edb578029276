"""Who an object is shared with: a frozen value the store attaches to loaded objects.

The permission function reads it and never queries; the store builds it from the `grants`
rows loaded together with the object.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Visibility = Literal["private", "internal", "groups", "public"]
VISIBILITIES: tuple[str, ...] = get_args(Visibility)


@dataclass(frozen=True)
class Sharing:
    """View and edit grants on one object, by user id, group id and role name.

    Role grants count only when the object's visibility is "groups"; edit grants count only
    for actors whose role may edit at all (editors and admins).
    """

    view_users: frozenset[int] = field(default_factory=frozenset)
    view_groups: frozenset[int] = field(default_factory=frozenset)
    view_roles: frozenset[str] = field(default_factory=frozenset)
    edit_users: frozenset[int] = field(default_factory=frozenset)
    edit_groups: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def from_grants(cls, grants: Iterable[Any]) -> Sharing:
        """The value of a list of grant rows (principal_type, principal, permission)."""
        sets: dict[str, set[Any]] = {k: set() for k in cls.__dataclass_fields__}
        for g in grants:
            if g.principal_type == "role":
                if g.permission == "view":
                    sets["view_roles"].add(g.principal)
                continue
            if not str(g.principal).isdigit() or g.principal_type not in ("user", "group"):
                continue
            sets[f"{g.permission}_{g.principal_type}s"].add(int(g.principal))
        return cls(**{k: frozenset(v) for k, v in sets.items()})


NO_SHARING = Sharing()
