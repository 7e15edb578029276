"""An agent builds one tile of each kind in the editor, by clicking and typing, and saves it.

Each preview is checked in the page itself: plotly trace types and values, the map's
outline paths, the KPI figure in French, the table's rows and colours, the text with its
live value. The console stays clean throughout.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from studio.data import DEPARTEMENTS
from tests.browser.conftest import assert_accessible, assert_clean_console, browser_sign_in
from tests.browser.test_dashboards_browser import _click, _pick

pytestmark = pytest.mark.slow

NNBSP, NBSP, MINUS = "\u202f", "\u00a0", "\u2212"
GEOJSON = DEPARTEMENTS
# Two months of four départements: 16 500 households in January, 16 345 in February.
CSV = (
    b"code_departement;nom;date;foyers\n"
    b"53;Mayenne;01/01/2026;4000\n72;Sarthe;01/01/2026;9000\n"
    b"61;Orne;01/01/2026;3000\n2A;Corse-du-Sud;01/01/2026;500\n"
    b"53;Mayenne;01/02/2026;3900\n72;Sarthe;01/02/2026;8845\n"
    b"61;Orne;01/02/2026;3100\n2A;Corse-du-Sud;01/02/2026;500\n"
)
PLOTS = (
    "return [...document.querySelectorAll('#te-preview .js-plotly-plot')]"
    ".map(g => (g.data || []).map(t => ({type: t.type, mode: t.mode || null,"
    " x: Array.from(t.x || []), y: Array.from(t.y || []), labels: Array.from(t.labels || []),"
    " values: Array.from(t.values || [])})))"
)


def _datasets(server: Any, users: dict) -> None:
    from studio import accounts
    from studio.services import datasets as service
    from studio.store import users as repo

    services = server.extensions["studio"]
    with services["db"].session() as s:
        actor = accounts.actor_of(repo.get_user(s, users["editor"]["id"]))
        for name, filename, content in (
            ("Foyers RSA", "foyers.csv", CSV),
            ("Départements", GEOJSON.name, GEOJSON.read_bytes()),
        ):
            service.create_from_upload(s, services["settings"], actor, filename, content, name)


def _until(duo: Any, probe: Callable[[], Any], what: str, timeout: float = 15) -> Any:
    """The first truthy result of `probe`, retried until `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except Exception as exc:  # noqa: BLE001 - the page is still redrawing
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(0.2)
    raise AssertionError(f"{what}: last seen {last!r}")


def _type(duo: Any, selector: str, text: str) -> None:
    """Type into a debounced input and leave it, as a user does (Tab sends the value)."""
    field = duo.wait_for_element(selector, timeout=10)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", field)
    field.clear()
    field.send_keys(text, Keys.TAB)


def _choose(duo: Any, selector: str, value: str) -> None:
    element = duo.wait_for_element(selector, timeout=10)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    Select(element).select_by_value(value)


def _kind(duo: Any, label: str) -> None:
    xpath = f"//*[@id='te-kind']//label[normalize-space()='{label}']"
    option = duo.driver.find_element(By.XPATH, xpath)
    duo.driver.execute_script("arguments[0].click();", option)


def _new_tile(duo: Any, title: str, kind_label: str) -> None:
    """From the dashboard editor, open a new tile on the test dataset with a title."""
    _click(duo, "#de-add-tile")
    duo.wait_for_element("#te-title", timeout=15)
    _pick(duo, "#te-dataset", "Foyers RSA")
    _kind(duo, kind_label)
    _type(duo, "#te-title", title)


def _plots(duo: Any) -> list[list[dict[str, Any]]]:
    return duo.driver.execute_script(PLOTS)


def _save(duo: Any, title: str) -> None:
    assert_accessible(duo, f"tile editor, {title!r}")
    _click(duo, "#te-save")
    duo.wait_for_element("#de-add-tile", timeout=15)
    duo.wait_for_contains_text("#main", title, timeout=15)


def _content(duo: Any, selector: str) -> str:
    """The exact text of an element (WebDriver's `.text` turns no-break spaces into spaces)."""
    return duo.find_element(selector).get_attribute("textContent") or ""


def _preview_text(duo: Any) -> str:
    return duo.find_element("#te-preview").text


def test_build_one_tile_of_each_kind(app: Any, server: Any, users: dict, start: Any) -> None:
    _datasets(server, users)
    duo = start(app)
    browser_sign_in(duo, users["editor"]["email"], users["editor"]["password"])
    duo.wait_for_element("#home-new-dashboard", timeout=10).click()
    duo.wait_for_element("#de-add-tile", timeout=10)

    # Column chart, sorted, with a target line and values on the bars.
    _new_tile(duo, "Foyers par département", "Graphique")
    _pick(duo, "#te-dimension", "nom")
    _pick(duo, "#te-measures", "foyers")
    _choose(duo, "#te-sort", "value_desc")
    _click(duo, "#te-show_values")
    _type(duo, "#te-y_title", "Foyers")
    plots = _until(
        duo, lambda: [p for p in _plots(duo) if p and p[0]["type"] == "bar"], "column chart"
    )
    bar = plots[0][0]
    assert bar["x"] == ["Sarthe", "Mayenne", "Orne", "Corse-du-Sud"]
    assert bar["y"] == [17845, 7900, 6100, 1000]
    _save(duo, "Foyers par département")

    # Line over months with markers.
    _new_tile(duo, "Évolution mensuelle", "Graphique")
    _choose(duo, "#te-chart_type", "line")
    _pick(duo, "#te-dimension", "date")
    _choose(duo, "#te-grain", "month")
    _pick(duo, "#te-measures", "foyers")
    _click(duo, "#te-markers")
    line = _until(
        duo,
        lambda: [t for p in _plots(duo) for t in p if t["mode"] == "lines+markers"],
        "line chart with markers",
    )[0]
    assert line["type"] == "scatter"
    assert line["x"] == [f"janv.{NBSP}2026", f"févr.{NBSP}2026"]
    assert line["y"] == [16500, 16345]
    _save(duo, "Évolution mensuelle")

    # Pie.
    _new_tile(duo, "Répartition", "Graphique")
    _choose(duo, "#te-chart_type", "pie")
    _pick(duo, "#te-dimension", "nom")
    _pick(duo, "#te-measures", "foyers")
    pie = _until(duo, lambda: [t for p in _plots(duo) for t in p if t["type"] == "pie"], "pie")[0]
    assert dict(zip(pie["labels"], pie["values"], strict=True))["Sarthe"] == 17845
    _save(duo, "Répartition")

    # Choropleth map joined to the départements outlines, manual classes.
    _new_tile(duo, "Carte des foyers", "Carte")
    _pick(duo, "#te-code_field", "code_departement")
    _pick(duo, "#te-measures", "foyers")
    _pick(duo, "#te-boundary_dataset", "Départements")
    _pick(duo, "#te-boundary_code", "code")
    _pick(duo, "#te-boundary_name", "nom")
    _choose(duo, "#te-classes_method", "manual")
    _type(duo, "#te-breaks", "5 000 ; 10 000")
    features = len(json.loads(GEOJSON.read_text())["features"])
    paths = _until(
        duo,
        lambda: (
            len(duo.driver.find_elements(By.CSS_SELECTOR, "#te-preview path.leaflet-interactive"))
            == features
            and "10" in duo.find_element("#te-preview .studio-map-legend").text
        ),
        "map outlines and legend",
    )
    assert paths
    legend = _content(duo, "#te-preview .studio-map-legend")
    assert f"< 5{NNBSP}000" in legend and f"≥ 10{NNBSP}000" in legend
    _save(duo, "Carte des foyers")

    # KPI in households, compared with the month before.
    _new_tile(duo, "Foyers allocataires", "Indicateur clé")
    _pick(duo, "#te-measures", "foyers")
    _pick(duo, "#te-period_field", "date")
    _choose(duo, "#te-good_direction", "down")
    _type(duo, "#te-unit", "foyers")
    value = _until(
        duo,
        lambda: (
            "foyers" in _content(duo, "#te-preview .studio-kpi-value")
            and _content(duo, "#te-preview .studio-kpi-value")
        ),
        "KPI value",
    )
    assert value == f"16{NNBSP}345{NBSP}foyers"
    change = _content(duo, "#te-preview .studio-kpi-change")
    assert f"{MINUS}0,9{NBSP}%" in change and "janv." in change
    assert "studio-kpi-good" in duo.find_element("#te-preview .studio-kpi-change").get_attribute(
        "class"
    )
    _save(duo, "Foyers allocataires")

    # Table with a totals row and a colour rule on the value column.
    _new_tile(duo, "Tableau des foyers", "Tableau")
    _pick(duo, "#te-group_columns", "nom")
    _pick(duo, "#te-measures", "foyers")
    _click(duo, "#te-totals")
    op = '[id*="te-col-rule_op"]'
    _until(duo, lambda: duo.driver.find_elements(By.CSS_SELECTOR, op), "column settings")
    _choose(duo, op, "<")
    _type(duo, '[id*="te-col-rule_value"]', "5 000")
    _type(duo, '[id*="te-col-unit"]', "foyers")
    rows = _until(
        duo,
        lambda: (
            len(
                duo.driver.find_elements(
                    By.CSS_SELECTOR, "#te-preview .ag-center-cols-container .ag-row"
                )
            )
            == 4
        ),
        "table rows",
    )
    assert rows
    total = _until(duo, lambda: _content(duo, "#te-preview .ag-floating-bottom"), "totals row")
    assert "Total" in total and f"32{NNBSP}845{NBSP}foyers" in total
    coloured = _until(
        duo,
        lambda: [
            c.get_attribute("textContent")
            for c in duo.driver.find_elements(By.CSS_SELECTOR, "#te-preview .ag-cell")
            if "253, 224, 221" in (c.get_attribute("style") or "")
        ],
        "coloured cells",
    )
    assert sorted(coloured) == sorted([f"1{NNBSP}000{NBSP}foyers"])
    _save(duo, "Tableau des foyers")

    # Text with a live value.
    _new_tile(duo, "Commentaire", "Texte")
    _pick(duo, "#te-measures", "foyers")
    _until(
        duo, lambda: "{{foyers}}" in duo.find_element("#te-placeholders").text, "placeholder hint"
    )
    _type(duo, "#te-markdown", "## Bilan\n\nTotal : **{{foyers}}** foyers.")
    _until(duo, lambda: f"Total : 32{NNBSP}845 foyers." in _preview_text(duo), "text preview")
    assert duo.find_element("#te-preview h2").text == "Bilan"
    assert duo.find_element("#te-preview strong").text == f"32{NNBSP}845"
    _save(duo, "Commentaire")

    for title in (
        "Foyers par département",
        "Évolution mensuelle",
        "Répartition",
        "Carte des foyers",
        "Foyers allocataires",
        "Tableau des foyers",
        "Commentaire",
    ):
        assert title in duo.find_element("#main").text
    assert_clean_console(duo)
