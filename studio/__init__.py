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
from sqlalchemy import exc as sa_exc
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
ASSETS = ROOT / "assets"  # package data: present in the wheel, found from any folder


def create_app(config: dict[str, Any] | None = None) -> dash.Dash:
    """The Dash app (its Flask server at `.server`), configured from env then `config`."""
    settings = load_settings(config)
    secret_key = resolve_secret_key(settings)
    db = Database(
        settings.resolved_database_url, settings.db_pool_size, settings.db_max_overflow
    )
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
    hops = settings.trusted_proxy_hops
    if hops:
        # Trust exactly `hops` proxies for the client address (each appends to
        # X-Forwarded-For), so a value the client forged is not believed; the scheme and
        # host are the ones the proxy nearest to Studio sets (proxies overwrite them).
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=hops, x_proto=1, x_host=1
        )
    from studio.datasources import make_cache

    counter = make_counter(settings.redis_url or None, f"{settings.redis_prefix}rl:")
    server.extensions["studio"] = {
        "settings": settings,
        "db": db,
        "query_cache": make_cache(
            settings.redis_url or None,
            prefix=f"{settings.redis_prefix}query:",
            max_bytes=settings.query_cache_mb * 1024**2,
        ),
        "login_limiter": LoginLimiter(
            counter,
            settings.login_max_per_account,
            settings.login_max_per_address,
            settings.login_window_seconds,
        ),
    }
    _init_login(server, db, settings.session_protection)
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


def _init_login(server: Flask, db: Database, protection: str = "basic") -> None:
    from flask import session

    from studio import accounts
    from studio.store import users as users_repo
    from studio.store.models import User

    manager = LoginManager()
    # "basic" by default: behind a load balancer or on a mobile network the client's address
    # changes; "strong" would sign the user out for good at each change.
    manager.session_protection = None if protection == "none" else protection
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
            role = session.get("role")
            if role is not None and role != user.role:
                # Privileges changed: this session ends (for good, even if the role comes
                # back) and the user signs in again, into a new session.
                users_repo.revoke_session(s, sid[:64])
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
        return apply_security_headers(
            response, g.get("frame_ancestors", ()), tile_origin, _script_hashes(server)
        )

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

    def unavailable(exc: Exception) -> Response:
        # Needs no database: the locale comes from the request, not the user's record.
        log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
        return _unavailable_response(request.path, runtime.locale_without_db())

    for error in DATABASE_DOWN:
        server.register_error_handler(error, unavailable)

    @server.errorhandler(500)
    def internal(exc: Exception) -> Response:
        original = getattr(exc, "original_exception", None)
        if isinstance(original, DATABASE_DOWN):
            return unavailable(original)
        log.exception("unhandled error", exc_info=original or exc)
        return _json_error(500, t("error.internal", _error_locale()))


# The metadata database is unreachable or restarting (connection refused, server closed the
# connection, pool exhausted, SQLite file unreadable): a 503 the client may retry, not a bug.
DATABASE_DOWN: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
)
RETRY_AFTER_SECONDS = 30


def _error_locale() -> str:
    """The locale for an error response: the signed-in user's when already loaded by this
    request, else the request's own (never a database query from an error path)."""
    from studio import runtime
    from studio.i18n import normalise_locale

    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return normalise_locale(getattr(user, "locale", None))
    return runtime.locale_without_db()


def _unavailable_response(path: str, locale: str) -> Response:
    """503 while the database is down: JSON for API and callback requests, else a plain page."""
    if wants_json(path):
        response = _json_error(503, t("error.unavailable", locale), code="database_unavailable")
    else:
        response = Response(_plain_page(locale), status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _plain_page(locale: str) -> str:
    """A self-contained HTML error page (no template, stylesheet or script to fetch)."""
    from html import escape

    keys = ("error.unavailable.title", "error.unavailable.page", "error.retry")
    title, message, retry = (escape(t(key, locale)) for key in keys)
    return (
        f'<!doctype html><html lang="{escape(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} · Studio</title></head>"
        '<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;'
        'padding:0 1rem;line-height:1.5;color:#212529">'
        f"<h1 style=\"font-size:1.5rem\">{title}</h1><p>{message}</p>"
        f'<p><a href="">{retry}</a></p></body></html>'
    )


def _script_hashes(server: Flask) -> list[str]:
    """The hashes of the inline scripts Dash writes in its pages (renderer start-up,
    clientside callbacks), which the CSP allows instead of 'unsafe-inline'. Asked at each
    response: Dash adds some while it renders its first page."""
    apps = [server.extensions["studio"].get(k) for k in ("dash", "embed_dash")]
    return list(dict.fromkeys(h for app in apps if app is not None for h in app.csp_hashes()))


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
