"""Query cache: keys, hits and misses, LRU bound, Redis backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from studio.datasources import (
    FieldInfo,
    MemoryBackend,
    ParquetSource,
    QueryCache,
    RedisBackend,
    make_cache,
    run_query,
)
from studio.spec.query import Dimension, Filter, Measure, Query, QueryResult

REDIS_URL = "redis://127.0.0.1:6379/0"
FIELDS = [FieldInfo("dep", "departement"), FieldInfo("n", "integer")]
QUERY = Query(
    dataset=1, dimensions=[Dimension(field="dep")], measures=[Measure(field="n", agg="sum")]
)


def write(path: Path, n: list[int]) -> Path:
    pq.write_table(pa.table({"dep": ["01", "2A", "01"][: len(n)], "n": n}), path)
    return path


@pytest.fixture
def source(tmp_path: Path) -> ParquetSource:
    return ParquetSource(write(tmp_path / "a.parquet", [1, 2, 3]), version=1)


def redis_cache() -> QueryCache | None:
    cache = make_cache(REDIS_URL, prefix=f"studio-test:{uuid.uuid4().hex}:")
    try:
        cache.backend.client.ping()  # type: ignore[attr-defined]
    except Exception:
        return None
    return cache


@pytest.fixture(params=["memory", "redis"])
def cache(request: pytest.FixtureRequest) -> Iterator[QueryCache]:
    if request.param == "memory":
        yield make_cache()
        return
    cache = redis_cache()
    if cache is None:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    yield cache
    cache.clear()


def test_hit_after_miss_without_reading_the_file(cache: QueryCache, source: ParquetSource) -> None:
    first = run_query(QUERY, source, FIELDS, cache=cache)
    assert (cache.hits, cache.misses) == (0, 1)
    Path(source.path).unlink()  # a hit must not touch the file
    second = run_query(QUERY, source, FIELDS, cache=cache)
    assert (cache.hits, cache.misses) == (1, 1)
    assert second == first == QueryResult(columns=["dep", "n__sum"], rows=[["01", 4], ["2A", 2]])


def test_new_version_misses(cache: QueryCache, source: ParquetSource, tmp_path: Path) -> None:
    run_query(QUERY, source, FIELDS, cache=cache)
    write(Path(source.path), [10, 20, 30])
    newer = ParquetSource(source.path, version=2)
    assert run_query(QUERY, newer, FIELDS, cache=cache).rows == [["01", 40], ["2A", 20]]
    assert cache.misses == 2


def test_row_filter_is_part_of_the_key(cache: QueryCache, source: ParquetSource) -> None:
    only_2a = [[Filter(field="dep", value="2A")]]
    assert run_query(QUERY, source, FIELDS, cache=cache).rows == [["01", 4], ["2A", 2]]
    assert run_query(QUERY, source, FIELDS, row_filter=only_2a, cache=cache).rows == [["2A", 2]]
    assert run_query(QUERY, source, FIELDS, row_filter=[], cache=cache).rows == []
    assert (cache.hits, cache.misses) == (0, 3)


def test_keys_differ_for_every_part() -> None:
    key = QueryCache.key
    base = key(QUERY, "parquet:a@1", None)
    assert base == key(QUERY.model_copy(), "parquet:a@1", None)
    assert base != key(QUERY, "parquet:a@2", None)
    assert base != key(QUERY, "parquet:a@1", [])
    assert key(QUERY, "parquet:a@1", []) != key(QUERY, "parquet:a@1", [[]])
    assert base != key(QUERY.model_copy(update={"limit": 10}), "parquet:a@1", None)


def test_unknown_field_is_refused_even_when_cached(source: ParquetSource) -> None:
    from studio.datasources import DatasetError

    cache = make_cache()
    run_query(QUERY, source, FIELDS, cache=cache)
    with pytest.raises(DatasetError):
        run_query(QUERY, source, FIELDS[:1], cache=cache)


def test_memory_backend_is_a_bounded_lru() -> None:
    backend = MemoryBackend(max_entries=2)
    backend.set("a", b"1")
    backend.set("b", b"2")
    assert backend.get("a") == b"1"  # a is now the most recent
    backend.set("c", b"3")
    assert (backend.get("a"), backend.get("b"), backend.get("c")) == (b"1", None, b"3")
    assert len(backend) == 2


def test_a_cached_repeat_does_not_run_the_engine(
    cache: QueryCache, source: ParquetSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repeats are served from the cache (how fast is bench/'s business, not a test's)."""
    from studio.datasources import duck

    first = run_query(QUERY, source, FIELDS, cache=cache)

    def engine_called(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the engine ran for a cached query")

    monkeypatch.setattr(duck, "run_plan", engine_called)
    for _ in range(20):
        assert run_query(QUERY, source, FIELDS, cache=cache) == first
    assert cache.hits == 20


def test_redis_prefix_isolates_and_clear_only_drops_its_own() -> None:
    first, second = redis_cache(), redis_cache()
    if first is None or second is None:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    result = QueryResult(columns=["a"], rows=[[1]])
    first.set("k", result)
    assert second.get("k") is None and first.get("k") == result
    second.set("k", result)
    first.clear()
    assert first.get("k") is None and second.get("k") == result
    second.clear()


def test_redis_down_is_a_miss_not_an_error(source: ParquetSource) -> None:
    cache = QueryCache(RedisBackend("redis://127.0.0.1:1/0", prefix="x:"))
    assert run_query(QUERY, source, FIELDS, cache=cache).rows == [["01", 4], ["2A", 2]]
    assert cache.misses == 1
