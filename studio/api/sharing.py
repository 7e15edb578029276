"""Sharing, row-level rule and audit routes of the REST API."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from studio import runtime
from studio.api import bp, error
from studio.security.policy import ensure
from studio.services import audit as audit_service
from studio.services import sharing as service
from studio.services.sharing import SharingError
from studio.store import audit

KINDS = {"dashboards": "dashboard", "stories": "story", "datasets": "dataset"}


@bp.get("/<any(dashboards, stories, datasets):plural>/<int:object_id>/sharing")
def get_sharing(plural: str, object_id: int) -> Response:
    """Who sees and edits the object (owner and admins): `{"visibility", "groups", "roles",
    "users", "editors", "owner"[, "allowed_origins"]}`."""
    actor = runtime.actor()
    with runtime.db().session() as s:
        obj = service.load_object(s, actor, KINDS[plural], object_id)
        return jsonify(service.describe_sharing(s, actor, obj))


@bp.put("/<any(dashboards, stories, datasets):plural>/<int:object_id>/sharing")
def put_sharing(plural: str, object_id: int) -> Response:
    """Change who sees and edits the object; keys left out keep their value. 422
    `{"error", "field"}` on bad input (nothing changed)."""
    actor = runtime.actor()
    body = request.get_json(silent=True)
    with runtime.db().session() as s:
        obj = service.load_object(s, actor, KINDS[plural], object_id)
        return jsonify(service.update_sharing(s, actor, obj, body, runtime.client_address()))


def _dataset(s: Any, dataset_id: int) -> Any:
    return service.load_object(s, runtime.actor(), "dataset", dataset_id)


@bp.get("/datasets/<int:dataset_id>/row-rules")
def list_row_rules(dataset_id: int) -> Response:
    """The dataset's row-level rules (admins only)."""
    actor = runtime.actor()
    ensure(actor, "manage", "users")
    with runtime.db().session() as s:
        return jsonify({"rules": service.list_rules(s, actor, _dataset(s, dataset_id))})


@bp.post("/datasets/<int:dataset_id>/row-rules")
def add_row_rule(dataset_id: int) -> Response:
    """Add a rule `{"group": name, "conditions": [{"field", "op", "value"}, ...]}` (admins)."""
    actor = runtime.actor()
    ensure(actor, "manage", "users")
    body = request.get_json(silent=True)
    with runtime.db().session() as s:
        rule = service.add_rule(s, actor, _dataset(s, dataset_id), body, runtime.client_address())
    return jsonify(rule), 201


@bp.delete("/datasets/<int:dataset_id>/row-rules/<int:rule_id>")
def delete_row_rule(dataset_id: int, rule_id: int) -> Response:
    """Remove one rule (admins only)."""
    actor = runtime.actor()
    ensure(actor, "manage", "users")
    with runtime.db().session() as s:
        service.delete_rule(s, actor, _dataset(s, dataset_id), rule_id, runtime.client_address())
    return Response(status=204)


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SharingError(
            name, "raw", text=f"'{name}' must be a whole number from {low} to {high}."
        )
    return int(raw)


@bp.get("/audit")
def list_audit() -> Response:
    """Audit events, newest first (admins only), filtered by `actor` (e-mail or part of it),
    `action`, `object_type`, `object_id`, `since`, `until`; paged by `limit` and `offset`."""
    actor = runtime.actor()
    ensure(actor, "view", "audit")
    query = audit_service.build_query(request.args)
    limit = _int_arg("limit", 50, 1, audit_service.MAX_PAGE)
    offset = _int_arg("offset", 0, 0, 10**9)
    with runtime.db().session() as s:
        events, total = audit_service.page_of_events(s, actor, query, limit, offset)
        return jsonify(
            {
                "events": [audit.to_json(e) for e in events],
                "total": total,
                "limit": limit,
                "offset": offset,
            }
        )


@bp.errorhandler(SharingError)
def _sharing_error(exc: SharingError) -> Response:
    return error(422, exc.message(runtime.locale()), field=exc.field)
