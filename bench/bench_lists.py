"""Benchmark: the dashboards list a viewer sees (home page, API), filtered in SQL.

Run with `.venv/bin/python bench/bench_lists.py [--dashboards N]` (a few seconds). A
temporary SQLite instance gets N published dashboards: a third internal, a third shared with
a group, a third private to their owner. For a viewer in that group it prints the time and
the number of SQL statements of:

- studio: `documents.visible_list` (one filtered query, grants and published titles batched);
- baseline: the former way, every live dashboard loaded then checked one by one with
  `allowed`, each published title read with its own query.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.security.actor import Actor  # noqa: E402
from studio.security.policy import allowed  # noqa: E402
from studio.services import documents  # noqa: E402
from studio.store import Database, migrate  # noqa: E402
from studio.store import documents as repo  # noqa: E402
from studio.store.models import Grant, Group, User  # noqa: E402

RUNS = 15
MAX_STATEMENTS = 5


def seed(db: Database, n: int) -> Actor:
    """N published dashboards; returns a viewer in the group some are shared with."""
    with db.session() as s:
        owner = User(email="owner@example.org", password_hash="x", role="editor")
        viewer = User(email="viewer@example.org", password_hash="x", role="viewer")
        group = Group(name="CD53")
        s.add_all([owner, viewer, group])
        s.flush()
        viewer.groups = [group]
        author = Actor(id=owner.id, email=owner.email, role="editor")
        for i in range(n):
            doc = documents.create(s, "dashboard", author, {"title": f"Tableau {i}"})
            documents.publish(s, author, doc)
            if i % 3 == 0:
                doc.visibility = "internal"
            elif i % 3 == 1:
                doc.visibility = "groups"
                s.add(
                    Grant(
                        object_type="dashboard",
                        object_id=doc.id,
                        principal_type="group",
                        principal=str(group.id),
                        permission="view",
                    )
                )
        s.flush()
        return Actor(
            id=viewer.id, email=viewer.email, role="viewer", group_ids=frozenset({group.id})
        )


def baseline(db: Database, actor: Any) -> list[str]:
    with db.session() as s:
        return [
            documents.visible_title(s, actor, d)
            for d in repo.list_documents(s, "dashboard")
            if allowed(actor, "view", d)
        ]


def studio(db: Database, actor: Any) -> list[str]:
    with db.session() as s:
        return [title for _doc, title in documents.visible_list(s, "dashboard", actor)]


def measure(db: Database, fn: Callable[[Database, Any], list[str]], actor: Any) -> tuple:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    titles = fn(db, actor)
    event.remove(db.engine, "before_cursor_execute", count)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn(db, actor)
        times.append((time.perf_counter() - start) * 1000)
    return len(titles), len(statements), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dashboards", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'studio.db'}")
        migrate(db)
        actor = seed(db, args.dashboards)
        print(f"{args.dashboards} published dashboards, viewer in the group shared with a third")
        results = {
            name: measure(db, fn, actor)
            for name, fn in (("baseline", baseline), ("studio", studio))
        }
        for name, (listed, queries, ms) in results.items():
            print(f"{name:9} listed {listed:5}  SQL statements {queries:5}  median {ms:8.1f} ms")
        assert results["baseline"][0] == results["studio"][0], "the two lists differ"
        queries = results["studio"][1]
        verdict = "PASS" if queries <= MAX_STATEMENTS else "FAIL"
        print(
            f"{verdict}: {queries} SQL statements for the list (target <= {MAX_STATEMENTS}, "
            "whatever the number of dashboards)"
        )
        db.dispose()


if __name__ == "__main__":
    main()
