"""Security headers sent on every response."""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.wrappers import Response

BASE_CSP = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-eval' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:$tiles; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'"
)


def content_security_policy(frame_ancestors: Iterable[str] = (), tile_origin: str = "") -> str:
    """The CSP header value; framing is refused unless origins are given (embed routes)."""
    origins = " ".join(frame_ancestors) or "'none'"
    tiles = f" {tile_origin}" if tile_origin else ""
    return BASE_CSP.replace("$tiles", tiles) + f"; frame-ancestors {origins}"


def apply_security_headers(
    response: Response, frame_ancestors: Iterable[str] = (), tile_origin: str = ""
) -> Response:
    """Add the security headers to `response` (framing refused unless origins are given)."""
    ancestors = list(frame_ancestors)
    response.headers["Content-Security-Policy"] = content_security_policy(ancestors, tile_origin)
    if not ancestors:
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response
