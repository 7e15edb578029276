"""One test per finding of the security review (issue "a spec is no key"), beyond the
borrowed-dataset attack (test_borrowed_datasets.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_dashboards_api import spec
from test_datasets_api import upload

from studio.security.origins import same_origin_request

# --- CSRF: cookie-authenticated state changes come from Studio's pages ------------------------


@pytest.mark.parametrize(
    ("method", "headers", "expected"),
    [
        ("GET", {}, True),
        ("POST", {}, False),
        ("POST", {"Sec-Fetch-Site": "same-origin"}, True),
        ("POST", {"Sec-Fetch-Site": "cross-site"}, False),
        ("POST", {"Sec-Fetch-Site": "same-site"}, False),
        ("PUT", {"Origin": "http://localhost"}, True),
        ("PUT", {"Origin": "https://evil.example"}, False),
        ("DELETE", {"X-CSRF-Token": "t0k"}, True),
        ("DELETE", {"X-CSRF-Token": "wrong", "Sec-Fetch-Site": "same-origin"}, False),
    ],
)
def test_same_origin_request(method: str, headers: dict[str, str], expected: bool) -> None:
    assert same_origin_request(method, headers, "http://localhost", "t0k") is expected


def test_cross_site_cookie_requests_are_refused(login: Any, server: Any) -> None:
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    before = editor.get("/api/v1/dashboards").get_json()["dashboards"]
    editor.cross_site()
    refused = editor.post("/api/v1/dashboards", json=spec(ds_id))
    assert refused.status_code == 403 and refused.get_json()["code"] == "csrf"
    assert "jeton" in refused.get_json()["error"]
    assert editor.delete(f"/api/v1/datasets/{ds_id}").status_code == 403
    upload_refused = upload(editor)
    assert upload_refused.status_code == 403
    # reading stays possible (nothing changes), and nothing was created
    assert editor.get("/api/v1/dashboards").get_json()["dashboards"] == before
    editor.bare()  # no Origin, no Sec-Fetch-Site: a script holding a copied cookie
    assert editor.post("/api/v1/dashboards", json=spec(ds_id)).status_code == 403
    body = {"output": "x.children", "outputs": {}, "inputs": [], "changedPropIds": []}
    dash = editor.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )
    assert dash.status_code == 403


def test_bearer_tokens_are_not_concerned(login: Any, server: Any) -> None:
    editor = login("editor")
    token = editor.post("/api/v1/tokens", json={"name": "script"}).get_json()["token"]
    script = server.test_client(use_cookies=False).bare()  # what a script sends
    assert upload(script, b"", "x.csv").status_code == 401  # no cookie, no token
    headers = {"Authorization": f"Bearer {token}"}
    created = script.post(
        "/api/v1/dashboards", json={"title": "Par script", "tiles": []}, headers=headers
    )
    assert created.status_code == 201, created.get_json()


# --- sign-out ends the session on the server; a reset ends every access -----------------------


def _csrf(client: Any) -> str:
    with client.session_transaction() as sess:
        return sess["csrf_token"]


def test_a_copied_cookie_stops_working_after_sign_out(login: Any, server: Any) -> None:
    viewer = login("viewer")
    assert viewer.get("/api/v1/me").status_code == 200
    copy = server.test_client()
    cookie = next(c for c in viewer._cookies.values() if c.key == server.config.get(
        "SESSION_COOKIE_NAME", "session"))
    copy.set_cookie(cookie.key, cookie.value)
    assert copy.get("/api/v1/me").status_code == 200  # the stolen cookie works…
    assert viewer.post("/logout", data={"csrf_token": _csrf(viewer)}).status_code == 302
    assert copy.get("/api/v1/me").status_code == 401  # …until its owner signs out
    again = login("viewer")  # signing in again gives a new, working session
    assert again.get("/api/v1/me").status_code == 200


def test_password_reset_revokes_sessions_api_and_embed_tokens(
    login: Any, server: Any, users: dict[str, Any]
) -> None:
    from studio import accounts
    from studio.store import users as repo

    editor = login("editor")
    api_token = editor.post("/api/v1/tokens", json={"name": "script"}).get_json()["token"]
    ds_id = upload(editor).get_json()["id"]
    doc = editor.post("/api/v1/dashboards", json=spec(ds_id)).get_json()["id"]
    assert editor.post(f"/api/v1/dashboards/{doc}/publish").status_code == 200
    embed = editor.post(f"/api/v1/dashboards/{doc}/embed-tokens", json={"expires_in": 600})
    embed_url = embed.get_json()["url"].split("8050", 1)[1]
    anonymous = server.test_client()
    assert anonymous.get(embed_url).status_code == 200
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert anonymous.get("/api/v1/me", headers=bearer).status_code == 200
    with server.extensions["studio"]["db"].session() as s:
        accounts.reset_password(s, repo.get_user(s, users["editor"]["id"]))
    assert editor.get("/api/v1/me").status_code == 401
    assert anonymous.get("/api/v1/me", headers=bearer).status_code == 401
    refused = anonymous.get(embed_url)
    assert refused.status_code == 403 and "révoqué" in refused.get_data(as_text=True)


# --- memory: the query cache is bounded by bytes; one result is capped ----------------------


def test_memory_cache_is_bounded_by_bytes() -> None:
    from studio.datasources.cache import MemoryBackend

    cache = MemoryBackend(max_entries=10_000, max_bytes=1_000_000)
    for i in range(500):
        cache.set(f"k{i}", b"x" * 10_000)  # 5 MB offered, 1 MB kept
        assert cache.size <= 1_000_000
    assert cache.size == sum(len(cache.get(f"k{i}") or b"") for i in range(500))
    assert cache.get("k499") is not None and cache.get("k0") is None  # least recent dropped
    cache.set("huge", b"x" * 600_000)  # over a quarter of the bound: not kept
    assert cache.get("huge") is None and cache.get("k499") is not None
    cache.set("k499", b"y")  # replacing a value counts its new size only
    assert cache.size == sum(len(cache.get(f"k{i}") or b"") for i in range(500))


def test_the_cache_bound_is_a_setting(make_app: Any) -> None:
    app = make_app(query_cache_mb=3, redis_url="")  # the in-process cache
    backend = app.server.extensions["studio"]["query_cache"].backend
    assert backend.max_bytes == 3 * 1024**2


def test_a_too_large_result_is_a_clear_422(login: Any, monkeypatch: Any) -> None:
    from studio.datasources import engine

    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    monkeypatch.setattr(engine, "MAX_RESULT_CELLS", 5)
    body = {"dimensions": [{"field": "nom"}, {"field": "date"}], "measures": [{"agg": "count"}]}
    response = editor.post(f"/api/v1/datasets/{ds_id}/query", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.get_json()["code"] == "query.too_large"
    assert "filtre" in response.get_json()["error"]


def _rss_bytes() -> int:
    """The process's resident memory now (not its peak)."""
    import os

    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def test_distinct_heavy_queries_do_not_grow_the_server_past_the_cache_bound(
    make_app: Any,
) -> None:
    """A viewer looping on distinct heavy queries: the cache stays under its bound, and the
    process's memory under baseline + bound + a margin for the allocator."""
    import gc
    import io

    from conftest import PASSWORD, sign_in

    from studio.accounts import create_account

    bound_mb = 8
    app = make_app(query_cache_mb=bound_mb, redis_url="")
    with app.server.extensions["studio"]["db"].session() as s:
        create_account(s, "e@example.org", "editor", [], PASSWORD)
    client = app.server.test_client()
    sign_in(client, "e@example.org")
    rows = "".join(f"{53000 + i};Commune {i} {'x' * 40};{i % 97};{i},5\n" for i in range(60_000))
    data = {"file": (io.BytesIO(("code;nom;groupe;montant\n" + rows).encode()), "big.csv")}
    ds_id = client.post("/api/v1/datasets", data=data, content_type="multipart/form-data")
    ds_id = ds_id.get_json()["id"]

    def heavy(i: int) -> None:
        body = {
            "dimensions": [{"field": "code"}, {"field": "nom"}],
            "measures": [{"field": "montant", "agg": "sum"}],
            "filters": [{"field": "groupe", "op": "!=", "value": i % 97}],
            "limit": 50_000,
        }
        response = client.post(f"/api/v1/datasets/{ds_id}/query", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert len(response.get_json()["rows"]) == 50_000

    for i in range(3):  # warm up: imports, DuckDB's buffers, the first cache entries
        heavy(i)
    gc.collect()
    baseline = _rss_bytes()
    for i in range(3, 53):
        heavy(i)
    gc.collect()
    grown = _rss_bytes() - baseline
    cache = app.server.extensions["studio"]["query_cache"].backend
    assert cache.size <= bound_mb * 1024**2
    margin = 64 * 1024**2
    assert grown <= bound_mb * 1024**2 + margin, f"grew {grown / 1024**2:.0f} MB over 50 queries"


# --- error messages never show server paths or engine internals -----------------------------


@pytest.mark.parametrize(
    ("raw", "absent", "present"),
    [
        (
            "IO Error: No magic bytes found at end of file '/srv/studio/instance/x.parquet'",
            "/srv",
            "No magic bytes",
        ),
        ("Out of Memory Error: failed to allocate data of size 2.0 GiB", "GiB", "mémoire"),
        ("Binder Error: column foo not found\nLINE 1: SELECT …", "Binder", "column foo"),
        ("C:\\Users\\studio\\data.csv is locked", "Users", "locked"),
    ],
)
def test_engine_errors_are_said_without_internals(raw: str, absent: str, present: str) -> None:
    from studio.datasources.errors import DatasetError

    error = DatasetError("query.failed", {"detail": raw})
    for locale in ("fr", "en"):
        text = error.message(locale)
        assert absent not in text and present in text, text


def test_a_broken_parquet_upload_does_not_show_the_staging_path(login: Any) -> None:
    response = upload(login("editor"), b"PAR1" + b"\0" * 64, "broken.parquet", "Cassé")
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    text = response.get_json()["error"]
    assert "staging" not in text and "instance" not in text and "/tmp" not in text


# --- chart labels, legends and hover texts are text, not HTML --------------------------------


def test_chart_category_labels_are_escaped() -> None:
    from studio.components.chart import build_figure
    from studio.spec import QueryResult
    from studio.spec.tiles import TILE_ADAPTER

    hostile = '<a href="javascript:alert(1)">clic</a>'
    styled = '<span style="font-size:90px">énorme</span>'
    for chart in ("column", "bar", "line", "pie"):
        tile = TILE_ADAPTER.validate_python(
            {
                "kind": "chart",
                "id": "c1",
                "chart": chart,
                "dataset": 1,
                "dimension": {"field": "nom"},
                "measures": [{"field": "montant", "agg": "sum"}],
            }
        )
        result = QueryResult(columns=["nom", "montant__sum"], rows=[[hostile, 1.0], [styled, 2.0]])
        figure = build_figure(tile, result, "fr")[0]
        text = json.dumps(figure.to_plotly_json()["data"], default=str)
        assert "<a href" not in text and "<span style" not in text, chart
        assert "&lt;a href" in text, chart


# --- CSP: scripts from Studio's files and Dash's own inline scripts, by hash -----------------


def _inline_scripts(html: str) -> list[str]:
    """The bodies of the inline scripts a browser runs (not JSON, not in an IE-only comment)."""
    import re

    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    found = re.finditer(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    return [body for attrs, body in (m.groups() for m in found)
            if "src=" not in attrs and "application/json" not in attrs]


@pytest.mark.parametrize("path", ["/", "/datasets/new", "/embed/dashboards/1?token=x"])
def test_csp_allows_no_eval_and_no_inline_script_but_dash_own(login: Any, path: str) -> None:
    import base64
    import hashlib

    page = login("editor").get(path)
    policy = page.headers["Content-Security-Policy"]
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src "))
    assert "'unsafe-eval'" not in script_src and "'unsafe-inline'" not in script_src
    scripts = _inline_scripts(page.get_data(as_text=True))
    if page.mimetype == "text/html" and page.status_code == 200 and "_dash-config" in page.text:
        assert scripts  # Dash's renderer start-up at least
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src, body[:80]
