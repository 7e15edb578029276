"""The story spec: validation with precise errors, round trip, migration, table of contents."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from story_samples import story_spec

from studio.spec import SpecVersionError
from studio.spec.story import (
    StorySpec,
    dump_story,
    load_story,
    new_chapter_id,
    step_conditions,
    table_of_contents,
)


def test_round_trip_keeps_every_chapter_kind() -> None:
    raw = story_spec(3, dashboard_id=7)
    story = load_story(raw)
    assert [c.kind for c in story.chapters] == ["tiles", "scroll", "dashboard"]
    again = load_story(dump_story(story))
    assert again == story
    assert dump_story(again)["cover"]["date"] == "2024-06-30"
    assert [t.id for t in story.tiles()] == ["c1", "s1"]
    assert story.chapter_of("s1").id == "defile" and story.tile("zz") is None


def test_table_of_contents_follows_chapter_titles() -> None:
    raw = story_spec(3)
    raw["chapters"][2]["title"] = "  "
    toc = table_of_contents(load_story(raw))
    assert toc == [
        ("chapitre-intro", "Introduction"),
        ("chapitre-defile", "Département par département"),
    ]


def _error(raw: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ValidationError) as info:
        load_story(raw)
    first = info.value.errors()[0]
    return ".".join(str(p) for p in first["loc"]), first["msg"]


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (
            lambda s: s["chapters"][0]["tiles"].append({**s["chapters"][1]["tile"]}),
            "chapters",
            "tile id 's1' is used twice (chapters 'intro' and 'defile')",
        ),
        (lambda s: s["chapters"][0].update(id="bad id"), "chapters.0.tiles.id", "pattern"),
        (
            lambda s: s["chapters"][1]["steps"][2].update(highlight=["x" * 300]),
            "chapters.1.scroll.steps.2.highlight",
            "longer than 200",
        ),
        (
            lambda s: s["chapters"][1]["steps"][0].update(
                period={"field": "date", "value": "l'an dernier"}
            ),
            "chapters.1.scroll.steps.0.period.value",
            "is not a period",
        ),
        (
            lambda s: s["chapters"][0]["text"].update(dataset=None),
            "chapters.0.tiles.text",
            "live values need a 'dataset'",
        ),
        (lambda s: s["cover"].update(image="../../etc/passwd"), "cover.image", "pattern"),
        (lambda s: s.update(extra=1), "extra", "Extra inputs are not permitted"),
    ],
)
def test_validation_errors_say_where_and_what(change: Any, where: str, words: str) -> None:
    raw = story_spec(3)
    change(raw)
    loc, msg = _error(raw)
    assert loc == where and words in msg, (loc, msg)


def test_highlight_needs_a_chart_or_a_map() -> None:
    raw = story_spec(3)
    raw["chapters"][1]["tile"] = {"kind": "text", "id": "s1", "markdown": "x"}
    assert _error(raw)[1].endswith(
        "step 3: only a chart or a map can highlight values, not a text tile"
    )


def test_migration_from_the_prototype_format() -> None:
    old = {
        "schema_version": 0,
        "cover": {"title": "Ancien récit", "author": "A"},
        "chapters": [{"type": "tiles", "id": "a", "title": "Un"}],
    }
    story = load_story(old)
    assert story.title == "Ancien récit" and story.cover.author == "A"
    assert story.chapters[0].kind == "tiles"
    with pytest.raises(SpecVersionError, match="newer Studio"):
        load_story({"schema_version": 99, "title": "x"})
    with pytest.raises(SpecVersionError, match="JSON object"):
        load_story(["x"])
    with pytest.raises(ValidationError, match="use load_story"):
        StorySpec.model_validate({"schema_version": 0, "title": "x"})


def test_step_conditions_add_filters_and_the_period() -> None:
    raw = story_spec(3)
    raw["chapters"][1]["steps"][1]["period"] = {
        "field": "date",
        "grain": "quarter",
        "value": "2024-T1",
    }
    step = load_story(raw).chapters[1].steps[1]
    conditions = [c.model_dump() for c in step_conditions(step, {"date": "date"})]
    assert conditions == [
        {"field": "code_departement", "op": "=", "value": "01"},
        {"field": "date", "op": "between", "value": ["2024-01-01", "2024-03-31"]},
    ]
    on_datetime = step_conditions(step, {"date": "datetime"})
    assert [c.op for c in on_datetime] == ["=", ">=", "<"]


def test_new_chapter_ids_are_unused_slugs() -> None:
    story = load_story(story_spec(3))
    assert new_chapter_id(story, "Département par département!") == "departement-par-departement"
    assert new_chapter_id(story, "Intro") == "intro-2"
    assert new_chapter_id(story) == "chapitre"
