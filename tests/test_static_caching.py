"""Static assets are cacheable (fingerprinted ones immutable for a year); pages and API are not."""

from __future__ import annotations

import re
from typing import Any

import pytest

YEAR = "public, max-age=31536000, immutable"
DAY = "public, max-age=86400"


def _page_urls(client: Any) -> list[str]:
    """The script and stylesheet URLs of the home page."""
    html = client.get("/").get_data(as_text=True)
    return re.findall(r'src="([^"]+)"', html) + re.findall(r'href="([^"]+\.css[^"]*)"', html)


def test_fingerprinted_component_suites_are_immutable(login: Any) -> None:
    client = login("viewer")
    suites = [u for u in _page_urls(client) if u.startswith("/_dash-component-suites/")]
    assert suites
    for url in suites:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == YEAR, url


def test_fingerprinted_assets_are_immutable(login: Any) -> None:
    client = login("viewer")
    assets = [u for u in _page_urls(client) if u.startswith("/assets/")]
    assert any(u.split("?")[0].endswith(".css") for u in assets)
    assert any(u.split("?")[0].endswith(".js") for u in assets)
    for url in assets:
        assert "?m=" in url
        assert client.get(url).headers["Cache-Control"] == YEAR, url


@pytest.mark.parametrize(
    "url",
    [
        "/_dash-component-suites/plotly/package_data/plotly.min.js",
        "/_dash-component-suites/dash/dcc/async-graph.js",
        "/assets/studio.css",
    ],
)
def test_unfingerprinted_static_files_are_cached_for_a_day(login: Any, url: str) -> None:
    response = login("viewer").get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == DAY


@pytest.mark.parametrize("url", ["/", "/api/dashboards", "/login"])
def test_pages_and_api_stay_no_store(login: Any, url: str) -> None:
    assert login("viewer").get(url).headers["Cache-Control"] == "no-store"


def test_missing_static_file_is_not_cached(login: Any) -> None:
    response = login("viewer").get("/assets/nothing-here.js?m=1")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_bootstraps_css_is_served_from_studios_own_copy(client: Any) -> None:
    """Bootstrap's CSS is vendored with its licence (no CDN, no package for one file)."""
    from pathlib import Path

    import studio

    response = client.get("/vendor/bootstrap.min.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert b"Bootstrap  v5" in response.data[:200]
    assert (Path(studio.__file__).parent / "static/vendor/LICENSE-bootstrap.txt").is_file()
    assert client.get("/vendor/../studio.db").status_code == 404
