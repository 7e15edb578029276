"""An owner shares a dashboard with a group through the "Partager" dialog; a member of the
group then finds and opens it, a viewer outside the group does not."""

from __future__ import annotations

import time
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import assert_clean_console, base_url, browser_sign_in
from tests.browser.test_dashboards_browser import _click, _pick
from tests.conftest import PASSWORD
from tests.test_dashboards_api import spec
from tests.test_datasets_api import FRENCH_CSV

pytestmark = pytest.mark.slow

TITLE = "Suivi RSA du CD53"


def _published_dashboard(server: Any, users: dict) -> int:
    """The editor's dataset and published (private) dashboard; a viewer outside CD53."""
    from studio import accounts
    from studio.services import datasets as dataset_service
    from studio.services import documents
    from studio.store import users as repo

    with server.extensions["studio"]["db"].session() as s:
        actor = accounts.actor_of(repo.get_user(s, users["editor"]["id"]))
        ds, _ = dataset_service.create_from_upload(
            s, server.extensions["studio"]["settings"], actor, "rsa.csv", FRENCH_CSV, "RSA"
        )
        doc = documents.create(s, "dashboard", actor, spec(ds.id, TITLE))
        documents.publish(s, actor, doc)
        accounts.create_account(s, "autre@example.org", "viewer", ["Corse"], PASSWORD, "Autre")
        return doc.id


def _sign_out(duo: Any) -> None:
    duo.driver.get(base_url(duo) + "/")
    duo.wait_for_element("#home-welcome", timeout=10)
    _click(duo, "#shell-logout")
    duo.wait_for_element("#login-notice", timeout=10)


def test_owner_shares_with_a_group_through_the_dialog(
    app: Any, server: Any, users: dict, start: Any
) -> None:
    doc_id = _published_dashboard(server, users)
    duo = start(app)
    browser_sign_in(duo, users["editor"]["email"], PASSWORD)
    duo.wait_for_element("#home-welcome", timeout=10)
    duo.driver.get(f"{base_url(duo)}/dashboards/{doc_id}/edit")
    _click(duo, "#share-open")
    duo.wait_for_element("#share-modal", timeout=10)
    label = duo.driver.find_element(
        By.XPATH, "//label[contains(normalize-space(.), 'Rôles ou groupes choisis')]"
    )
    duo.driver.execute_script("arguments[0].click();", label)
    _pick(duo, "#share-groups", "CD53")
    _click(duo, "#share-save")
    duo.wait_for_contains_text("#share-message", "Partage enregistré", timeout=10)
    assert_clean_console(duo)
    _sign_out(duo)

    browser_sign_in(duo, users["viewer"]["email"], PASSWORD)  # a member of CD53
    duo.wait_for_contains_text("#home-dashboards", TITLE, timeout=10)
    duo.driver.get(f"{base_url(duo)}/dashboards/{doc_id}")
    duo.wait_for_contains_text("#dv-state", "Publié", timeout=15)
    duo.wait_for_element(".js-plotly-plot", timeout=15)
    assert "share-open" not in duo.driver.page_source  # members view, they do not share
    assert_clean_console(duo)
    _sign_out(duo)

    browser_sign_in(duo, "autre@example.org", PASSWORD)  # in group Corse only
    duo.wait_for_element("#home-dashboards", timeout=10)
    time.sleep(0.5)
    assert TITLE not in duo.find_element("#home-dashboards").text
    duo.driver.get(f"{base_url(duo)}/dashboards/{doc_id}")
    duo.wait_for_element("#dv-not-found", timeout=10)
    assert TITLE not in duo.driver.page_source
    assert_clean_console(duo)
