"""/healthz tells a load balancer whether this host can serve (database, Redis when set)."""

from __future__ import annotations

import os
from typing import Any


def test_healthz_ok(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    expected = {"database": "ok"} | _redis_when_set()
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


# /readyz: the same checks plus the dataset storage, for orchestrators' readiness probes.


def _redis_when_set() -> dict[str, str]:
    """The Redis check, present in the suite's Redis pass (`STUDIO_TEST_REDIS_URL`)."""
    return {"redis": "ok"} if os.environ.get("STUDIO_TEST_REDIS_URL") else {}


def test_readyz_ok_checks_storage(client: Any, server: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok"} | _redis_when_set(),
    }
    data_dir = server.extensions["studio"]["settings"].data_dir
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".readyz")]  # probe removed


def test_readyz_is_public_and_json(server: Any) -> None:
    response = server.test_client().bare().get("/readyz")
    assert response.status_code == 200
    assert response.is_json


def test_readyz_503_when_the_storage_is_full(server: Any, monkeypatch: Any) -> None:
    import errno
    import os

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    response = server.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "storage": "failed"} | (
        _redis_when_set()
    )
    monkeypatch.undo()
    data_dir = server.extensions["studio"]["settings"].data_dir
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".readyz")]


def test_readyz_503_when_the_storage_is_not_a_folder(make_app: Any, tmp_path: Any) -> None:
    """An unmounted share or a file where the folder should be (works as root too)."""
    instance = tmp_path / "inst"
    app = make_app(instance=instance)
    data_dir = app.server.extensions["studio"]["settings"].data_dir
    if data_dir.exists():
        data_dir.rmdir()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    data_dir.write_text("not a folder")
    response = app.server.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"] == "failed"


def test_readyz_redis_down_is_degraded_not_unready(make_app: Any) -> None:
    """Studio serves without Redis, and all hosts share it: no draining every host."""
    server = make_app(redis_url="redis://127.0.0.1:1/2").server
    response = server.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "degraded",
        "checks": {"database": "ok", "redis": "failed", "storage": "ok"},
    }


def test_readyz_names_redis_and_the_database(make_app: Any, monkeypatch: Any) -> None:
    server = make_app(redis_url="redis://127.0.0.1:1/2").server
    db = server.extensions["studio"]["db"]

    def broken() -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(db.engine, "connect", broken)
    response = server.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "failed",
        "redis": "failed",
        "storage": "ok",
    }
