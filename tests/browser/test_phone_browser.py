"""On a phone-width screen the navigation folds behind a menu button and the dashboard's
tiles stack in one column, each at full width."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import (
    assert_accessible,
    assert_clean_console,
    base_url,
    browser_sign_in,
)
from tests.browser.test_layout_browser import shoot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow


def test_demo_dashboard_stacks_its_tiles_on_a_phone(make_app: Any, start: Any) -> None:
    from studio.accounts import actor_of, create_account
    from studio.services.demo import load_demo

    app = make_app()  # the demo draws the outlines shipped in studio/data
    services = app.server.extensions["studio"]
    with services["db"].session() as s:
        admin = actor_of(create_account(s, "admin@example.org", "admin", [], PASSWORD)[0])
        create_account(s, "elu@example.org", "viewer", [], PASSWORD)
    doc_id = load_demo(services["db"], services["settings"], admin)["dashboard"]
    duo = start(app)
    duo.driver.set_window_size(390, 844)
    browser_sign_in(duo, "elu@example.org", PASSWORD)
    duo.wait_for_element("#home-welcome", timeout=15)
    toggler = duo.find_element("#shell-toggler")
    assert toggler.is_displayed() and toggler.get_attribute("aria-expanded") == "false"
    assert not duo.find_element("#shell-nav-home").is_displayed()
    navbar_height = duo.find_element("nav.navbar").rect["height"]
    assert navbar_height < 80, navbar_height  # one line: the brand and the menu button
    toggler.click()
    WebDriverWait(duo.driver, 5).until(lambda _: duo.find_element("#shell-logout").is_displayed())
    assert duo.find_element("#shell-nav-home").is_displayed()
    assert toggler.get_attribute("aria-expanded") == "true"
    assert_accessible(duo, "home, phone menu open")
    shoot(duo, "home-phone-menu")
    toggler.click()
    WebDriverWait(duo.driver, 5).until(
        lambda _: not duo.find_element("#shell-nav-home").is_displayed()
    )
    duo.driver.get(f"{base_url(duo)}/dashboards/{doc_id}")
    duo.wait_for_element(".studio-tile .js-plotly-plot", timeout=30)
    tiles = [
        t
        for t in duo.driver.find_elements(By.CSS_SELECTOR, ".studio-grid > .studio-tile")
        if t.is_displayed()
    ]
    assert len(tiles) >= 3
    boxes = [t.rect for t in tiles]
    lefts = {round(b["x"]) for b in boxes}
    widths = {round(b["width"]) for b in boxes}
    assert len(lefts) == 1 and len(widths) == 1, boxes  # one column, same width
    assert all(
        a["y"] + a["height"] <= b["y"] + 1 for a, b in zip(boxes, boxes[1:], strict=False)
    ), boxes
    page_width = duo.driver.execute_script("return document.documentElement.clientWidth;")
    assert boxes[0]["width"] >= page_width * 0.8
    overflow = duo.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
    )
    assert overflow <= 1, overflow  # nothing wider than the screen
    assert_accessible(duo, "dashboard view, phone")
    assert_clean_console(duo)
