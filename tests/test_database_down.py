"""The metadata database going away: 503 from an error path that needs no database.

API and callback requests get JSON `{"error": "Service momentanément indisponible…",
"code": "database_unavailable"}`, pages a plain HTML page in the request's language, both
with `Retry-After`; once the database is back, the same client is served again.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from studio import create_app
from studio.store import Database, migrate
from tests.conftest import BrowserClient, sign_in

PG_URL = os.environ.get(
    "STUDIO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _refuse(*_args: Any, **_kwargs: Any) -> Any:
    raise sa_exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


def _cut_database(server: Any, monkeypatch: Any) -> None:
    """Every new connection fails and the pooled ones are gone, as when PostgreSQL stops."""
    db = server.extensions["studio"]["db"]
    db.engine.dispose()
    monkeypatch.setattr(db.engine.pool, "connect", _refuse)


def test_api_answers_json_503_while_the_database_is_down(
    login: Any, server: Any, monkeypatch: Any
) -> None:
    client = login("editor")
    assert client.get("/api/v1/dashboards").status_code == 200
    _cut_database(server, monkeypatch)
    response = client.get("/api/v1/dashboards")
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == "database_unavailable"
    assert body["error"].startswith("Service momentanément indisponible")
    assert response.headers["Retry-After"] == "30"


def test_page_answers_plain_french_html_503(login: Any, server: Any, monkeypatch: Any) -> None:
    client = login("viewer")
    _cut_database(server, monkeypatch)
    response = client.get("/datasets")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Service momentanément indisponible" in page
    assert "La base de données de Studio ne répond pas" in page
    assert "Traceback" not in page


def test_sign_in_while_down_is_a_503_page_not_a_crash(
    server: Any, users: dict[str, Any], monkeypatch: Any
) -> None:
    client = server.test_client()
    assert client.get("/login").status_code == 200  # the form itself needs no database
    _cut_database(server, monkeypatch)
    response = sign_in(client, users["editor"]["email"])
    assert response.status_code == 503
    assert "Service momentanément indisponible" in response.get_data(as_text=True)


def test_locale_comes_from_the_session_not_the_user_record(
    login: Any, server: Any, monkeypatch: Any
) -> None:
    from studio.store.models import User

    db = server.extensions["studio"]["db"]
    with db.session() as s:
        s.query(User).filter_by(email="editor@example.org").update({"locale": "en"})
    client = login("editor")  # the sign-in stores the user's language in the session
    _cut_database(server, monkeypatch)
    body = client.get("/api/v1/dashboards").get_json()
    assert body["error"].startswith("Service temporarily unavailable")


def test_anonymous_locale_follows_accept_language(
    server: Any, users: dict[str, Any], monkeypatch: Any
) -> None:
    client = server.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.8"
    form = client.get("/login")
    _cut_database(server, monkeypatch)
    from tests.conftest import csrf_from

    token = csrf_from(form.get_data(as_text=True))
    response = client.post(
        "/login", data={"email": users["editor"]["email"], "password": "x", "csrf_token": token}
    )
    assert response.status_code == 503
    assert '<html lang="en">' in response.get_data(as_text=True)


def test_dash_callback_answers_json_503(login: Any, app: Any, monkeypatch: Any) -> None:
    from tests.conftest import render_page

    client = login("editor")
    _cut_database(app.server, monkeypatch)
    response = render_page(client, app, "/")
    assert response.status_code == 503
    assert response.get_json()["code"] == "database_unavailable"


def test_the_500_handler_needs_no_database(login: Any, server: Any, monkeypatch: Any) -> None:
    """A bug while the database is down: the 500 handler must not query it for the locale."""
    from flask import g

    server.config["PROPAGATE_EXCEPTIONS"] = False

    @server.get("/api/v1/boom")
    def boom() -> Any:
        g.pop("_login_user", None)  # the user would have to be loaded again: from the database
        _cut_database(server, monkeypatch)
        raise RuntimeError("bug")

    client = login("editor")
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.get_json()["error"].startswith("Une erreur inattendue")


def test_sqlite_file_gone_then_back(make_app: Any, tmp_path: Path) -> None:
    """A real SQLite database whose folder disappears (an unmounted volume), then returns."""
    from studio import accounts

    folder = tmp_path / "dbvolume"
    folder.mkdir()
    server = make_app(database_url=f"sqlite:///{folder / 'studio.db'}").server
    db = server.extensions["studio"]["db"]
    with db.session() as s:
        accounts.create_account(s, "ed@example.org", "editor", [], "x" * 16, "Ed")
    client = server.test_client()
    assert sign_in(client, "ed@example.org", "x" * 16).status_code == 302
    assert client.get("/api/v1/dashboards").status_code == 200
    db.engine.dispose()  # pooled connections would keep the old file open
    folder.rename(tmp_path / "unmounted")
    response = client.get("/api/v1/dashboards")
    assert response.status_code == 503
    assert response.get_json()["code"] == "database_unavailable"
    assert client.get("/readyz").get_json()["checks"]["database"] == "failed"
    (tmp_path / "unmounted").rename(folder)
    assert client.get("/api/v1/dashboards").status_code == 200


# --- A real PostgreSQL going away and coming back (through a proxy we can cut) ---------


class TcpProxy:
    """Forwards a local port to PostgreSQL; `stop()` drops every connection like a restart."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._running = False

    def start(self) -> None:
        if not self._running:
            if self.listener.fileno() == -1:
                self.listener = socket.create_server(("127.0.0.1", self.port))
            self._running = True
            threading.Thread(target=self._accept, daemon=True).start()

    def stop(self) -> None:
        self._running = False
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (Linux)
        except OSError:
            pass
        self.listener.close()
        with self._lock:
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self._conns.clear()

    def _accept(self) -> None:
        listener = self.listener
        while self._running:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if not self._running:
                client.close()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def pg_through_proxy() -> Iterator[tuple[str, TcpProxy]]:
    try:
        sa.create_engine(PG_URL).connect().close()
    except Exception:
        pytest.skip("PostgreSQL not reachable")
    url = sa.engine.make_url(PG_URL)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
    yield f"{proxied}?connect_timeout=2&options=-csearch_path%3D{schema}", proxy
    proxy.stop()
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_postgresql_restart_gives_503_then_the_pool_recovers(
    pg_through_proxy: tuple[str, TcpProxy], tmp_path: Path
) -> None:
    from studio import accounts

    url, proxy = pg_through_proxy
    migrate(Database(url))
    app = create_app(
        {
            "instance": tmp_path / "instance",
            "database_url": url,
            "secret_key": secrets.token_urlsafe(48),
            "testing": True,
        }
    )
    server = app.server
    server.test_client_class = BrowserClient
    db = server.extensions["studio"]["db"]
    try:
        with db.session() as s:
            accounts.create_account(s, "ed@example.org", "editor", [], "x" * 16, "Ed")
        client = server.test_client()
        assert sign_in(client, "ed@example.org", "x" * 16).status_code == 302
        assert client.get("/api/v1/dashboards").status_code == 200

        proxy.stop()  # PostgreSQL "restarts": pooled connections die, new ones are refused
        for _ in range(2):
            response = client.get("/api/v1/dashboards")
            assert response.status_code == 503, response.get_data(as_text=True)[:300]
            assert response.get_json()["code"] == "database_unavailable"
        assert server.test_client().get("/healthz").status_code == 503

        proxy.start()  # back: the pool reconnects by itself, the session still holds
        response = client.get("/api/v1/dashboards")
        assert response.status_code == 200
    finally:
        db.dispose()
