"""Engine and sessions for the metadata database (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

log = logging.getLogger(__name__)
_AFTER_COMMIT = "studio_after_commit"
_ON_ROLLBACK = "studio_on_rollback"


class Base(DeclarativeBase):
    """Declarative base of every metadata table."""


def make_engine(url: str, pool_size: int = 5, max_overflow: int = 10) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and foreign keys. Elsewhere
    (PostgreSQL) each process opens at most `pool_size + max_overflow` connections."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=15000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=10
    )


class Database:
    """Owns the engine and hands out short-lived sessions."""

    def __init__(self, url: str, pool_size: int = 5, max_overflow: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size, max_overflow)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error; the file clean-ups
        registered with `after_commit` / `on_rollback` run once the outcome is known."""
        s = self._sessions()
        try:
            yield s
            s.commit()
        except BaseException:
            try:
                s.rollback()
            finally:
                s.info.pop(_AFTER_COMMIT, None)
                _run(s.info.pop(_ON_ROLLBACK, []))
            raise
        else:
            s.info.pop(_ON_ROLLBACK, None)
            _run(s.info.pop(_AFTER_COMMIT, []))
        finally:
            s.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def after_commit(s: Session, fn: Callable[[], None]) -> None:
    """Run `fn` once `s` (a `Database.session`) has committed, e.g. delete the files of a
    dataset version the database no longer points at: never before, or a failed commit
    would leave the database pointing at deleted files."""
    s.info.setdefault(_AFTER_COMMIT, []).append(fn)


def on_rollback(s: Session, fn: Callable[[], None]) -> None:
    """Run `fn` if `s` (a `Database.session`) rolls back, e.g. remove files written for a
    dataset row that will not exist (so nothing is left orphaned on disk)."""
    s.info.setdefault(_ON_ROLLBACK, []).append(fn)


def _run(callbacks: list[Callable[[], None]]) -> None:
    for fn in callbacks:
        try:
            fn()
        except Exception:  # a clean-up must not hide the request's own outcome
            log.exception("clean-up after a database transaction failed")
