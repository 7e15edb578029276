"""An agent builds a 4-tile dashboard with a filter by dragging and clicking, publishes it;
a viewer opens it and filters it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import (
    assert_accessible,
    assert_clean_console,
    base_url,
    browser_sign_in,
)
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


def _kind(duo: Any, label: str) -> None:
    """Choose the tile kind in the tile editor's radio buttons, by its visible label."""
    xpath = f"//*[@id='te-kind']//label[normalize-space(text())='{label}']"
    for _ in range(50):
        found = duo.driver.find_elements(By.XPATH, xpath)
        if found:
            duo.driver.execute_script("arguments[0].click();", found[0])
            return
        time.sleep(0.1)
    raise AssertionError(f"no tile kind {label!r}")


def _add_tile(duo: Any, title: str, kind: str, fill: Any, preview: str) -> None:
    """Open the tile editor from the dashboard editor, fill the form, wait for the preview,
    save, and come back to the dashboard editor."""
    _click(duo, "#de-add-tile")
    duo.wait_for_element("#te-title", timeout=15).send_keys(title)
    if kind:
        _kind(duo, kind)
    fill()
    duo.wait_for_element(f"#te-preview {preview}", timeout=20)
    assert_accessible(duo, f"tile editor, {kind or 'Graphique'} {title!r}")
    _click(duo, "#te-save")
    duo.wait_for_element("#de-add-tile", timeout=20)
    duo.wait_for_contains_text(".react-grid-layout", title, timeout=20)


def _grid_item(duo: Any, title: str) -> Any:
    xpath = (
        "//*[contains(@class, 'react-grid-item')]"
        f"[.//*[contains(@class, 'drag-handle')]//*[normalize-space(text())='{title}']]"
    )
    return duo.driver.find_element(By.XPATH, xpath)


