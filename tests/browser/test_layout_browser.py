"""What a person sees on the demo dashboard: every tile's content fits its grid cell, no two
cells overlap, the download bar is a thin line, the chart's axis and the buttons are visible.

The test measures the elements' boxes in the browser (not their count) at desktop and phone
widths, and writes screenshots of the pages it opens to `build/screenshots/` (or
`$STUDIO_SCREENSHOTS`) so a person can look at them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import assert_clean_console, base_url, browser_sign_in
from tests.conftest import PASSWORD, SHARED_DATA

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(os.environ.get("STUDIO_SCREENSHOTS", "build/screenshots"))
DESKTOP, PHONE = (1366, 900), (390, 844)

# For each visible grid cell: the boxes of its content that leave it, the download bars'
# heights, the download buttons hidden under something else, and the x-axes outside their card.
MEASURE = """
const slack = 1;
const inside = (r, c) => r.top >= c.top - slack && r.bottom <= c.bottom + slack
    && r.left >= c.left - slack && r.right <= c.right + slack;
const name = (cell) => (cell.querySelector('h3') || cell).textContent.trim().slice(0, 40);
const cells = [...document.querySelectorAll('.studio-grid > .studio-tile')]
    .filter((c) => c.offsetParent !== null);
const out = {cells: cells.length, overflow: [], spill: [], overlap: [], bars: [], covered: [],
             axes: []};
