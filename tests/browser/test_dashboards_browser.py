"""An agent builds a dashboard with a tile and a filter, publishes it; a viewer filters it."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import assert_clean_console, browser_sign_in
from tests.test_datasets_api import FRENCH_CSV

pytestmark = pytest.mark.slow


def _dataset(server: Any, users: dict) -> int:
    from studio import accounts
    from studio.services import datasets as service
    from studio.store import users as repo

    with server.extensions["studio"]["db"].session() as s:
        actor = accounts.actor_of(repo.get_user(s, users["editor"]["id"]))
        ds, _ = service.create_from_upload(
            s, server.extensions["studio"]["settings"], actor, "rsa.csv", FRENCH_CSV, "RSA"
        )
        return ds.id


def _pick(duo: Any, selector: str, text: str) -> None:
    """Choose `text` in a Dash 4 dropdown as a person does: open it, click the option."""
    import time

    from selenium.webdriver.common.keys import Keys

    button = duo.wait_for_element(selector, timeout=10)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    duo.driver.execute_script("arguments[0].click();", button)
    xpath = f"//*[contains(@class, 'dash-dropdown-content')]//*[normalize-space(text())='{text}']"
    for _ in range(50):
        options = duo.driver.find_elements(By.XPATH, xpath)
        if options:
            duo.driver.execute_script("arguments[0].click();", options[0])
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"option {text!r} not offered in {selector}")
    duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    time.sleep(0.2)


def _click(duo: Any, selector: str) -> None:
    """Scroll a button into view and click it."""
    button = duo.wait_for_element(selector, timeout=10)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    duo.driver.execute_script("arguments[0].click();", button)


def test_build_publish_and_filter_a_dashboard(
    app: Any, server: Any, users: dict, start: Any
) -> None:
    _dataset(server, users)
    duo = start(app)
    browser_sign_in(duo, users["editor"]["email"], users["editor"]["password"])
    duo.wait_for_element("#home-new-dashboard", timeout=10).click()
    duo.wait_for_element("#de-add-tile", timeout=10).click()

    duo.wait_for_element("#te-title", timeout=10).send_keys("Montant par département")
    _pick(duo, "#te-dimension", "code_departement")
    _pick(duo, "#te-measures", "montant")
    duo.wait_for_element("#te-preview .js-plotly-plot", timeout=15)
    _click(duo, "#te-save")
    duo.wait_for_element("#de-add-tile", timeout=15)

    duo.wait_for_contains_text("#main", "Montant par département", timeout=15)
    Select(duo.find_element("#de-filter-kind")).select_by_value("multi_select")
    _pick(duo, "#de-filter-field", "code_departement")
    duo.find_element("#de-filter-label").send_keys("Département")
    _click(duo, "#de-filter-add")
    duo.wait_for_contains_text("#de-filter-list", "Montant par département", timeout=15)
    _click(duo, "#de-publish")
    duo.wait_for_contains_text("#de-message", "Publié", timeout=10)
    assert_clean_console(duo)
    dashboard_url = duo.driver.current_url.removesuffix("/edit")

    from studio.store.models import Document

    with server.extensions["studio"]["db"].session() as s:  # sharing UI: issue 7
        for doc in s.query(Document).all():
            doc.visibility = "internal"

    duo.find_element("#shell-logout").click()
    duo.wait_for_element("#login-notice", timeout=10)
    browser_sign_in(duo, users["viewer"]["email"], users["viewer"]["password"])
    duo.wait_for_element("#home-welcome", timeout=10)
    duo.driver.get(dashboard_url)
    duo.wait_for_contains_text("#dv-state", "Publié", timeout=15)
    duo.wait_for_element(".js-plotly-plot", timeout=15)
    assert "dv-edit" not in duo.driver.page_source
    _pick(duo, "[id*='\"dv-filter\"']", "2A")
    import time

    for _ in range(50):
        if "=2A" in duo.driver.current_url:
            break
        time.sleep(0.1)
    assert "=2A" in duo.driver.current_url
    assert_clean_console(duo)
