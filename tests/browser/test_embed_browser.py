"""A page on another origin iframes a Studio embed: it renders, sizes itself, and is refused
by the browser when that origin is not in the dashboard's allowed list."""

from __future__ import annotations

import time
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import assert_accessible, assert_clean_console, base_url
from tests.conftest import serve_files, sign_in
from tests.test_dashboards_api import spec
from tests.test_datasets_api import upload

pytestmark = pytest.mark.slow

INITIAL_HEIGHT = 120
CONTENT_HEIGHT = (
    "return Math.ceil(Math.max(document.body.scrollHeight,"
    " document.body.getBoundingClientRect().height));"
)


def _published_dashboard(server: Any, users: dict) -> tuple[Any, int]:
    editor = server.test_client()
    sign_in(editor, users["editor"]["email"])
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/dashboards", json=spec(ds_id)).get_json()["id"]
    assert editor.post(f"/api/v1/dashboards/{doc_id}/publish").status_code == 200
    return editor, doc_id


def _set_origins(server: Any, doc_id: int, origins: list[str]) -> None:
    from studio.store.models import Document

    with server.extensions["studio"]["db"].session() as s:
        s.get(Document, doc_id).allowed_origins = origins


def _host_page(studio: str, embed_url: str) -> bytes:
    return f"""<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Site du département</title></head><body>
<h1>Le RSA en Mayenne</h1>
<iframe id="studio" src="{embed_url}" title="Tableau de bord"
        style="width:100%;border:0;height:{INITIAL_HEIGHT}px"></iframe>
<p>Fin de la page.</p>
<script src="{studio}/embed.js" async></script>
</body></html>""".encode()


def _iframe_height(duo: Any) -> int:
    return duo.driver.execute_script("return document.getElementById('studio').offsetHeight;")


def test_embed_renders_in_another_origin_and_sizes_itself(
    app: Any, server: Any, users: dict, start: Any
) -> None:
    duo = start(app)
    studio = base_url(duo)
    editor, doc_id = _published_dashboard(server, users)
    token = editor.post(
        f"/api/v1/dashboards/{doc_id}/embed-tokens",
        json={"expires_in": 600, "locked_filters": {"code_departement": "2A"}},
    ).get_json()["token"]
    embed = f"{studio}/embed/dashboards/{doc_id}?token={token}&theme=dark"
    with serve_files({}) as host:
        host.files["/page.html"] = _host_page(studio, embed)
        _set_origins(server, doc_id, [host.url("")])
        duo.driver.get(host.url("/page.html"))
        frame = duo.wait_for_element("#studio", timeout=10)
        duo.driver.switch_to.frame(frame)
        duo.wait_for_element(".studio-tile .js-plotly-plot", timeout=20)
        assert "Montant par d" in duo.driver.find_element(By.ID, "emb-root").text
        theme = duo.driver.execute_script(
            "return document.documentElement.getAttribute('data-bs-theme');"
        )
        assert theme == "dark"
        assert_accessible(duo, "dashboard embed, dark theme")
        content = duo.driver.execute_script(CONTENT_HEIGHT)
        duo.driver.switch_to.default_content()
        deadline = time.time() + 10
        while time.time() < deadline and abs(_iframe_height(duo) - content) > 2:
            time.sleep(0.2)
        assert content > INITIAL_HEIGHT + 100
        assert abs(_iframe_height(duo) - content) <= 2, (_iframe_height(duo), content)
        # inside, everything fits: no inner scroll bar
        duo.driver.switch_to.frame(duo.find_element("#studio"))
        overflow = duo.driver.execute_script(
            "return document.documentElement.scrollHeight - window.innerHeight;"
        )
        duo.driver.switch_to.default_content()
        assert overflow <= 1, overflow
        assert_clean_console(duo)


