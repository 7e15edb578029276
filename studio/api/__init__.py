"""The REST API under /api/v1: every view derives the actor and checks permission itself."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from studio import runtime
from studio.security.policy import PermissionDenied, ensure

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, message: str, **extra: Any) -> Response:
    """A JSON error a person can act on: `{"error": message, ...}`."""
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


@bp.errorhandler(PermissionDenied)
def _forbidden(exc: PermissionDenied) -> Response:
    return error(403, f"Forbidden: you may not {exc.action} this resource.")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    return error(exc.code or 500, exc.description or exc.name)


@bp.get("/me")
def me() -> Response:
    """Who the bearer of the token (or session) is: e-mail, role and groups."""
    actor = runtime.actor()
    ensure(actor, "view", "app")
    return jsonify({"email": actor.email, "role": actor.role, "groups": sorted(actor.groups)})


from studio.api import datasets as _datasets  # noqa: E402,F401  (registers its routes)
from studio.api import documents as _documents  # noqa: E402,F401
from studio.api import embeds as _embeds  # noqa: E402,F401
from studio.api import openapi as _openapi  # noqa: E402,F401
from studio.api import sharing as _sharing  # noqa: E402,F401
from studio.api import tokens as _tokens  # noqa: E402,F401


@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(_rest: str) -> Response:
    """Unknown API paths answer JSON 404 (not Dash's single-page fallback)."""
    return error(404, "No such API endpoint. See /api/v1/openapi.json for the list.")
