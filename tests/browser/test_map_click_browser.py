"""A viewer clicks a département on a dashboard map: the other tiles follow, the area is
outlined, and the "filtered by" chip clears it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.browser.conftest import assert_clean_console, browser_sign_in
from tests.test_dashboard_maps import BOUNDARIES, map_spec
from tests.test_datasets_api import FRENCH_CSV

pytestmark = pytest.mark.slow


def _published_map_dashboard(server: Any, users: dict, sections: Any = None) -> int:
    from studio import accounts
    from studio.services import datasets as dataset_service
    from studio.services import documents
    from studio.store import users as repo

    ext = server.extensions["studio"]
    with ext["db"].session() as s:
        actor = accounts.actor_of(repo.get_user(s, users["editor"]["id"]))
        ds, _ = dataset_service.create_from_upload(
            s, ext["settings"], actor, "rsa.csv", FRENCH_CSV, "RSA"
        )
        geo, _ = dataset_service.create_from_upload(
            s, ext["settings"], actor, "deps.geojson", BOUNDARIES.read_bytes(), "Départements"
        )
        spec = map_spec(ds.id, geo.id)
        if sections:
            spec["sections"] = sections
        doc = documents.create(s, "dashboard", actor, spec)
        documents.publish(s, actor, doc)
        doc.visibility = "internal"
        return doc.id


def _wait(check: Any, what: str, timeout: float = 15) -> Any:
    for _ in range(int(timeout * 10)):
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _chart_labels(duo: Any) -> list[str]:
    return [e.text for e in duo.driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .xtick")]


def test_click_a_map_area_filters_the_dashboard(
    app: Any, server: Any, users: dict, start: Any
) -> None:
    doc = _published_map_dashboard(server, users)
    duo = start(app)
    browser_sign_in(duo, users["viewer"]["email"], users["viewer"]["password"])
    duo.wait_for_element("#home-welcome", timeout=10)
    duo.driver.get(f"{duo.server.url.rstrip('/')}/dashboards/{doc}")
    duo.wait_for_element(".js-plotly-plot", timeout=15)
    corsica = duo.wait_for_element("path.studio-area-2A", timeout=15)  # outlines fetched once
    assert {"01", "2A", "971"} <= set(_wait(lambda: _chart_labels(duo), "the chart's labels"))
    assert corsica.get_attribute("stroke-width") == "0.8"

    ActionChains(duo.driver).move_to_element(corsica).click().perform()
    title = duo.find_element("h1")  # then away from the map, so that no hover style remains
    ActionChains(duo.driver).move_to_element(title).perform()

    duo.wait_for_contains_text("#dv-chip", "Filtré par", timeout=15)
    assert "2A" in duo.find_element("#dv-chip").text
    _wait(lambda: "x.value=2A" in duo.driver.current_url, "the cross-filter in the URL")
    _wait(lambda: _chart_labels(duo) == ["2A"], "the chart filtered to 2A")
    selected = duo.wait_for_element("path.studio-map-selected", timeout=15)
    assert "studio-area-2A" in selected.get_attribute("class")

    def outline() -> str:
        paths = duo.driver.find_elements(By.CSS_SELECTOR, "path.studio-map-selected")
        return ",".join(
            f"{p.get_attribute('stroke')}/{p.get_attribute('stroke-width')}" for p in paths
        )

    _wait(lambda: outline() == "#111111/3", f"the selected area outlined ({outline()})")
    assert len(duo.driver.find_elements(By.CSS_SELECTOR, "path.studio-map-area")) >= 96

    duo.find_element("#dv-clear").click()
    _wait(lambda: not duo.driver.find_elements(By.ID, "dv-clear"), "the chip to go")
    _wait(lambda: {"01", "971"} <= set(_chart_labels(duo)), "every département again")
    _wait(
        lambda: not duo.driver.find_elements(By.CSS_SELECTOR, "path.studio-map-selected"),
        "the outline to go",
    )
    assert_clean_console(duo)


def test_a_tab_is_drawn_when_opened(app: Any, server: Any, users: dict, start: Any) -> None:
    sections = [
        {"id": "barres", "title": "Barres", "tiles": ["c1"]},
        {"id": "carte", "title": "Carte", "tiles": ["m1"]},
    ]
    doc = _published_map_dashboard(server, users, sections)
    duo = start(app)
    browser_sign_in(duo, users["viewer"]["email"], users["viewer"]["password"])
    duo.wait_for_element("#home-welcome", timeout=10)
    duo.driver.get(f"{duo.server.url.rstrip('/')}/dashboards/{doc}")
    duo.wait_for_element(".js-plotly-plot", timeout=15)
    assert not duo.driver.find_elements(By.CSS_SELECTOR, "path.studio-map-area")
    tab = _wait(
        lambda: [
            e for e in duo.driver.find_elements(By.CSS_SELECTOR, ".nav-link") if e.text == "Carte"
        ],
        "the map's tab",
    )[0]
    tab.click()
    duo.wait_for_element("path.studio-area-2A", timeout=15)
    _wait(lambda: not duo.driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot"), "no chart")
    assert_clean_console(duo)
