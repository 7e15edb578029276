"""/api/v1/openapi.json describes every API route, and the API answers what it says:
schemathesis sends generated requests (with a bearer token) and fails on any 5xx, an
undocumented status or a body that does not match its schema.

The number of examples per operation is `STUDIO_FUZZ_EXAMPLES` (small by default; `.ci/run`
raises it in its fuzzing pass). Only operations that change nothing are fuzzed, plus the
dataset query (read-only).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from test_dashboards_api import spec as dashboard_spec
from test_datasets_api import upload

from studio import accounts
from studio.api.openapi import OPERATIONS, UNDESCRIBED
from studio.store import users as account_repo

EXAMPLES = int(os.environ.get("STUDIO_FUZZ_EXAMPLES", "8"))


def test_the_document_is_for_signed_in_users_and_token_holders(login: Any) -> None:
    assert login("anonymous").get("/api/v1/openapi.json").status_code == 401
    body = login("viewer").get("/api/v1/openapi.json").get_json()
    assert body["openapi"].startswith("3.1")
    query = body["paths"]["/api/v1/datasets/{dataset_id}/query"]["post"]
    schema = query["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Query"}
    assert "measures" in body["components"]["schemas"]["Query"]["properties"]
    put = body["paths"]["/api/v1/stories/{doc_id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/StorySpec"
    )
    assert any(p["name"] == "If-Match" for p in put["parameters"])


def test_every_api_route_is_described(app: Any) -> None:
    rules = app.server.url_map.iter_rules()
    endpoints = {r.endpoint for r in rules if r.endpoint.startswith("api.")}
    assert endpoints - UNDESCRIBED == set(OPERATIONS)


@pytest.fixture
def fuzz_target(login: Any, server: Any, users: dict[str, Any]) -> dict[str, Any]:
    """An instance with a dataset and a published dashboard, and the admin's bearer token."""
    admin = login("admin")
    ds_id = upload(admin).get_json()["id"]
    doc = admin.post("/api/v1/dashboards", json=dashboard_spec(ds_id)).get_json()["id"]
    assert admin.post(f"/api/v1/dashboards/{doc}/publish").status_code == 200
    with server.extensions["studio"]["db"].session() as s:
        token = accounts.issue_token(s, account_repo.get_user(s, users["admin"]["id"]), "fuzz")
    return {"token": token, "dataset": ds_id, "dashboard": doc}


def _fuzz(operation: Any, headers: dict[str, str], checks: list[Any], target: dict[str, Any]) -> None:  # noqa: E501
    """Send EXAMPLES generated requests to one operation; raise on the first failed check.
    Half of the generated ids are replaced by existing ones, so the routes' inner code runs
    (not only their 404)."""
    from hypothesis import HealthCheck, given, settings

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        params = case.path_parameters or {}
        for name, existing in (("dataset_id", "dataset"), ("doc_id", "dashboard"),
                               ("object_id", "dashboard")):
            if name in params and params[name] % 2:
                params[name] = target[existing]
        case.call_and_validate(headers=headers, checks=checks)

    run()


@pytest.mark.fuzz
def test_the_api_answers_as_its_document_says(app: Any, fuzz_target: dict[str, Any]) -> None:
    import schemathesis
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    headers = {"Authorization": f"Bearer {fuzz_target['token']}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app.server, headers=headers)
    read_only = schema.include(method="GET").exclude(path_regex=r"/pdf$")
    query = schema.include(path_regex=r"/query$", method="POST")
    failures: list[str] = []
    checks = [
        schemathesis.checks.not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    ran = 0
    for selection in (read_only, query):
        for result in selection.get_all_operations():
            operation = result.ok()
            try:
                _fuzz(operation, headers, checks, fuzz_target)
                ran += 1
            except Exception as exc:  # noqa: BLE001  (collected, reported together)
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:3000])
    assert not failures, "\n\n".join(failures)
    assert ran >= 20
    assert not failures, "\n\n".join(failures)
