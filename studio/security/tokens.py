"""Personal API tokens: random, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "stu_"


def generate_token() -> str:
    """A new token with 256 bits of randomness and a recognisable prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token (tokens are random, so a fast hash is enough)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(value: str) -> bool:
    """True when `value` has the shape of a Studio token."""
    return value.startswith(TOKEN_PREFIX) and 20 < len(value) < 100
