"""Redis down or stalled: sign-in still works, limits fall back, cache calls stop waiting."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from studio.security.ratelimit import LoginLimiter, RedisCounter
from tests.conftest import PASSWORD, sign_in

CLOSED = "redis://127.0.0.1:1/2"


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """A local server that accepts connections and never answers (a stalled Redis)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/2"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def _count_commands(client: Any) -> list[int]:
    """Count the commands a redis-py client sends (each one may wait for its timeout)."""
    tries = [0]
    send = client.execute_command

    def counted(*args: Any, **kwargs: Any) -> Any:
        tries[0] += 1
        return send(*args, **kwargs)

    client.execute_command = counted
    return tries


@pytest.mark.parametrize("fault", ["closed", "silent"])
def test_counter_falls_back_to_memory_with_one_warning(
    fault: str, silent_redis: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = CLOSED if fault == "closed" else silent_redis
    counter = RedisCounter(url, timeout=0.3)
    tries = _count_commands(counter._redis)
    limiter = LoginLimiter(counter, per_account=3, per_address=100, window=60)
    caplog.set_level(logging.WARNING, logger="studio.security.ratelimit")
    for _ in range(3):
        assert not limiter.blocked("a@example.org", "10.0.0.1")
        limiter.failed("a@example.org", "10.0.0.1")
    assert limiter.blocked("a@example.org", "10.0.0.1")  # limits still hold, per process
    assert tries == [1], "the breaker did not skip Redis after its first failure"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "Redis" in warnings[0].getMessage()


@pytest.fixture(params=["closed", "silent"])
def app(request: pytest.FixtureRequest, make_app: Any) -> Any:
    """The app with its Redis URL on a closed port or on a server that never answers."""
    url = CLOSED if request.param == "closed" else request.getfixturevalue("silent_redis")
    return make_app(redis_url=url)


def test_sign_in_works_with_redis_down(server: Any, users: dict[str, dict[str, Any]]) -> None:
    client = server.test_client()
    email = users["viewer"]["email"]
    assert sign_in(client, email, "wrong-password-1").status_code == 200
    response = sign_in(client, email, PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_stalled_redis_costs_one_timeout_not_one_per_cache_call(
    silent_redis: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A filter change makes many cache calls: after one timeout the cache is skipped."""
    from studio.datasources.cache import QueryCache, RedisBackend

    cache = QueryCache(RedisBackend(silent_redis, prefix="fault:"))
    tries = _count_commands(cache.backend.client)
    caplog.set_level(logging.WARNING)
    for i in range(20):
        assert cache.get_bytes(f"k{i}") is None
        cache.set_bytes(f"k{i}", b"x")
    assert tries == [1], f"{tries[0]} Redis calls waited for a stalled server, not one"
    assert cache.misses == 20
    assert len([r for r in caplog.records if "query cache" in r.getMessage()]) == 1
