"""Which requests may be answered without signing in, and how others are refused."""

from __future__ import annotations

from urllib.parse import urlsplit

PUBLIC_EXACT = {
    "/login",
    "/logout",
    "/favicon.ico",
    "/_favicon.ico",
    "/healthz",
    "/readyz",
    "/embed.js",
}
# Embeds are for anonymous visitors: their page and callbacks check the token themselves.
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/vendor/", "/embed/")
JSON_PREFIXES = ("/api/", "/_dash-")


def is_public(path: str) -> bool:
    """True for routes anyone may reach: sign-in, static assets, health check, embeds."""
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


def wants_json(path: str) -> bool:
    """True for machine endpoints, which get 401 JSON instead of a redirect."""
    return path.startswith(JSON_PREFIXES)


def safe_next(target: str | None) -> str:
    """`target` if it is a local path, else "/" (prevents open redirects after sign-in)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or is_public(parts.path):
        return "/"
    return target