def test_embed_is_refused_when_the_origin_is_not_allowed(
    app: Any, server: Any, users: dict, start: Any
) -> None:
    duo = start(app)
    studio = base_url(duo)
    _editor, doc_id = _published_dashboard(server, users)
    from studio.store.models import Document

    with server.extensions["studio"]["db"].session() as s:
        s.get(Document, doc_id).visibility = "public"
    _set_origins(server, doc_id, ["https://www.cd53.fr"])
    with serve_files({}) as host:
        host.files["/page.html"] = _host_page(studio, f"{studio}/embed/dashboards/{doc_id}")
        duo.driver.get(host.url("/page.html"))
        frame = duo.wait_for_element("#studio", timeout=10)
        time.sleep(2)
        logs = " ".join(entry.get("message", "") for entry in duo.get_logs() or [])
        assert "frame-ancestors" in logs, logs
        duo.driver.switch_to.frame(frame)
        assert duo.driver.find_elements(By.ID, "emb-root") == []
        assert duo.driver.find_elements(By.CSS_SELECTOR, ".studio-tile") == []
        duo.driver.switch_to.default_content()
        assert _iframe_height(duo) == INITIAL_HEIGHT


def test_editor_embed_dialog(app: Any, server: Any, users: dict, start: Any) -> None:
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    from tests.browser.conftest import browser_sign_in

    duo = start(app)
    _editor, doc_id = _published_dashboard(server, users)
    browser_sign_in(duo, users["editor"]["email"], users["editor"]["password"])
    duo.wait_for_element("#home-new-dashboard", timeout=15)
    duo.driver.get(f"{base_url(duo)}/dashboards/{doc_id}/edit")
    duo.wait_for_element("#de-embed-open", timeout=15).click()
    origins = duo.wait_for_element("#de-embed-origins", timeout=10)
    origins.send_keys("https://www.cd53.fr/accueil")
    duo.find_element("#de-embed-save-origins").click()
    duo.wait_for_contains_text("#de-embed-origins-message", "n'est pas une origine", timeout=10)
    origins.send_keys(Keys.CONTROL, "a")
    origins.send_keys(Keys.DELETE)
    origins.send_keys("https://www.cd53.fr")
    duo.find_element("#de-embed-save-origins").click()
    duo.wait_for_contains_text("#de-embed-origins-message", "enregistrés (1)", timeout=10)
    assert "token=TOKEN" in duo.find_element("#de-embed-snippet").get_attribute("value")
    Select(duo.find_element("#de-embed-lock-field")).select_by_value("code_departement")
    duo.find_element("#de-embed-lock-values").send_keys("2A")
    duo.find_element("#de-embed-issue").click()
    duo.wait_for_contains_text("#de-embed-token-message", "Lien signé créé", timeout=10)
    deadline = time.time() + 10
    while "TOKEN" in duo.find_element("#de-embed-snippet").get_attribute("value"):
        assert time.time() < deadline, "the snippet did not get the token"
        time.sleep(0.2)
    code = duo.find_element("#de-embed-snippet").get_attribute("value")
    assert f"/embed/dashboards/{doc_id}?token=ey" in code and "/embed.js" in code
    assert_accessible(duo, "embed dialog")
    duo.driver.switch_to.frame(duo.find_element("#de-embed-preview"))
    duo.wait_for_element(".studio-tile .js-plotly-plot", timeout=20)
    assert "Montant par d" in duo.driver.find_element(By.ID, "emb-root").text
    duo.driver.switch_to.default_content()
    assert_clean_console(duo)


