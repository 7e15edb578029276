"""URL datasets cannot reach inside the network (SSRF): every hop re-checked, the connection
pinned to the checked address, http(s) only, size and time capped."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from studio.datasources.fetch import FetchError, fetch, is_public

PUBLIC = "93.184.216.34"  # a public address (example.com), played here by 127.0.0.1
CSV = b"code;nom\n53;Mayenne\n"


class _Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).hits.append(self.path)
        port = self.server.server_address[1]
        routes = {
            "/data.csv": (200, {}, CSV),
            "/to-loopback": (302, {"Location": f"http://127.0.0.1:{port}/secret"}, b""),
            "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
            "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
            "/to-public": (302, {"Location": f"http://other.example.test:{port}/data.csv"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
            "/big": (200, {}, b"x" * 5000),
            "/secret": (200, {}, b"SECRET"),
        }
        status, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[tuple[int, list[str]]]:
    _Handler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Handler.hits
    server.shutdown()


def _resolver(table: dict[str, list[str]]) -> Any:
    calls: list[str] = []

    def resolve(host: str, _port: int) -> list[str]:
        calls.append(host)
        if host in table:
            answer = table[host]
            return answer.pop(0) if answer and isinstance(answer[0], list) else answer
        return [host]  # a literal address resolves to itself

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def _dialer() -> Any:
    dialled: list[str] = []

    def dial(address: str, port: int, timeout: float) -> socket.socket:
        dialled.append(address)
        target = "127.0.0.1" if address == PUBLIC else address
        return socket.create_connection((target, port), timeout=timeout)

    dial.dialled = dialled  # type: ignore[attr-defined]
    return dial


def _get(path: str, port: int, resolve: Any, dial: Any, **kw: Any) -> Any:
    return fetch(
        f"http://data.example.test:{port}{path}",
        max_bytes=kw.pop("max_bytes", 10_000),
        resolve=resolve,
        dial=dial,
        **kw,
    )


def test_a_public_host_is_fetched(site: tuple[int, list[str]]) -> None:
    port, hits = site
    got = _get("/data.csv", port, _resolver({"data.example.test": [PUBLIC]}), _dialer())
    assert got.content == CSV and hits == ["/data.csv"]


@pytest.mark.parametrize("path", ["/to-loopback", "/to-metadata", "/to-file"])
def test_a_redirect_inside_is_refused_and_nothing_fetched(
    site: tuple[int, list[str]], path: str
) -> None:
    port, hits = site
    dial = _dialer()
    with pytest.raises(FetchError) as refused:
        _get(path, port, _resolver({"data.example.test": [PUBLIC]}), dial)
    assert refused.value.reason in ("private", "invalid")
    assert "/secret" not in hits and hits == [path]
    assert dial.dialled == [PUBLIC]  # never connected anywhere else


def test_a_redirect_to_another_public_host_is_followed(site: tuple[int, list[str]]) -> None:
    port, hits = site
    resolve = _resolver({"data.example.test": [PUBLIC], "other.example.test": [PUBLIC]})
    got = _get("/to-public", port, resolve, _dialer())
    assert got.content == CSV and hits == ["/to-public", "/data.csv"]


def test_dns_rebinding_cannot_switch_the_address(site: tuple[int, list[str]]) -> None:
    """The name resolves to a public address when checked, to 127.0.0.1 afterwards: the
    connection goes to the address that was checked, and the name is resolved only once."""
    port, _hits = site
    resolve = _resolver({"data.example.test": [[PUBLIC], ["127.0.0.1"]]})
    dial = _dialer()
    assert _get("/data.csv", port, resolve, dial).content == CSV
    assert resolve.calls == ["data.example.test"] and dial.dialled == [PUBLIC]


def test_a_host_resolving_to_any_private_address_is_refused(site: tuple[int, list[str]]) -> None:
    port, hits = site
    resolve = _resolver({"data.example.test": [PUBLIC, "10.0.0.5"]})
    with pytest.raises(FetchError) as refused:
        _get("/data.csv", port, resolve, _dialer())
    assert refused.value.reason == "private" and hits == []


def test_caps_on_redirects_size_and_scheme(site: tuple[int, list[str]]) -> None:
    port, _hits = site
    resolve = _resolver({"data.example.test": [PUBLIC]})
    with pytest.raises(FetchError) as loop:
        _get("/loop", port, resolve, _dialer())
    assert loop.value.reason == "too_many_redirects"
    with pytest.raises(FetchError) as big:
        _get("/big", port, resolve, _dialer(), max_bytes=1000)
    assert big.value.reason == "too_large"
    for url in ("file:///etc/passwd", "ftp://example.org/x.csv", "gopher://x", "http:///x"):
        with pytest.raises(FetchError) as bad:
            fetch(url, max_bytes=10)
        assert bad.value.reason == "invalid"


def test_a_silent_server_times_out() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    port = silent.getsockname()[1]
    try:
        with pytest.raises(FetchError) as slow:
            fetch(
                f"http://data.example.test:{port}/x.csv",
                max_bytes=10,
                timeout=1.0,
                resolve=_resolver({"data.example.test": [PUBLIC]}),
                dial=_dialer(),
            )
        assert slow.value.reason == "too_slow"
    finally:
        silent.close()


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_the_api_says_why_in_french(login: Any) -> None:
    editor = login("editor")
    response = editor.post("/api/v1/datasets", json={"url": "http://127.0.0.1:9/x.csv"})
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    assert "serveur interne" in response.get_data(as_text=True) or "internal server" in (
        response.get_data(as_text=True)
    )
