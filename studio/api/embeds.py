"""Embed routes of the REST API: issue embed tokens, manage website embed keys."""

from __future__ import annotations

from flask import jsonify, request
from werkzeug.wrappers import Response

from studio import runtime
from studio.api import bp, error
from studio.services import embeds as service


@bp.errorhandler(service.EmbedError)
def _embed_error(exc: service.EmbedError) -> Response:
    return error(exc.status, exc.message)


@bp.post("/<any(dashboards, stories):plural>/<int:doc_id>/embed-tokens")
def issue_embed_token(plural: str, doc_id: int) -> Response:
    """A signed token and embed URL for a published dashboard (or story): 201 {"token",
    "url", "expires_in"}. Body: {"expires_in": seconds, "locked_filters": {field: value(s)}}."""
    kind = "dashboard" if plural == "dashboards" else "story"
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        body = {}
    expires_in = body.get("expires_in", service.DEFAULT_EXPIRES_IN)
    with runtime.db().session() as s:
        token = service.issue_token(
            s,
            runtime.actor(),
            kind,
            doc_id,
            expires_in,
            body.get("locked_filters"),
            runtime.client_address(),
        )
    url = runtime.settings().public_base_url + service.embed_path(kind, doc_id, token)
    response = jsonify({"token": token, "url": url, "expires_in": expires_in})
    response.status_code = 201
    return response


@bp.get("/embed-keys")
def list_embed_keys() -> Response:
    """Every embed key (admins only), without secrets."""
    with runtime.db().session() as s:
        keys = service.list_keys(s, runtime.actor())
        return jsonify([service.describe_key(k) for k in keys])


@bp.post("/embed-keys")
def create_embed_key() -> Response:
    """A new website key: 201 with its `secret`, shown this once only."""
    body = request.get_json(silent=True)
    name = body.get("name") if isinstance(body, dict) else None
    with runtime.db().session() as s:
        key, secret = service.create_key(
            s, runtime.actor(), name if isinstance(name, str) else "", runtime.client_address()
        )
        response = jsonify({**service.describe_key(key), "secret": secret})
    response.status_code = 201
    return response


@bp.delete("/embed-keys/<key_id>")
def revoke_embed_key(key_id: str) -> Response:
    """Revoke a key: tokens signed with it stop working at once."""
    with runtime.db().session() as s:
        key = service.revoke_key(s, runtime.actor(), key_id, runtime.client_address())
        return jsonify(service.describe_key(key))
