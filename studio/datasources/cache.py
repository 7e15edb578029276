"""`QueryCache`: query results kept in process (bounded LRU) or in Redis (shared).

The key hashes the query, the source and its version, and the row filter, so two people
with different row-level rules never share an entry, and a new file version never serves
stale rows. Things derived from results (a drawn tile) are kept in the same backend under
`derived_key`s that name the same dependencies.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from typing import Any, Protocol

from studio.breaker import Breaker
from studio.spec.query import Query, QueryResult, RowFilter

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "studio:query:"
DEFAULT_TTL = 3600
DEFAULT_MAX_ENTRIES = 1024
DEFAULT_MAX_BYTES = 256 * 1024**2  # per process (STUDIO_QUERY_CACHE_MB)


class CacheBackend(Protocol):
    """Where cached results live: bytes by key."""

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...

    def clear(self) -> None: ...


class MemoryBackend:
    """A thread-safe LRU in this process only, bounded by the bytes it holds (`max_bytes`)
    and by `max_entries`; a value larger than a quarter of `max_bytes` is not kept."""

    def __init__(
        self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0  # bytes held
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """Return the stored value, marking it recently used, or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        """Store a value, dropping the least recently used entries beyond the bound."""
        if len(value) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self.size -= len(old) if old is not None else 0
            self._entries[key] = value
            self.size += len(value)
            while len(self._entries) > self.max_entries or self.size > self.max_bytes:
                _key, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)


class RedisBackend:
    """Results in Redis under `prefix`, expiring after `ttl` seconds; Redis down = a miss."""

    def __init__(
        self, url: str, prefix: str = DEFAULT_PREFIX, ttl: int = DEFAULT_TTL, cooldown: float = 30.0
    ) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix
        self.ttl = ttl
        # a cache outage must not break dashboards, nor make each call wait for the timeout
        self.breaker = Breaker("Redis (query cache)", (redis.RedisError, OSError), cooldown)

    def get(self, key: str) -> bytes | None:
        """Return the stored value, or None when absent or when Redis cannot be reached."""
        return self.breaker.call(lambda: self.client.get(self.prefix + key), lambda: None)

    def set(self, key: str, value: bytes) -> None:
        """Store a value with the TTL; failures are logged once and ignored."""
        self.breaker.call(
            lambda: self.client.set(self.prefix + key, value, ex=self.ttl), lambda: None
        )

    def clear(self) -> None:
        """Delete every key under this backend's prefix."""
        keys = list(self.client.scan_iter(match=self.prefix + "*", count=500))
        if keys:
            self.client.delete(*keys)


class QueryCache:
    """Cached query results, with hit and miss counters."""

    def __init__(self, backend: CacheBackend) -> None:
        self.backend = backend
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(query: Query, source_identity: str, row_filter: RowFilter | None) -> str:
        """Return the hash of (query, source and version, row filter)."""
        payload = {
            "query": query.model_dump(mode="json"),
            "source": source_identity,
            "row_filter": row_filter_json(row_filter),
        }
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str) -> QueryResult | None:
        """Return the cached result for `key`, or None."""
        data = self.backend.get(key)
        if data is None:
            self.misses += 1
            return None
        self.hits += 1
        return QueryResult.model_validate_json(data)

    def set(self, key: str, result: QueryResult) -> None:
        """Store a result under `key`."""
        self.backend.set(key, result.model_dump_json().encode())

    def clear(self) -> None:
        """Drop every cached result of this cache."""
        self.backend.clear()

    @staticmethod
    def derived_key(kind: str, parts: Any) -> str:
        """Return the key of something derived from query results (e.g. a drawn tile).

        `parts` is any JSON-able value naming everything the derived thing depends on; the
        caller includes the sources' versions and row filters, as `key` does for queries.
        """
        text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
        return f"{kind}:" + hashlib.sha256(text.encode()).hexdigest()

    def get_bytes(self, key: str) -> bytes | None:
        """Return the bytes stored under a `derived_key`, or None."""
        data = self.backend.get(key)
        if data is None:
            self.misses += 1
        else:
            self.hits += 1
        return data

    def set_bytes(self, key: str, data: bytes) -> None:
        """Store bytes under a `derived_key` (same bound, TTL and backend as results)."""
        self.backend.set(key, data)


def row_filter_json(row_filter: RowFilter | None) -> Any:
    """The row filter as plain JSON data (for cache keys)."""
    if row_filter is None:
        return None
    return [[f.model_dump(mode="json") for f in alt] for alt in row_filter]


def make_cache(
    redis_url: str | None = None,
    *,
    prefix: str = DEFAULT_PREFIX,
    ttl: int = DEFAULT_TTL,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> QueryCache:
    """Return a Redis-backed cache when `redis_url` is given, else an in-process LRU bounded
    by `max_bytes`."""
    if redis_url:
        return QueryCache(RedisBackend(redis_url, prefix, ttl))
    return QueryCache(MemoryBackend(max_entries, max_bytes))
