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
    """Limits failed sign-ins without letting anyone lock a victim out.

    Failures are counted per (account, address) pair: after `per_account` failures on one
    account from one address, that address may not try that account again until the window
    ends, while the account's owner, elsewhere, still signs in. Each address is also limited
    over all accounts (`per_address`), and each account over all addresses to
    ACCOUNT_WIDE_FACTOR times `per_account` (a guessing attack spread over many addresses).
    """

    ACCOUNT_WIDE_FACTOR = 20

    def __init__(self, counter: Counter, per_account: int, per_address: int, window: int) -> None:
        self.counter = counter
        self.per_account = per_account
        self.per_address = per_address
        self.window = window

    @staticmethod
    def _keys(email: str, address: str) -> tuple[str, str, str]:
        account = email.lower()
        return f"pair:{account}|{address}", f"addr:{address}", f"acct:{account}"

    def blocked(self, email: str, address: str) -> bool:
        """True when this address has used up its attempts on this account or in all, or
        the account its attempts from everywhere."""
        pair, addr, acct = self._keys(email, address)
        return (
            self.counter.count(pair, self.window) >= self.per_account
            or self.counter.count(addr, self.window) >= self.per_address
            or self.counter.count(acct, self.window)
            >= self.per_account * self.ACCOUNT_WIDE_FACTOR
        )

    def failed(self, email: str, address: str) -> None:
        for key in self._keys(email, address):
            self.counter.hit(key, self.window)

    def succeeded(self, email: str, address: str = "") -> None:
        pair, _addr, _acct = self._keys(email, address)
        self.counter.reset(pair)
