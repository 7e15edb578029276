"""The table-structure cache of SQL datasets follows changes made through other workers.

Each process caches the reflection of a table; the structure a dataset recorded (in the
metadata database, shared by every worker and host) is the version stamp it is checked
against, so after `ALTER TABLE` and a re-read in one worker, the others reflect again
instead of answering 500 (`KeyError`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from studio.datasources import DatasetError, FieldInfo, SqlSource, run_query, sqlpush
from studio.spec.query import Dimension, Measure, Query


@pytest.fixture
def external(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'external.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE aides (dep TEXT, montant INTEGER)"))
        conn.execute(sa.text("INSERT INTO aides VALUES ('01', 10), ('01', 5), ('02', 7)"))
    engine.dispose()
    yield url
    sqlpush.forget_table(url, "aides")
    engine = sqlpush._engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def alter(url: str, sql: str) -> None:
    """A change made in the database, as an administrator would, outside this worker."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


BEFORE = [FieldInfo("dep", "departement"), FieldInfo("montant", "integer")]
AFTER = [*BEFORE, FieldInfo("foyers", "integer")]


def total(field: str, fields: list[FieldInfo], url: str) -> list[list[Any]]:
    query = Query(
        dataset=1,
        dimensions=[Dimension(field="dep")],
        measures=[Measure(field=field, agg="sum")],
    )
    return run_query(query, SqlSource(url, "aides", 1), fields).rows


def test_a_column_added_elsewhere_is_seen_without_a_restart(external: str) -> None:
    assert total("montant", BEFORE, external) == [["01", 15], ["02", 7]]  # reflection cached
    alter(external, "ALTER TABLE aides ADD COLUMN foyers INTEGER DEFAULT 2")
    # another worker re-read the table: the dataset's fields (in the database) now list it
    assert total("foyers", AFTER, external) == [["01", 4], ["02", 2]]


def test_the_reflection_is_reused_while_the_structure_is_unchanged(
    external: str, monkeypatch: Any
) -> None:
    calls = []
    real = sqlpush._reflect

    def counting(*args: Any) -> sa.Table:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(sqlpush, "_reflect", counting)
    for _ in range(3):
        total("montant", BEFORE, external)
    assert len(calls) == 1
    alter(external, "ALTER TABLE aides ADD COLUMN foyers INTEGER DEFAULT 2")
    for _ in range(3):
        total("foyers", AFTER, external)
        total("montant", BEFORE, external)  # an older dataset on the same table still fits
    assert len(calls) == 2


def test_a_retyped_column_is_reflected_again(external: str, monkeypatch: Any) -> None:
    total("montant", BEFORE, external)
    calls = []
    real = sqlpush._reflect
    monkeypatch.setattr(sqlpush, "_reflect", lambda *a: calls.append(a) or real(*a))
    total("montant", [BEFORE[0], FieldInfo("montant", "decimal")], external)
    assert len(calls) == 1


def test_a_dropped_column_is_a_clear_message_not_a_500(external: str) -> None:
    alter(external, "ALTER TABLE aides DROP COLUMN montant")
    with pytest.raises(DatasetError) as err:
        total("montant", BEFORE, external)
    assert err.value.code == "sql.column_missing"
    assert "« montant » n'existe plus" in err.value.message("fr")


def test_through_the_api_after_another_worker_changed_the_dataset(
    login: Any, server: Any, external: str
) -> None:
    from studio.store.models import Dataset

    admin = login("admin")
    made = admin.post("/api/v1/datasets", json={"sql_url": external, "table": "aides"})
    assert made.status_code == 201, made.get_json()
    ds_id = made.get_json()["id"]
    query = {"dimensions": [{"field": "dep"}], "measures": [{"field": "montant", "agg": "sum"}]}
    assert admin.post(f"/api/v1/datasets/{ds_id}/query", json=query).status_code == 200

    alter(external, "ALTER TABLE aides ADD COLUMN foyers INTEGER DEFAULT 3")
    with server.extensions["studio"]["db"].session() as s:  # another worker's re-read
        ds = s.get(Dataset, ds_id)
        ds.fields = [*ds.fields, {"name": "foyers", "type": "integer"}]
        ds.version += 1
    query["measures"] = [{"field": "foyers", "agg": "sum"}]
    response = admin.post(f"/api/v1/datasets/{ds_id}/query", json=query)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["rows"] == [["01", 6], ["02", 3]]
