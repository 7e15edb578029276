"""Session protection (STUDIO_SESSION_PROTECTION) and the trusted proxy hop count
(STUDIO_PROXY_HOPS): behind a load balancer or on a mobile network an address change no
longer signs the user out, and only the configured proxies' X-Forwarded-For is believed."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PASSWORD, csrf_from, sign_in

from studio import accounts, runtime
from studio.config import ConfigError, load_settings


def _with_user(app: Any) -> Any:
    server = app.server
    with server.extensions["studio"]["db"].session() as s:
        accounts.create_account(s, "ed@example.org", "editor", [], PASSWORD, "Ed")
    return server


def _client_from(server: Any, address: str, agent: str = "Firefox") -> Any:
    client = server.test_client()
    client.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    return client


@pytest.mark.parametrize("protection", [None, "basic", "none"])
def test_a_session_survives_an_address_change(make_app: Any, protection: str | None) -> None:
    config = {} if protection is None else {"session_protection": protection}
    server = _with_user(make_app(**config))
    client = _client_from(server, "192.0.2.10")
    assert sign_in(client, "ed@example.org").status_code == 302
    assert client.get("/api/v1/me").status_code == 200
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"  # another load balancer node, 4G
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["email"] == "ed@example.org"


def test_strong_protection_signs_out_on_an_address_change(make_app: Any) -> None:
    server = _with_user(make_app(session_protection="strong"))
    client = _client_from(server, "192.0.2.10")
    assert sign_in(client, "ed@example.org").status_code == 302
    assert client.get("/api/v1/me").status_code == 200
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert client.get("/api/v1/me").status_code == 401


def test_session_protection_setting_is_checked() -> None:
    assert load_settings(environ={}).session_protection == "basic"
    env = {"STUDIO_SESSION_PROTECTION": "strong"}
    assert load_settings(environ=env).session_protection == "strong"
    with pytest.raises(ConfigError, match="STUDIO_SESSION_PROTECTION must be"):
        load_settings(environ={"STUDIO_SESSION_PROTECTION": "paranoid"})


def test_proxy_hops_setting() -> None:
    assert load_settings(environ={}).trusted_proxy_hops == 0
    assert load_settings(environ={"STUDIO_PROXY_HOPS": "2"}).trusted_proxy_hops == 2
    assert load_settings(environ={"STUDIO_PROXY_FIX": "1"}).trusted_proxy_hops == 1  # legacy
    env = {"STUDIO_PROXY_FIX": "1", "STUDIO_PROXY_HOPS": "2"}
    assert load_settings(environ=env).trusted_proxy_hops == 2
    with pytest.raises(ConfigError, match="STUDIO_PROXY_HOPS"):
        load_settings(environ={"STUDIO_PROXY_HOPS": "-1"})
    with pytest.raises(ConfigError, match="whole number"):
        load_settings(environ={"STUDIO_PROXY_HOPS": "yes"})


def _address_seen(make_app: Any, forwarded: str, **config: Any) -> str:
    server = make_app(**config).server

    @server.get("/addr")
    def addr() -> str:
        from flask import request

        return f"{runtime.client_address()} {request.scheme}"

    _with_user_server(server)  # /addr is not public: sign in first
    client = _client_from(server, "127.0.0.1")
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
    client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
    assert sign_in(client, "ed@example.org").status_code == 302
    return client.get("/addr").get_data(as_text=True)


def _with_user_server(server: Any) -> None:
    with server.extensions["studio"]["db"].session() as s:
        accounts.create_account(s, "ed@example.org", "editor", [], PASSWORD, "Ed")


def test_no_proxy_by_default_forwarded_headers_are_ignored(make_app: Any) -> None:
    assert _address_seen(make_app, "6.6.6.6") == "127.0.0.1 http"


def test_one_trusted_hop_takes_the_address_the_proxy_appended(make_app: Any) -> None:
    # the client forged "6.6.6.6"; the proxy appended the real address it saw
    seen = _address_seen(make_app, "6.6.6.6, 203.0.113.5", proxy_hops=1)
    assert seen == "203.0.113.5 https"


def test_two_trusted_hops(make_app: Any) -> None:
    seen = _address_seen(make_app, "6.6.6.6, 203.0.113.5, 10.0.0.2", proxy_hops=2)
    assert seen == "203.0.113.5 https"


def test_forged_forwarded_for_does_not_evade_per_address_limits(make_app: Any) -> None:
    server = make_app(proxy_hops=1, login_max_per_address=3, login_max_per_account=100).server
    statuses = []
    for attempt in range(5):
        client = _client_from(server, "127.0.0.1")  # the proxy
        # a new forged value each time, then what the proxy appends: the real address
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"10.9.9.{attempt}, 203.0.113.5"
        form = client.get("/login").get_data(as_text=True)
        response = client.post(
            "/login",
            data={"email": f"u{attempt}@x.org", "password": "wrong", "csrf_token": csrf_from(form)},
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429, 429]


def test_a_change_of_role_ends_the_session(make_app: Any) -> None:
    from studio.store import users as repo
    from studio.store.models import User

    server = _with_user(make_app())
    db = server.extensions["studio"]["db"]
    client = _client_from(server, "192.0.2.10")
    assert sign_in(client, "ed@example.org").status_code == 302
    assert client.get("/api/v1/me").get_json()["role"] == "editor"
    copied = client.get_cookie("studio_session").value

    def set_role(role: str) -> None:
        with db.session() as s:
            repo.update_user(s, s.query(User).filter_by(email="ed@example.org").one(), role=role)

    set_role("admin")  # promoted: the old session must not carry the new rights
    assert client.get("/api/v1/me").status_code == 401
    assert sign_in(client, "ed@example.org").status_code == 302  # a new session
    assert client.get("/api/v1/me").get_json()["role"] == "admin"
    set_role("editor")
    other = _client_from(server, "192.0.2.10")
    other.set_cookie("studio_session", copied)
    assert other.get("/api/v1/me").status_code == 401  # the old cookie stays dead
