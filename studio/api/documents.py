"""Dashboard and story routes of the REST API, with the ETag / If-Match contract."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from studio import runtime
from studio.api import bp, error
from studio.security.policy import ensure
from studio.services import documents as service
from studio.services.documents import SpecError
from studio.store import StaleRevision
from studio.store import documents as repo

KINDS = {"dashboards": "dashboard", "stories": "story"}


def _kind(plural: str) -> str:
    kind = KINDS.get(plural)
    if kind is None:
        from studio.store import NotFound

        raise NotFound(plural)
    return kind


def _etag(version: int) -> str:
    return f'"v{version}"'


def _describe(s: Any, doc: Any, actor: Any) -> dict[str, Any]:
    spec, state = service.visible_spec(s, actor, doc)
    return {
        "id": doc.id,
        "kind": doc.kind,
        "title": spec.get("title", doc.title),
        "spec": spec,
        "version": doc.version,
        "state": doc.state,
        "showing": state,
        "published_revision": doc.published_number,
        "owner": doc.owner.email if doc.owner else None,
        "visibility": doc.visibility,
        "updated_at": doc.updated_at.isoformat(),
        "updated_by": doc.updated_by,
    }


def _audit(s: Any, action: str, doc: Any, details: dict[str, Any] | None = None) -> None:
    from studio.store import audit

    audit.record(s, runtime.actor(), action, doc.kind, doc.id, details, runtime.client_address())


def _json_body() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        raise SpecError("body", "doc.body_not_object")
    return body


@bp.post("/<any(dashboards, stories):plural>")
def create_document(plural: str) -> Response:
    """Create a draft from a spec: 201 {"id", "version"}."""
    kind = _kind(plural)
    with runtime.db().session() as s:
        doc = service.create(s, kind, runtime.actor(), _json_body())
        _audit(s, f"{kind}_created", doc)
        response = jsonify({"id": doc.id, "version": doc.version})
    response.status_code = 201
    response.headers["ETag"] = _etag(1)
    return response


@bp.get("/<any(dashboards, stories):plural>")
def list_documents(plural: str) -> Response:
    """The dashboards (or stories) the actor may see."""
    kind, actor = _kind(plural), runtime.actor()
    ensure(actor, "view", "app")
    with runtime.db().session() as s:
        items = [
            {
                "id": d.id,
                "title": title,
                "state": d.state,
                "owner": d.owner.email if d.owner else None,
                "visibility": d.visibility,
                "updated_at": d.updated_at.isoformat(),
            }
            for d, title in service.visible_list(s, kind, actor, request.args.get("q", ""))
        ]
    return jsonify({plural: items})


@bp.get("/<any(dashboards, stories):plural>/bin")
def list_bin(plural: str) -> Response:
    """The actor's dashboards (or stories) in the bin (admins: everyone's), 30 days at most."""
    kind, actor = _kind(plural), runtime.actor()
    ensure(actor, "create", plural)
    with runtime.db().session() as s:
        items = [
            {
                "id": d.id,
                "title": d.title,
                "owner": d.owner.email if d.owner else None,
                "deleted_at": d.deleted_at.isoformat() if d.deleted_at else None,
                "days_left": service.bin_days_left(d),
            }
            for d in service.in_bin(s, actor, kind)
        ]
    return jsonify({plural: items})


@bp.get("/<any(dashboards, stories):plural>/<int:doc_id>")
def get_document(plural: str, doc_id: int) -> Response:
    """The spec the actor may see, its version and state, with an ETag."""
    kind, actor = _kind(plural), runtime.actor()
    with runtime.db().session() as s:
        doc = service.get_visible(s, kind, actor, doc_id)
        response = jsonify(_describe(s, doc, actor))
    response.headers["ETag"] = _etag(doc.version)
    return response


def _if_match() -> int | None:
    raw = (request.headers.get("If-Match") or "").strip().removeprefix("W/").strip('"')
    if raw.startswith("v") and raw[1:].isdigit():
        return int(raw[1:])
    return int(raw) if raw.isdigit() else None


@bp.put("/<any(dashboards, stories):plural>/<int:doc_id>")
def put_document(plural: str, doc_id: int) -> Response:
    """Save a new draft; needs If-Match with the version it was based on (409 when stale)."""
    kind, actor = _kind(plural), runtime.actor()
    expected = _if_match()
    if expected is None:
        return error(
            428,
            "Send the If-Match header with the ETag you got from GET, so that "
            "nobody's changes are overwritten.",
        )
    with runtime.db().session() as s:
        doc = service.get_visible(s, kind, actor, doc_id)
        service.save(s, actor, doc, _json_body(), expected)
        _audit(s, f"{kind}_saved", doc, {"version": doc.version})
        response = jsonify({"id": doc.id, "version": doc.version})
    response.headers["ETag"] = _etag(doc.version)
    return response


@bp.post("/<any(dashboards, stories):plural>/<int:doc_id>/publish")
def publish_document(plural: str, doc_id: int) -> Response:
    """Publish the latest revision."""
    kind, actor = _kind(plural), runtime.actor()
    with runtime.db().session() as s:
        doc = service.get_visible(s, kind, actor, doc_id)
        number = service.publish(s, actor, doc)
        _audit(s, f"{kind}_published", doc, {"revision": number})
    return jsonify({"id": doc_id, "published_revision": number})


@bp.get("/<any(dashboards, stories):plural>/<int:doc_id>/revisions")
def list_revisions(plural: str, doc_id: int) -> Response:
    """Revision history (editors only): number, author, date, whether published."""
    kind, actor = _kind(plural), runtime.actor()
    with runtime.db().session() as s:
        doc = service.get_visible(s, kind, actor, doc_id)
        ensure(actor, "edit", doc)
        items = [
            {
                "number": r.number,
                "author": r.author_email,
                "created_at": r.created_at.isoformat(),
                "published": r.number == doc.published_number,
                "note": r.note,
            }
            for r in repo.list_revisions(s, doc)
        ]
    return jsonify({"revisions": items})


@bp.get("/<any(dashboards, stories):plural>/<int:doc_id>/revisions/<int:number>")
def get_revision(plural: str, doc_id: int, number: int) -> Response:
    """One revision's spec (editors only), to compare with the draft."""
    kind, actor = _kind(plural), runtime.actor()
    with runtime.db().session() as s:
        doc = service.get_visible(s, kind, actor, doc_id)
        ensure(actor, "edit", doc)
        rev = repo.get_revision(s, doc, number)
        return jsonify(
            {
                "number": rev.number,
                "spec": rev.spec,
                "author": rev.author_email,
                "created_at": rev.created_at.isoformat(),
            }
        )


