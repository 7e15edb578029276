"""The guard in front of every route, and security headers on every response."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import call_callback, render_page

from studio.security.guard import is_public

# Routes anyone may reach. Everything else must refuse an anonymous request.
ALLOW_LISTED = {
    "/login",
    "/logout",
    "/healthz",
    "/readyz",
    "/favicon.ico",
    "/_favicon.ico",
    "/embed.js",
}
# /embed/ serves anonymous visitors: its page and callbacks check tokens (tests/test_embeds.py).
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/vendor/", "/static/", "/embed/")


def _concrete(rule: str) -> str:
    """A URL matching a Flask rule, with placeholders filled in."""
    path = re.sub(r"<(?:[a-z]+:)?fingerprinted_path>", "deps/polyfill@7.12.1.min.js", rule)
    path = re.sub(r"<(?:[a-z]+:)?package_name>", "dash", path)
    path = re.sub(r"<(?:[a-z]+:)?filename>", "bootstrap.min.css", path)
    path = re.sub(r"<int:[a-z_]+>", "1", path)
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "x", path)


def all_routes(app: Any) -> list[tuple[str, str]]:
    """(url, method) for every registered Flask route and every Dash page."""
    routes = []
    for rule in app.server.url_map.iter_rules():
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS", "HEAD"})[0]
        routes.append((_concrete(rule.rule), method))
    import dash

    routes += [(page["path"], "GET") for page in dash.page_registry.values()]
    return sorted(set(routes))


def test_every_route_refuses_anonymous_unless_allow_listed(app: Any, client: Any) -> None:
    routes = all_routes(app)
    assert len(routes) >= 12, routes
    for url, method in routes:
        response = client.open(url, method=method)
        public = url in ALLOW_LISTED or url.startswith(PUBLIC_PREFIXES)
        assert public == is_public(url) or url.startswith("/static/"), url
        if public:
            assert response.status_code not in (401, 403), (url, response.status_code)
            continue
        if url.startswith(("/api/", "/_dash-")):
            assert response.status_code == 401, (url, response.status_code)
            assert "error" in response.get_json(), url
        else:
            assert response.status_code == 302, (url, response.status_code)
            assert response.headers["Location"].startswith("/login?next="), url


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_signed_in_users_reach_the_app(login: Any, app: Any, role: str) -> None:
    client = login(role)
    for url in ("/", "/_dash-layout", "/_dash-dependencies", "/api/v1/me"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("role", "sees_admin"), [("viewer", False), ("editor", False), ("admin", True)]
)
def test_admin_page_content_by_role(login: Any, app: Any, role: str, sees_admin: bool) -> None:
    client = login(role)
    response = render_page(client, app, "/admin")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert ("admin-create-submit" in body) is sees_admin
    assert ("admin-forbidden" in body) is not sees_admin


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_home_page_has_an_empty_state_saying_what_to_do(login: Any, app: Any, role: str) -> None:
    body = render_page(login(role), app, "/").get_data(as_text=True)
    assert "Votre catalogue est vide" in body
    expected = "importer un jeu de donn" if role != "viewer" else "Demandez"
    assert expected in body


def test_navbar_shows_admin_link_only_to_admins(login: Any, app: Any) -> None:
    client = login("editor")
    assert "shell-nav-admin" not in client.get("/_dash-layout").get_data(as_text=True)


def test_security_headers_on_every_response(app: Any, client: Any, login: Any) -> None:
    urls = [url for url, method in all_routes(app) if method == "GET"]
    for c in (client, login("admin")):
        for url in urls:
            response = c.get(url)
            headers = response.headers
            assert headers["X-Frame-Options"] == "DENY", url
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url
            assert headers["X-Content-Type-Options"] == "nosniff", url
            assert headers["Referrer-Policy"], url


def test_unknown_api_route_is_json(login: Any) -> None:
    response = login("viewer").get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert "error" in response.get_json()


ADMIN_CALLBACKS = [
    (
        "admin-create-message.children",
        ["x", "new@example.org", "New", "admin", "", "a long password"],
    ),
    ("admin-edit-role.value", [1]),
    ("..admin-edit-message.children...admin-users", [1, 1, "viewer", "", True]),
    ("admin-edit-message.children@", [1, 1]),
]


def _admin_args(args: list[Any]) -> tuple[list[Any], list[Any]]:
    return args[:1], args[1:]


@pytest.mark.parametrize("role", ["anonymous", "viewer", "editor"])
@pytest.mark.parametrize(("output", "args"), ADMIN_CALLBACKS)
def test_admin_callbacks_refused_for_non_admins(
    login: Any, app: Any, server: Any, users: dict, role: str, output: str, args: list[Any]
) -> None:
    client = login(role)
    inputs, state = _admin_args(args)
    response = call_callback(client, app, output, inputs, state)
    assert response.status_code == (401 if role == "anonymous" else 403)
    from studio.store import users as repo

    with server.extensions["studio"]["db"].session() as s:
        emails = [u.email for u in repo.list_users(s)]
        admin = repo.get_user(s, users["admin"]["id"])
        assert "new@example.org" not in emails
        assert admin.role == "admin" and not admin.disabled
