"""Markdown written by users, turned into safe Dash components.

Four independent layers, so that a bug in one does not open a hole:

1. markdown-it renders with raw HTML *disabled*: `<script>` typed in the text stays text,
   and its own link validation drops `javascript:`, `vbscript:`, `file:` and `data:` links;
2. placeholders `{{name}}` are filled after rendering with HTML-escaped values, by a
   regular-expression callback (never `str.format` on user text), so a value can never
   become markup nor markdown;
3. nh3 (ammonia) cleans the HTML against an allow-list: no script, style, SVG, MathML,
   iframe or form content, no event handler or style attribute, only http(s) and mailto
   URLs; links get `rel="noopener noreferrer"`;
4. the cleaned HTML is parsed and rebuilt as `dash.html` components from a second
   allow-list of tags and attributes, with every URL checked again. Nothing is ever
   handed to the browser as raw HTML (`dangerously_allow_html` is never used): text
   becomes React text nodes, which React escapes.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from typing import Any

import nh3
from dash import html
from markdown_it import MarkdownIt

from studio.components.messages import message
from studio.spec.tiles import PLACEHOLDER_RE

ALLOWED_TAGS: dict[str, Callable[..., Any]] = {
    "h1": html.H1, "h2": html.H2, "h3": html.H3, "h4": html.H4, "h5": html.H5,
    "h6": html.H6, "p": html.P, "br": html.Br, "hr": html.Hr, "strong": html.Strong,
    "em": html.Em, "b": html.B, "i": html.I, "u": html.U, "s": html.S, "del": html.Del,
    "blockquote": html.Blockquote, "code": html.Code, "pre": html.Pre, "ul": html.Ul,
    "ol": html.Ol, "li": html.Li, "a": html.A, "img": html.Img, "table": html.Table,
    "thead": html.Thead, "tbody": html.Tbody, "tr": html.Tr, "th": html.Th, "td": html.Td,
    "span": html.Span,
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "span": {"class"},
}
URL_ATTRIBUTES = {"href", "src"}
URL_SCHEMES = {"http", "https", "mailto"}
DROPPED_WITH_CONTENT = {
    "script", "style", "svg", "math", "iframe", "object", "embed", "template", "noscript",
    "textarea", "select", "title", "xmp", "noembed", "noframes", "frameset",
}
VOID_TAGS = {"br", "hr", "img"}
_REACT_NAMES = {"class": "className", "colspan": "colSpan", "rowspan": "rowSpan"}
MISSING_CLASS = "studio-missing-value"

_MARKDOWN = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
)
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


def safe_url(url: str | None) -> str | None:
    """The URL when it is relative or http(s)/mailto; `None` for anything else.

    Whitespace and control characters are ignored before reading the scheme, as browsers
    do ("java\\tscript:" is `javascript:`); character references must already be decoded.
    """
    if not url:
        return None
    compact = _INVISIBLE_RE.sub("", url)
    if compact.startswith("//") or compact.startswith("\\"):
        return None
    match = _SCHEME_RE.match(compact)
    if match is None:
        return url.strip() if ":" not in compact.split("/")[0] else None
    return url.strip() if match.group(1).lower() in URL_SCHEMES else None


def clean_html(text: str) -> str:
    """HTML reduced to the allow-list: safe tags, attributes and URLs only."""
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes={tag: set(attrs) - {"rel"} for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def fill_placeholders(text: str, values: Mapping[str, str], locale: str = "fr") -> str:
    """HTML text with each `{{name}}` replaced by its HTML-escaped value.

    An unknown name becomes a visible marker "[name ?]" in a span of class
    `studio-missing-value`, never an error.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return html_lib.escape(str(values[name]), quote=True)
        marker = html_lib.escape(message("unknown_placeholder", locale, name=name))
        return f'<span class="{MISSING_CLASS}">{marker}</span>'

    return PLACEHOLDER_RE.sub(replace, text)


def markdown_to_html(
    text: str, values: Mapping[str, str] | None = None, locale: str = "fr"
) -> str:
    """Sanitised HTML of the markdown, placeholders filled with escaped `values`."""
    rendered = _MARKDOWN.render(text)
    if values is not None or PLACEHOLDER_RE.search(rendered):
        rendered = fill_placeholders(rendered, values or {}, locale)
    return clean_html(rendered)


class _TreeBuilder(HTMLParser):
    """Builds Dash components from (already cleaned) HTML, keeping only allowed parts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[Any] = []
        self.stack: list[tuple[str, dict[str, Any], list[Any]]] = []
        self.skip_depth = 0

    def _children(self) -> list[Any]:
        return self.stack[-1][2] if self.stack else self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_depth or tag in DROPPED_WITH_CONTENT:
            if tag not in VOID_TAGS:
                self.skip_depth += 1
            return
        if tag not in ALLOWED_TAGS:
            return
        props = _allowed_props(tag, attrs)
        if tag in VOID_TAGS:
            self._children().append(ALLOWED_TAGS[tag](**props))
        else:
            self.stack.append((tag, props, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS and not self.skip_depth:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag in DROPPED_WITH_CONTENT or tag not in VOID_TAGS:
                self.skip_depth -= 1
            return
        if tag not in ALLOWED_TAGS or tag in VOID_TAGS:
            return
        while self.stack:
            open_tag, props, children = self.stack.pop()
            node = ALLOWED_TAGS[open_tag](children=children or None, **props)
            self._children().append(node)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skip_depth and data:
            self._children().append(data)

    def close(self) -> None:
        super().close()
        while self.stack:
            tag, props, children = self.stack.pop()
            self._children().append(ALLOWED_TAGS[tag](children=children or None, **props))


def _allowed_props(tag: str, attrs: list[tuple[str, str | None]]) -> dict[str, Any]:
    """Dash props of the allowed attributes of a tag, URLs re-checked."""
    allowed = ALLOWED_ATTRIBUTES.get(tag, set())
    props: dict[str, Any] = {}
    for name, value in attrs:
        if name not in allowed or value is None:
            continue
        if name in URL_ATTRIBUTES:
            checked = safe_url(value)
            if checked is None:
                continue
            value = checked
        if name == "class" and value != MISSING_CLASS:
            continue
        props[_REACT_NAMES.get(name, name)] = value
    if tag == "a" and "href" in props:
        props["rel"] = "noopener noreferrer"
        props["target"] = "_blank"
    return props


def html_to_components(text: str) -> list[Any]:
    """Dash components for HTML, keeping only allow-listed tags, attributes and URLs."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def markdown_components(
    text: str, values: Mapping[str, str] | None = None, locale: str = "fr"
) -> list[Any]:
    """Dash components of user markdown with its placeholders filled (all layers applied)."""
    return html_to_components(markdown_to_html(text, values, locale))
