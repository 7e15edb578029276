"""Stories in the browser: a reader scrolls through a scroll sequence and back again."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import assert_clean_console, base_url, browser_sign_in
from tests.browser.test_dashboards_browser import _dataset
from tests.story_samples import story_spec

pytestmark = pytest.mark.slow


def _published_story(server: Any, users: dict, ds_id: int) -> int:
    from studio import accounts
    from studio.services import documents
    from studio.store import users as repo

    with server.extensions["studio"]["db"].session() as s:
        actor = accounts.actor_of(repo.get_user(s, users["editor"]["id"]))
        doc = documents.create(s, "story", actor, story_spec(ds_id))
        doc.visibility = "internal"
        documents.publish(s, actor, doc)
        return doc.id


def scroll_to_step(duo: Any, chapter: str, step: int) -> None:
    """Scroll for real until the step sits in the middle of the window."""
    step_el = duo.wait_for_element(
        f'.story-step[data-chapter="{chapter}"][data-step="{step}"]', timeout=10
    )
    duo.driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "window.scrollTo(0, window.scrollY + r.top + r.height / 2 - window.innerHeight / 2);",
        step_el,
    )


STATE_JS = """
const state = document.querySelector('.story-sticky .story-sticky-state');
const plot = document.querySelector('.story-sticky .js-plotly-plot');
return {
  step: state && state.getAttribute('data-step'),
  codes: [...document.querySelectorAll(
    '.story-sticky .studio-data-table tbody tr td:first-child')].map(c => c.textContent.trim()),
  active: [...document.querySelectorAll('.story-step.is-active')].map(
    a => a.getAttribute('data-step')),
  opacity: plot && plot.data ? plot.data[0].marker.opacity || null : null,
};
"""


def sticky_state(duo: Any, step: int, codes: list[str], timeout: float = 15) -> dict[str, Any]:
    """The sticky visual's state once it shows `step` with these categories (read at once)."""
    end = time.time() + timeout
    state: dict[str, Any] = {}
    while time.time() < end:
        state = duo.driver.execute_script(STATE_JS)
        drawn = step != 2 or state["opacity"] is not None
        if state["step"] == str(step) and sorted(state["codes"]) == codes and drawn:
            return state
        time.sleep(0.1)
    raise AssertionError(f"expected step {step} showing {codes}, got {state}")


def read_scroll_sequence(duo: Any) -> None:
    """Scroll down through the three steps, checking each state, then back up."""
    duo.wait_for_element(".story-sticky .js-plotly-plot", timeout=15)
    states = {0: ["01", "2A", "971"], 1: ["01"], 2: ["01", "2A", "971"]}
    for step in (0, 1, 2, 1, 0):
        scroll_to_step(duo, "defile", step)
        state = sticky_state(duo, step, states[step])
        assert state["active"] == [str(step)]
        if step == 2:  # the Guadeloupe column stands out, the others are faded
            assert sorted(state["opacity"]) == [0.25, 0.25, 1.0], state
        else:
            assert state["opacity"] is None, state


def test_reader_scrolls_through_steps_and_back(
    app: Any, server: Any, users: dict, start: Any
) -> None:
    doc_id = _published_story(server, users, _dataset(server, users))
    duo = start(app)
    browser_sign_in(duo, users["viewer"]["email"], users["viewer"]["password"])
    duo.wait_for_element("#home-welcome", timeout=10)
    duo.driver.get(f"{base_url(duo)}/stories/{doc_id}")
    duo.wait_for_contains_text(".story-title", "Le RSA en 2024", timeout=15)
    assert not duo.driver.find_elements("css selector", "#sv-draft-banner")
    read_scroll_sequence(duo)
    assert_clean_console(duo)
