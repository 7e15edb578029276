"""User markdown and placeholders against an XSS corpus: every payload neutralised."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from dash import html

from studio.components.sanitize import (
    ALLOWED_TAGS,
    MISSING_CLASS,
    clean_html,
    fill_placeholders,
    html_to_components,
    markdown_components,
    markdown_to_html,
    safe_url,
)

MARKDOWN_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](jav&#x61;script:alert(1))",
    "[clic](java\tscript:alert(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<iframe src='https://evil.example'></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "[x](vbscript:msgbox(1))",
    "<details open ontoggle=alert(1)>",
]

HTML_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"jav&#x61;script:alert(1)\">x</a>",
    "<a href=\"java&#09;script:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<img src=\"data:image/png;base64,AAAA\">",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<p style=\"color:red\" onclick=\"alert(1)\">x</p>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<form action=\"https://evil.example\"><input name=a></form>",
]

def walk(node: Any) -> list[Any]:
    """Every component and string under `node` (itself included)."""
    if isinstance(node, list | tuple):
        return [x for item in node for x in walk(item)]
    out = [node]
    children = getattr(node, "children", None)
    if children is not None:
        out.extend(walk(children))
    return out


def assert_components_safe(tree: Any) -> None:
    """No dangerous tag, attribute or URL anywhere in a component tree."""
    for node in walk(tree):
        if isinstance(node, str):
            continue
        assert type(node).__module__.startswith("dash.html"), node
        props = node.to_plotly_json()["props"]
        for name, value in props.items():
            assert not name.lower().startswith("on"), (name, value)
            assert name not in ("style", "dangerouslySetInnerHTML"), name
            if name in ("href", "src"):
                assert safe_url(value) == value
                assert value.split(":")[0].lower() in ("http", "https", "mailto") or (
                    ":" not in value)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def assert_html_safe(text: str) -> None:
    """Only allow-listed elements, no handler or style attribute, only safe URLs."""
    parser = _Elements()
    parser.feed(text)
    for tag, attrs in parser.elements:
        assert tag in ALLOWED_TAGS, (tag, text)
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", (name, text)
            if name in ("href", "src"):
                assert safe_url(value) == value, (value, text)
                assert not (value or "").lower().startswith(("data:", "javascript:"))


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_markdown_payloads_are_neutralised(payload: str) -> None:
    assert_html_safe(markdown_to_html(payload))
    assert_components_safe(markdown_components(payload))


@pytest.mark.parametrize("payload", HTML_PAYLOADS)
def test_html_payloads_are_cleaned_by_nh3(payload: str) -> None:
    cleaned = clean_html(payload)
    assert_html_safe(cleaned)
    assert "alert(2)" not in cleaned and "<script" not in cleaned.lower()
    assert_components_safe(html_to_components(cleaned))


@pytest.mark.parametrize("payload", HTML_PAYLOADS)
def test_component_builder_is_safe_on_its_own(payload: str) -> None:
    """Defence in depth: even raw (uncleaned) HTML cannot produce a dangerous component."""
    tree = html_to_components(payload)
    assert_components_safe(tree)
    texts = " ".join(n for n in walk(tree) if isinstance(n, str))
    assert "alert(2)" not in texts


def test_raw_html_in_markdown_stays_visible_text() -> None:
    tree = markdown_components("<b>bonjour</b>")
    paragraph = tree[0]
    assert isinstance(paragraph, html.P)
    assert paragraph.children == ["<b>bonjour</b>"]


def test_allowed_markdown_renders() -> None:
    text = ("# Titre\n\n## Sous-titre\n\n*em* **fort** ~~barré~~ `code`\n\n"
            "- un\n- deux\n\n1. premier\n\n> cité\n\n[lien](https://www.caf.fr/a?b=1) "
            "![carte](https://example.org/c.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    tree = markdown_components(text)
    kinds = {type(n).__name__ for n in walk(tree) if not isinstance(n, str)}
    assert {"H1", "H2", "Em", "Strong", "S", "Code", "Ul", "Ol", "Li", "Blockquote", "A",
            "Img", "Table", "Thead", "Tbody", "Tr", "Th", "Td"} <= kinds
    link = next(n for n in walk(tree) if isinstance(n, html.A))
    assert link.href == "https://www.caf.fr/a?b=1"
    assert link.rel == "noopener noreferrer"
    assert link.children == ["lien"]
    image = next(n for n in walk(tree) if isinstance(n, html.Img))
    assert image.src == "https://example.org/c.png" and image.alt == "carte"


def test_links_get_rel_in_html() -> None:
    out = markdown_to_html("[a](https://example.org)")
    assert 'rel="noopener noreferrer"' in out


@pytest.mark.parametrize(("url", "ok"), [
    ("https://example.org", True), ("http://x.fr/a", True), ("mailto:a@b.fr", True),
    ("/relative/page", True), ("#anchor", True), ("page.html", True),
    ("javascript:alert(1)", False), (" JAVASCRIPT:alert(1)", False),
    ("java\nscript:alert(1)", False), ("data:image/png;base64,AA", False),
    ("vbscript:x", False), ("//evil.example/x", False), ("", False), (None, False),
])
def test_safe_url(url: str | None, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


HOSTILE_VALUES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "\"><svg onload=alert(1)>",
    "{{other}}",
    "**gras**",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_hostile_placeholder_values_are_plain_text(value: str) -> None:
    tree = markdown_components("Foyers : {{foyers}} !", {"foyers": value, "other": "X"})
    assert_components_safe(tree)
    paragraph = tree[0]
    assert isinstance(paragraph, html.P)
    assert paragraph.children == [f"Foyers : {value} !"]


def test_fill_placeholders_escapes_and_marks_unknown() -> None:
    out = fill_placeholders("{{ a }} et {{b}}", {"a": "<b>&"}, "fr")
    assert out.startswith("&lt;b&gt;&amp; et ")
    assert f'<span class="{MISSING_CLASS}">[b ?]</span>' in out


def test_unknown_placeholder_is_a_visible_marker() -> None:
    tree = markdown_components("Total : {{inconnu}}.", {}, "fr")
    marker = next(n for n in walk(tree) if isinstance(n, html.Span))
    assert marker.children == ["[inconnu ?]"]
    assert marker.className == MISSING_CLASS


def test_braces_in_values_are_not_refilled() -> None:
    out = fill_placeholders("{{a}}", {"a": "{{b}}", "b": "secret"})
    assert out == "{{b}}"
