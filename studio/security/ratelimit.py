"""Fixed-window counters for rate limits, in process or in Redis (shared by workers)."""

from __future__ import annotations

import threading
import time
from typing import Protocol

from studio.breaker import Breaker


class Counter(Protocol):
    def hit(self, key: str, window: int) -> int: ...
    def count(self, key: str, window: int) -> int: ...
    def reset(self, key: str) -> None: ...


class MemoryCounter:
    """Counters held in this process (the embedded default)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def _current(self, key: str, window: int, now: float) -> tuple[float, int]:
        start, n = self._data.get(key, (now, 0))
        if now - start >= window:
            return now, 0
        return start, n

    def hit(self, key: str, window: int) -> int:
        """Count one more event in the window; return the new count."""
        now = time.monotonic()
        with self._lock:
            start, n = self._current(key, window, now)
            self._data[key] = (start, n + 1)
            if len(self._data) > 100_000:
                self._data = {k: v for k, v in self._data.items() if now - v[0] < window}
            return n + 1

    def count(self, key: str, window: int) -> int:
        """Events counted in the current window."""
        with self._lock:
            return self._current(key, window, time.monotonic())[1]

    def reset(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


class RedisCounter:
    """Counters in Redis, so that every worker sees the same limits.

    When Redis fails or times out, counts fall back to this process's memory (sign-in keeps
    working, limits are per process meanwhile) and Redis is skipped for `cooldown` seconds.
    """

    def __init__(
        self, url: str, prefix: str = "studio:rl:", timeout: float = 0.5, cooldown: float = 30.0
    ) -> None:
        import redis

        self._redis = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._prefix = prefix
        self.fallback = MemoryCounter()
        self.breaker = Breaker("Redis (login limits)", (redis.RedisError, OSError), cooldown)

    def _hit(self, key: str, window: int) -> int:
        k = self._prefix + key
        pipe = self._redis.pipeline()
        pipe.incr(k)
        pipe.expire(k, window, nx=True)
        n, _ = pipe.execute()
        return int(n)

    def hit(self, key: str, window: int) -> int:
        return self.breaker.call(
            lambda: self._hit(key, window), lambda: self.fallback.hit(key, window)
        )

    def count(self, key: str, window: int) -> int:
        return self.breaker.call(
            lambda: int(self._redis.get(self._prefix + key) or 0),
            lambda: self.fallback.count(key, window),
        )

    def reset(self, key: str) -> None:
        self.fallback.reset(key)
        self.breaker.call(lambda: self._redis.delete(self._prefix + key), lambda: 0)


def make_counter(redis_url: str | None, prefix: str = "studio:rl:") -> Counter:
    """A Redis counter when a URL is given, else an in-process one."""
    return RedisCounter(redis_url, prefix) if redis_url else MemoryCounter()


class LoginLimiter:
    """Limits failed sign-ins per account and per address."""

    def __init__(self, counter: Counter, per_account: int, per_address: int, window: int) -> None:
        self.counter = counter
        self.per_account = per_account
        self.per_address = per_address
        self.window = window

    def blocked(self, email: str, address: str) -> bool:
        """True when either the account or the address has used up its attempts."""
        return (
            self.counter.count(f"acct:{email.lower()}", self.window) >= self.per_account
            or self.counter.count(f"addr:{address}", self.window) >= self.per_address
        )

    def failed(self, email: str, address: str) -> None:
        self.counter.hit(f"acct:{email.lower()}", self.window)
        self.counter.hit(f"addr:{address}", self.window)

    def succeeded(self, email: str) -> None:
        self.counter.reset(f"acct:{email.lower()}")
