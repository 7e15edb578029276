"""The admin page's callbacks, called as the browser calls them."""

from __future__ import annotations

from typing import Any

from conftest import call_callback, sign_in

from studio.store import users as repo
from studio.store.audit import recent


def _db(server: Any) -> Any:
    return server.extensions["studio"]["db"]


def test_admin_creates_user_with_generated_password(login: Any, app: Any, server: Any) -> None:
    client = login("admin")
    response = call_callback(
        client,
        app,
        "..admin-create-message",
        [1],
        ["agent@cd53.fr", "Agent", "editor", "CD53, Observatoire", None],
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "agent@cd53.fr" in body and "Mot de passe g" in body
    with _db(server).session() as s:
        user = repo.find_user_by_email(s, "agent@cd53.fr")
        assert user.role == "editor"
        assert sorted(g.name for g in user.groups) == ["CD53", "Observatoire"]
        assert recent(s, 5)[0].action == "user_created"


def test_admin_create_errors_are_clear(login: Any, app: Any, users: dict) -> None:
    client = login("admin")
    cases = [
        (["viewer@example.org", "", "viewer", "", None], "existe d"),
        (["not-an-email", "", "viewer", "", None], "Adresse e-mail invalide"),
        (["ok@example.org", "", "viewer", "", "short"], "au moins 10 caract"),
        (["ok2@example.org", "", "viewer", "<script>", None], "Nom de groupe invalide"),
    ]
    for state, message in cases:
        response = call_callback(client, app, "..admin-create-message", [1], state)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), state


def test_admin_edits_role_groups_and_disables(
    login: Any, app: Any, server: Any, users: dict
) -> None:
    client = login("admin")
    viewer_id = users["viewer"]["id"]
    loaded = call_callback(client, app, "..admin-edit-role", [viewer_id]).get_json()
    assert loaded["response"]["admin-edit-role"]["value"] == "viewer"
    assert loaded["response"]["admin-edit-groups"]["value"] == "CD53"
    response = call_callback(
        client,
        app,
        "..admin-edit-message.children...admin-users",
        [1],
        [viewer_id, "editor", "CD72", True],
    )
    assert response.status_code == 200
    assert "Modifications enregistr" in response.get_data(as_text=True)
    with _db(server).session() as s:
        user = repo.get_user(s, viewer_id)
        assert (user.role, [g.name for g in user.groups], user.disabled) == (
            "editor",
            ["CD72"],
            True,
        )
    assert sign_in(server.test_client(), users["viewer"]["email"]).status_code != 302


def test_admin_cannot_lock_themselves_out(login: Any, app: Any, server: Any, users: dict) -> None:
    client = login("admin")
    admin_id = users["admin"]["id"]
    response = call_callback(
        client,
        app,
        "..admin-edit-message.children...admin-users",
        [1],
        [admin_id, "viewer", "", False],
    )
    assert "propre r" in response.get_data(as_text=True)
    with _db(server).session() as s:
        assert repo.get_user(s, admin_id).role == "admin"


def test_admin_resets_password(login: Any, app: Any, server: Any, users: dict) -> None:
    client = login("admin")
    other = server.test_client()
    sign_in(other, users["editor"]["email"])
    assert other.get("/api/v1/me").status_code == 200
    response = call_callback(
        client, app, "admin-edit-message.children@", [1], [users["editor"]["id"]]
    )
    assert "Mot de passe r" in response.get_data(as_text=True)
    assert other.get("/api/v1/me").status_code == 401  # their open session ended
    assert sign_in(server.test_client(), users["editor"]["email"]).status_code != 302


def test_language_choice_is_remembered_per_user(
    login: Any, app: Any, server: Any, users: dict
) -> None:
    client = login("viewer")
    response = call_callback(
        client, app, "shell-reload.href", [0, 1], ["/admin", "?a=1"], changed=1
    )
    assert response.status_code == 200
    assert response.get_json()["response"]["shell-reload"]["href"] == "/admin?a=1"
    with _db(server).session() as s:
        assert repo.get_user(s, users["viewer"]["id"]).locale == "en"
    assert "Sign out" in client.get("/_dash-layout").get_data(as_text=True)
