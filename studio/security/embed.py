"""Embed tokens: signed (HS256 only), expiring JWTs scoped to one dashboard or story.

A token's header names its key (`kid`); its claims are:

- `resource`: `{"type": "dashboard" | "story", "id": <int>}`, the one object it opens;
- `exp` and `iat` (both required): seconds since the epoch; `iat` not in the future, the
  lifetime `exp - iat` at most MAX_LIFETIME (a token without `iat` could not be dated);
- `locked_filters`: `{field: value or [values]}` applied to every query, never changeable;
- `groups` (optional, key-signed tokens): group names whose row-level rules apply;
- `sub` (tokens Studio issues itself): the id of the user who issued it, and `ep` their
  session epoch then (signing out everywhere or a password reset bumps it: the token dies).

Pure: no Flask, no database. `verify` takes a function that gives the secret of a key id
(None when the key is unknown or revoked).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

ALGORITHM = "HS256"
RESOURCE_TYPES = ("dashboard", "story")
MAX_LIFETIME = 30 * 24 * 3600
LEEWAY = 30
MAX_LOCKED_FIELDS = 20
MAX_LOCKED_VALUES = 200
MAX_TEXT = 500
MAX_GROUPS = 50
MAX_TOKEN_LENGTH = 8000


class EmbedTokenError(Exception):
    """A token that cannot be honoured; `status` is 401 (not valid) or 403 (not for this)."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class EmbedToken:
    """The verified claims of an embed token."""

    kid: str
    resource_type: str
    resource_id: int
    exp: int
    iat: int | None = None
    sub: int | None = None
    epoch: int | None = None
    locked_filters: dict[str, list[Any]] = field(default_factory=dict)
    groups: tuple[str, ...] = ()


def issue(
    secret: str,
    kid: str,
    resource_type: str,
    resource_id: int,
    expires_in: int,
    locked_filters: Mapping[str, Any] | None = None,
    sub: int | None = None,
    groups: list[str] | None = None,
    now: float | None = None,
    epoch: int | None = None,
) -> str:
    """A signed token for one object, valid `expires_in` seconds (checked like a received one)."""
    if not 0 < expires_in <= MAX_LIFETIME:
        raise EmbedTokenError(f"expires_in must be between 1 and {MAX_LIFETIME} seconds", 400)
    if resource_type not in RESOURCE_TYPES:
        raise EmbedTokenError("resource type must be 'dashboard' or 'story'", 400)
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "resource": {"type": resource_type, "id": int(resource_id)},
        "locked_filters": clean_locked_filters(locked_filters or {}, status=400),
        "iat": issued,
        "exp": issued + int(expires_in),
    }
    if sub is not None:
        claims["sub"] = str(sub)
    if epoch is not None:
        claims["ep"] = int(epoch)
    if groups:
        claims["groups"] = _clean_groups(groups, status=400)
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": kid})


