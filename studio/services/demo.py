"""Load the demo workspace: fictitious RSA datasets, boundaries, a published dashboard and
a published story."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from studio.config import Settings
from studio.data import DEPARTEMENTS
from studio.demo import (
    DEMO_DATASETS,
    TITLE,
    DemoError,
    build_demo_dashboard,
    read_boundaries,
    write_demo_files,
)
from studio.demo.story import build_demo_story
from studio.services import datasets as dataset_service
from studio.services import documents
from studio.store import documents as doc_repo
from studio.store.db import Database

DEFAULT_BOUNDARIES = str(DEPARTEMENTS)
"""The outlines shipped in `studio/data` (metropolitan France): no download needed."""
BOUNDARIES_TITLE = "Départements : contours (IGN Admin Express, Licence Ouverte)"


def demo_exists(db: Database) -> bool:
    """True when the demo dashboard is already in this instance."""
    with db.session() as s:
        return any(d.title == TITLE for d in doc_repo.list_documents(s, "dashboard"))


def load_demo(db: Database, settings: Settings, actor: Any) -> dict[str, Any]:
    """Create the demo datasets and the published "Observatoire RSA (démo)" dashboard."""
    boundaries = read_boundaries(settings.boundaries or DEFAULT_BOUNDARIES)
    ids: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="studio-demo-") as work, db.session() as s:
        for name, path in write_demo_files(Path(work)).items():
            meta = DEMO_DATASETS[name]
            ds, _ = dataset_service.create_from_upload(
                s, settings, actor, path.name, path.read_bytes(), meta.title
            )
            ds.description = meta.description
            ds.visibility = "internal"
            ids[name] = ds.id
        geo, _ = dataset_service.create_from_upload(
            s, settings, actor, "departements.geojson", boundaries, BOUNDARIES_TITLE
        )
        geo.visibility = "internal"
        spec = build_demo_dashboard(ids, geo.id)
        doc = documents.create(s, "dashboard", actor, documents.dump(spec))
        doc.visibility = "internal"
        documents.publish(s, actor, doc)
        story = documents.create(
            s, "story", actor, documents.dump(build_demo_story(ids, geo.id, doc.id))
        )
        story.visibility = "internal"
        documents.publish(s, actor, story)
        return {"dashboard": doc.id, "story": story.id, "datasets": {**ids, "boundaries": geo.id}}


__all__ = ["DemoError", "demo_exists", "load_demo"]
