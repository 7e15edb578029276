"""Pure story edits (what the editor applies before saving)."""

from __future__ import annotations

import pytest
from story_samples import story_spec

from studio.spec.story import load_story
from studio.stories import editing


def test_form_values_are_applied_and_forged_ids_ignored() -> None:
    spec = story_spec(3)
    out = editing.apply_edits(
        spec,
        {"title": "  Nouveau  ", "author": "A" * 500, "date": ""},
        {"intro": {"title": "Début", "text": "**Bonjour**"}, "nope": {"title": "x"}},
        {
            ("defile", 0): {
                "field": "code_departement",
                "value": "2A",
                "highlight": "01, 971,",
                "period_field": "date",
                "period": "2024-T1",
                "grain": "quarter",
            },
            ("defile", 9): {"text": "fantôme"},
        },
    )
    story = load_story(out)
    assert story.title == "Nouveau" and len(story.cover.author) == 200
    assert story.cover.date is None and story.chapters[0].title == "Début"
    step = story.chapters[1].steps[0]
    assert [f.value for f in step.filters] == ["2A"] and step.highlight == ["01", "971"]
    assert step.period is not None and step.period.bounds()[1].isoformat() == "2024-03-31"
    assert len(story.chapters[1].steps) == 3


def test_clearing_a_filter_removes_it() -> None:
    out = editing.apply_edits(story_spec(3), {}, {}, {("defile", 1): {"field": "", "value": ""}})
    assert out["chapters"][1]["steps"][1]["filters"] == []


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("47,5 ; 2,1 ; 7", {"lat": 47.5, "lon": 2.1, "zoom": 7}),
        ("-21.1/55.5/9", {"lat": -21.1, "lon": 55.5, "zoom": 9}),
        ("", None),
    ],
)
def test_map_views_are_read(text: str, view: dict | None) -> None:
    assert editing.parse_view(text) == view


def test_a_bad_map_view_says_how_to_write_it() -> None:
    with pytest.raises(ValueError, match="latitude ; longitude ; zoom"):
        editing.parse_view("Laval")


def test_reorder_keeps_unknown_ids_out_and_missing_chapters_in() -> None:
    out = editing.reorder_chapters(story_spec(3), ["fin", "evil", "intro"])
    assert [c["id"] for c in out["chapters"]] == ["fin", "intro", "defile"]


def test_duplicate_gets_new_ids_and_moves_stay_in_bounds() -> None:
    spec = editing.duplicate_chapter(story_spec(3), "defile", " (copie)")
    ids = [c["id"] for c in spec["chapters"]]
    assert ids[1] == "defile" and ids[2] not in ids[:2] and len(ids) == 4
    load_story(spec)  # tile ids stayed unique
    moved = editing.move_chapter(spec, "intro", -1)
    assert [c["id"] for c in moved["chapters"]] == ids
    with pytest.raises(KeyError):
        editing.move_chapter(spec, "nope", 1)


def test_new_scroll_chapter_is_valid_at_once() -> None:
    spec = story_spec(3)
    chapter = editing.new_chapter(spec, "scroll", "Séquence", editing.tile_ids(spec))
    story = load_story({**spec, "chapters": [*spec["chapters"], chapter]})
    assert story.chapters[-1].id == "sequence" and story.chapters[-1].tile.kind == "text"
