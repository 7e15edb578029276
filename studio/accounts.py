"""Account services gluing the store to security: create users, sign in, issue tokens."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from studio.security.actor import Actor
from studio.security.passwords import generate_password, hash_password, verify_password
from studio.security.tokens import generate_token, hash_token
from studio.store import users as repo
from studio.store.models import User


def actor_of(user: User, *, via_token: bool = False) -> Actor:
    """An immutable snapshot of `user` for one request."""
    return Actor(
        id=user.id,
        email=user.email,
        role=user.role,
        name=user.name,
        locale=user.locale,
        groups=frozenset(g.name for g in user.groups),
        group_ids=frozenset(g.id for g in user.groups),
        session_epoch=user.session_epoch,
        via_token=via_token,
    )


def create_account(
    s: Session,
    email: str,
    role: str,
    groups: Iterable[str] = (),
    password: str | None = None,
    name: str = "",
) -> tuple[User, str | None]:
    """A new user and, when no password was given, the generated one (to show once)."""
    generated = None
    if not password:
        password = generated = generate_password()
    user = repo.create_user(s, email, hash_password(password), role=role, groups=groups, name=name)
    return user, generated


def reset_password(s: Session, user: User, password: str | None = None) -> str | None:
    """Set a new password (generated when none is given, and then returned)."""
    generated = None
    if not password:
        password = generated = generate_password()
    repo.set_password(s, user, hash_password(password))
    return generated


def authenticate(s: Session, email: str, password: str) -> User | None:
    """The enabled user with these credentials, or None (same cost whether or not it exists)."""
    user = repo.find_user_by_email(s, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.disabled:
        return None
    return user


def issue_token(s: Session, user: User, label: str = "") -> str:
    """A new API token for `user`; the clear value is returned once and never stored."""
    token = generate_token()
    repo.add_token(s, user, hash_token(token), token[:8], label)
    return token


def user_for_token(s: Session, token: str) -> User | None:
    """The active user owning this unrevoked token, if any."""
    return repo.user_for_token(s, hash_token(token))
