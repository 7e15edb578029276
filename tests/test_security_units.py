"""Password hashing, API token hashing, the permission function, safe redirects, limits."""

from __future__ import annotations

import pytest

from studio.security.actor import Actor, AnonymousActor
from studio.security.guard import is_public, safe_next, wants_json
from studio.security.passwords import (
    WeakPassword,
    generate_password,
    hash_password,
    verify_password,
)
from studio.security.policy import PermissionDenied, allowed, ensure
from studio.security.ratelimit import LoginLimiter, MemoryCounter, RedisCounter
from studio.security.tokens import generate_token, hash_token, looks_like_token


def test_password_hash_is_argon2id_and_verifies() -> None:
    h = hash_password("a long enough password")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "a long enough password")
    assert not verify_password(h, "a long enough passworD")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not a hash", "anything at all")


def test_short_password_refused() -> None:
    with pytest.raises(WeakPassword):
        hash_password("short")


def test_generated_passwords_are_distinct_and_long() -> None:
    pwds = {generate_password() for _ in range(50)}
    assert len(pwds) == 50
    assert all(len(p) >= 20 for p in pwds)


def test_token_hash() -> None:
    token = generate_token()
    assert looks_like_token(token)
    assert hash_token(token) == hash_token(token)
    assert hash_token(token) != hash_token(generate_token())
    assert len(hash_token(token)) == 64
    assert token not in hash_token(token)


def _actor(role: str) -> Actor:
    return Actor(id=1, email=f"{role}@x.org", role=role)


@pytest.mark.parametrize(
    ("role", "action", "area", "expected"),
    [
        ("viewer", "view", "app", True),
        ("viewer", "manage", "users", False),
        ("editor", "manage", "users", False),
        ("admin", "manage", "users", True),
        ("viewer", "create", "datasets", False),
        ("editor", "create", "datasets", True),
        ("admin", "create", "dashboards", True),
    ],
)
def test_allowed_on_areas(role: str, action: str, area: str, expected: bool) -> None:
    assert allowed(_actor(role), action, area) is expected


def test_anonymous_is_allowed_nothing() -> None:
    anon = AnonymousActor()
    assert not allowed(anon, "view", "app")
    with pytest.raises(PermissionDenied):
        ensure(anon, "view", "app")


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        allowed(_actor("admin"), "destroy", "app")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/admin", "/admin"),
        ("/dashboards/3?x=1", "/dashboards/3?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/login", "/"),
        (None, "/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_public_and_json_paths() -> None:
    assert is_public("/login") and is_public("/assets/studio.css")
    assert not is_public("/admin") and not is_public("/_dash-layout")
    assert wants_json("/_dash-update-component") and wants_json("/api/v1/me")
    assert not wants_json("/admin")


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_login_limiter(backend: str) -> None:
    import uuid

    if backend == "redis":
        counter = RedisCounter("redis://127.0.0.1:6379/0", prefix=f"test:{uuid.uuid4().hex}:")
        try:
            counter.count("x", 10)
        except Exception:  # noqa: BLE001
            pytest.skip("Redis not reachable")
    else:
        counter = MemoryCounter()
    limiter = LoginLimiter(counter, per_account=3, per_address=5, window=60)
    for _ in range(3):
        assert not limiter.blocked("a@x.org", "1.1.1.1")
        limiter.failed("a@x.org", "1.1.1.1")
    assert limiter.blocked("A@x.org", "1.1.1.1")  # this account from this address
    assert not limiter.blocked("a@x.org", "2.2.2.2")  # the owner, elsewhere, still may
    assert not limiter.blocked("b@x.org", "2.2.2.2")
    limiter.failed("b@x.org", "1.1.1.1")
    limiter.failed("c@x.org", "1.1.1.1")
    assert limiter.blocked("d@x.org", "1.1.1.1")  # per address, whatever the account
    limiter.succeeded("a@x.org", "1.1.1.1")
    assert not limiter.blocked("a@x.org", "3.3.3.3")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://www.CD53.fr/", "https://www.cd53.fr"),
        (" http://localhost:8080 ", "http://localhost:8080"),
        ("https://a-b.example.org:443", "https://a-b.example.org:443"),
        ("https://www.cd53.fr/accueil", None),
        ("https://*.cd53.fr", None),
        ("*", None),
        ("ftp://cd53.fr", None),
        ("https://user@cd53.fr", None),
        ("https://cd53.fr?x=1", None),
        ("https://cd53.fr:99999", None),
        ("javascript:alert(1)", None),
        ("https://cd53.fr;script-src", None),
        ("", None),
    ],
)
def test_canonical_origin(text: str, expected: str | None) -> None:
    from studio.security.origins import canonical_origin

    assert canonical_origin(text) == expected
