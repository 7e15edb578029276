"""Browser-test helpers: sign in through the real form, assert a clean console, run axe."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
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


# axe-core, the npm package, installed by `make install-test` (never fetched at run time).
AXE_SCRIPT = Path(
    os.environ.get(
        "STUDIO_AXE_JS",
        Path(__file__).resolve().parents[2] / "build/node/node_modules/axe-core/axe.min.js",
    )
)
# RGAA 4.1 follows WCAG 2.1 AA; best practices add landmarks and headings. A page fails on
# what axe rates serious or critical; moderate and minor findings are printed, not failed.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = ("serious", "critical")


@cache
def _axe_source() -> str | None:
    return AXE_SCRIPT.read_text(encoding="utf-8") if AXE_SCRIPT.is_file() else None


def axe_violations(dash_duo: Any, context: str | None = None) -> list[dict]:
    """axe-core's violations on the page now open (within `context`, a CSS selector, if given)."""
    source = _axe_source()
    if source is None:
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is missing ({AXE_SCRIPT}): run `make install-test`")
        pytest.skip(f"axe-core is not installed ({AXE_SCRIPT}): run `make install-test`")
    driver = dash_duo.driver
    if not driver.execute_script("return typeof window.axe === 'object';"):
        driver.execute_script(source)
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        """
        const [context, options, done] = arguments;
        axe.run(context || document, options)
          .then((r) => done({violations: r.violations}))
          .catch((e) => done({error: String(e)}));
        """,
        context,
        AXE_OPTIONS,
    )
    assert "error" not in result, result.get("error")
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    """One line per violation and failing node: impact, rule id, help, the node's selector."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            target = " ".join(" > ".join(t) if isinstance(t, list) else t for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:220]
            lines.append(f"    {target}: {summary}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more nodes")
    return "\n".join(lines)


def assert_accessible(
    dash_duo: Any, page: str, context: str | None = None, known: tuple[str, ...] = ()
) -> None:
    """No serious or critical axe-core violation on the page (`page` names it in the failure).

    `known`: rule ids left to a third-party widget's upstream, printed but not failed; each
    use says which widget and why (docs/accessibility.md lists them)."""
    violations = axe_violations(dash_duo, context)
    for v in violations:
        if v["id"] in known:
            v["impact"] = f"known {v.get('impact')}"
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    others = [v for v in violations if v.get("impact") not in FAILING_IMPACTS]
    if others:
        print(f"axe on {page} (not failing):\n{describe_violations(others)}")
    assert not failing, f"axe on {page}:\n{describe_violations(failing)}"


@pytest.fixture
def start(dash_duo: Any) -> Any:
    """Start an app in the browser's server thread on the test port."""

    def run(app: Any) -> Any:
        dash_duo.start_server(app, navigate=False, port=BROWSER_PORT)
        return dash_duo

    return run
