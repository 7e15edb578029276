"""Repository of users, groups and API tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from studio.store.errors import AlreadyExists, InvalidValue, NotFound
from studio.store.models import ROLES, ApiToken, Group, User

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
GROUP_RE = re.compile(r"^[\w .-]{1,100}$")
SESSION_MAX_DAYS = 30  # a signed-in session ends at the latest this long after signing in


def normalise_email(email: str) -> str:
    """The canonical (trimmed, lower-case) form of an e-mail, or InvalidValue."""
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise InvalidValue(f"invalid e-mail address: {email!r}")
    return email


def check_role(role: str) -> str:
    """`role` if it is one of ROLES, else InvalidValue."""
    if role not in ROLES:
        raise InvalidValue(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    return role


def get_user(s: Session, user_id: int) -> User:
    """The user with this id, or NotFound."""
    user = s.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def find_user_by_email(s: Session, email: str) -> User | None:
    """The user with this e-mail (case-insensitive), if any."""
    return s.scalar(select(User).where(User.email == (email or "").strip().lower()))


def list_users(s: Session) -> list[User]:
    """Every user, by e-mail."""
    return list(s.scalars(select(User).options(selectinload(User.groups)).order_by(User.email)))


def count_users(s: Session, role: str | None = None) -> int:
    """How many users there are (with this role, if given)."""
    q = select(func.count(User.id))
    if role:
        q = q.where(User.role == role)
    return int(s.scalar(q) or 0)


def ensure_groups(s: Session, names: Iterable[str]) -> list[Group]:
    """The groups with these names, created where missing."""
    groups = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if not GROUP_RE.match(name):
            raise InvalidValue(f"invalid group name: {name!r}")
        group = s.scalar(select(Group).where(Group.name == name))
        if group is None:
            group = Group(name=name)
            s.add(group)
            s.flush()
        groups.append(group)
    return groups


def list_groups(s: Session) -> list[Group]:
    """Every group, by name."""
    return list(s.scalars(select(Group).order_by(Group.name)))


def create_user(
    s: Session,
    email: str,
    password_hash: str,
    role: str = "viewer",
    groups: Iterable[str] = (),
    name: str = "",
    locale: str = "fr",
) -> User:
    """A new user (AlreadyExists when the e-mail is taken, InvalidValue for bad input)."""
    email = normalise_email(email)
    check_role(role)
    if find_user_by_email(s, email) is not None:
        raise AlreadyExists(f"a user with e-mail {email} already exists")
    user = User(
        email=email,
        name=name.strip()[:200],
        password_hash=password_hash,
        role=role,
        locale=locale if locale in ("fr", "en") else "fr",
    )
    user.groups = ensure_groups(s, groups)
    s.add(user)
    s.flush()
    return user


def update_user(
    s: Session,
    user: User,
    *,
    role: str | None = None,
    groups: Iterable[str] | None = None,
    disabled: bool | None = None,
) -> User:
    """Change role, groups or the disabled flag; disabling ends the user's sessions."""
    if role is not None:
        user.role = check_role(role)
    if groups is not None:
        user.groups = ensure_groups(s, groups)
    if disabled is not None and disabled != user.disabled:
        user.disabled = disabled
        end_all_access(s, user)
    s.flush()
    return user


def end_all_access(s: Session, user: User) -> int:
    """End every session of the user, revoke their personal API tokens and, through the
    session epoch their embed tokens carry, the embed tokens they issued. Returns the
    number of API tokens revoked."""
    from sqlalchemy import update

    user.session_epoch += 1
    result = s.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def revoke_session(s: Session, sid: str) -> None:
    """Remember that the session `sid` was ended (signing out); old entries are dropped."""
    from sqlalchemy import delete

    from studio.store.models import RevokedSession

    cutoff = datetime.now(UTC) - timedelta(days=SESSION_MAX_DAYS + 1)
    s.execute(delete(RevokedSession).where(RevokedSession.revoked_at < cutoff))
    if s.get(RevokedSession, sid) is None:
        s.add(RevokedSession(sid=sid))


def session_revoked(s: Session, sid: str) -> bool:
    """True when the session `sid` was ended by signing out."""
    from studio.store.models import RevokedSession

    return s.get(RevokedSession, sid) is not None


def set_password(s: Session, user: User, password_hash: str) -> None:
    """Replace the password hash and end every open session of the user."""
    user.password_hash = password_hash
    end_all_access(s, user)
    s.flush()


def set_locale(s: Session, user: User, locale: str) -> None:
    """Remember the user's interface language."""
    if locale not in ("fr", "en"):
        raise InvalidValue(f"unknown language {locale!r}")
    user.locale = locale
    s.flush()


def add_token(s: Session, user: User, token_hash: str, prefix: str, label: str = "") -> ApiToken:
    """Store a new API token's hash for `user`."""
    row = ApiToken(user_id=user.id, token_hash=token_hash, prefix=prefix, label=label)
    s.add(row)
    s.flush()
    return row


def user_for_token(s: Session, token_hash: str) -> User | None:
    """The active user owning the unrevoked token with this hash, if any (records its use)."""
    row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))
    if row is None or row.revoked_at is not None:
        return None
    user = s.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    row.last_used_at = datetime.now(UTC)
    return user


def list_tokens(s: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    q = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(s.scalars(q))


def revoke_token(s: Session, user: User, token_id: int) -> None:
    """Revoke one of the user's tokens (NotFound when it is not theirs)."""
    row = s.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"no token {token_id}")
    row.revoked_at = datetime.now(UTC)
