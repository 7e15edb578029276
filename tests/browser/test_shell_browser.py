"""A user signs in, sees home, switches language, signs out; a wrong password is explained."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    assert_accessible,
    assert_clean_console,
    base_url,
    browser_sign_in,
)

pytestmark = pytest.mark.slow


def test_sign_in_home_language_sign_out(app: Any, users: dict, start: Any) -> None:
    duo = start(app)
    browser_sign_in(duo, users["editor"]["email"], users["editor"]["password"])
    duo.wait_for_contains_text("#home-welcome", "Bienvenue", timeout=10)
    duo.wait_for_contains_text("#home-empty", "Votre catalogue est vide")
    assert "Administration" not in duo.find_element("nav").text
    assert duo.driver.execute_script("return document.documentElement.lang;") == "fr"
    assert duo.driver.title == "Catalogue · Studio"
    assert_accessible(duo, "home, empty catalogue")

    duo.find_element("#shell-lang-en").click()
    duo.wait_for_contains_text("#home-welcome", "Welcome", timeout=10)
    duo.wait_for_contains_text("#home-empty", "Your catalogue is empty")
    assert duo.find_element("#shell-lang-en").get_attribute("aria-pressed") == "true"
    assert duo.driver.execute_script("return document.documentElement.lang;") == "en"
    assert duo.driver.title == "Catalogue · Studio"
    assert_accessible(duo, "home in English")

    duo.find_element("#shell-logout").click()
    duo.wait_for_element("#login-notice", timeout=10)
    assert "/login" in duo.driver.current_url
    duo.driver.get(base_url(duo) + "/")
    duo.wait_for_element("#login-submit", timeout=10)  # signed out: back to the form
    assert_accessible(duo, "login")
    assert_clean_console(duo)


def test_language_is_remembered_at_next_sign_in(app: Any, users: dict, start: Any) -> None:
    duo = start(app)
    browser_sign_in(duo, users["viewer"]["email"], users["viewer"]["password"])
    duo.wait_for_contains_text("#home-welcome", "Bienvenue", timeout=10)
    duo.find_element("#shell-lang-en").click()
    duo.wait_for_contains_text("#home-welcome", "Welcome", timeout=10)
    duo.find_element("#shell-logout").click()
    duo.wait_for_element("#login-notice", timeout=10)
    browser_sign_in(duo, users["viewer"]["email"], users["viewer"]["password"])
    duo.wait_for_contains_text("#home-welcome", "Welcome", timeout=10)
    assert_clean_console(duo)


def test_wrong_password_shows_a_clear_message(app: Any, users: dict, start: Any) -> None:
    duo = start(app)
    browser_sign_in(duo, users["viewer"]["email"], "not my password")
    duo.wait_for_contains_text("#login-error", "E-mail ou mot de passe incorrect", timeout=10)
    assert duo.find_element("#email").get_attribute("value") == users["viewer"]["email"]
    assert_accessible(duo, "login with an error")
    assert_clean_console(duo)


def test_admin_creates_a_user_in_the_browser(app: Any, users: dict, start: Any) -> None:
    duo = start(app)
    browser_sign_in(duo, users["admin"]["email"], users["admin"]["password"])
    duo.wait_for_contains_text("#home-welcome", "Bienvenue", timeout=10)
    duo.find_element("#shell-nav-admin").click()
    duo.wait_for_element("#admin-create-email", timeout=10)
    assert duo.driver.title == "Administration · Studio"
    assert_accessible(duo, "admin")
    duo.find_element("#admin-create-email").send_keys("elu@cd53.fr")
    duo.find_element("#admin-create-groups").send_keys("Elus")
    duo.find_element("#admin-create-submit").click()
    duo.wait_for_contains_text("#admin-create-message", "elu@cd53.fr", timeout=10)
    duo.wait_for_contains_text("#admin-users", "elu@cd53.fr")
    assert "Mot de passe généré" in duo.find_element("#admin-create-message").text
    assert_accessible(duo, "admin, user created")
    assert_clean_console(duo)
