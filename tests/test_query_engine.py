"""The DuckDB query engine against a pandas reference, on random data and queries."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.datasources import DatasetError, FieldInfo, ParquetSource, run_query
from studio.spec.query import GRAINS, Dimension, Filter, Measure, Query, Sort

FIELDS = [
    FieldInfo("dep", "departement"),
    FieldInfo("cat", "text"),
    FieldInfo("d", "date"),
    FieldInfo("n", "integer"),
    FieldInfo("x", "decimal"),
    FieldInfo("flag", "boolean"),
]
DEPS = ["01", "2A", "2B", "971", "69D", None]
CATS = ["RSA", "AAH", "ASS", "Prime d'activité", None]


def make_frame(rows: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = random.Random(seed)
    start = date(2019, 1, 1)

    def maybe(value: Any, share: float = 0.1) -> Any:
        return None if rng.random() < share else value

    return pd.DataFrame(
        {
            "dep": [rng.choice(DEPS) for _ in range(rows)],
            "cat": [rng.choice(CATS) for _ in range(rows)],
            "d": [maybe(start + timedelta(days=rng.randrange(900))) for _ in range(rows)],
            "n": pd.array([maybe(rng.randrange(-50, 1000)) for _ in range(rows)], "Int64"),
            "x": [maybe(round(rng.uniform(-10, 100), 2)) for _ in range(rows)],
            "flag": pd.array([maybe(rng.random() < 0.5) for _ in range(rows)], "boolean"),
        }
    )


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_frame()


@pytest.fixture(scope="module")
def source(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> ParquetSource:
    path = tmp_path_factory.mktemp("engine") / "data.parquet"
    table = pa.table(
        {
            "dep": pa.array(frame["dep"], pa.string()),
            "cat": pa.array(frame["cat"], pa.string()),
            "d": pa.array(frame["d"], pa.date32()),
            "n": pa.array(frame["n"].astype(object).where(frame["n"].notna(), None), pa.int64()),
            "x": pa.array(frame["x"], pa.float64()),
            "flag": pa.array(
                frame["flag"].astype(object).where(frame["flag"].notna(), None), pa.bool_()
            ),
        }
    )
    pq.write_table(table, path)
    return ParquetSource(path, 1)


# --- pandas reference ---------------------------------------------------------------------


def truncate(value: Any, grain: str) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if grain == "week":
        return value - timedelta(days=value.weekday())
    if grain == "month":
        return value.replace(day=1)
    if grain == "quarter":
        return value.replace(month=(value.month - 1) // 3 * 3 + 1, day=1)
    if grain == "year":
        return value.replace(month=1, day=1)
    return value


def mask(frame: pd.DataFrame, f: Filter) -> pd.Series:
    col = frame[f.field].astype(object)
    present = col.notna()
    v = f.value
    tests = {
        "=": lambda: present & (col == v),
        "!=": lambda: ~present | (col != v),
        "in": lambda: present & col.isin(v),
        "not_in": lambda: ~present | ~col.isin(v),
        "<": lambda: present & col.where(present, v).lt(v),
        "<=": lambda: present & col.where(present, v).le(v),
        ">": lambda: present & col.where(present, v).gt(v),
        ">=": lambda: present & col.where(present, v).ge(v),
        "between": lambda: present & col.where(present, v[0]).between(v[0], v[1]),
        "contains": lambda: (
            present & col.fillna("").str.lower().str.contains(v.lower(), regex=False)
        ),
        "is_null": lambda: ~present,
        "not_null": lambda: present,
    }
    return tests[f.op]().astype(bool)


def aggregate(values: pd.Series, agg: str) -> Any:
    present = values.dropna()
    if agg == "count":
        return len(present)
    if agg == "count_distinct":
        return present.nunique()
    if present.empty:
        return None
    return {
        "sum": present.sum,
        "avg": present.mean,
        "min": present.min,
        "max": present.max,
        "median": present.median,
    }[agg]()


def reference(frame: pd.DataFrame, query: Query) -> list[list[Any]]:
    data = frame
    for f in query.filters:
        data = data[mask(data, f)]
    keys = []
    for i, dim in enumerate(query.dimensions):
        values = data[dim.field].astype(object)
        if dim.grain:
            values = values.map(lambda v, g=dim.grain: truncate(v, g))
        data = data.assign(**{f"_k{i}": values.where(values.notna(), "∅")})
        keys.append(f"_k{i}")
    groups = data.groupby(keys, dropna=False) if keys else [((), data)]
    rows = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        row = [None if k == "∅" else k for k in key]
        for m in query.measures:
            row.append(len(group) if m.field is None else aggregate(group[m.field], m.agg))
        rows.append(row)
    return rows


def normalise(rows: list[list[Any]]) -> list[tuple]:
    """Return rows with plain values (ISO dates, Python numbers), in a stable order."""

    def norm(v: Any) -> Any:
        if hasattr(v, "isoformat"):
            return v.isoformat()
        return v.item() if hasattr(v, "item") else v

    plain = [tuple(norm(v) for v in row) for row in rows]
    return sorted(plain, key=lambda row: repr([x for x in row if not isinstance(x, float)]))


def assert_same_rows(actual: list[list[Any]], expected: list[list[Any]]) -> None:
    """Assert equal rows, floats compared with a relative tolerance."""
    got, want = normalise(actual), normalise(expected)
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert x == (pytest.approx(y, rel=1e-9) if isinstance(y, float) else y)


# --- random queries -------------------------------------------------------------------------

dimensions = st.lists(
    st.one_of(
        st.sampled_from([Dimension(field="dep"), Dimension(field="cat"), Dimension(field="flag")]),
        st.sampled_from(GRAINS).map(lambda g: Dimension(field="d", grain=g)),
    ),
    max_size=2,
    unique_by=lambda d: d.field,
)
measures = st.lists(
    st.one_of(
        st.just(Measure(agg="count")),
        st.builds(
            Measure,
            field=st.sampled_from(["n", "x"]),
            agg=st.sampled_from(["count", "count_distinct", "sum", "avg", "min", "max", "median"]),
        ),
        st.builds(
            Measure, field=st.sampled_from(["dep", "d"]), agg=st.sampled_from(["min", "max"])
        ),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda m: m.key,
)


@st.composite
def filters(draw: st.DrawFn) -> Filter:
    field = draw(st.sampled_from(["dep", "cat", "d", "n", "x", "flag"]))
    ops = ["=", "!=", "in", "not_in", "is_null", "not_null"]
    if field != "flag":
        ops += ["<", "<=", ">", ">=", "between"]
    if field in ("dep", "cat"):
        ops.append("contains")
    op = draw(st.sampled_from(ops))
    pool = {
        "dep": st.sampled_from(DEPS[:-1]),
        "cat": st.sampled_from(CATS[:-1]),
        "d": st.dates(date(2018, 12, 1), date(2021, 8, 1)),
        "n": st.integers(-60, 1010),
        "x": st.floats(-10, 100).map(lambda v: round(v, 2)),
        "flag": st.booleans(),
    }[field]
    if op in ("is_null", "not_null"):
        return Filter(field=field, op=op)
    if op in ("in", "not_in"):
        return Filter(field=field, op=op, value=draw(st.lists(pool, min_size=1, max_size=3)))
    if op == "between":
        return Filter(
            field=field, op=op, value=sorted(draw(st.lists(pool, min_size=2, max_size=2)))
        )
    if op == "contains":
        return Filter(field=field, op=op, value=draw(st.sampled_from(["a", "R", "2", "d'a"])))
    return Filter(field=field, op=op, value=draw(pool))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(dims=dimensions, ms=measures, fs=st.lists(filters(), max_size=2))
def test_engine_matches_pandas(frame, source, dims, ms, fs) -> None:
    query = Query(dataset=1, dimensions=dims, measures=ms, filters=fs, limit=50_000)
    result = run_query(query, source, FIELDS)
    assert result.columns == query.columns
    assert not result.truncated
    assert_same_rows(result.rows, reference(frame, query))


@pytest.mark.parametrize("grain", GRAINS)
def test_every_grain_gives_first_days_of_periods(source, grain: str) -> None:
    query = Query(
        dataset=1, dimensions=[Dimension(field="d", grain=grain)], measures=[Measure(agg="count")]
    )
    days = [date.fromisoformat(r[0]) for r in run_query(query, source, FIELDS).rows if r[0]]
    checks = {
        "day": lambda d: True,
        "week": lambda d: d.weekday() == 0,
        "month": lambda d: d.day == 1,
        "quarter": lambda d: d.day == 1 and d.month in (1, 4, 7, 10),
        "year": lambda d: (d.month, d.day) == (1, 1),
    }
    assert days and all(checks[grain](d) for d in days)


def test_limit_truncates_and_sorts(frame, source) -> None:
    query = Query(
        dataset=1,
        dimensions=[Dimension(field="d")],
        measures=[Measure(field="x", agg="sum")],
        sort=[Sort(field="x__sum", desc=True)],
        limit=5,
    )
    result = run_query(query, source, FIELDS)
    assert result.truncated and len(result.rows) == 5
    sums = result.column("x__sum")
    assert sums == sorted(sums, reverse=True)
    best = frame.groupby("d", dropna=False)["x"].sum(min_count=1).max()
    assert sums[0] == pytest.approx(best)


def test_results_are_json_ready(source) -> None:
    query = Query(
        dataset=1,
        dimensions=[Dimension(field="d", grain="month")],
        measures=[Measure(field="x", agg="avg"), Measure(field="n", agg="sum")],
    )
    for row in run_query(query, source, FIELDS).rows:
        assert row[0] is None or isinstance(row[0], str)
        assert all(v is None or isinstance(v, int | float) for v in row[1:])
        assert not any(isinstance(v, float) and math.isnan(v) for v in row)


# --- row filters ----------------------------------------------------------------------------

COUNT_BY_DEP = Query(
    dataset=1, dimensions=[Dimension(field="dep")], measures=[Measure(agg="count")]
)


def test_row_filter_none_empty_and_alternatives(frame, source) -> None:
    everything = run_query(COUNT_BY_DEP, source, FIELDS, row_filter=None)
    assert sum(everything.column("count")) == len(frame)
    assert run_query(COUNT_BY_DEP, source, FIELDS, row_filter=[]).rows == []
    allowed = [
        [Filter(field="dep", value="2A")],
        [Filter(field="dep", value="971"), Filter(field="cat", value="RSA")],
    ]
    restricted = run_query(COUNT_BY_DEP, source, FIELDS, row_filter=allowed)
    expected = ((frame.dep == "2A") | ((frame.dep == "971") & (frame.cat == "RSA"))).sum()
    assert set(restricted.column("dep")) == {"2A", "971"}
    assert sum(restricted.column("count")) == expected
    assert run_query(COUNT_BY_DEP, source, FIELDS, row_filter=[[]]).rows == everything.rows


def test_row_filter_combines_with_query_filters(frame, source) -> None:
    query = COUNT_BY_DEP.model_copy(update={"filters": [Filter(field="dep", op="!=", value="2A")]})
    result = run_query(query, source, FIELDS, row_filter=[[Filter(field="dep", value="2A")]])
    assert result.rows == []


# --- schema checks and injection ------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        Query(dataset=1, dimensions=[Dimension(field="nope")]),
        Query(dataset=1, measures=[Measure(field='x"; DROP TABLE t; --', agg="sum")]),
        Query(
            dataset=1,
            measures=[Measure(agg="count")],
            filters=[Filter(field="dep) OR 1=1 --", value=1)],
        ),
    ],
)
def test_unknown_fields_are_refused_by_name(source, query: Query) -> None:
    with pytest.raises(DatasetError) as err:
        run_query(query, source, FIELDS)
    assert err.value.code == "query.unknown_field"
    assert err.value.column in query.fields_used
    assert err.value.column in err.value.message("fr")


def test_unknown_field_in_row_filter_is_refused(source) -> None:
    with pytest.raises(DatasetError) as err:
        run_query(COUNT_BY_DEP, source, FIELDS, row_filter=[[Filter(field="secret", value=1)]])
    assert err.value.code == "query.unknown_field"


@pytest.mark.parametrize(
    "value", ["' OR '1'='1", "2A'; DROP TABLE x; --", "%", "_", "\\", '"dep"', "{dep}"]
)
def test_injection_in_values_is_just_a_value(source, value: str) -> None:
    equal = Query(
        dataset=1, measures=[Measure(agg="count")], filters=[Filter(field="dep", value=value)]
    )
    assert run_query(equal, source, FIELDS).rows == [[0]]
    contains = equal.model_copy(
        update={"filters": [Filter(field="cat", op="contains", value=value)]}
    )
    assert run_query(contains, source, FIELDS).rows == [[0]]


def test_quoted_field_names_work(tmp_path: Path) -> None:
    path = tmp_path / "q.parquet"
    odd = 'montant "brut"; --'
    pq.write_table(pa.table({odd: [1, 2, 3], "N° Dep": ["01", "01", "2A"]}), path)
    fields = [FieldInfo(odd, "integer"), FieldInfo("N° Dep", "departement")]
    query = Query(
        dataset=1, dimensions=[Dimension(field="N° Dep")], measures=[Measure(field=odd, agg="sum")]
    )
    assert run_query(query, ParquetSource(path), fields).rows == [["01", 3], ["2A", 3]]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (Query(dataset=1, dimensions=[Dimension(field="dep", grain="month")]), "query.bad_grain"),
        (Query(dataset=1, measures=[Measure(field="cat", agg="sum")]), "query.bad_aggregate"),
        (Query(dataset=1, measures=[Measure(field="flag", agg="avg")]), "query.bad_aggregate"),
        (
            Query(
                dataset=1,
                measures=[Measure(agg="count")],
                filters=[Filter(field="n", value="douze")],
            ),
            "query.bad_value",
        ),
        (
            Query(
                dataset=1,
                measures=[Measure(agg="count")],
                filters=[Filter(field="d", value="31/02/2020")],
            ),
            "query.bad_value",
        ),
        (
            Query(
                dataset=1,
                measures=[Measure(agg="count")],
                filters=[Filter(field="n", op="contains", value="1")],
            ),
            "query.bad_operator",
        ),
    ],
)
def test_type_rules(source, query: Query, code: str) -> None:
    with pytest.raises(DatasetError) as err:
        run_query(query, source, FIELDS)
    assert err.value.code == code


def test_filter_values_are_coerced_to_the_field_type(frame, source) -> None:
    as_text = Query(
        dataset=1,
        measures=[Measure(agg="count")],
        filters=[Filter(field="d", op=">=", value="2020-06-01")],
    )
    as_date = as_text.model_copy(
        update={"filters": [Filter(field="d", op=">=", value=date(2020, 6, 1))]}
    )
    expected = int((frame.d.dropna() >= date(2020, 6, 1)).sum())
    assert run_query(as_text, source, FIELDS).rows == [[expected]]
    assert run_query(as_date, source, FIELDS).rows == [[expected]]
