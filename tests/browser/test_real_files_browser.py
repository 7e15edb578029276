"""An editor drops a table as DREES publishes it (title, totals, notes): the upload page
lists what was set aside, the totals can be kept with a tick, and the page fits a desktop
and a phone screen (screenshots in `build/screenshots/` or `$STUDIO_SCREENSHOTS`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import assert_clean_console, base_url, browser_sign_in
from tests.browser.test_datasets_browser import _click
from tests.browser.test_layout_browser import DESKTOP, PHONE, shoot

pytestmark = pytest.mark.slow

WIDER_THAN_SCREEN = """
return [...document.querySelectorAll('#dsn-report, #dsn-form, #dsn-form *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map((e) => (e.id || e.tagName) + ' ' + Math.round(e.getBoundingClientRect().right));
"""
PUBLISHED = Path(__file__).resolve().parents[1] / "data" / "rsa-2019-publie.csv"


def test_published_table_report_and_keep_totals(app: Any, users: dict, start: Any) -> None:
    duo = start(app)
    duo.driver.set_window_size(*DESKTOP)
    browser_sign_in(duo, users["editor"]["email"], users["editor"]["password"])
    duo.wait_for_contains_text("#home-welcome", "Bienvenue", timeout=10)
    duo.driver.get(base_url(duo) + "/datasets/new")
    duo.wait_for_element("#dsn-upload input[type=file]", timeout=10).send_keys(str(PUBLISHED))
    duo.wait_for_contains_text("#dsn-report", "3 lignes de total écartées", timeout=30)
    report = duo.find_element("#dsn-report").text
    assert "« France métropolitaine », « DOM », « France »" in report
    assert "elles concordent" in report and "avant le tableau (titre)" in report
    assert "99 lignes" in duo.find_element("#dsn-rows").text
    assert duo.find_element("#dsn-description").get_attribute("value").startswith("Sources")
    shoot(duo, "upload-published-desktop")
    duo.driver.set_window_size(*PHONE)
    shoot(duo, "upload-published-phone")
    wide = duo.driver.execute_script(WIDER_THAN_SCREEN)
    assert not wide, f"wider than a phone: {wide}"
    duo.driver.set_window_size(*DESKTOP)

    _click(duo, "#dsn-keep-totals")
    _click(duo, "#dsn-reanalyse")
    duo.wait_for_contains_text("#dsn-rows", "102 lignes", timeout=30)
    assert "3 lignes de total gardées" in duo.find_element("#dsn-report").text
    assert_clean_console(duo)
