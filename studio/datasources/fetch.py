"""Fetching a URL dataset without letting it reach inside the network (SSRF).

Each hop — the first URL and every redirect — is resolved once; every address it resolves to
must be public (not private, loopback, link-local — the cloud metadata address included —,
multicast, reserved or unspecified); the connection is then made to the address that was
checked, never resolved again (no DNS-rebinding window). http and https only, at most
MAX_REDIRECTS redirects, a size cap and an overall time cap.

`resolve` and `dial` are parameters so that tests can play a public-looking host.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

Resolver = Callable[[str, int], list[str]]
Dialer = Callable[[str, int, float], socket.socket]

MAX_REDIRECTS = 5
CHUNK = 64 * 1024


class FetchError(Exception):
    """Why a URL could not be fetched: `reason` is one of "invalid", "private",
    "unreachable", "too_large", "too_slow", "too_many_redirects", "status"."""

    def __init__(self, reason: str, url: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {url} {detail}".strip())
        self.reason = reason
        self.url = url
        self.detail = detail


@dataclass(frozen=True)
class Fetched:
    """What the last hop answered."""

    url: str
    content: bytes
    content_type: str


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host`."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def system_dial(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to exactly this address."""
    return socket.create_connection((address, port), timeout=timeout)


def is_public(address: str) -> bool:
    """True for an address on the public internet (IPv4-mapped IPv6 judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _checked_address(url: str, allow_private: bool, resolve: Resolver) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("invalid", url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError("invalid", url) from None
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError):
        raise FetchError("unreachable", url) from None
    if not addresses:
        raise FetchError("unreachable", url)
    if not allow_private and not all(is_public(a) for a in addresses):
        raise FetchError("private", url)
    return addresses[0], port


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand (the Host header keeps the name)."""

    def __init__(self, host: str, port: int, address: str, dial: Dialer, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address, self._dial = address, dial

    def connect(self) -> None:
        self.sock = self._dial(self._address, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As `_PinnedHTTP`, with TLS checked against the host name (SNI and certificate)."""

    def __init__(self, host: str, port: int, address: str, dial: Dialer, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address, self._dial = address, dial

    def connect(self) -> None:
        raw = self._dial(self._address, self.port, self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float = 60.0,
    allow_private: bool = False,
    resolve: Resolver = system_resolve,
    dial: Dialer = system_dial,
    user_agent: str = "Studio/0.1",
) -> Fetched:
    """GET `url`, following redirects hop by hop as the module says; FetchError otherwise."""
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        address, port = _checked_address(current, allow_private, resolve)
        parts = urlsplit(current)
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError("too_slow", current)
        kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        conn = kind(parts.hostname or "", port, address, dial, min(left, 30.0))
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("GET", path, headers={"User-Agent": user_agent, "Accept": "*/*"})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError("status", current, str(response.status))
                current = urljoin(current, location)
                continue
            if response.status >= 400:
                raise FetchError("status", current, str(response.status))
            content = _read(response, max_bytes, deadline, current)
            return Fetched(current, content, response.getheader("Content-Type", "") or "")
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, TimeoutError | socket.timeout):
                raise FetchError("too_slow", current) from None
            raise FetchError("unreachable", current, type(exc).__name__) from None
        finally:
            conn.close()
    raise FetchError("too_many_redirects", url)


def _read(response: http.client.HTTPResponse, max_bytes: int, deadline: float, url: str) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError("too_large", url)
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError("too_slow", url)
        chunk = response.read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError("too_large", url)
        chunks.append(chunk)
