"""Benchmark: the engine on a 10-million-row Parquet file vs the same SQL run directly.

Run with `.venv/bin/python bench/bench_query.py`. The dataset is generated once (fixed
seed) under $STUDIO_BENCH_DIR or ~/.cache/studio-bench, never in the repository.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.datasources import FieldInfo, ParquetSource, make_cache, run_query  # noqa: E402
from studio.datasources.duck import compile_plan  # noqa: E402
from studio.datasources.plan import plan_query  # noqa: E402
from studio.spec.query import Dimension, Filter, Measure, Query  # noqa: E402

ROWS = 10_000_000
RATIO_TARGET = 1.3
CACHED_TARGET_MS = 5.0
REDIS_URL = "redis://127.0.0.1:6379/0"
FIELDS = [
    FieldInfo("d", "date"),
    FieldInfo("dep", "departement"),
    FieldInfo("prestation", "text"),
    FieldInfo("public", "text"),
    FieldInfo("effectif", "integer"),
    FieldInfo("montant", "decimal"),
]
QUERY = Query(
    dataset=1,
    dimensions=[Dimension(field="dep"), Dimension(field="d", grain="month")],
    measures=[Measure(field="effectif", agg="sum"), Measure(field="montant", agg="avg")],
    filters=[
        Filter(field="prestation", op="in", value=["RSA", "AAH"]),
        Filter(field="d", op=">=", value="2018-01-01"),
    ],
    limit=50_000,
)


def bench_dir() -> Path:
    """Return the directory where generated benchmark data lives."""
    default = Path.home() / ".cache" / "studio-bench"
    path = Path(os.environ.get("STUDIO_BENCH_DIR", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def generate_once(path: Path, select_sql: str, copy_options: str) -> Path:
    """Return `path`, first writing the rows of `select_sql` there (fixed seed) when absent.

    The file is written under a temporary name and renamed, so an interrupted run leaves
    nothing that looks complete."""
    if path.exists():
        return path
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    partial = path.with_suffix(".partial")
    con.execute(f"COPY ({select_sql}) TO '{partial}' ({copy_options})")
    partial.rename(path)
    return path


def dataset(path: Path) -> Path:
    """Return the 10M-row Parquet file, generating it (fixed seed) when absent."""
    return generate_once(
        path,
        f"""
          SELECT DATE '2015-01-01' + CAST(floor(random() * 3650) AS INTEGER) AS d,
                 list_extract(['01','02','13','2A','2B','33','59','69D','69M','75','93',
                               '971','972','973','974','976'],
                              1 + CAST(floor(random() * 16) AS INTEGER)) AS dep,
                 list_extract(['RSA','AAH','ASS','PA','APL'],
                              1 + CAST(floor(random() * 5) AS INTEGER)) AS prestation,
                 list_extract(['seul','couple','famille'], 1 + CAST(floor(random() * 3) AS INTEGER))
                   AS public,
                 CAST(floor(random() * 1000) AS BIGINT) AS effectif,
                 round(random() * 10000, 2) AS montant
          FROM range({ROWS})
        """,
        "FORMAT parquet, ROW_GROUP_SIZE 122880",
    )


def timed(run: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of `run`, in milliseconds, after one warm-up."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def interleaved(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Return the median times (ms) of two runs alternated, so machine noise hits both."""
    first(), second()
    a, b = [], []
    for _ in range(repeat):
        for run, times in ((first, a), (second, b)):
            start = time.perf_counter()
            run()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(a), statistics.median(b)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    path = dataset(bench_dir() / f"bench-{ROWS}.parquet")
    source = ParquetSource(path, 1)
    sql, params = compile_plan(plan_query(QUERY, FIELDS, None), path)
    direct = duckdb.connect()
    engine_ms, direct_ms = interleaved(
        lambda: run_query(QUERY, source, FIELDS),
        lambda: direct.execute(sql, params).fetchall(),
        11,
    )
    ratio = engine_ms / direct_ms
    rows = len(run_query(QUERY, source, FIELDS).rows)
    print(f"dataset: {path} ({ROWS:,} rows); result: {rows} rows")
    print(f"engine query      : {engine_ms:8.1f} ms")
    print(f"DuckDB direct SQL : {direct_ms:8.1f} ms")
    ok = ratio <= RATIO_TARGET
    print(f"ratio             : {ratio:8.2f}x  (target <= {RATIO_TARGET}x)  {verdict(ok)}")
    memory = make_cache()
    run_query(QUERY, source, FIELDS, cache=memory)
    cached_ms = timed(lambda: run_query(QUERY, source, FIELDS, cache=memory), 200)
    ok = cached_ms <= CACHED_TARGET_MS
    print(f"cached (memory)   : {cached_ms:8.3f} ms  (<= {CACHED_TARGET_MS} ms) {verdict(ok)}")
    redis_cache = make_cache(REDIS_URL, prefix="studio-bench:")
    try:
        redis_cache.clear()
        run_query(QUERY, source, FIELDS, cache=redis_cache)
        redis_ms = timed(lambda: run_query(QUERY, source, FIELDS, cache=redis_cache), 200)
        ok = redis_ms <= CACHED_TARGET_MS
        print(f"cached (redis)    : {redis_ms:8.3f} ms  (<= {CACHED_TARGET_MS} ms) {verdict(ok)}")
        redis_cache.clear()
    except Exception as exc:
        print(f"cached (redis)    : skipped ({exc})")


if __name__ == "__main__":
    main()
