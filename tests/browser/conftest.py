"""Browser-test helpers: sign in through the real form, assert a clean console."""

from __future__ import annotations

import os
from typing import Any

import pytest

# Parallel checkouts on one machine each set their own port.
BROWSER_PORT = int(os.environ.get("STUDIO_TEST_PORT", "8058"))


def _fill(dash_duo: Any, selector: str, value: str) -> None:
    element = dash_duo.wait_for_element(selector)
    element.clear()
    element.send_keys(value)


def base_url(dash_duo: Any) -> str:
    """The test server's address (dash_duo.server_url would wait for a Dash page)."""
    return dash_duo.server.url.rstrip("/")


def browser_sign_in(dash_duo: Any, email: str, password: str) -> None:
    """Open /login in the browser, type the credentials and submit."""
    dash_duo.driver.get(base_url(dash_duo) + "/login")
    _fill(dash_duo, "#email", email)
    _fill(dash_duo, "#password", password)
    dash_duo.find_element("#login-submit").click()


def assert_clean_console(dash_duo: Any) -> None:
    """No error in the browser console."""
    logs = [entry for entry in (dash_duo.get_logs() or []) if entry.get("level") == "SEVERE"]
    assert logs == [], logs


@pytest.fixture
def start(dash_duo: Any) -> Any:
    """Start an app in the browser's server thread on the test port."""

    def run(app: Any) -> Any:
        dash_duo.start_server(app, navigate=False, port=BROWSER_PORT)
        return dash_duo

    return run