def key_id_of(token: str) -> str:
    """The `kid` of a token's header (unverified), after checking the token is HS256."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise EmbedTokenError("malformed token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise EmbedTokenError("malformed token") from None
    if header.get("alg") != ALGORITHM:
        raise EmbedTokenError("only HS256 tokens are accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise EmbedTokenError("the token header has no 'kid' (key id)")
    return kid


def verify(
    token: str,
    secret_of: Callable[[str], str | None],
    resource_type: str,
    resource_id: int,
    now: float | None = None,
) -> EmbedToken:
    """The claims of a valid token for exactly this object; EmbedTokenError otherwise."""
    kid = key_id_of(token)
    secret = secret_of(kid)
    if not secret:
        raise EmbedTokenError("unknown or revoked key")
    claims = _decode(token, secret, now)
    current = int(now if now is not None else time.time())
    issued = claims.get("iat")
    if not isinstance(issued, int) or isinstance(issued, bool):
        raise EmbedTokenError("the token has no 'iat' (issued at) claim")
    if issued > current + LEEWAY:
        raise EmbedTokenError("the token's 'iat' (issued at) is in the future")
    lifetime = int(claims["exp"]) - issued
    if lifetime > MAX_LIFETIME or int(claims["exp"]) - current > MAX_LIFETIME + LEEWAY:
        raise EmbedTokenError(f"tokens may live at most {MAX_LIFETIME // 86400} days")
    kind, ident = _resource(claims.get("resource"))
    if (kind, ident) != (resource_type, resource_id):
        raise EmbedTokenError("this token is for another object", 403)
    return EmbedToken(
        kid=kid,
        resource_type=kind,
        resource_id=ident,
        exp=int(claims["exp"]),
        iat=issued,
        sub=_sub(claims.get("sub")),
        epoch=claims["ep"] if isinstance(claims.get("ep"), int) else None,
        locked_filters=clean_locked_filters(claims.get("locked_filters") or {}),
        groups=tuple(_clean_groups(claims.get("groups") or [])),
    )


def _decode(token: str, secret: str, now: float | None) -> dict[str, Any]:
    options = {"require": ["exp", "iat"], "verify_aud": False}
    try:
        if now is None:
            return jwt.decode(token, secret, algorithms=[ALGORITHM], options=options, leeway=LEEWAY)
        # A fixed clock (tests): check the times against it, not the machine's.
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={**options, "verify_exp": False, "verify_iat": False},
        )
    except jwt.ExpiredSignatureError:
        raise EmbedTokenError("the token has expired") from None
    except jwt.MissingRequiredClaimError as exc:
        names = {"exp": "'exp' (expiry)", "iat": "'iat' (issued at)"}
        claim = names.get(exc.claim, repr(exc.claim))
        raise EmbedTokenError(f"the token has no {claim} claim") from None
    except jwt.ImmatureSignatureError:
        raise EmbedTokenError("the token's 'iat' (issued at) is in the future") from None
    except jwt.PyJWTError:
        raise EmbedTokenError("invalid token signature or claims") from None
    if not isinstance(claims.get("exp"), int) or claims["exp"] + LEEWAY < now:
        raise EmbedTokenError("the token has expired")
    return claims


def _resource(raw: Any) -> tuple[str, int]:
    if not isinstance(raw, Mapping):
        raise EmbedTokenError("the token has no 'resource' claim")
    kind, ident = raw.get("type"), raw.get("id")
    if kind not in RESOURCE_TYPES or not isinstance(ident, int) or isinstance(ident, bool):
        raise EmbedTokenError("'resource' must be {'type': 'dashboard'|'story', 'id': <int>}")
    return kind, ident


def _sub(raw: Any) -> int | None:
    if raw is None:
        return None
    text = str(raw)
    if not text.isdigit():
        raise EmbedTokenError("'sub' must be a user id")
    return int(text)


def clean_locked_filters(raw: Any, status: int = 401) -> dict[str, list[Any]]:
    """Locked filters as `{field: [values]}`; EmbedTokenError for any other shape."""
    if not isinstance(raw, Mapping) or len(raw) > MAX_LOCKED_FIELDS:
        raise EmbedTokenError(
            f"'locked_filters' must be an object of at most {MAX_LOCKED_FIELDS} fields", status
        )
    cleaned: dict[str, list[Any]] = {}
    for name, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if not isinstance(name, str) or not name or len(name) > 200:
            raise EmbedTokenError("locked filter names must be field names", status)
        if not values or len(values) > MAX_LOCKED_VALUES or not all(map(_scalar, values)):
            raise EmbedTokenError(
                f"locked filter {name!r} needs a value or a list of values "
                "(texts, numbers or booleans)",
                status,
            )
        cleaned[name] = list(values)
    return cleaned


def _scalar(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_TEXT
    return isinstance(value, bool | int | float) and value == value


def _clean_groups(raw: Any, status: int = 401) -> list[str]:
    if not isinstance(raw, list) or len(raw) > MAX_GROUPS:
        raise EmbedTokenError("'groups' must be a list of group names", status)
    if not all(isinstance(g, str) and 0 < len(g) <= 100 for g in raw):
        raise EmbedTokenError("'groups' must be a list of group names", status)
    return list(raw)
