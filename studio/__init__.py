"""Studio: a no-code dashboard and data-story builder. `create_app` builds the Dash app."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import dash
from flask import Flask, g, jsonify, redirect, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from studio.config import ConfigError, Settings, load_settings, resolve_secret_key
from studio.i18n import t
from studio.security import inputs
from studio.security.actor import AnonymousActor
from studio.security.guard import is_public, wants_json
from studio.security.headers import apply_cache_control, apply_security_headers
from studio.security.policy import PermissionDenied
from studio.security.ratelimit import LoginLimiter, make_counter
from studio.store import Database, NotFound, is_initialised

__all__ = ["create_app", "ConfigError"]

log = logging.getLogger("studio")
ROOT = Path(__file__).resolve().parent
ASSETS = ROOT.parent / "assets"


def create_app(config: dict[str, Any] | None = None) -> dash.Dash:
    """The Dash app (its Flask server at `.server`), configured from env then `config`."""
    settings = load_settings(config)
    secret_key = resolve_secret_key(settings)
    db = Database(settings.resolved_database_url)
    if not is_initialised(db):
        raise ConfigError(
            f"The database at {db.engine.url.render_as_string(hide_password=True)} is not "
            "initialised. Run `studio init` first (or `make run`, which does it)."
        )
    server = _make_server(settings, secret_key, db)
    from studio.components import widget_texts

    widget_texts.install()
    app = dash.Dash(
        "studio",
        server=server,
        use_pages=True,
        pages_folder="pages",
        assets_folder=str(ASSETS),
        external_stylesheets=["/vendor/bootstrap.min.css"],
        suppress_callback_exceptions=True,
        serve_locally=True,
        title="Studio",
        update_title=None,
        compress=False,
    )
    from studio.pages import _row_rules, _sharing, _shell

    app.layout = _shell.layout
    _shell.register_callbacks(app)
    _sharing.register_callbacks(app)
    _row_rules.register_callbacks(app)
    with server.test_request_context("/"):
        # Bind the `dash.callback`s of the page modules to this app now, not at its first
        # request, so that several apps in one process (tests) each get their own.
        app._setup_server()
    from studio.pages._embed import create_embed_app

    embed_app = create_embed_app(server)
    with server.test_request_context("/embed/"):
        embed_app._setup_server()
    server.extensions["studio"]["dash"] = app
    server.extensions["studio"]["embed_dash"] = embed_app
    inputs.guard_callbacks(server, {"/": app, "/embed/": embed_app})
    return app


def _make_server(settings: Settings, secret_key: str, db: Database) -> Flask:
    server = Flask("studio", root_path=str(ROOT))
    inputs.install(server)  # before any route: bounded <int:…> ids, depth-checked JSON
    server.config.update(
        SECRET_KEY=secret_key,
        SESSION_COOKIE_NAME="studio_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        TESTING=settings.testing,
    )
    server.session_interface = _SecureWhenHttps()
    if settings.proxy_fix:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    from studio.datasources import make_cache

    counter = make_counter(settings.redis_url or None)
    server.extensions["studio"] = {
        "settings": settings,
        "db": db,
        "query_cache": make_cache(
            settings.redis_url or None, max_bytes=settings.query_cache_mb * 1024**2
        ),
        "login_limiter": LoginLimiter(
            counter,
            settings.login_max_per_account,
            settings.login_max_per_address,
            settings.login_window_seconds,
        ),
    }
    _init_login(server, db)
    _init_guard(server, settings)
    from studio.api import bp as api_bp
    from studio.pages._auth import bp as web_bp
    from studio.pages._outlines import bp as outlines_bp
    from studio.pages._story_images import bp as story_images_bp

    server.register_blueprint(web_bp)
    server.register_blueprint(outlines_bp)
    server.register_blueprint(api_bp)
    server.register_blueprint(story_images_bp)
    return server


def _init_login(server: Flask, db: Database) -> None:
    from flask import session

    from studio import accounts
    from studio.store import users as users_repo
    from studio.store.models import User

    manager = LoginManager()
    manager.session_protection = "strong"
    manager.anonymous_user = AnonymousActor
    manager.init_app(server)

    @manager.user_loader
    def load_user(session_id: str):  # noqa: ANN202
        try:
            user_id, epoch = (int(part) for part in session_id.split(":"))
        except ValueError:
            return None
        sid, since = session.get("sid"), session.get("since")
        if not isinstance(sid, str) or not isinstance(since, int):
            return None  # a session from before server-side sign-out: sign in again
        if time.time() - since > users_repo.SESSION_MAX_DAYS * 86400:
            return None
        with db.session() as s:
            if users_repo.session_revoked(s, sid[:64]):
                return None  # signed out: a copied cookie no longer works
            user = s.get(User, user_id)
            if user is None or user.disabled or user.session_epoch != epoch:
                return None
            return accounts.actor_of(user)

    @manager.request_loader
    def load_from_token(req):  # noqa: ANN001, ANN202
        header = req.headers.get("Authorization", "")
        if not req.path.startswith("/api/") or not header.startswith("Bearer "):
            return None
        with db.session() as s:
            user = accounts.user_for_token(s, header[7:].strip())
            return accounts.actor_of(user, via_token=True) if user else None


def _init_guard(server: Flask, settings: Settings) -> None:
    from flask_login import current_user

    from studio import runtime

    @server.before_request
    def guard() -> Response | None:
        path = request.path
        if is_public(path):
            return None
        if current_user.is_authenticated:
            return _cross_site(current_user)
        if wants_json(path):
            return _json_error(401, t("error.auth_required", runtime.locale()))
        target = request.full_path.rstrip("?")
        return redirect(f"/login?next={_quote(target)}")

    @server.after_request
    def headers(response: Response) -> Response:
        tile_origin = _origin(settings.tile_url)
        apply_cache_control(response, request.path, request.args)
        return apply_security_headers(response, g.get("frame_ancestors", ()), tile_origin)

    @server.errorhandler(PermissionDenied)
    def forbidden(exc: PermissionDenied) -> Response:
        return _json_error(403, t("error.forbidden", runtime.locale()))

    @server.errorhandler(NotFound)
    def not_found(_exc: NotFound) -> Response:
        return _json_error(404, t("error.not_found", runtime.locale()))

    @server.errorhandler(dash.exceptions.DependencyException)
    def unknown_asset(_exc: Exception) -> Response:
        return _json_error(404, t("error.not_found", runtime.locale()))

    @server.errorhandler(413)
    def too_large(_exc: Exception) -> Response:
        mb = settings.max_upload_mb
        return _json_error(
            413,
            f"Fichier trop volumineux : la limite est de {mb} Mo. / "
            f"File too large: the limit is {mb} MB.",
        )

    @server.errorhandler(500)
    def internal(exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return _json_error(500, t("error.internal", runtime.locale()))


def _cross_site(actor: Any) -> Response | None:
    """403 for a state-changing API or callback request carried by a session cookie that
    does not come from Studio's own pages (bearer tokens are not sent by browsers on their
    own, so they are not concerned)."""
    from flask import session

    from studio import runtime
    from studio.security.origins import same_origin_request

    if getattr(actor, "via_token", False) or not wants_json(request.path):
        return None
    expected = session.get("csrf_token")
    for own in (request.host_url.rstrip("/"), runtime.settings().public_base_url):
        if same_origin_request(request.method, request.headers, own, expected):
            return None
    return _json_error(403, t("error.cross_site", runtime.locale()), code="csrf")


class _SecureWhenHttps(SecureCookieSessionInterface):
    """Session cookies get `Secure` when configured, or whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (request and request.is_secure))


def _json_error(status: int, message: str, **extra: Any) -> Response:
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


def _quote(target: str) -> str:
    from urllib.parse import quote

    return quote(target, safe="/")


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    if not url:
        return ""
    parts = urlsplit(
        url.replace("{s}", "*").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0")
    )
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
