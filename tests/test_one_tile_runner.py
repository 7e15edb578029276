"""Every path that draws tiles goes through the one tile runner (`services.tiles`): with the
row rule removed from that one function, every path shows the rows the rule hides.

Each path is run twice, in separate tests (fresh app, cold caches): as is, the viewer limited
to the Ain sees none of Corse's rows; with `tiles.row_filter_for` made to return no rule,
the same request shows them — so that path's rows come from the one runner."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import render_page
from story_samples import story_spec
from test_row_rules import _chart_categories, _download, _download_bytes, _refilter, ruled  # noqa: F401

from studio.services import tiles

CORSE = "2A"


def _tiles(ruled: dict[str, Any]) -> str:  # noqa: F811
    """The chart's categories (the KPI tile names its Corse reference whatever the rows)."""
    return " ".join(sorted(_chart_categories(_refilter(ruled["ain"], ruled["doc"])["c1"])))


def _csv(ruled: dict[str, Any]) -> str:  # noqa: F811
    return _download(ruled["ain"], ruled["doc"])


def _xlsx(ruled: dict[str, Any]) -> str:  # noqa: F811
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(_download_bytes(ruled["ain"], ruled["doc"], "xlsx")))
    return " ".join(str(c) for row in sheet.active.iter_rows(values_only=True) for c in row)


def _pdf(ruled: dict[str, Any]) -> str:  # noqa: F811
    from pypdf import PdfReader

    response = ruled["ain"].get(f"/api/v1/dashboards/{ruled['doc']}/pdf")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)


def _story(ruled: dict[str, Any]) -> str:  # noqa: F811
    editor = ruled["editor"]
    doc = editor.post("/api/v1/stories", json=story_spec(ruled["ds"])).get_json()["id"]
    assert editor.post(f"/api/v1/stories/{doc}/publish").status_code == 200
    editor.put(f"/api/v1/stories/{doc}/sharing", json={"visibility": "internal"})
    app = ruled["ain"].application.extensions["studio"]["dash"]
    return render_page(ruled["ain"], app, f"/stories/{doc}").get_data(as_text=True)


PATHS = {"tiles": _tiles, "csv": _csv, "xlsx": _xlsx, "pdf": _pdf, "story": _story}


@pytest.mark.parametrize("path", PATHS)
def test_each_path_applies_the_row_rule(ruled: dict[str, Any], path: str) -> None:  # noqa: F811
    seen = PATHS[path](ruled)
    assert "01" in seen and CORSE not in seen, seen[:2000]


@pytest.mark.parametrize("path", PATHS)
def test_each_path_takes_its_rows_from_the_one_runner(
    ruled: dict[str, Any], path: str, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setattr(tiles, "row_filter_for", lambda *_args, **_kwargs: None)
    seen = PATHS[path](ruled)
    assert CORSE in seen, seen[:2000]