@bp.get("/<any(dashboards, stories):plural>/<int:doc_id>/revisions/<int:number>/compare")
def compare_revisions(plural: str, doc_id: int, number: int) -> Response:
    """What changed from revision `number` to `?to=<n>` (default: the current draft)."""
    from studio.services import revisions

    kind, actor = _kind(plural), runtime.actor()
    other = request.args.get("to", "draft")
    if other != "draft" and not other.isdigit():
        return error(400, "Give ?to= a revision number, or 'draft' for the current draft.")
    with runtime.db().session() as s:
        doc = service.get_visible(s, kind, actor, doc_id)
        changes = revisions.compare(s, actor, doc, number, None if other == "draft" else int(other))
        locale = runtime.locale()
        return jsonify(
            {
                "from": number,
                "to": other if other == "draft" else int(other),
                "changes": [
                    {
                        "kind": c.kind,
                        "subject": c.subject,
                        "properties": c.properties,
                        "text": revisions.describe(c, locale),
                    }
                    for c in changes
                ],
            }
        )


@bp.post("/<any(dashboards, stories):plural>/<int:doc_id>/revisions/<int:number>/restore")
def restore_revision(plural: str, doc_id: int, number: int) -> Response:
    """Make revision `number` the new draft."""
    kind, actor = _kind(plural), runtime.actor()
    with runtime.db().session() as s:
        doc = service.get_visible(s, kind, actor, doc_id)
        service.restore_revision(s, actor, doc, number, _if_match())
        _audit(s, f"{kind}_restored", doc, {"revision": number})
        response = jsonify({"id": doc.id, "version": doc.version})
    response.headers["ETag"] = _etag(doc.version)
    return response