// Every box a person may see in a cell: descends into neither a clipping box (its overflow
// hidden or scrolled: what is beyond is not seen), an <svg>, nor a closed <details>' body.
const seen = (el, cell, found) => {
  const r = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden') return;
  const placed = ['absolute', 'fixed'].includes(style.position);
  if (r.width > 0 || r.height > 0) found.push([el, r, placed]);
  if (el instanceof SVGElement || style.overflow !== 'visible') return;
  const kids = el.tagName === 'DETAILS' && !el.open ? [el.querySelector('summary')] : el.children;
  for (const kid of kids) if (kid) seen(kid, cell, found);
};
cells.forEach((cell, i) => {
  const box = cell.getBoundingClientRect();
  const found = [];
  for (const kid of cell.children) seen(kid, cell, found);
  for (const [el, r, placed] of found) {
    const parent = el.parentElement;
    if (!placed && parent !== cell && !inside(r, parent.getBoundingClientRect())) {
      out.spill.push([name(cell), el.tagName + '.' + (el.getAttribute('class') || '').slice(0, 50),
                      'out of', (parent.getAttribute('class') || parent.tagName).slice(0, 40)]);
    }
    if (!inside(r, box)) {
      const what = el.tagName + '.' + (el.getAttribute('class') || '').slice(0, 50);
      out.overflow.push([name(cell), what,
                         Math.round(r.bottom - box.bottom), Math.round(r.right - box.right)]);
    }
  }
  cells.slice(i + 1).forEach((other) => {
    const o = other.getBoundingClientRect();
    const w = Math.min(box.right, o.right) - Math.max(box.left, o.left);
    const h = Math.min(box.bottom, o.bottom) - Math.max(box.top, o.top);
    if (w > slack && h > slack) out.overlap.push([name(cell), name(other)]);
  });
  for (const bar of cell.querySelectorAll('.studio-tile-tools')) {
    out.bars.push([name(cell), Math.round(bar.getBoundingClientRect().height)]);
  }
  const card = cell.querySelector('.card');
  for (const axis of cell.querySelectorAll('.xaxislayer-above')) {
    if (card && !inside(axis.getBoundingClientRect(), card.getBoundingClientRect())) {
      out.axes.push(name(cell));
    }
  }
});
for (const button of document.querySelectorAll('.studio-tile-tools button')) {
  if (button.offsetParent === null) continue;
  button.scrollIntoView({block: 'center', behavior: 'instant'});
  const r = button.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (!button.contains(hit)) {
    out.covered.push([button.getAttribute('aria-label'), Math.round(r.left), Math.round(r.top),
                      hit ? (hit.getAttribute('class') || hit.tagName).slice(0, 60) : null]);
  }
}
window.scrollTo({top: 0, behavior: 'instant'});
return out;
"""


def shoot(duo: Any, name: str) -> Path:
    """Save a screenshot of the whole page (beyond the window's height) as `name`.png."""
    import base64

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    width, height = duo.driver.execute_script(
        "return [window.innerWidth, document.documentElement.scrollHeight];"
    )
    shot = duo.driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"captureBeyondViewport": True,
         "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 8000), "scale": 1}},
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _demo(make_app: Any) -> tuple[Any, int]:
    from studio.accounts import actor_of, create_account
    from studio.services.demo import load_demo

    app = make_app(boundaries=str(SHARED_DATA / "departements-version-simplifiee.geojson"))
    services = app.server.extensions["studio"]
    with services["db"].session() as s:
        admin = actor_of(create_account(s, "admin@example.org", "admin", [], PASSWORD)[0])
    return app, load_demo(services["db"], services["settings"], admin)["dashboard"]


def _wait_painted(duo: Any, count: int) -> None:
    """Wait until `count` plotly charts are drawn, then a moment for their last re-layout."""
    end = time.time() + 30
    while time.time() < end:
        drawn = duo.driver.find_elements(By.CSS_SELECTOR, ".studio-grid .js-plotly-plot .xtick")
        if len({d.find_element(By.XPATH, "./ancestor::*[contains(@class,'js-plotly-plot')]").id
                for d in drawn}) >= count:
            break
        time.sleep(0.2)
    time.sleep(1.5)


def _misfits(duo: Any, where: str) -> list[Any]:
    """What does not fit on the page shown, as (where, what, details) triples, once the page
    has settled: plotly re-lays a chart out after its card is sized, so a misfit is measured
    again for up to 10 s and only one that stays is reported."""
    end = time.time() + 10
    while True:
        problems = _measure(duo, where)
        if not problems or time.time() > end:
            return problems
        time.sleep(0.5)


def _measure(duo: Any, where: str) -> list[Any]:
    seen = duo.driver.execute_script(MEASURE)
    problems: list[Any] = []
    if seen["cells"] < 4:
        problems.append((where, "cells", seen["cells"]))
    for what in ("overflow", "spill", "overlap", "covered", "axes"):
        if seen[what]:
            problems.append((where, what, seen[what]))
    if not seen["bars"] or any(h >= 60 for _, h in seen["bars"]):
        problems.append((where, "bars", seen["bars"]))
    return problems


def _open_tab(duo: Any, label: str) -> None:
    tab = duo.driver.find_element(By.XPATH, f"//a[contains(@class,'nav-link')][.='{label}']")
    duo.driver.execute_script("arguments[0].click();", tab)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_demo_dashboard_tiles_fit_their_cells(make_app: Any, start: Any, size: tuple) -> None:
    app, doc_id = _demo(make_app)
    duo = start(app)
    duo.driver.set_window_size(*size)
    browser_sign_in(duo, "admin@example.org", PASSWORD)
    duo.wait_for_element("#home-welcome", timeout=15)
    label = "desktop" if size == DESKTOP else "phone"
    shoot(duo, f"home-{label}")
    duo.driver.get(f"{base_url(duo)}/dashboards/{doc_id}")
    duo.wait_for_element(".studio-tile .leaflet-container", timeout=30)
    _wait_painted(duo, 1)
    shoot(duo, f"dashboard-overview-{label}")
    problems = _misfits(duo, "overview")
    _open_tab(duo, "Détail")
    duo.wait_for_element(".studio-tile .ag-root", timeout=30)
    _wait_painted(duo, 3)
    shoot(duo, f"dashboard-detail-{label}")
    problems += _misfits(duo, "detail")
    duo.driver.get(f"{base_url(duo)}/dashboards/{doc_id}/tiles/evolution")
    began = time.time()
    duo.wait_for_element("#te-preview .js-plotly-plot", timeout=60)
    print(f"tile editor preview drawn in {time.time() - began:.1f} s")
    time.sleep(1.5)
    shoot(duo, f"tile-editor-{label}")
    assert not problems, "\n".join(map(repr, problems))
    assert_clean_console(duo)
