"""Sign-in, sessions, rate limits, disabled users and API tokens, through the Flask client."""

from __future__ import annotations

from typing import Any

from conftest import PASSWORD, csrf_from, sign_in

from studio import accounts
from studio.store import users as repo


def _db(server: Any) -> Any:
    return server.extensions["studio"]["db"]


def test_login_page_is_french_by_default_and_english_on_request(client: Any) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert "Connexion" in page and 'lang="fr"' in page
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in page and 'lang="en"' in page


def test_sign_in_and_out(client: Any, users: dict) -> None:
    response = sign_in(client, users["viewer"]["email"])
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/api/v1/me").get_json()["email"] == "viewer@example.org"
    with client.session_transaction() as sess:
        csrf = sess["csrf_token"]
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_logout_without_csrf_token_is_refused(login: Any) -> None:
    client = login("viewer")
    assert client.post("/logout").status_code == 400
    assert client.get("/api/v1/me").status_code == 200


def test_wrong_password_gives_clear_message(client: Any, users: dict) -> None:
    response = sign_in(client, users["viewer"]["email"], "not the password")
    assert response.status_code == 200  # the form again, with the message
    assert "E-mail ou mot de passe incorrect" in response.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_unknown_account_gives_the_same_message(client: Any, users: dict) -> None:
    response = sign_in(client, "nobody@example.org", "whatever password")
    assert response.status_code == 200
    assert "E-mail ou mot de passe incorrect" in response.get_data(as_text=True)