@bp.post("/<any(dashboards, stories):plural>/<int:doc_id>/duplicate")
def duplicate_document(plural: str, doc_id: int) -> Response:
    """A copy owned by the actor."""
    kind, actor = _kind(plural), runtime.actor()
    with runtime.db().session() as s:
        doc = service.get_visible(s, kind, actor, doc_id)
        copy = service.duplicate(s, actor, doc)
        if kind == "story":
            from studio.services.stories import copy_cover_image

            copy_cover_image(runtime.settings(), copy.spec, doc.id, copy.id)
        _audit(s, f"{kind}_duplicated", copy, {"from": doc.id})
        response = jsonify({"id": copy.id, "version": copy.version})
    response.status_code = 201
    return response


@bp.delete("/<any(dashboards, stories):plural>/<int:doc_id>")
def delete_document(plural: str, doc_id: int) -> Response:
    """Move to the bin (recoverable for 30 days)."""
    kind, actor = _kind(plural), runtime.actor()
    with runtime.db().session() as s:
        doc = service.get_visible(s, kind, actor, doc_id)
        service.delete(s, actor, doc)
        _audit(s, f"{kind}_deleted", doc)
    return Response(status=204)


@bp.post("/<any(dashboards, stories):plural>/<int:doc_id>/undelete")
def undelete_document(plural: str, doc_id: int) -> Response:
    """Take a document out of the bin."""
    kind, actor = _kind(plural), runtime.actor()
    with runtime.db().session() as s:
        doc = service.undelete(s, actor, kind, doc_id)
        _audit(s, f"{kind}_undeleted", doc)
    return jsonify({"id": doc_id})


@bp.get("/<any(dashboards, stories):plural>/<int:doc_id>/export")
def export_document(plural: str, doc_id: int) -> Response:
    """A portable JSON export."""
    kind, actor = _kind(plural), runtime.actor()
    with runtime.db().session() as s:
        doc = service.get_visible(s, kind, actor, doc_id)
        return jsonify(service.export_document(s, actor, doc))


@bp.get("/dashboards/<int:doc_id>/pdf")
def dashboard_pdf(doc_id: int) -> Response:
    """The dashboard as a PDF; filters as query parameters, read like the page's URL."""
    from studio.services.dashboard_pdf import pdf_from_query_string

    content, filename = pdf_from_query_string(
        runtime.db(),
        runtime.settings(),
        runtime.service("query_cache"),
        runtime.actor(),
        doc_id,
        request.query_string.decode("utf-8", "replace"),
        runtime.locale(),
    )
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/import")
def import_document() -> Response:
    """Create a draft from an export file's JSON."""
    actor = runtime.actor()
    with runtime.db().session() as s:
        doc = service.import_document(s, actor, _json_body())
        _audit(s, f"{doc.kind}_imported", doc)
        response = jsonify({"id": doc.id, "kind": doc.kind, "version": doc.version})
    response.status_code = 201
    return response


@bp.errorhandler(SpecError)
def _spec_error(exc: SpecError) -> Response:
    status = getattr(exc, "status", 422)
    text = "Forbidden" if status == 403 else "Invalid spec"
    return error(
        status, f"{text} at {exc.where}: {exc.message('en')}", field=exc.where, code=exc.key
    )


@bp.errorhandler(StaleRevision)
def _stale(exc: StaleRevision) -> Response:
    at = exc.at.strftime("%H:%M") if hasattr(exc.at, "strftime") else str(exc.at)
    return error(
        409,
        f"Modifié par {exc.by} à {at} depuis que vous l'avez ouvert : rechargez, ou "
        f"enregistrez une copie. / Changed by {exc.by} at {at} since you opened it: reload, "
        "or save as a copy.",
        changed_by=exc.by,
        changed_at=exc.at.isoformat() if hasattr(exc.at, "isoformat") else str(exc.at),
        version=exc.current_version,
    )
