"""`/api/v1/openapi.json`: the API described from its own routes and pydantic models.

The paths come from Flask's URL map (a route added without a description here is still
listed, and a test fails until it is described); request bodies are the JSON schemas of the
specs the routes validate with (`DashboardSpec`, `StorySpec`, `Query`); responses are the
models below, which say what each route answers. Every error is `Error`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app, jsonify
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema
from werkzeug.wrappers import Response

from studio import runtime
from studio.api import bp
from studio.security.policy import ensure
from studio.spec import Query
from studio.spec.base import MAX_ID
from studio.spec.dashboard import DashboardSpec
from studio.spec.story import StorySpec

# --- what the routes answer ---------------------------------------------------------------


class Out(BaseModel):
    """A response object: the keys listed are always there; more may be added later."""

    model_config = ConfigDict(extra="allow")


class Error(Out):
    """Every error: a message saying what was wrong and what to do, and where known the
    field and a stable code."""

    error: str
    field: str | None = None
    code: str | None = None


class Me(Out):
    email: str
    role: str
    groups: list[str]


class FieldOut(Out):
    name: str
    type: str
    label: str | None = None
    description: str | None = None


class DatasetSummary(Out):
    id: int
    name: str
    description: str | None
    kind: str
    owner: str | None
    row_count: int | None
    size_bytes: int | None
    version: int
    visibility: str
    updated_at: str | None


class Dataset(DatasetSummary):
    fields: list[FieldOut]


class DatasetList(Out):
    datasets: list[DatasetSummary]


class QueryRows(Out):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool


class DocumentRef(Out):
    id: int
    version: int


class Document(Out):
    id: int
    kind: str
    title: str
    spec: dict[str, Any]
    version: int
    state: str
    showing: str
    published_revision: int | None
    owner: str | None
    visibility: str
    updated_at: str


class DocumentItem(Out):
    id: int
    title: str
    owner: str | None


class DashboardList(Out):
    dashboards: list[DocumentItem]


class StoryList(Out):
    stories: list[DocumentItem]


class Published(Out):
    id: int
    published_revision: int


class RevisionItem(Out):
    number: int
    author: str | None
    created_at: str
    published: bool


class Revisions(Out):
    revisions: list[RevisionItem]


class Revision(Out):
    number: int
    spec: dict[str, Any]
    author: str | None
    created_at: str


class Change(Out):
    kind: str
    text: str


class Comparison(Out):
    changes: list[Change]


class Export(Out):
    studio_export: int | str
    kind: str
    title: str
    datasets: dict[str, str]
    spec: dict[str, Any]


class Undeleted(Out):
    id: int


class Imported(DocumentRef):
    kind: str


class EmbedToken(Out):
    token: str
    url: str
    expires_in: int


class EmbedKey(Out):
    key_id: str
    name: str
    internal: bool
    revoked_at: str | None


class NewEmbedKey(EmbedKey):
    secret: str


class Sharing(Out):
    visibility: str
    groups: list[str]
    roles: list[str]
    users: list[str]
    editors: list[str]
    owner: str | None


class RowRule(Out):
    id: int
    group: str
    conditions: list[dict[str, Any]]


class RowRules(Out):
    rules: list[RowRule]


class AuditPage(Out):
    events: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class TokenItem(Out):
    id: int
    prefix: str
    label: str
    revoked: bool


class Tokens(Out):
    tokens: list[TokenItem]


class NewToken(Out):
    token: str
    label: str


# --- what the routes take -------------------------------------------------------------------


class EmbedTokenRequest(BaseModel):
    expires_in: int | None = None
    locked_filters: dict[str, Any] | None = None


class Named(BaseModel):
    name: str


class Labelled(BaseModel):
    label: str = ""


class DatasetFromUrl(BaseModel):
    """A dataset fetched from a public URL (`url`) or kept in a SQL database (`sql_url`,
    `table`: admins only)."""

    name: str = ""
    url: str | None = None
    refresh_hours: int | None = None
    sql_url: str | None = None
    table: str | None = None
    db_schema: str | None = Field(None, alias="schema")


class FieldChange(BaseModel):
    name: str
    rename: str | None = None
    label: str | None = None
    description: str | None = None
    type: str | None = None


class DatasetChanges(BaseModel):
    name: str | None = None
    description: str | None = None
    fields: list[FieldChange] = []


class SharingChanges(BaseModel):
    visibility: str | None = None
    groups: list[str] | None = None
    roles: list[str] | None = None
    users: list[str] | None = None
    editors: list[str] | None = None
    allowed_origins: list[str] | None = None


class NewRowRule(BaseModel):
    group: str
    conditions: list[dict[str, Any]]


MODELS: list[type[BaseModel]] = [
    Error, Me, Dataset, DatasetList, QueryRows, DocumentRef, Document, DashboardList,
    StoryList, Published, Revisions, Revision, Comparison, Export, Undeleted, Imported, EmbedToken,
    EmbedKey, NewEmbedKey, Sharing, RowRule, RowRules, AuditPage, Tokens, NewToken,
    EmbedTokenRequest, Named, Labelled, DatasetFromUrl, DatasetChanges, SharingChanges,
    NewRowRule, DashboardSpec, StorySpec, Query,
]  # fmt: skip


# --- the operations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """What one route takes and answers (success statuses; every error is `Error`)."""

    answers: dict[int, str | None]
    body: str | None = None
    multipart: bool = False
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    """Request headers the route requires (e.g. If-Match)."""


SPEC_BODY = {"dashboards": "DashboardSpec", "stories": "StorySpec"}
LISTS = {"dashboards": "DashboardList", "stories": "StoryList"}

# Endpoint name -> Op; "{plural}" stands for the document kind the path is about.
OPERATIONS: dict[str, Op] = {
    "api.me": Op({200: "Me"}),
    "api.create_dataset": Op({201: "Dataset"}, body="DatasetFromUrl", multipart=True),
    "api.list_datasets": Op({200: "DatasetList"}, query=("q",)),
    "api.get_dataset": Op({200: "Dataset"}),
    "api.patch_dataset": Op({200: "Dataset"}, body="DatasetChanges"),
    "api.replace_dataset_file": Op({200: "Dataset"}, multipart=True, query=("force",)),
    "api.refresh_dataset": Op({200: "Dataset"}),
    "api.delete_dataset": Op({204: None}),
    "api.query_dataset": Op({200: "QueryRows"}, body="Query"),
    "api.create_document": Op({201: "DocumentRef"}, body="{spec}"),
    "api.list_documents": Op({200: "{list}"}, query=("q",)),
    "api.list_bin": Op({200: "{list}"}),
    "api.get_document": Op({200: "Document"}),
    "api.put_document": Op({200: "DocumentRef"}, body="{spec}", headers=("If-Match",)),
    "api.publish_document": Op({200: "Published"}),
    "api.list_revisions": Op({200: "Revisions"}),
    "api.get_revision": Op({200: "Revision"}),
    "api.compare_revisions": Op({200: "Comparison"}, query=("to",)),
    "api.restore_revision": Op({200: "DocumentRef"}),
    "api.duplicate_document": Op({201: "DocumentRef"}),
    "api.delete_document": Op({204: None}),
    "api.undelete_document": Op({200: "Undeleted"}),
    "api.export_document": Op({200: "Export"}),
    "api.dashboard_pdf": Op({200: "pdf"}),
    "api.import_document": Op({201: "Imported"}, body="Export"),
    "api.issue_embed_token": Op({201: "EmbedToken"}, body="EmbedTokenRequest"),
    "api.list_embed_keys": Op({200: "EmbedKeyList"}),
    "api.create_embed_key": Op({201: "NewEmbedKey"}, body="Named"),
    "api.revoke_embed_key": Op({200: "EmbedKey"}),
    "api.get_sharing": Op({200: "Sharing"}),
    "api.put_sharing": Op({200: "Sharing"}, body="SharingChanges"),
    "api.list_row_rules": Op({200: "RowRules"}),
    "api.add_row_rule": Op({201: "RowRule"}, body="NewRowRule"),
    "api.delete_row_rule": Op({204: None}),
    "api.list_audit": Op(
        {200: "AuditPage"},
        query=("actor", "action", "object_type", "object_id", "since", "until", "limit", "offset"),
    ),
    "api.list_tokens": Op({200: "Tokens"}),
    "api.create_token": Op({201: "NewToken"}, body="Labelled"),
    "api.revoke_token": Op({204: None}),
    "api.openapi": Op({200: "object"}),
}
UNDESCRIBED = {"api.not_found"}
"""Routes that are not operations (the JSON 404 for unknown API paths)."""

CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def _ref(name: str) -> dict[str, Any]:
    if name == "object":
        return {"type": "object"}
    if name == "EmbedKeyList":
        return {"type": "array", "items": _ref("EmbedKey")}
    return {"$ref": f"#/components/schemas/{name}"}


def _expand(rule: str) -> list[tuple[str, dict[str, str], list[dict[str, Any]]]]:
    """(OpenAPI path, {placeholder: value}, path parameters) for each concrete path of a Flask
    rule: `<any(a, b):plural>` gives one path per choice, `<int:x>` an integer parameter."""
    paths: list[tuple[str, dict[str, str], list[dict[str, Any]]]] = [("", {}, [])]
    pos = 0
    for m in CONVERTER.finditer(rule):
        literal = rule[pos : m.start()]
        pos = m.end()
        conv, name = m.group("conv"), m.group("name")
        if conv == "any":
            choices = [c.strip().strip("'\"") for c in m.group("args").split(",")]
            paths = [(p + literal + c, {**v, name: c}, ps) for p, v, ps in paths for c in choices]
            continue
        schema = (
            {"type": "integer", "minimum": 0, "maximum": MAX_ID}
            if conv == "int"
            else {"type": "string", "minLength": 1}
        )
        param = {"name": name, "in": "path", "required": True, "schema": schema}
        paths = [(p + literal + "{" + name + "}", v, [*ps, param]) for p, v, ps in paths]
    return [(p + rule[pos:], v, ps) for p, v, ps in paths]


def _named(name: str, plural: str) -> str:
    """`name` with `{spec}` / `{list}` replaced by the schema of the path's document kind."""
    name = name.replace("{spec}", SPEC_BODY.get(plural, "object"))
    return name.replace("{list}", LISTS.get(plural, "object"))


