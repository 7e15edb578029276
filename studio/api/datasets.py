"""Dataset routes of the REST API: upload, list, read, edit, replace, delete, query."""

from __future__ import annotations

import json
from typing import Any

from flask import jsonify, request
from pydantic import ValidationError
from werkzeug.wrappers import Response

from studio import runtime
from studio.api import bp, error
from studio.datasources import DatasetError
from studio.security.policy import allowed, ensure
from studio.services import datasets as service
from studio.services.datasets import SchemaChanged
from studio.services.sharing import row_filter_for
from studio.spec import Query
from studio.spec.messages import SpecIssue
from studio.store import NotFound
from studio.store import datasets as repo
from studio.store.sharing import visible_datasets


def _visible(s: Any, dataset_id: int) -> Any:
    """The dataset if the actor may view it; 404 otherwise (existence is not revealed)."""
    ds = repo.get_dataset(s, dataset_id)
    if not allowed(runtime.actor(), "view", ds):
        raise NotFound(f"no dataset {dataset_id}")
    return ds


def _uploaded() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DatasetError("file.empty", {"filename": "file"})
    return upload.filename, upload.read()


def _audit(s: Any, action: str, ds: Any, details: dict[str, Any] | None = None) -> None:
    from studio.store import audit

    audit.record(s, runtime.actor(), action, "dataset", ds.id, details, runtime.client_address())


@bp.post("/datasets")
def create_dataset() -> Response:
    """Create a dataset from an uploaded file (multipart), a URL or a SQL table (JSON)."""
    actor, settings = runtime.actor(), runtime.settings()
    ensure(actor, "create", "datasets")
    with runtime.db().session() as s:
        report: dict[str, Any] | None = None
        if request.files:
            filename, content = _uploaded()
            ds, result = service.create_from_upload(
                s,
                settings,
                actor,
                filename,
                content,
                request.form.get("name", ""),
                _upload_options(),
            )
            problems = [p.to_dict() for p in result.problems]
            report = result.report.to_dict(runtime.locale())
        else:
            body = request.get_json(silent=True) or {}
            if body.get("url"):
                ds = service.create_from_url(
                    s,
                    settings,
                    actor,
                    str(body["url"]),
                    str(body.get("name", "")),
                    _hours(body.get("refresh_hours")),
                    _json_options(body.get("options")),
                )
            elif body.get("sql_url"):
                ds = service.create_sql_dataset(
                    s,
                    actor,
                    str(body.get("name", "")),
                    str(body["sql_url"]),
                    str(body.get("table", "")),
                    body.get("schema"),
                )
            else:
                return error(
                    400,
                    "Send a file (multipart field 'file'), or JSON with 'url' or "
                    "'sql_url' and 'table'.",
                )
            problems = []
        _audit(s, "dataset_created", ds, {"kind": ds.kind})
        out = service.describe(ds) | {"problems": problems}
        if report is not None:
            out["report"] = report
    return jsonify(out), 201


def _json_options(data: Any) -> Any:
    """The ingest options of a JSON request (`options`: an object, see `_upload_options`)."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise DatasetError("options.invalid", {"detail": "options must be a JSON object"})
    return service.options_from_request(data)


def _upload_options() -> Any:
    """The ingest options of a multipart upload: the form field `options` (a JSON object),
    and/or the fields `sheet`, `header_row`, `keep_totals` and `unpivot`."""
    data: dict[str, Any] = {}
    text = request.form.get("options")
    if text:
        try:
            data = json.loads(text)
        except ValueError:
            data = None  # type: ignore[assignment]
        if not isinstance(data, dict):
            raise DatasetError("options.invalid", {"detail": "options must be a JSON object"})
    for key in ("sheet", "header_row", "keep_totals", "unpivot"):
        if key in request.form:
            data[key] = request.form[key]
    return service.options_from_request(data)


def _hours(value: Any) -> int | None:
    if value in (None, "", 0):
        return None
    try:
        hours = int(value)
    except (TypeError, ValueError):
        raise DatasetError("query.bad_value", {"field": "refresh_hours", "value": value}) from None
    if not 1 <= hours <= 24 * 31:
        raise DatasetError("query.bad_value", {"field": "refresh_hours", "value": value})
    return hours


@bp.get("/datasets")
def list_datasets() -> Response:
    """The datasets the actor may see (optionally matching ?q=)."""
    actor = runtime.actor()
    ensure(actor, "view", "datasets")
    with runtime.db().session() as s:
        items = [
            service.describe(ds, with_fields=False)
            for ds in visible_datasets(s, actor, request.args.get("q", ""))
        ]
    return jsonify({"datasets": items})


@bp.get("/datasets/<int:dataset_id>")
def get_dataset(dataset_id: int) -> Response:
    """One dataset's description and schema."""
    with runtime.db().session() as s:
        return jsonify(service.describe(_visible(s, dataset_id)))


