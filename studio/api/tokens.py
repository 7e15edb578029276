"""Personal API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from flask import jsonify, request
from werkzeug.wrappers import Response

from studio import accounts, runtime
from studio.api import bp, error
from studio.security.policy import ensure
from studio.store import audit
from studio.store import users as repo


def _iso(value: object) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else None


@bp.get("/tokens")
def list_tokens() -> Response:
    """The caller's tokens (never their values)."""
    actor = runtime.actor()
    ensure(actor, "view", "app")
    with runtime.db().session() as s:
        items = [
            {
                "id": tok.id,
                "prefix": tok.prefix,
                "label": tok.label,
                "created_at": _iso(tok.created_at),
                "last_used_at": _iso(tok.last_used_at),
                "revoked": tok.revoked_at is not None,
            }
            for tok in repo.list_tokens(s, repo.get_user(s, actor.id))
        ]
    return jsonify({"tokens": items})


@bp.post("/tokens")
def create_token() -> Response:
    """A new token for the signed-in caller, shown once (not from a token: no self-renewal)."""
    actor = runtime.actor()
    ensure(actor, "view", "app")
    if actor.via_token:
        return error(403, "Create tokens from a signed-in session, not with another token.")
    label = str((request.get_json(silent=True) or {}).get("label", ""))[:200]
    with runtime.db().session() as s:
        token = accounts.issue_token(s, repo.get_user(s, actor.id), label)
        audit.record(
            s, actor, "token_created", "user", actor.id, {"label": label}, runtime.client_address()
        )
    response = jsonify({"token": token, "label": label})
    response.status_code = 201
    return response


@bp.delete("/tokens/<int:token_id>")
def revoke_token(token_id: int) -> Response:
    """Revoke one of the caller's tokens; it stops working at once."""
    actor = runtime.actor()
    ensure(actor, "view", "app")
    with runtime.db().session() as s:
        repo.revoke_token(s, repo.get_user(s, actor.id), token_id)
        audit.record(
            s,
            actor,
            "token_revoked",
            "user",
            actor.id,
            {"token": token_id},
            runtime.client_address(),
        )
    return Response(status=204)
