"""Web origins: as Studio accepts them for framing (CSP frame-ancestors), and the check that
a state-changing request made with a session cookie comes from Studio's own pages (CSRF)."""

from __future__ import annotations

from urllib.parse import urlsplit


def canonical_origin(text: str) -> str | None:
    """`scheme://host[:port]` in lower case, or None when `text` is not such an origin.

    http(s) only; no path, query, fragment, user name or wildcard ("*" is refused: each site
    that may frame an object is listed).
    """
    value = (text or "").strip().rstrip("/")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    bad = (
        parts.scheme not in ("http", "https")
        or not host
        or "*" in value
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username is not None
        or not all(part.replace("-", "").isalnum() for part in host.split("."))
    )
    if bad:
        return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def same_origin_request(
    method: str, headers: dict[str, str] | object, own_origin: str, csrf_expected: str | None
) -> bool:
    """True when a request authenticated by a session cookie may change state.

    Safe methods always may. Otherwise one of: the `X-CSRF-Token` header equals the
    session's token; the browser says `Sec-Fetch-Site: same-origin`; the `Origin` header is
    Studio's own origin. A request with none of these is refused (a cross-site form or
    script carries the victim's cookie but cannot forge these headers).
    """
    if method.upper() in SAFE_METHODS:
        return True
    get = headers.get
    sent = get("X-CSRF-Token")
    if sent and csrf_expected:
        import hmac

        return hmac.compare_digest(str(sent), str(csrf_expected))
    site = (get("Sec-Fetch-Site") or "").strip().lower()
    if site:
        return site == "same-origin"
    origin = get("Origin")
    if origin:
        return canonical_origin(origin) == canonical_origin(own_origin)
    return False
