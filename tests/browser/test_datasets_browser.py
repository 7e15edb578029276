"""An editor uploads a French CSV, fixes a column type after seeing the problems, and saves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.conftest import (
    assert_accessible,
    assert_clean_console,
    base_url,
    browser_sign_in,
)

pytestmark = pytest.mark.slow

ROWS = 300
CSV = "code_commune;nom;foyers;montant;date_maj\n" + "".join(
    f"{53001 + i};Commune n°{i};{'env. 30' if i in (3, 170) else i * 10};{i},5;"
    f"{1 + i % 28:02d}/03/2024\n"
    for i in range(ROWS)
)


def _type_select(duo: Any, column: str) -> Select:
    selector = f"select[id='{{\"index\":\"{column}\",\"type\":\"dsn-field-type\"}}']"
    return Select(duo.wait_for_element(selector, timeout=10))


def _click(duo: Any, selector: str) -> None:
    """Click once the element is in view (Bootstrap scrolls smoothly, so jump instantly)."""

    def clicked(_driver: Any) -> bool:
        element = duo.find_element(selector)
        duo.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
        )
        try:
            element.click()
        except ElementClickInterceptedException:
            return False
        return True

    WebDriverWait(duo.driver, 10).until(clicked)


def test_upload_fix_a_column_type_and_save(
    app: Any, users: dict, start: Any, tmp_path: Path
) -> None:
    path = tmp_path / "foyers_2024.csv"
    path.write_bytes(CSV.encode("cp1252"))
    duo = start(app)
    browser_sign_in(duo, users["editor"]["email"], users["editor"]["password"])
    duo.wait_for_contains_text("#home-welcome", "Bienvenue", timeout=10)
    duo.find_element("#shell-nav-datasets").click()
    duo.wait_for_contains_text("#dsl-empty", "Aucun jeu de données", timeout=10)
    assert_accessible(duo, "datasets, empty")
    duo.find_element("#dsl-new").click()
    duo.wait_for_element("#dsn-upload input[type=file]", timeout=10)
    assert_accessible(duo, "new dataset")

    duo.wait_for_element("#dsn-upload input[type=file]", timeout=10).send_keys(str(path))
    duo.wait_for_contains_text("#dsn-problems", "Colonne « foyers » : 2 valeur(s)", timeout=30)
    assert "300 lignes" in duo.find_element("#dsn-rows").text
    assert "séparateur « ; »" in duo.find_element("#dsn-source").text
    problems = duo.find_element("#dsn-problems").text
    assert "env. 30" in problems and "Nombre entier" in problems
    assert _type_select(duo, "foyers").first_selected_option.get_attribute("value") == "integer"
    assert _type_select(duo, "code_commune").first_selected_option.get_attribute("value") == (
        "commune"
    )
    assert "Commune n°0" in duo.find_element("#dsn-sample").text
    assert duo.find_element("#dsn-name").get_attribute("value") == "foyers 2024"
    assert_accessible(duo, "new dataset, file analysed")

    _type_select(duo, "foyers").select_by_value("text")
    _click(duo, "#dsn-reanalyse")
    duo.wait_for_contains_text("#dsn-problems", "Toutes les valeurs correspondent", timeout=30)
    assert _type_select(duo, "foyers").first_selected_option.get_attribute("value") == "text"

    name = duo.find_element("#dsn-name")
    name.clear()
    name.send_keys("Foyers par commune")
    _click(duo, "#dsn-save")
    duo.wait_for_contains_text("#dsd-title", "Foyers par commune", timeout=30)
    assert "/datasets/" in duo.driver.current_url
    facts = duo.find_element("#dsd-facts").text
    assert "300 lignes" in facts and users["editor"]["email"] in facts
    assert "Commune n°0" in duo.find_element("#dsd-sample").text
    type_select = duo.find_element(
        "select[id='{\"index\":\"foyers\",\"type\":\"dsd-field-type\"}']"
    )
    assert Select(type_select).first_selected_option.get_attribute("value") == "text"
    assert_accessible(duo, "dataset detail")

    duo.driver.get(base_url(duo) + "/datasets")
    duo.wait_for_contains_text("#dsl-table", "Foyers par commune", timeout=10)
    assert_accessible(duo, "datasets list")
    assert_clean_console(duo)
