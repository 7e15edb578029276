"""Stories get the same sharing dialog and audit trail as dashboards."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import call_callback, render_page
from test_sharing_pages import SHARE_OPEN, _share
from test_story_pages import make_setup

from studio.store.models import AuditEvent

TITLE = "Le RSA en 2024"  # the sample story's title


@pytest.fixture
def setup(login: Any, server: Any) -> dict[str, Any]:
    return make_setup(login, server)


def _events(setup: dict[str, Any], action: str) -> list[AuditEvent]:
    with setup["db"].session() as s:
        return s.query(AuditEvent).filter_by(action=action, object_type="story").all()


def test_owner_shares_a_story_through_the_dialog(
    setup: dict[str, Any], app: Any, login: Any
) -> None:
    doc, editor, viewer = setup["doc"], setup["editor"], login("viewer")
    assert "share-open" in render_page(editor, app, f"/stories/{doc}/edit").get_data(as_text=True)
    assert editor.post(f"/api/v1/stories/{doc}/publish").status_code == 200
    assert TITLE not in render_page(viewer, app, "/").get_data(as_text=True)

    opened = call_callback(editor, app, SHARE_OPEN, [1], [{"kind": "story", "id": doc}])
    assert opened.get_json()["response"]["share-visibility"]["value"] == "private"
    shared = _share(editor, app, "story", doc, "groups", ["CD53"])
    assert "share-saved" in shared.get_data(as_text=True), shared.get_data(as_text=True)[:600]

    home = render_page(viewer, app, "/").get_data(as_text=True)
    assert TITLE in home and "home-empty" not in home
    assert [e.details.get("visibility") for e in _events(setup, "story_shared")] == ["groups"]
    # a viewer posting to the dialog of a story they can read is refused
    forged = _share(viewer, app, "story", doc, "public", [])
    assert forged.status_code == 403


def test_story_views_are_audited_once_per_window(
    setup: dict[str, Any], app: Any, login: Any
) -> None:
    doc = setup["doc"]
    assert setup["editor"].post(f"/api/v1/stories/{doc}/publish").status_code == 200
    with setup["db"].session() as s:
        from studio.store.models import Document

        s.get(Document, doc).visibility = "internal"
    viewer = login("viewer")
    for _ in range(2):
        assert "story-page" in render_page(viewer, app, f"/stories/{doc}").get_data(as_text=True)
    assert len(_events(setup, "story_viewed")) == 1
