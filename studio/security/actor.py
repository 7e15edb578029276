"""Who is making a request: a signed-in user's snapshot, or anonymous."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """A user as loaded for one request (never a live database row)."""

    id: int
    email: str
    role: str
    name: str = ""
    locale: str = "fr"
    groups: frozenset[str] = field(default_factory=frozenset)
    group_ids: frozenset[int] = field(default_factory=frozenset)
    session_epoch: int = 0
    via_token: bool = False

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The flask-login session id: user id and session epoch (bumped to log out everywhere)."""
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class AnonymousActor:
    """Nobody signed in."""

    id = None
    email = ""
    role = "anonymous"
    name = ""
    groups: frozenset[str] = frozenset()
    group_ids: frozenset[int] = frozenset()
    is_authenticated = False
    is_active = False
    is_anonymous = True
    is_admin = False
    via_token = False

    def __init__(self, locale: str = "fr") -> None:
        self.locale = locale

    def get_id(self) -> None:
        return None
