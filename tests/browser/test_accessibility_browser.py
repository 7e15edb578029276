"""RGAA 4.1: axe-core finds no serious or critical violation on any page of the demo, signed
in as an administrator (who sees every page) or not signed in (login, embeds); every page has
its language, a title of its own, a skip link and a main landmark."""

from __future__ import annotations

import time
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import (
    FAILING_IMPACTS,
    assert_clean_console,
    axe_violations,
    base_url,
    browser_sign_in,
    describe_violations,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow

# Wait until Dash has nothing pending and the page stopped changing.
SETTLED = """
return document.querySelector('[data-dash-is-loading="true"]') === null
    && document.querySelectorAll('._dash-loading, ._dash-undo-redo').length === 0;
"""


def settle(duo: Any, selector: str, timeout: float = 30) -> None:
    """Wait for `selector`, then for Dash's callbacks to end and a moment for paints."""
    try:
        duo.wait_for_element(selector, timeout=timeout)
    except Exception:
        duo.driver.save_screenshot("/tmp/a11y_fail.png")
        raise
    end = time.time() + timeout
    while time.time() < end and not duo.driver.execute_script(SETTLED):
        time.sleep(0.2)
    time.sleep(1.0)


def _demo(make_app: Any) -> tuple[Any, dict]:
    from studio.accounts import actor_of, create_account
    from studio.services.demo import load_demo
    from studio.store.models import Document

    app = make_app()
    services = app.server.extensions["studio"]
    with services["db"].session() as s:
        admin = actor_of(create_account(s, "admin@example.org", "admin", [], PASSWORD)[0])
    ids = load_demo(services["db"], services["settings"], admin)
    with services["db"].session() as s:
        for key in ("dashboard", "story"):
            s.get(Document, ids[key]).visibility = "public"  # for the embeds
    return app, ids


def _check(duo: Any, page: str, found: dict[str, str], titles: dict[str, str]) -> None:
    violations = [v for v in axe_violations(duo) if v.get("impact") in FAILING_IMPACTS]
    if violations:
        found[page] = describe_violations(violations)
    titles[page] = duo.driver.title


def test_every_page_passes_axe(make_app: Any, start: Any) -> None:
    app, ids = _demo(make_app)
    duo = start(app)
    url = base_url(duo)
    found: dict[str, str] = {}
    titles: dict[str, str] = {}
    duo.driver.get(url + "/login")
    settle(duo, "#login-submit")
    _check(duo, "login", found, titles)
    browser_sign_in(duo, "admin@example.org", PASSWORD)
    dash_id, story_id = ids["dashboard"], ids["story"]
    dataset_id = ids["datasets"]["boundaries"]
    pages = [
        ("home", "/", "#home-welcome"),
        ("datasets", "/datasets", "#main h1"),
        ("dataset-new", "/datasets/new", "#main h1"),
        ("dataset-detail", f"/datasets/{dataset_id}", "#main h1"),
        ("dashboard-view", f"/dashboards/{dash_id}", ".studio-tile .leaflet-container"),
        ("dashboard-edit", f"/dashboards/{dash_id}/edit", "#main h2"),
        ("tile-editor", f"/dashboards/{dash_id}/tiles/evolution", "#te-preview .js-plotly-plot"),
        ("story-view", f"/stories/{story_id}", "#main h1"),
        ("story-edit", f"/stories/{story_id}/edit", "#main h1"),
        ("bin", "/bin", "#main h1"),
        ("admin", "/admin", "#main h1"),
        ("audit", "/admin/audit", "#main h1"),
    ]
    for page, path, selector in pages:
        duo.driver.get(url + path)
        settle(duo, selector)
        assert duo.driver.execute_script("return document.documentElement.lang;") == "fr", page
        assert duo.driver.find_elements(By.CSS_SELECTOR, "main#main"), page
        assert duo.driver.find_elements(By.CSS_SELECTOR, "a[href='#main']"), page
        _check(duo, page, found, titles)
    duo.find_element("#shell-logout").click()
    duo.wait_for_element("#login-notice", timeout=10)
    for page, path, selector in [
        ("embed-dashboard", f"/embed/dashboards/{dash_id}", ".studio-tile .leaflet-container"),
        ("embed-story", f"/embed/stories/{story_id}", "h1, h2"),
    ]:
        duo.driver.get(url + path)
        settle(duo, selector)
        _check(duo, page, found, titles)
    print("\n".join(f"{page}: {title}" for page, title in titles.items()))
    assert not found, "\n\n".join(f"== {page}\n{text}" for page, text in found.items())
    assert_clean_console(duo)
