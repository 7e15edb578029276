"""The same `Query` pushed down to PostgreSQL and SQLite gives the DuckDB engine's answer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql

from studio.datasources import DatasetError, SqlSource, inspect_sql_table, run_query
from studio.spec.query import Dimension, Filter, Measure, Query
from tests.test_query_engine import (
    FIELDS,
    assert_same_rows,
    dimensions,
    filters,
    make_frame,
    reference,
)

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

measures = st.lists(
    st.builds(
        Measure,
        field=st.sampled_from(["n", "x"]),
        agg=st.sampled_from(["count", "count_distinct", "sum", "avg", "min", "max"]),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda m: m.key,
)


def load_table(url: str) -> str:
    """Create a uniquely named table holding the engine tests' frame; return its name."""
    name = f"studio_test_{uuid.uuid4().hex[:10]}"
    frame = make_frame()
    table = sa.Table(
        name,
        sa.MetaData(),
        sa.Column("dep", sa.String(3)),
        sa.Column("cat", sa.String(40)),
        sa.Column("d", sa.Date),
        sa.Column("n", sa.BigInteger),
        sa.Column("x", sa.Float),
        sa.Column("flag", sa.Boolean),
    )
    rows = [
        {k: None if pd.isna(v) else v for k, v in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        table.create(conn)
        conn.execute(table.insert(), rows)
    engine.dispose()
    return name


def drop_table(url: str, name: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        sa.Table(name, sa.MetaData()).drop(conn, checkfirst=True)
    engine.dispose()


def postgres_reachable() -> bool:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sql_source(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqlSource]:
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('sqlite')) / 'push.db'}"
    else:
        if not postgres_reachable():
            pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
        url = PG_URL
    name = load_table(url)
    yield SqlSource(url, name, 1)
    drop_table(url, name)


@pytest.fixture(scope="module")
def frame():
    return make_frame()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(dims=dimensions, ms=measures, fs=st.lists(filters(), max_size=2))
def test_pushdown_matches_pandas(frame, sql_source: SqlSource, dims, ms, fs) -> None:
    query = Query(dataset=1, dimensions=dims, measures=ms, filters=fs, limit=50_000)
    result = run_query(query, sql_source, FIELDS)
    assert_same_rows(result.rows, reference(frame, query))


def test_median(frame, sql_source: SqlSource) -> None:
    query = Query(
        dataset=1, dimensions=[Dimension(field="cat")], measures=[Measure(field="x", agg="median")]
    )
    if sql_source.url.startswith("sqlite"):
        with pytest.raises(DatasetError) as err:
            run_query(query, sql_source, FIELDS)
        assert err.value.code == "query.unsupported"
        return
    assert_same_rows(run_query(query, sql_source, FIELDS).rows, reference(frame, query))


def test_row_filter_pushed_down(frame, sql_source: SqlSource) -> None:
    query = Query(dataset=1, dimensions=[Dimension(field="dep")], measures=[Measure(agg="count")])
    allowed = [[Filter(field="dep", value="2A")], [Filter(field="dep", op="in", value=["971"])]]
    result = run_query(query, sql_source, FIELDS, row_filter=allowed)
    assert set(result.column("dep")) == {"2A", "971"}
    assert sum(result.column("count")) == int(frame.dep.isin(["2A", "971"]).sum())
    assert run_query(query, sql_source, FIELDS, row_filter=[]).rows == []


def test_limit_and_truncation(sql_source: SqlSource) -> None:
    query = Query(
        dataset=1, dimensions=[Dimension(field="d")], measures=[Measure(agg="count")], limit=3
    )
    result = run_query(query, sql_source, FIELDS)
    assert result.truncated and len(result.rows) == 3


@pytest.mark.parametrize("value", ["' OR 1=1 --", "x'); DROP TABLE pg_class; --", "%", "_"])
def test_injection_values_are_bound(sql_source: SqlSource, value: str) -> None:
    query = Query(
        dataset=1,
        measures=[Measure(agg="count")],
        filters=[Filter(field="cat", op="contains", value=value)],
    )
    assert run_query(query, sql_source, FIELDS).rows == [[0]]
    query = Query(
        dataset=1, measures=[Measure(agg="count")], filters=[Filter(field="dep", value=value)]
    )
    assert run_query(query, sql_source, FIELDS).rows == [[0]]


def test_statement_has_bound_parameters_only(sql_source: SqlSource) -> None:
    from studio.datasources import sqlpush
    from studio.datasources.plan import plan_query

    secret = "zz-secret-value"
    query = Query(
        dataset=1, measures=[Measure(agg="count")], filters=[Filter(field="cat", value=secret)]
    )
    table = sqlpush.reflected_table(sql_source.url, sql_source.table)
    stmt = sqlpush.build_select(plan_query(query, FIELDS, None), table, "postgresql")
    assert secret not in str(stmt.compile(dialect=postgresql.dialect()))


def test_inspect_sql_table(sql_source: SqlSource) -> None:
    fields = {f.name: f.type for f in inspect_sql_table(sql_source.url, sql_source.table)}
    assert fields == {
        "dep": "departement",
        "cat": "text",
        "d": "date",
        "n": "integer",
        "x": "decimal",
        "flag": "boolean",
    }


def test_inspect_missing_table(sql_source: SqlSource) -> None:
    with pytest.raises(DatasetError) as err:
        inspect_sql_table(sql_source.url, "no_such_table_here")
    assert err.value.code == "sql.no_such_table"
