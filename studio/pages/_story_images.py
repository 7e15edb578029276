"""The cover images of stories, served only to those who may read the story."""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_file

from studio import runtime
from studio.services import stories as service
from studio.spec.story import SpecVersionError
from studio.store import NotFound

bp = Blueprint("studio_story_images", __name__)


@bp.get("/story-images/<int:doc_id>/<name>")
def cover_image(doc_id: int, name: str) -> Response:
    """The image file, after checking the reader may see this story and its image."""
    actor = runtime.actor()
    try:
        with runtime.db().session() as s:
            path, mimetype = service.cover_image(s, actor, runtime.settings(), doc_id, name)
    except (NotFound, SpecVersionError, ValueError):
        abort(404)
    response = send_file(path, mimetype=mimetype, max_age=300)
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
