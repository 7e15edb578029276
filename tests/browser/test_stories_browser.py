"""Stories in the browser: a reader scrolls through a scroll sequence and back again."""

from __future__ import annotations

import time
from typing import Any

import pytest
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import (
    assert_accessible,
    assert_clean_console,
    base_url,
    browser_sign_in,
)
from tests.browser.test_dashboards_browser import _click, _dataset, _pick
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


def read_scroll_sequence(duo: Any, chapter: str = "defile") -> None:
    """Scroll down through the three steps, checking each state, then back up."""
    duo.wait_for_element(".story-sticky .js-plotly-plot", timeout=15)
    states = {0: ["01", "2A", "971"], 1: ["01"], 2: ["01", "2A", "971"]}
    for step in (0, 1, 2, 1, 0):
        scroll_to_step(duo, chapter, step)
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
    # keyboard: tabbing onto a step makes it the step being read
    from selenium.webdriver.common.keys import Keys

    first = duo.wait_for_element('.story-step[data-step="0"]')
    duo.driver.execute_script("arguments[0].focus();", first)
    first.send_keys(Keys.TAB)
    focused = duo.driver.switch_to.active_element
    assert focused.get_attribute("data-step") == "1"
    sticky_state(duo, 1, ["01"])
    # a phone: one column, the visual above the steps
    duo.driver.set_window_size(390, 844)
    time.sleep(0.5)
    layout = duo.driver.execute_script(
        "const s = document.querySelector('.story-scroll');"
        "const v = document.querySelector('.story-sticky').getBoundingClientRect();"
        "const t = document.querySelector('.story-steps').getBoundingClientRect();"
        "return {display: getComputedStyle(s).display, stickyW: v.width, stepsW: t.width,"
        " width: window.innerWidth};")
    assert layout["display"] == "block", layout
    assert layout["stepsW"] > layout["width"] * 0.8 and layout["stickyW"] > layout["width"] * 0.8
    read_scroll_sequence(duo)
    assert_accessible(duo, "story view, phone")
    assert_clean_console(duo)


def _type(duo: Any, selector: str, text: str) -> None:
    element = duo.wait_for_element(selector, timeout=15)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.clear()
    element.send_keys(text)


def _field(kind: str, chapter: str, step: int | None = None) -> str:
    """The CSS selector of a pattern-matching form field of the story editor."""
    parts = [f'"chapter":"{chapter}"']
    if step is not None:
        parts.append(f'"step":{step}')
    parts.append(f'"type":"se-{kind}"')
    return "#" + _css_id("{" + ",".join(parts) + "}")


def _css_id(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "\\" + c for c in text)


def _save_story(duo: Any) -> None:
    _click(duo, "#se-save")
    duo.wait_for_contains_text("#se-message", "Enregistré", timeout=15)


def _add_chapter(duo: Any, kind: str, title: str) -> None:
    Select(duo.wait_for_element("#se-new-kind", timeout=15)).select_by_value(kind)
    _type(duo, "#se-new-title", title)
    _click(duo, "#se-add-chapter")


def _wait_url(duo: Any, suffix: str, timeout: float = 15) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if duo.driver.current_url.endswith(suffix):
            return
        time.sleep(0.1)
    raise AssertionError(f"still at {duo.driver.current_url}, expected …{suffix}")


def _chart_tile(duo: Any) -> None:
    """In the tile editor: a column chart of the amount by département, saved."""
    radio = duo.wait_for_element("#te-kind input[value='chart']", timeout=15)
    duo.driver.execute_script("arguments[0].click();", radio)
    _type(duo, "#te-title", "Montant par département")
    _pick(duo, "#te-dimension", "code_departement")
    _pick(duo, "#te-measures", "montant")
    duo.wait_for_element("#te-preview .js-plotly-plot", timeout=15)
    assert_accessible(duo, "story tile editor")
    _click(duo, "#te-save")


