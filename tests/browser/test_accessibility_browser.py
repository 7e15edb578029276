"""RGAA 4.1: axe-core finds no serious or critical violation on any page of the demo, signed
in as an administrator (who sees every page) or not signed in (login, embeds), at desktop and
phone widths; every page has its language, a title of its own, a skip link and a main
landmark; the dashboard's tabs and filters work with the keyboard. Screenshots of every page
go to `build/screenshots/a11y-*.png`."""

from __future__ import annotations

import time
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import (
    FAILING_IMPACTS,
    assert_accessible,
    assert_clean_console,
    axe_violations,
    base_url,
    browser_sign_in,
    describe_violations,
)
from tests.browser.test_layout_browser import DESKTOP, PHONE, shoot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow

# Wait until Dash has nothing pending and the page stopped changing.
SETTLED = """
return document.querySelector('[data-dash-is-loading="true"]') === null
    && document.querySelectorAll('._dash-loading, ._dash-undo-redo').length === 0;
"""


def settle(duo: Any, selector: str, timeout: float = 30) -> None:
    """Wait for `selector`, then for Dash's callbacks to end and a moment for paints."""
    duo.wait_for_element(selector, timeout=timeout)
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
    width = duo.driver.execute_script("return window.innerWidth;")
    shoot(duo, f"a11y-{page}-{width}")
    violations = [v for v in axe_violations(duo) if v.get("impact") in FAILING_IMPACTS]
    if violations:
        found[page] = describe_violations(violations)
    titles[page] = duo.driver.title


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_passes_axe(make_app: Any, start: Any, size: tuple) -> None:
    app, ids = _demo(make_app)
    duo = start(app)
    duo.driver.set_window_size(*size)
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
        ("tile-editor", f"/dashboards/{dash_id}/tiles/evolution", "#te-preview"),
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
    duo.driver.delete_all_cookies()  # the embeds, as a visitor of another site sees them
    for page, path, selector in [
        ("embed-dashboard", f"/embed/dashboards/{dash_id}", ".studio-tile .leaflet-container"),
        ("embed-story", f"/embed/stories/{story_id}", "h1, h2"),
    ]:
        duo.driver.get(url + path)
        settle(duo, selector)
        _check(duo, page, found, titles)
    print("\n".join(f"{page}: {title}" for page, title in titles.items()))
    assert titles["dashboard-view"] == "Observatoire RSA (démo) · Studio"
    assert titles["story-view"] == "Le RSA en six ans (démo) · Studio"
    assert titles["embed-dashboard"] == titles["dashboard-view"]  # an embed: what it shows
    assert titles["embed-story"] == titles["story-view"]
    assert len(set(titles.values())) == len(titles) - 2  # every other page its own title
    assert not found, "\n\n".join(f"== {page}\n{text}" for page, text in found.items())
    assert_clean_console(duo)


def test_dashboard_tabs_and_filters_work_with_the_keyboard(make_app: Any, start: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    app, ids = _demo(make_app)
    duo = start(app)
    browser_sign_in(duo, "admin@example.org", PASSWORD)
    duo.wait_for_element("#home-welcome", timeout=15)
    duo.driver.get(f"{base_url(duo)}/dashboards/{ids['dashboard']}")
    settle(duo, ".studio-tile .leaflet-container")
    tabs = duo.driver.find_elements(By.CSS_SELECTOR, "#dv-tabs [role=tab]")
    assert [tab.get_attribute("aria-selected") for tab in tabs] == ["true", "false"]
    assert [tab.get_attribute("tabindex") for tab in tabs] == ["0", "-1"]
    for tab in tabs:  # each tab names the panel it shows, and that panel exists
        assert duo.driver.find_elements(By.ID, tab.get_attribute("aria-controls"))
    # Tab moves from the page's heading area through the filters to the active tab
    duo.driver.execute_script("document.querySelector('#main h1').setAttribute('tabindex', '-1');"
                              "document.querySelector('#main h1').focus();")
    reached = []
    for _ in range(15):
        duo.driver.switch_to.active_element.send_keys(Keys.TAB)
        active = duo.driver.switch_to.active_element
        reached.append(active.get_attribute("class") or active.tag_name)
        if active.get_attribute("role") == "tab":
            break
    assert any("dash-dropdown" in r for r in reached), reached  # the filters are tab stops
    first_filter = duo.driver.find_element(By.CSS_SELECTOR, "#main button.dash-dropdown")
    assert first_filter.accessible_name.startswith("Département"), first_filter.accessible_name
    assert not any("dash-dropdown-focus-target" in r for r in reached), reached
    assert duo.driver.switch_to.active_element.get_attribute("role") == "tab", reached
    duo.driver.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    duo.wait_for_element(".studio-tile .ag-root", timeout=30)  # the "Détail" tab's table
    tabs = duo.driver.find_elements(By.CSS_SELECTOR, "#dv-tabs [role=tab]")
    assert [tab.get_attribute("aria-selected") for tab in tabs] == ["false", "true"]
    assert duo.driver.switch_to.active_element.text == tabs[1].text
    # a filter opened from the keyboard: its list and search box pass axe too
    first_filter = duo.driver.find_element(By.CSS_SELECTOR, "#main button.dash-dropdown")
    first_filter.send_keys(Keys.ENTER)
    duo.wait_for_element(".dash-dropdown-content .dash-dropdown-option", timeout=10)
    # Dash 4's options are <label role=option> around a radio/checkbox: nested-interactive
    # is Dash's to fix (docs/accessibility.md); anything else serious fails here
    assert_accessible(duo, "dashboard filter open", known=("nested-interactive",))
    duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert_clean_console(duo)