def test_public_demo_dashboard_embeds_with_its_map(make_app: Any, start: Any) -> None:
    """The demo dashboard (every tile kind, a choropleth) embedded without a token."""
    from studio.accounts import actor_of, create_account
    from studio.services.demo import load_demo
    from studio.store.models import Document
    from tests.conftest import PASSWORD

    app = make_app()  # the demo draws the outlines shipped in studio/data
    services = app.server.extensions["studio"]
    with services["db"].session() as s:
        admin = actor_of(create_account(s, "admin@example.org", "admin", [], PASSWORD)[0])
    doc_id = load_demo(services["db"], services["settings"], admin)["dashboard"]
    with services["db"].session() as s:
        s.get(Document, doc_id).visibility = "public"
    duo = start(app)
    duo.driver.get(f"{base_url(duo)}/embed/dashboards/{doc_id}")
    duo.wait_for_element(".studio-tile .leaflet-container path.leaflet-interactive", timeout=30)
    areas = duo.driver.find_elements(By.CSS_SELECTOR, ".leaflet-container path.leaflet-interactive")
    assert len(areas) >= 90  # every département outline is drawn
    fills = {area.get_attribute("fill") for area in areas}
    assert len(fills) > 2  # coloured by class, not a default colour
    assert_accessible(duo, "demo dashboard embed")
    assert_clean_console(duo)


STORY_HEIGHT = 500


def test_story_embed_scrolls_inside_its_iframe(
    app: Any, server: Any, users: dict, start: Any
) -> None:
    """A story framed by another origin: the reader scrolls inside the iframe (fixed height),
    the table of contents moves within it, and the sticky visual follows each step."""
    from studio.store.models import Document
    from tests.browser.test_stories_browser import read_scroll_sequence
    from tests.story_samples import story_spec

    duo = start(app)
    studio = base_url(duo)
    editor = server.test_client()
    sign_in(editor, users["editor"]["email"])
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/stories", json=story_spec(ds_id)).get_json()["id"]
    assert editor.post(f"/api/v1/stories/{doc_id}/publish").status_code == 200
    token = editor.post(f"/api/v1/stories/{doc_id}/embed-tokens", json={}).get_json()["token"]
    with serve_files({}) as host:
        # The frame sits at the top of a tall window, away from the window's middle: the step
        # being read is the one in the middle of the frame, not of the host page.
        duo.driver.set_window_size(1280, 1500)
        host.files["/page.html"] = f"""<!doctype html><html><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>Site</title></head><body style="margin:0">
<iframe id="studio" src="{studio}/embed/stories/{doc_id}?token={token}&theme=dark" title="Récit"
        style="width:100%;border:0;height:{STORY_HEIGHT}px"></iframe>
<p>Fin de la page.</p><script src="{studio}/embed.js" async></script>
</body></html>""".encode()
        with server.extensions["studio"]["db"].session() as s:
            s.get(Document, doc_id).allowed_origins = [host.url("")]
        duo.driver.get(host.url("/page.html"))
        frame = duo.wait_for_element("#studio", timeout=10)
        duo.driver.switch_to.frame(frame)
        duo.wait_for_contains_text(".story-title", "Le RSA en 2024", timeout=20)
        assert duo.driver.find_elements(By.CSS_SELECTOR, ".story-cover-image") == []
        step_colours = duo.driver.execute_script(
            "const s = getComputedStyle(document.querySelector('.story-step'));"
            "return [s.backgroundColor, s.color];"
        )
        assert step_colours[0] != "rgb(255, 255, 255)", step_colours  # dark theme: readable
        # the table of contents scrolls the story inside its frame
        duo.driver.find_element(By.CSS_SELECTOR, '.story-toc a[href="#chapitre-fin"]').click()
        deadline = time.time() + 5
        while time.time() < deadline and duo.driver.execute_script("return window.scrollY;") < 50:
            time.sleep(0.1)
        assert duo.driver.execute_script("return window.scrollY;") > 50
        duo.driver.execute_script("window.scrollTo(0, 0);")
        read_scroll_sequence(duo)
        assert_accessible(duo, "story embed, dark theme")
        duo.driver.switch_to.default_content()
        # the host page keeps the iframe's own height: the story scrolls inside it
        assert _iframe_height(duo) == STORY_HEIGHT
        assert duo.driver.execute_script("return window.scrollY;") == 0
        assert_clean_console(duo)
