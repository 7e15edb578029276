"""The story renderer: each chapter kind, the cover and contents, step views, sanitising."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from dash import dcc, html
from story_samples import story_spec
from test_sanitize import MARKDOWN_PAYLOADS, assert_components_safe, walk

from studio.spec import QueryResult
from studio.spec.story import load_story
from studio.spec.tiles import TILE_ADAPTER
from studio.stories.model import (
    DashboardPart,
    StoryData,
    sticky_queries,
    story_queries,
    text_key,
    tile_key,
)
from studio.stories.render import RenderOptions, apply_step_view, render_sticky, render_story

SCHEMAS = {3: {"code_departement": "text", "montant": "decimal", "date": "date"}}
BY_DEP = QueryResult(
    columns=["code_departement", "montant__sum"],
    rows=[["01", 1334.75], ["2A", -12.0], ["971", 3000.0]],
)


@dataclass
class Unit:
    results: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def data(steps: dict[str, int] | None = None, **dashboards: Any) -> StoryData:
    return StoryData(
        units={
            text_key("intro"): Unit(
                {"values": QueryResult(columns=["montant__sum"], rows=[[4322.75]])}
            ),
            tile_key("c1"): Unit({"data": BY_DEP}),
            tile_key("s1"): Unit({"data": BY_DEP}),
        },
        dashboards=dashboards,
        steps=steps or {},
    )


def texts(tree: Any) -> str:
    return " ".join(n for n in walk(tree) if isinstance(n, str))


def find(tree: Any, kind: type, **props: Any) -> list[Any]:
    return [
        n
        for n in walk(tree)
        if isinstance(n, kind) and all(getattr(n, k, None) == v for k, v in props.items())
    ]


def test_cover_toc_and_tiles_chapter() -> None:
    story = load_story(story_spec(3))
    story.cover.image = "0" * 32 + ".png"
    story.cover.image_alt = "Carte du département"
    tree = render_story(
        story, data(), "fr", RenderOptions(image_url=lambda name: f"/story-images/9/{name}")
    )
    assert isinstance(tree, html.Article) and tree.lang == "fr"
    assert find(tree, html.H1)[0].children == "Le RSA en 2024"
    assert "Par Observatoire · 30/06/2024" in texts(tree)
    image = find(tree, html.Img)[0]
    assert image.src == f"/story-images/9/{'0' * 32}.png" and image.alt == "Carte du département"
    links = [a.href for a in find(tree.children[1], html.A)]
    assert links == ["#chapitre-intro", "#chapitre-defile", "#chapitre-fin"]
    sections = find(tree, html.Section)
    assert [s.id for s in sections if str(s.id).startswith("chapitre")] == [
        "chapitre-intro",
        "chapitre-defile",
        "chapitre-fin",
    ]
    assert "4\u202f322,75" in texts(sections[0])  # the live value, French format
    # every visual has its data table alternative
    tables = find(sections[0], html.Table)
    assert tables and "971" in texts(tables[0])


def test_scroll_chapter_has_sticky_visual_steps_and_a_store() -> None:
    story = load_story(story_spec(3))
    tree = render_story(story, data({"defile": 1}), "en")
    store = find(tree, dcc.Store)[0]
    assert store.id == {"type": "story-step", "chapter": "defile"} and store.data == 1
    steps = [n for n in walk(tree) if "story-step" in (getattr(n, "className", "") or "").split()]
    assert [s.to_plotly_json()["props"]["data-step"] for s in steps] == ["0", "1", "2"]
    assert all(s.tabIndex == "0" for s in steps)  # keyboard reachable
    assert "is-active" in steps[1].className and "is-active" not in steps[0].className
    sticky = find(tree, html.Div, className="story-sticky-state")[0]
    assert sticky.to_plotly_json()["props"]["data-step"] == "1" and "Step 2 of 3" in texts(sticky)


def test_highlight_fades_the_other_columns() -> None:
    story = load_story(story_spec(3))
    chapter = story.chapter("defile")
    drawn = render_sticky(chapter, 2, Unit({"data": BY_DEP}), "fr")
    graph = find(drawn, dcc.Graph)[0]
    assert list(graph.figure.data[0].marker.opacity) == [0.25, 0.25, 1.0]
    plain = render_sticky(chapter, 0, Unit({"data": BY_DEP}), "fr")
    assert find(plain, dcc.Graph)[0].figure.data[0].marker.opacity is None


def test_map_view_and_highlighted_territory() -> None:
    import dash_leaflet as dl

    tile = TILE_ADAPTER.validate_python(
        {
            "kind": "map",
            "id": "m1",
            "dataset": 3,
            "code_field": "code",
            "measure": {"field": "v"},
            "boundaries": {
                "dataset": 4,
                "code_field": "code",
                "name_field": "nom",
                "geometry_field": "geom",
            },
        }
    )
    square = '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}'
    results = {
        "values": QueryResult(columns=["code", "v__sum"], rows=[["53", 1.0], ["72", 2.0]]),
        "boundaries": QueryResult(
            columns=["code", "nom", "geom"],
            rows=[["53", "Mayenne", square], ["72", "Sarthe", square]],
        ),
    }
    from studio.components.render import render_tile
    from studio.spec.story import ScrollStep

    step = ScrollStep(highlight=["72"], view={"lat": 48.0, "lon": 0.2, "zoom": 8})
    drawn = apply_step_view(render_tile(tile, results, "fr"), tile, step, "fr")
    leaflet = find(drawn, dl.Map)[0]
    assert leaflet.center == [48.0, 0.2] and leaflet.zoom == 8 and not hasattr(leaflet, "bounds")
    outline = [
        c
        for c in leaflet.children
        if isinstance(c, dl.GeoJSON) and c.id.get("type") == "tile-map-highlight"
    ]
    assert [f["properties"]["name"] for f in outline[0].data["features"]] == ["Sarthe"]


def test_dashboard_chapter_shows_its_part_or_says_why_not() -> None:
    story = load_story(story_spec(3, dashboard_id=5))
    tile = TILE_ADAPTER.validate_python(story_spec(3)["chapters"][0]["tiles"][0])
    part = DashboardPart(
        title="Observatoire",
        section_title="",
        tiles=[tile],
        data={"c1": Unit({"data": BY_DEP})},
        href="/dashboards/5",
    )
    shown = render_story(story, data(tableau=part), "fr")
    section = find(shown, html.Section, id="chapitre-tableau")[0]
    assert "Extrait du tableau de bord « Observatoire »" in texts(section)
    assert find(section, html.A)[0].href == "/dashboards/5" and find(section, dcc.Graph)
    hidden = render_story(story, data(tableau=None), "fr")
    section = find(hidden, html.Section, id="chapitre-tableau")[0]
    assert "n'est pas disponible" in texts(section) and not find(section, dcc.Graph)


def test_errors_are_shown_in_place() -> None:
    story = load_story(story_spec(3))
    broken = data()
    broken.units[tile_key("c1")] = Unit(error="Le jeu de données a été supprimé.")
    tree = render_story(story, broken, "fr")
    assert "Le jeu de données a été supprimé." in texts(tree)


def test_queries_follow_the_step() -> None:
    story = load_story(story_spec(3))
    queries = story_queries(story, SCHEMAS, {"defile": 1})
    assert set(queries) == {text_key("intro"), tile_key("c1"), tile_key("s1")}
    filters = [f.model_dump() for f in queries[tile_key("s1")]["data"].filters]
    assert filters == [{"field": "code_departement", "op": "=", "value": "01"}]
    chapter = story.chapter("defile")
    assert sticky_queries(chapter, 0, SCHEMAS)["data"].filters == []
    assert sticky_queries(chapter, 1, {3: {}})["data"].filters == []  # field not in dataset


def _with_payload(payload: str) -> dict[str, Any]:
    raw = story_spec(3)
    raw["title"] = payload[:200]
    raw["cover"] = {"subtitle": payload[:200], "author": payload[:200], "image_alt": payload[:200]}
    raw["chapters"][0]["title"] = payload[:200]
    raw["chapters"][0]["text"]["markdown"] = payload + " {{total}}"
    raw["chapters"][0]["tiles"][0]["title"] = payload[:200]
    raw["chapters"][1]["title"] = payload[:200]
    for step in raw["chapters"][1]["steps"]:
        step["text"]["markdown"] = payload
    raw["chapters"][2]["text"]["markdown"] = payload
    return raw


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_every_story_text_is_sanitised(payload: str) -> None:
    story = load_story(_with_payload(payload))
    tree = render_story(story, data(), "fr")
    # Text fields are plain strings in components (React escapes them); markdown goes
    # through the sanitiser: no dangerous tag, attribute or URL anywhere in the tree.
    html_nodes = [
        n
        for n in walk(tree)
        if not isinstance(n, str) and type(n).__module__.startswith("dash.html")
    ]
    for node in html_nodes:
        props = node.to_plotly_json()["props"]
        for name, value in props.items():
            assert not name.lower().startswith("on"), (name, value)
            assert name != "dangerouslySetInnerHTML"
            if name in ("href", "src") and isinstance(value, str):
                assert (
                    not value.lower()
                    .replace("\t", "")
                    .startswith(("javascript:", "data:", "vbscript:"))
                ), value
    for text_block in find(tree, html.Div, className="story-text"):
        assert_components_safe(text_block.children.children)
    assert not find(tree, html.Script) and not find(tree, html.Iframe)
