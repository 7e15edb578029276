"""Web origins as Studio accepts them for framing (CSP frame-ancestors)."""

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