@bp.patch("/datasets/<int:dataset_id>")
def patch_dataset(dataset_id: int) -> Response:
    """Rename the dataset, or change its fields' names, labels, descriptions and types."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, 'Send a JSON object, e.g. {"fields": [{"name": "x", "type": "text"}]}.')
    changes = body.get("fields") or []
    if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
        return error(400, "'fields' must be a list of objects with a 'name'.", field="fields")
    with runtime.db().session() as s:
        ds = _visible(s, dataset_id)
        service.update_fields(
            s,
            runtime.settings(),
            runtime.actor(),
            ds,
            changes,
            body.get("name"),
            body.get("description"),
        )
        _audit(s, "dataset_updated", ds, {"fields": [c.get("name") for c in changes]})
        return jsonify(service.describe(ds))


@bp.put("/datasets/<int:dataset_id>/file")
def replace_dataset_file(dataset_id: int) -> Response:
    """Upload a new version; 409 with the report when columns would be lost or retyped."""
    force = request.args.get("force") in ("1", "true")
    with runtime.db().session() as s:
        ds = _visible(s, dataset_id)
        filename, content = _uploaded()
        report = service.replace_file(
            s, runtime.settings(), runtime.actor(), ds, filename, content, force
        )
        _audit(s, "dataset_replaced", ds, {"version": ds.version})
        return jsonify(service.describe(ds) | {"changes": report})


@bp.post("/datasets/<int:dataset_id>/refresh")
def refresh_dataset(dataset_id: int) -> Response:
    """Fetch a URL dataset again now."""
    with runtime.db().session() as s:
        ds = _visible(s, dataset_id)
        report = service.refresh_from_url(s, runtime.settings(), runtime.actor(), ds)
        _audit(s, "dataset_refreshed", ds, {"version": ds.version})
        return jsonify(service.describe(ds) | {"changes": report})


@bp.delete("/datasets/<int:dataset_id>")
def delete_dataset(dataset_id: int) -> Response:
    """Delete a dataset and its files."""
    with runtime.db().session() as s:
        ds = _visible(s, dataset_id)
        service.delete_dataset(s, runtime.settings(), runtime.actor(), ds)
        _audit(s, "dataset_deleted", ds)
    return Response(status=204)


@bp.post("/datasets/<int:dataset_id>/query")
def query_dataset(dataset_id: int) -> Response:
    """Run a declarative query; answers aggregated rows only."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, "Send the query as a JSON object.")
    try:
        query = Query.model_validate({**body, "dataset": dataset_id})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        issue = SpecIssue.from_error(first)
        return error(
            422,
            f"Invalid query at {where or 'top level'}: {issue.message('en')}",
            field=where,
            code=issue.key,
        )
    with runtime.db().session() as s:
        ds = _visible(s, dataset_id)
        result = service.query_dataset(
            runtime.settings(),
            runtime.service("query_cache"),
            ds,
            query,
            row_filter_for(s, runtime.actor(), ds),
        )
    return jsonify({"columns": result.columns, "rows": result.rows, "truncated": result.truncated})


@bp.errorhandler(SchemaChanged)
def _schema_changed(exc: SchemaChanged) -> Response:
    return error(409, exc.message(runtime.locale()), code=exc.code, changes=exc.diff.to_dict())


@bp.errorhandler(DatasetError)
def _dataset_error(exc: DatasetError) -> Response:
    details = exc.to_dict(runtime.locale())
    status = getattr(exc, "status", 422)  # StorageError: 507 disk full, 503 read-only
    return error(
        status, details["message"], code=exc.code, field=exc.column, row=exc.row, raw=exc.raw
    )


@bp.errorhandler(NotFound)
def _not_found(_exc: NotFound) -> Response:
    return error(404, "Not found, or you do not have access to it.")