def test_an_agent_writes_publishes_and_a_reader_reads(
    app: Any, server: Any, users: dict, start: Any
) -> None:
    _dataset(server, users)
    duo = start(app)
    browser_sign_in(duo, users["editor"]["email"], users["editor"]["password"])
    _click(duo, "#home-new-story")
    duo.wait_for_element("#se-title", timeout=15)
    story_url = duo.driver.current_url
    doc_id = int(story_url.rstrip("/").split("/")[-2])
    _type(duo, "#se-title", "Le RSA en 2024")
    _type(duo, "#se-author", "Observatoire")
    _add_chapter(duo, "tiles", "Introduction")
    _type(duo, _field("ch-text", "introduction"), "Les montants **versés** en 2024.")
    _save_story(duo)
    # a tile created in place with the tile editor
    _click(duo, f'a[href="/stories/{doc_id}/tiles/new?chapter=introduction"]')
    _chart_tile(duo)
    _wait_url(duo, f"/stories/{doc_id}/edit")
    duo.wait_for_contains_text("#_pages_content", "Montant par département", timeout=15)

    _add_chapter(duo, "scroll", "Défilement")
    # the sequence's sticky visual starts as a placeholder text: make it a chart
    duo.wait_for_element(_field("step-text", "defilement", 0), timeout=15)
    sticky = duo.driver.find_elements("css selector", f'a[href^="/stories/{doc_id}/tiles/t"]')
    _click(duo, f'a[href="{sticky[-1].get_attribute("href").split(base_url(duo))[-1]}"]')
    _chart_tile(duo)
    _wait_url(duo, f"/stories/{doc_id}/edit")
    _type(duo, _field("step-text", "defilement", 0), "Tous les départements.")
    _click(duo, _field("add-step", "defilement"))
    _type(duo, _field("step-text", "defilement", 1), "L'Ain seul.")
    _type(duo, _field("step-field", "defilement", 1), "code_departement")
    _type(duo, _field("step-value", "defilement", 1), "01")
    _click(duo, _field("add-step", "defilement"))
    _type(duo, _field("step-text", "defilement", 2), "La Guadeloupe ressort.")
    _type(duo, _field("step-highlight", "defilement", 2), "971")
    _save_story(duo)

    _add_chapter(duo, "tiles", "Pour finir")
    _type(duo, _field("ch-text", "pour-finir"), "Données *fictives*.")
    _save_story(duo)
    _click(duo, "#se-publish")
    duo.wait_for_contains_text("#se-message", "Publié", timeout=15)
    assert_accessible(duo, "story editor, three chapters")
    assert_clean_console(duo)

    from studio.store.models import Document

    with server.extensions["studio"]["db"].session() as s:  # shared with everyone signed in
        doc = s.get(Document, doc_id)
        doc.visibility = "internal"
        chapters = doc.spec["chapters"]
    assert [c["kind"] for c in chapters] == ["tiles", "scroll", "tiles"]
    assert chapters[1]["id"] == "defilement" and chapters[1]["tile"]["kind"] == "chart"

    duo.driver.delete_all_cookies()
    browser_sign_in(duo, users["viewer"]["email"], users["viewer"]["password"])
    duo.wait_for_element("#home-welcome", timeout=10)
    duo.wait_for_contains_text("#home-stories", "Le RSA en 2024", timeout=10)
    duo.driver.get(f"{base_url(duo)}/stories/{doc_id}")
    duo.wait_for_contains_text(".story-title", "Le RSA en 2024", timeout=15)
    toc = [a.text for a in duo.driver.find_elements("css selector", ".story-toc a")]
    assert toc == ["Introduction", "Défilement", "Pour finir"]
    assert duo.driver.title == "Le RSA en 2024 · Studio"
    assert_accessible(duo, "story view")
    read_scroll_sequence(duo, "defilement")
    assert_clean_console(duo)