def _content(name: str, plural: str) -> dict[str, Any]:
    name = _named(name, plural)
    if name == "pdf":
        return {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    return {"application/json": {"schema": _ref(name)}}


def _operation(endpoint: str, plural: str, params: list[Any]) -> dict[str, Any]:
    op = OPERATIONS[endpoint]
    view = current_app.view_functions[endpoint]
    doc = (view.__doc__ or "").strip()
    summary, _, rest = doc.partition("\n")
    out: dict[str, Any] = {
        "operationId": f"{endpoint.removeprefix('api.')}_{plural}".rstrip("_"),
        "summary": summary.strip(),
        "description": " ".join((summary + " " + rest).split()),
        "parameters": params
        + [{"name": q, "in": "query", "required": False, "schema": {"type": "string"}}
           for q in op.query]
        + [{"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
           for h in op.headers],
        "responses": {
            str(status): {"description": "OK" if status < 300 else "Done"}
            | ({"content": _content(schema, plural)} if schema else {})
            for status, schema in op.answers.items()
        }
        | {"4XX": {"description": "Refused: what was wrong and what to do",
                   "content": _content("Error", plural)}},
    }  # fmt: skip
    content: dict[str, Any] = {}
    if op.body:
        content["application/json"] = {"schema": _ref(_named(op.body, plural))}
    if op.multipart:
        content["multipart/form-data"] = {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "name": {"type": "string"},
                },
                "required": ["file"],
            }
        }
    if content:
        out["requestBody"] = {"required": True, "content": content}
    return out


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of /api/v1."""
    _, schemas = models_json_schema(
        [(m, "validation") for m in MODELS], ref_template="#/components/schemas/{model}"
    )
    paths: dict[str, dict[str, Any]] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in UNDESCRIBED:
            continue
        for path, values, params in _expand(rule.rule):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                entry = paths.setdefault(path, {})
                entry[method.lower()] = _operation(rule.endpoint, values.get("plural", ""), params)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Studio API",
            "version": "1",
            "description": (
                "Dashboards, stories and datasets. Authenticate with a personal token "
                "(`Authorization: Bearer …`, made on the account page) or a session cookie "
                "(then state-changing requests must come from Studio's pages). Errors are "
                "`{\"error\", \"field\", \"code\"}`."
            ),
        },
        "servers": [{"url": runtime.settings().public_base_url}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """This document (signed-in users and token holders)."""
    ensure(runtime.actor(), "view", "app")
    return jsonify(document())
