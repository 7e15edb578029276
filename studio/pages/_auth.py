"""Plain Flask views outside Dash: sign-in, sign-out, and locally served vendor CSS.

The sign-in page is server-rendered so that nothing of the Dash app (layout, callbacks)
is served before a user has signed in.
"""

from __future__ import annotations

import hmac
import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from studio import accounts, runtime
from studio.i18n import normalise_locale, t
from studio.security.guard import safe_next
from studio.store import audit

bp = Blueprint("studio_web", __name__)
VENDOR_CSS = Path(__file__).parent.parent / "static" / "vendor"
"""Bootstrap's CSS, vendored with its licence (no CDN, no package only for one file)."""


def _csrf_token() -> str:
    token = session.get("csrf_token")
    if not token:
        token = session["csrf_token"] = secrets.token_urlsafe(32)
    return token


def _csrf_ok(sent: str | None) -> bool:
    expected = session.get("csrf_token")
    return bool(expected and sent and hmac.compare_digest(expected, sent))


def _render_login(
    status: int = 200, error: str = "", email: str = "", notice: str = ""
) -> Response:
    locale = runtime.locale()
    next_url = safe_next(request.values.get("next"))
    html = render_template(
        "login.html",
        locale=locale,
        t=lambda key, **kw: t(key, locale, **kw),
        csrf_token=_csrf_token(),
        next_url="" if next_url == "/" else next_url,
        error=error,
        notice=notice,
        email=email,
    )
    return Response(html, status=status, mimetype="text/html")


@bp.get("/login")
def login_form() -> Response:
    """The sign-in form (language chosen with ?lang=fr|en before signing in)."""
    if request.args.get("lang"):
        session["locale"] = normalise_locale(request.args["lang"])
    if runtime.actor().is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    notice = t("login.signed_out", runtime.locale()) if request.args.get("out") else ""
    return _render_login(notice=notice)


@bp.post("/login")
def login() -> Response:
    """Check credentials, with per-account and per-address rate limits."""
    locale = runtime.locale()
    email = (request.form.get("email") or "").strip()[:254]
    password = request.form.get("password") or ""
    if not _csrf_ok(request.form.get("csrf_token")):
        return _render_login(400, t("login.expired_form", locale), email)
    limiter = runtime.service("login_limiter")
    address = runtime.client_address()
    if limiter.blocked(email, address):
        minutes = max(1, limiter.window // 60)
        return _render_login(429, t("login.rate_limited", locale, minutes=minutes), email)
    with runtime.db().session() as s:
        user = accounts.authenticate(s, email, password)
        if user is None:
            limiter.failed(email, address)
            audit.record(s, None, "login_failed", "user", "", {"email": email}, address)
            return _render_login(200, t("login.invalid", locale), email)
        actor = accounts.actor_of(user)
        audit.record(s, actor, "login", "user", user.id, {}, address)
    limiter.succeeded(email, address)
    next_url = safe_next(request.form.get("next"))
    session.clear()
    login_user(actor)
    session["locale"] = normalise_locale(actor.locale)  # for error pages without a database
    session["role"] = actor.role  # a change of role ends this session (see studio.__init__)
    session["csrf_token"] = secrets.token_urlsafe(32)
    session["sid"] = secrets.token_urlsafe(32)  # revoked on sign-out (see studio.__init__)
    session["since"] = int(time.time())
    return redirect(next_url)


@bp.post("/logout")
def logout() -> Response:
    """Sign out (needs the session's CSRF token)."""
    if runtime.actor().is_authenticated and not _csrf_ok(request.form.get("csrf_token")):
        abort(400)
    sid = session.get("sid")
    if isinstance(sid, str) and sid:
        from studio.store import users

        with runtime.db().session() as s:
            users.revoke_session(s, sid[:64])
    logout_user()
    session.clear()
    return redirect(url_for("studio_web.login_form", out=1))


@bp.get("/vendor/<path:filename>")
def vendor(filename: str) -> Response:
    """Bootstrap's CSS, served from Studio's own copy (no CDN)."""
    if filename != "bootstrap.min.css":
        abort(404)
    response = send_from_directory(VENDOR_CSS, filename, max_age=86400)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """Probe for load balancers: 200 when the database (and Redis, if set) answer, else 503."""
    checks = {"database": _check_database(), **({"redis": _check_redis()} if _redis_url() else {})}
    return _probe_response(checks)


@bp.get("/readyz")
def readyz() -> Response:
    """Readiness for load balancers and orchestrators: the database, Redis when configured,
    and the dataset storage (readable and writable); 503 names the part that failed.

    Redis down is reported ("degraded", still 200): Studio serves without it (the cache
    and sign-in limits fall back to each worker), and every host shares one Redis, so
    failing readiness on it would drain all hosts at once."""
    checks = {
        "database": _check_database(),
        **({"redis": _check_redis()} if _redis_url() else {}),
        "storage": _check_storage(),
    }
    return _probe_response(checks, optional=("redis",))


def _probe_response(checks: dict[str, bool], optional: tuple[str, ...] = ()) -> Response:
    ok = all(up for name, up in checks.items() if name not in optional)
    status = "unavailable" if not ok else "ok" if all(checks.values()) else "degraded"
    body = {
        "status": status,
        "checks": {name: "ok" if up else "failed" for name, up in checks.items()},
    }
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    return response


def _check_storage() -> bool:
    """True when a small file can be created, read back and removed in the datasets' folder
    (a full disk, a read-only or unmounted share fails this)."""
    import os

    folder = current_app.extensions["studio"]["settings"].data_dir
    probe = folder / f".readyz-{os.getpid()}-{secrets.token_hex(4)}"
    payload = secrets.token_bytes(16)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        ok = probe.read_bytes() == payload and os.access(folder, os.R_OK | os.X_OK)
    except OSError:
        return False
    finally:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass
    return ok


def _check_database() -> bool:
    """True when `SELECT 1` succeeds on the metadata database."""
    from sqlalchemy import text

    try:
        with current_app.extensions["studio"]["db"].engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"
        return False
    return True


def _redis_url() -> str:
    return current_app.extensions["studio"]["settings"].redis_url or ""


def _check_redis() -> bool:
    """True when Redis answers PING within half a second."""
    import redis

    try:
        client = redis.Redis.from_url(_redis_url(), socket_timeout=0.5, socket_connect_timeout=0.5)
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
