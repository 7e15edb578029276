"""XSS payloads in tiles, rendered in a real browser: nothing runs, nothing is injected.

The payloads sit where users type (text tile markdown, title, subtitle, source, notes,
axis titles, column labels) and where data flows (category values of a dataset). Every
payload would call `alert` or set `window.__xss` if it ever ran.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from selenium.common.exceptions import NoAlertPresentException

from tests.browser.conftest import assert_clean_console, browser_sign_in
from tests.test_sanitize import MARKDOWN_PAYLOADS

pytestmark = pytest.mark.slow

RUN = "window.__xss=(window.__xss||0)+1;alert(1)"
FIELD_PAYLOADS = [
    f"<script>{RUN}</script>",
    f'<img src=x onerror="{RUN}">',
    f'<svg onload="{RUN}"><script>{RUN}</script></svg>',
    f'<a href="javascript:{RUN}">clic</a>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    f'"><img src=x onerror={RUN}>',
]
SHORT = "".join(FIELD_PAYLOADS)[:200]
MARKDOWN = "\n\n".join(
    [
        "# Titre sûr",
        *[p.replace("alert(1)", RUN) for p in MARKDOWN_PAYLOADS],
        *FIELD_PAYLOADS,
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) fin",
        "![svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "Valeur : {{montant}}",
    ]
)
CSV = (
    "categorie;montant\n"
    + "".join(
        f'"{p.replace(chr(34), chr(34) * 2)}";{i + 1}\n' for i, p in enumerate(FIELD_PAYLOADS)
    )
).encode()

INJECTED = """
const tiles = [...document.querySelectorAll('.studio-tile')];
const found = tiles.length ? [] : ['no tile drawn'];
for (const el of tiles.flatMap(t => [...t.querySelectorAll('*')])) {
  const tag = el.tagName.toLowerCase();
  if (['script', 'iframe', 'object', 'embed', 'form'].includes(tag)) found.push(tag);
  if (tag === 'svg' && !el.closest('.js-plotly-plot, .leaflet-container'))
    found.push('svg');
  for (const attr of el.attributes) {
    const name = attr.name.toLowerCase();
    const value = (attr.value || '').replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
    if (name.startsWith('on')) found.push(tag + '[' + name + ']');
    if (['href', 'src', 'action', 'xlink:href', 'formaction'].includes(name)
        && (value.startsWith('javascript:') || value.startsWith('data:')
            || value.startsWith('vbscript:'))) found.push(tag + '[' + name + '=' + value + ']');
  }
}
return {found: found, ran: window.__xss || 0};
"""


def _dashboard(client: Any) -> int:
    upload = {"file": (io.BytesIO(CSV), "xss.csv"), "name": "Jeu piégé"}
    response = client.post("/api/v1/datasets", data=upload, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    ds = response.get_json()["id"]
    frame = {"title": SHORT, "subtitle": SHORT, "source": SHORT, "notes": "".join(FIELD_PAYLOADS)}
    spec = {
        "title": "Piège",
        "tiles": [
            {
                "kind": "text",
                "id": "x1",
                **frame,
                "markdown": MARKDOWN,
                "dataset": ds,
                "values": [{"name": "montant", "field": "montant", "agg": "sum"}],
            },
            {
                "kind": "chart",
                "id": "c1",
                **frame,
                "chart": "column",
                "dataset": ds,
                "dimension": {"field": "categorie", "label": SHORT},
                "measures": [{"field": "montant", "label": SHORT}],
                "x_title": SHORT,
                "y_title": SHORT,
                "show_values": True,
                "reference_line": {"kind": "average", "label": SHORT},
            },
            {
                "kind": "table",
                "id": "t1",
                **frame,
                "dataset": ds,
                "columns": [
                    {"field": "categorie", "label": SHORT},
                    {
                        "field": "montant",
                        "agg": "sum",
                        "label": SHORT,
                        "number_format": {"unit": "<b>u</b>"},
                    },
                ],
                "totals": True,
            },
        ],
        "layout": [
            {"tile": "x1", "x": 0, "y": 0, "w": 12, "h": 8},
            {"tile": "c1", "x": 0, "y": 8, "w": 6, "h": 5},
            {"tile": "t1", "x": 6, "y": 8, "w": 6, "h": 5},
        ],
    }
    response = client.post("/api/v1/dashboards", json=spec)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _assert_nothing_ran(duo: Any) -> None:
    try:
        alert = duo.driver.switch_to.alert
        text = alert.text
        alert.dismiss()
        raise AssertionError(f"an alert opened: {text!r}")
    except NoAlertPresentException:
        pass
    result = duo.driver.execute_script(INJECTED)
    assert result == {"found": [], "ran": 0}, result
    assert_clean_console(duo)


def _texts(duo: Any, selector: str) -> list[str]:
    return [
        e.get_attribute("textContent") for e in duo.driver.find_elements("css selector", selector)
    ]


def test_payloads_in_tiles_stay_text(app: Any, login: Any, users: dict, start: Any) -> None:
    doc = _dashboard(login("editor"))
    duo = start(app)
    browser_sign_in(duo, users["editor"]["email"], users["editor"]["password"])
    duo.wait_for_element("#home-welcome", timeout=10)

    duo.driver.get(f"{duo.server.url.rstrip('/')}/dashboards/{doc}")
    duo.wait_for_contains_text("#_pages_content", "Titre sûr", timeout=20)
    duo.wait_for_element(".js-plotly-plot", timeout=20)
    duo.wait_for_element(".ag-row", timeout=20)
    _assert_nothing_ran(duo)
    # The payloads are shown as the text that was typed, not as markup.
    assert SHORT in _texts(duo, ".studio-tile-title")
    assert SHORT in _texts(duo, ".studio-tile-source")
    text_tile = " ".join(_texts(duo, ".studio-text"))
    assert "Valeur : 21" in text_tile and "<script>" in text_tile
    assert FIELD_PAYLOADS[1] in " ".join(_texts(duo, ".ag-cell"))
    ticks = " ".join(_texts(duo, ".js-plotly-plot .xtick text"))
    assert "<img src=x" in ticks

    # The editor's live preview draws the same tile with the same renderer.
    duo.driver.get(f"{duo.server.url.rstrip('/')}/dashboards/{doc}/tiles/x1")
    duo.wait_for_contains_text("#te-preview", "Titre sûr", timeout=20)
    assert duo.find_element("#te-title").get_attribute("value") == SHORT
    _assert_nothing_ran(duo)