def _drag(duo: Any, element: Any, dx: int, dy: int) -> None:
    """Press, move in small steps and release, as a hand does (react-grid-layout needs moves)."""
    chain = ActionChains(duo.driver).click_and_hold(element).pause(0.2)
    for _ in range(5):
        chain.move_by_offset(dx // 5, dy // 5).pause(0.05)
    chain.release().perform()
    time.sleep(0.5)


def _layout(server: Any, doc_id: int) -> dict[str, dict[str, int]]:
    from studio.store.models import Document

    with server.extensions["studio"]["db"].session() as s:
        doc = s.get(Document, doc_id)
        titles = {t["id"]: t.get("title", "") for t in doc.spec["tiles"]}
        return {titles[it["tile"]]: it for it in doc.spec["layout"]}


def _text_of(duo: Any, selector: str) -> str:
    return " ".join(e.text for e in duo.driver.find_elements(By.CSS_SELECTOR, selector))


def _wait(condition: Any, what: str, timeout: float = 15) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_agent_builds_four_tiles_by_dragging_and_a_viewer_filters(
    app: Any, server: Any, users: dict, start: Any
) -> None:
    _dataset(server, users)
    duo = start(app)
    browser_sign_in(duo, users["editor"]["email"], users["editor"]["password"])
    duo.wait_for_element("#home-new-dashboard", timeout=10).click()
    duo.wait_for_element("#de-add-tile", timeout=10)
    doc_id = int(duo.driver.current_url.rstrip("/").split("/")[-2])

    def chart() -> None:
        _pick(duo, "#te-dimension", "code_departement")
        _pick(duo, "#te-measures", "montant")

    def kpi() -> None:
        _pick(duo, "#te-measures", "montant")
        _pick(duo, "#te-period_field", "date")

    def table() -> None:
        _pick(duo, "#te-group_columns", "nom")
        _pick(duo, "#te-measures", "montant")

    def text() -> None:
        area = duo.wait_for_element("#te-markdown", timeout=10)
        area.send_keys("Données **fictives**, pour l'exemple.")
        area.send_keys(Keys.TAB)  # the text area sends its value when it loses focus

    _add_tile(duo, "Montant par département", "", chart, ".js-plotly-plot")
    _add_tile(duo, "Montant du mois", "Indicateur clé", kpi, ".studio-kpi-value")
    _add_tile(duo, "Détail", "Tableau", table, ".studio-table")
    _add_tile(duo, "À savoir", "Texte", text, ".studio-text")
    before = _layout(server, doc_id)
    assert [before[t]["x"] for t in before] == [0, 0, 0, 0]  # new tiles stack on the left

    # drag the text tile by its header to the right half, and make the KPI taller
    grid_width = duo.find_element(".react-grid-layout").size["width"]
    note = _grid_item(duo, "À savoir")
    _drag(duo, note.find_element(By.CSS_SELECTOR, ".drag-handle"), grid_width // 2, -200)
    kpi_item = _grid_item(duo, "Montant du mois")
    handle = kpi_item.find_element(By.CSS_SELECTOR, ".react-resizable-handle")
    _drag(duo, handle, 0, 130)
    _click(duo, "#de-save")
    duo.wait_for_contains_text("#de-message", "Enregistré", timeout=10)
    after = _layout(server, doc_id)
    assert after["À savoir"]["x"] == 6 and after["À savoir"]["y"] < before["À savoir"]["y"]
    assert after["Montant du mois"]["h"] > before["Montant du mois"]["h"]

    Select(duo.find_element("#de-filter-kind")).select_by_value("multi_select")
    _pick(duo, "#de-filter-field", "code_departement")
    duo.find_element("#de-filter-label").send_keys("Département")
    _click(duo, "#de-filter-add")
    duo.wait_for_contains_text("#de-filter-list", "Montant par département", timeout=15)
    assert "Détail" in duo.find_element("#de-filter-list").text  # which tiles it reaches
    assert _layout(server, doc_id)["À savoir"]["x"] == 6  # adding a filter kept the layout
    _click(duo, "#de-publish")
    duo.wait_for_contains_text("#de-message", "Publié", timeout=10)
    assert_accessible(duo, "dashboard editor with four tiles and a filter")
    assert_clean_console(duo)

    from studio.store.models import Document

    with server.extensions["studio"]["db"].session() as s:  # sharing UI: issue 7
        s.get(Document, doc_id).visibility = "internal"

    duo.find_element("#shell-logout").click()
    duo.wait_for_element("#login-notice", timeout=10)
    browser_sign_in(duo, users["viewer"]["email"], users["viewer"]["password"])
    duo.wait_for_element("#home-welcome", timeout=10)
    duo.driver.get(f"{base_url(duo)}/dashboards/{doc_id}")
    duo.wait_for_contains_text("#dv-state", "Publié", timeout=15)
    duo.wait_for_element(".studio-table .ag-row", timeout=15)
    assert "dv-edit" not in duo.driver.page_source
    assert_accessible(duo, "dashboard view (viewer)")
    # the chart offers its PNG download (drawn in the browser, named after the tile)
    # the chart's PNG is drawn in the browser (nothing fetched) and named after the tile;
    # the PDF of the whole dashboard comes from the server
    folder = Path(duo.download_path)
    png = duo.find_element(".modebar-btn[data-title='Télécharger le graphique en PNG']")
    duo.driver.execute_script("arguments[0].click();", png)
    _wait(lambda: (folder / "montant-par-departement.png").exists(), "the chart's PNG")
    assert (folder / "montant-par-departement.png").read_bytes()[:4] == b"\x89PNG"
    _click(duo, "#dv-pdf")
    _wait(lambda: any(p.suffix == ".pdf" for p in folder.iterdir()), "the dashboard PDF")
    _wait(lambda: "Ain" in _text_of(duo, ".studio-table"), "the unfiltered table")
    kpi_before = _text_of(duo, ".studio-kpi-value")
    assert "Corse-du-Sud" in _text_of(duo, ".studio-table")

    _pick(duo, "[id*='\"dv-filter\"']", "2A")
    _wait(lambda: "Ain" not in _text_of(duo, ".studio-table"), "the filtered table")
    assert "Corse-du-Sud" in _text_of(duo, ".studio-table")
    assert _text_of(duo, ".studio-kpi-value") != kpi_before
    assert "=2A" in duo.driver.current_url
    assert_accessible(duo, "dashboard view, filtered")
    assert_clean_console(duo)


def test_delete_with_confirmation_then_restore_from_the_bin(
    app: Any, server: Any, users: dict, start: Any
) -> None:
    duo = start(app)
    browser_sign_in(duo, users["editor"]["email"], users["editor"]["password"])
    duo.wait_for_element("#home-new-dashboard", timeout=10).click()
    duo.wait_for_element("#de-delete", timeout=10)
    doc_id = int(duo.driver.current_url.rstrip("/").split("/")[-2])
    _click(duo, "#de-delete")
    duo.wait_for_contains_text("#de-delete-body", "restaurer pendant 30 jours", timeout=10)
    assert_accessible(duo, "delete confirmation dialog")
    _click(duo, "#de-delete-confirm")
    duo.wait_for_element(f"#bin-item-{doc_id}", timeout=15)
    assert "encore 30 jour(s)" in duo.find_element(f"#bin-item-{doc_id}").text
    assert_accessible(duo, "bin")
    restore = duo.find_element(f"#bin-item-{doc_id} button")
    duo.driver.execute_script("arguments[0].click();", restore)
    duo.wait_for_element("#de-delete", timeout=15)
    assert duo.driver.current_url.endswith(f"/dashboards/{doc_id}/edit")
    assert_clean_console(duo)
