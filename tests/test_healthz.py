"""/healthz tells a load balancer whether this host can serve (database, Redis when set)."""

from __future__ import annotations

import os
from typing import Any


def test_healthz_ok(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    redis = {"redis": "ok"} if os.environ.get("STUDIO_TEST_REDIS_URL") else {}
    expected = {"database": "ok"} | redis
    assert response.get_json() == {"status": "ok", "checks": expected}


def test_healthz_503_names_redis_when_it_is_down(make_app: Any) -> None:
    client = make_app(redis_url="redis://127.0.0.1:1/2").server.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "redis": "failed"}


def test_healthz_503_names_the_database_when_it_is_down(server: Any, monkeypatch: Any) -> None:
    db = server.extensions["studio"]["db"]

    def broken() -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(db.engine, "connect", broken)
    response = server.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "failed"