def test_missing_csrf_token_refused(client: Any, users: dict) -> None:
    response = client.post("/login", data={"email": users["viewer"]["email"], "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_session_is_cleared_at_login(client: Any, users: dict) -> None:
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    sign_in(client, users["viewer"]["email"])
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_next_parameter_is_followed_only_when_local(client: Any, users: dict) -> None:
    page = client.get("/login?next=/admin").get_data(as_text=True)
    token = csrf_from(page)
    response = client.post(
        "/login",
        data={
            "email": users["admin"]["email"],
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example/",
        },
    )
    assert response.headers["Location"] == "/"


def test_rate_limit_per_account(make_app: Any) -> None:
    app = make_app(login_max_per_account=3, login_max_per_address=100)
    server = app.server
    with _db(server).session() as s:
        accounts.create_account(s, "v@example.org", "viewer", password=PASSWORD)
    client = server.test_client()
    for _ in range(3):
        assert "incorrect" in sign_in(client, "v@example.org", "bad password!").get_data(
            as_text=True
        )
    blocked = sign_in(client, "v@example.org", PASSWORD)
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_an_attacker_cannot_lock_the_owner_out(make_app: Any) -> None:
    """Failures from one address block that address for that account, not the account's
    owner signing in from elsewhere; an attack spread over many addresses is still capped."""
    app = make_app(login_max_per_account=3, login_max_per_address=1000)
    server = app.server
    with _db(server).session() as s:
        accounts.create_account(s, "v@example.org", "viewer", password=PASSWORD)
    attacker = server.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    for _ in range(3):
        assert sign_in(attacker, "v@example.org", "bad password!").status_code == 200
    assert sign_in(attacker, "v@example.org", PASSWORD).status_code == 429
    owner = server.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert sign_in(owner, "v@example.org", PASSWORD).status_code == 302
    # 20 addresses × 3 failures = the account-wide cap: then every address waits
    for i in range(20):
        bot = server.test_client()
        bot.environ_base["REMOTE_ADDR"] = f"192.0.2.{i + 1}"
        for _ in range(3):
            sign_in(bot, "v@example.org", "bad password!")
    late = server.test_client()
    late.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    assert sign_in(late, "v@example.org", PASSWORD).status_code == 429


def test_rate_limit_per_address(make_app: Any) -> None:
    app = make_app(login_max_per_account=100, login_max_per_address=4)
    client = app.server.test_client()
    for i in range(4):
        assert sign_in(client, f"user{i}@example.org", "bad password!").status_code == 200
    assert sign_in(client, "someone@example.org", "bad password!").status_code == 429


def test_disabled_user_loses_access_on_next_request(login: Any, server: Any, users: dict) -> None:
    client = login("viewer")
    assert client.get("/api/v1/me").status_code == 200
    with _db(server).session() as s:
        repo.update_user(s, repo.get_user(s, users["viewer"]["id"]), disabled=True)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/").status_code == 302
    assert sign_in(server.test_client(), users["viewer"]["email"]).status_code != 302


def test_password_reset_ends_open_sessions(login: Any, server: Any, users: dict) -> None:
    client = login("editor")
    with _db(server).session() as s:
        accounts.reset_password(s, repo.get_user(s, users["editor"]["id"]))
    assert client.get("/api/v1/me").status_code == 401


def test_session_cookie_flags(client: Any, users: dict) -> None:
    response = sign_in(client, users["viewer"]["email"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests


def test_secure_cookie_when_https(make_app: Any) -> None:
    app = make_app(https=True)
    with _db(app.server).session() as s:
        accounts.create_account(s, "v@example.org", "viewer", password=PASSWORD)
    response = sign_in(app.server.test_client(), "v@example.org")
    assert "Secure" in response.headers["Set-Cookie"]


def test_bearer_token(server: Any, users: dict) -> None:
    with _db(server).session() as s:
        token = accounts.issue_token(s, repo.get_user(s, users["editor"]["id"]))
    client = server.test_client()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json() == {
        "email": "editor@example.org",
        "role": "editor",
        "groups": ["CD53"],
    }


def test_bearer_token_only_for_the_api(server: Any, users: dict) -> None:
    with _db(server).session() as s:
        token = accounts.issue_token(s, repo.get_user(s, users["admin"]["id"]))
    response = server.test_client().get("/admin", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 302


def test_revoked_and_bad_tokens_refused(server: Any, users: dict) -> None:
    with _db(server).session() as s:
        user = repo.get_user(s, users["viewer"]["id"])
        token = accounts.issue_token(s, user)
        token_id = repo.list_tokens(s, user)[0].id
        repo.revoke_token(s, user, token_id)
    client = server.test_client()
    for value in (token, "stu_forged-token-value-123456", "", "Basic abc"):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"})
        assert response.status_code == 401
        assert "error" in response.get_json()


def test_token_of_disabled_user_refused(server: Any, users: dict) -> None:
    with _db(server).session() as s:
        user = repo.get_user(s, users["viewer"]["id"])
        token = accounts.issue_token(s, user)
        repo.update_user(s, user, disabled=True)
    response = server.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_tokens_are_stored_hashed(server: Any, users: dict) -> None:
    from sqlalchemy import select

    from studio.store.models import ApiToken

    with _db(server).session() as s:
        token = accounts.issue_token(s, repo.get_user(s, users["viewer"]["id"]))
        stored = s.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored) == 1


def test_secure_cookie_whenever_the_request_is_https(client: Any, users: dict) -> None:
    page = client.get("/login", base_url="https://studio.example")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/login",
        base_url="https://studio.example",
        data={"email": users["viewer"]["email"], "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_tokens_list_create_revoke(login: Any) -> None:
    client = login("editor")
    created = client.post("/api/v1/tokens", json={"label": "tableur"})
    assert created.status_code == 201
    token = created.get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    listed = client.get("/api/v1/tokens").get_json()["tokens"]
    assert [t["label"] for t in listed] == ["tableur"] and token not in str(listed)
    fresh = login("editor").application.test_client()
    assert fresh.post("/api/v1/tokens", headers=bearer).status_code == 403  # no self-renewal
    assert client.delete(f"/api/v1/tokens/{listed[0]['id']}").status_code == 204
    assert fresh.get("/api/v1/me", headers=bearer).status_code == 401


def test_cannot_revoke_someone_elses_token(login: Any) -> None:
    editor = login("editor")
    token_id = (
        editor.post("/api/v1/tokens", json={}).get_json()
        and editor.get("/api/v1/tokens").get_json()["tokens"][0]["id"]
    )
    response = login("viewer").delete(f"/api/v1/tokens/{token_id}")
    assert response.status_code == 404
    assert editor.get("/api/v1/tokens").get_json()["tokens"][0]["revoked"] is False
