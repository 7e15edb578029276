"""Fixtures: an app on a temporary instance, a client, actors, and helpers to act as them.

`STUDIO_TEST_DATABASE_URL` (e.g. PostgreSQL) runs the same tests on another database: each
app gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from studio import accounts, create_app
from studio.store import Database, migrate

# Optional larger real files beside the checkout; tests that need real data use the copy
# shipped in studio/data, so a fresh clone runs every test.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# The real open data shipped with Studio (always there): boundaries, RSA and population series
PASSWORD = "correct horse battery staple"
ROLES = ("viewer", "editor", "admin")


def pytest_setup_options():  # noqa: ANN201
    """Chromium options for dash_duo: headless as root, no network chatter."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for arg in (
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        "--lang=fr-FR",
    ):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(path):
            options.binary_location = path
            break
    return options


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty metadata database for one test."""
    base = os.environ.get("STUDIO_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'studio.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


class BrowserClient(FlaskClient):
    """A test client that sends what a browser on Studio's own pages sends
    (`Sec-Fetch-Site: same-origin`); `cross_site()` gives one sending what a page of another
    site would, and `bare()` one sending neither (a script with a stolen cookie)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_SEC_FETCH_SITE"] = "same-origin"

    def cross_site(self, origin: str = "https://evil.example") -> BrowserClient:
        self.environ_base["HTTP_SEC_FETCH_SITE"] = "cross-site"
        self.environ_base["HTTP_ORIGIN"] = origin
        return self

    def bare(self) -> BrowserClient:
        self.environ_base.pop("HTTP_SEC_FETCH_SITE", None)
        self.environ_base.pop("HTTP_ORIGIN", None)
        return self


@pytest.fixture
def make_app(tmp_path: Path, database_url: str) -> Iterator[Callable[..., Any]]:
    """Build apps on the test's instance; keyword arguments override settings."""
    made: list[Any] = []

    def factory(**config: Any) -> Any:
        base = {
            "instance": tmp_path / "instance",
            "database_url": database_url,
            "secret_key": secrets.token_urlsafe(48),
            "testing": True,
        }
        if os.environ.get("STUDIO_TEST_REDIS_URL"):
            # The Redis pass of `.ci/run`: caches and login limits in Redis, under a prefix
            # of this test's own (tests share the server, never its keys).
            base["redis_url"] = os.environ["STUDIO_TEST_REDIS_URL"]
            base["redis_prefix"] = f"test:{uuid.uuid4().hex[:12]}:"
        base.update(config)
        migrate(Database(base["database_url"]))
        app = create_app(base)
        app.server.test_client_class = BrowserClient
        made.append(app)
        return app

    yield factory
    for app in made:
        app.server.extensions["studio"]["db"].dispose()


@pytest.fixture
def app(make_app: Callable[..., Any]) -> Any:
    """The app with its default test settings."""
    return make_app()


@pytest.fixture
def server(app: Any) -> Any:
    """The Flask server of the app."""
    return app.server


@pytest.fixture
def client(server: Any) -> Any:
    """A Flask test client (anonymous until it signs in)."""
    return server.test_client()


@pytest.fixture
def users(server: Any) -> dict[str, dict[str, Any]]:
    """One user per role, all with PASSWORD; the viewer and editor are in group CD53."""
    db = server.extensions["studio"]["db"]
    made: dict[str, dict[str, Any]] = {}
    with db.session() as s:
        for role in ROLES:
            email = f"{role}@example.org"
            groups = ["CD53"] if role != "admin" else []
            user, _ = accounts.create_account(s, email, role, groups, PASSWORD, role.title())
            made[role] = {"id": user.id, "email": email, "password": PASSWORD, "role": role}
    return made


def csrf_from(html: str) -> str:
    """The CSRF token in a server-rendered form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    """Post the sign-in form like a browser does; return the response."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def login(server: Any, users: dict[str, dict[str, Any]]) -> Callable[[str], Any]:
    """A new client signed in as the user of a role ("anonymous": signed out)."""

    def as_role(role: str) -> Any:
        client = server.test_client()
        if role == "anonymous":
            return client
        response = sign_in(client, users[role]["email"])
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return as_role


def _output_spec(key: str) -> list[dict[str, str]] | dict[str, str]:
    if key.startswith(".."):
        parts = key[2:-2].split("...")
        return [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]
    cid, prop = key.rsplit(".", 1)
    return {"id": cid, "property": prop}


def find_callback(app: Any, output: str) -> str:
    """The callback-map key of the callback writing `output` (an "id.property" prefix)."""
    keys = [k for k in app.callback_map if output in k]
    assert keys, f"no callback writes {output}: {sorted(app.callback_map)}"
    return keys[0]


def call_callback(
    client: Any,
    app: Any,
    output: str,
    inputs: list[Any],
    state: list[Any] | None = None,
    changed: int = 0,
) -> Any:
    """POST to /_dash-update-component as the browser would, for the callback writing `output`."""
    key = find_callback(app, output)
    spec = app.callback_map[key]
    ins = [dict(i, value=v) for i, v in zip(spec["inputs"], inputs, strict=True)]
    sts = [dict(i, value=v) for i, v in zip(spec["state"], state or [], strict=True)]
    body = {
        "output": key,
        "outputs": _output_spec(key),
        "inputs": ins,
        "state": sts,
        "changedPropIds": [f"{ins[changed]['id']}.{ins[changed]['property']}"] if ins else [],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def render_page(client: Any, app: Any, path: str) -> Any:
    """The JSON response of Dash's page-routing callback for `path`."""
    key = find_callback(app, "_pages_content.children")
    spec = app.callback_map[key]
    values = {"pathname": path, "search": "", "hash": ""}
    ins = [dict(i, value=values.get(i["property"])) for i in spec["inputs"]]
    sts = [dict(i, value=None) for i in spec["state"]]
    body = {
        "output": key,
        "outputs": _output_spec(key),
        "inputs": ins,
        "state": sts,
        "changedPropIds": [f"{ins[0]['id']}.{ins[0]['property']}"],
    }
    return client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


class LocalFiles:
    """Files served over HTTP on 127.0.0.1 during a test (".html" paths as web pages, others
    as CSV); other paths answer 500.

    Change `files` to serve new content (a remote export that was updated)."""

    def __init__(self, files: dict[str, bytes], port: int) -> None:
        self.files = dict(files)
        self.port = port

    def url(self, path: str) -> str:
        """The address of `path` (e.g. "/export.csv") on this server."""
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def serve_files(files: dict[str, bytes]) -> Iterator[LocalFiles]:
    """Serve `files` (path -> bytes) on a free local port while the block runs."""
    served: list[LocalFiles] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = served[0].files.get(self.path)
            if body is None:
                self.send_error(500)
                return
            self.send_response(200)
            html = self.path.endswith(".html")
            self.send_header("Content-Type", "text/html; charset=utf-8" if html else "text/csv")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.append(LocalFiles(files, httpd.server_port))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield served[0]
    finally:
        httpd.shutdown()
        httpd.server_close()
