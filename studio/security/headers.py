"""Security headers sent on every response."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dash.fingerprint import check_fingerprint
from werkzeug.wrappers import Response

BASE_CSP = (
    "default-src 'self'; "
    "script-src 'self'$scripts; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:$tiles; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'"
)


def content_security_policy(
    frame_ancestors: Iterable[str] = (), tile_origin: str = "", script_hashes: Iterable[str] = ()
) -> str:
    """The CSP header value; framing is refused unless origins are given (embed routes).

    Scripts run only from Studio's own files and from the inline scripts whose hashes are
    given (Dash's renderer start-up and clientside callbacks: `Dash.csp_hashes()`): no
    `'unsafe-inline'`, no `'unsafe-eval'`. Styles keep `'unsafe-inline'`: plotly.js and
    dash-leaflet write `<style>` elements and style attributes as they draw.
    """
    origins = " ".join(frame_ancestors) or "'none'"
    tiles = f" {tile_origin}" if tile_origin else ""
    scripts = "".join(f" {h}" for h in script_hashes)
    policy = BASE_CSP.replace("$tiles", tiles).replace("$scripts", scripts)
    return policy + f"; frame-ancestors {origins}"

STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")
IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_MAX_AGE = "public, max-age=86400"


def static_cache_control(path: str, query: Mapping[str, str]) -> str | None:
    """The Cache-Control of a static file at `path`, or None when `path` is not one.

    Dash fingerprints component suites in their name (`x.v4_4_1m123.js`) and assets with an
    `m=` query: those never change under the same URL, so they are immutable for a year.
    Other static files (lazily loaded chunks such as plotly.min.js) may change at an
    upgrade: a day.
    """
    if not path.startswith(STATIC_PREFIXES):
        return None
    fingerprinted = check_fingerprint(path)[1] or (path.startswith("/assets/") and "m" in query)
    return IMMUTABLE if fingerprinted else STATIC_MAX_AGE


def apply_cache_control(response: Response, path: str, query: Mapping[str, str]) -> Response:
    """Let successful static files be cached; everything else is left to the default no-store."""
    value = static_cache_control(path, query) if response.status_code in (200, 304) else None
    if value:
        response.headers["Cache-Control"] = value
    return response


def apply_security_headers(
    response: Response,
    frame_ancestors: Iterable[str] = (),
    tile_origin: str = "",
    script_hashes: Iterable[str] = (),
) -> Response:
    """Add the security headers to `response` (framing refused unless origins are given)."""
    ancestors = list(frame_ancestors)
    response.headers["Content-Security-Policy"] = content_security_policy(
        ancestors, tile_origin, script_hashes
    )
    if not ancestors:
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response
