"""Schema migrations with Alembic (`studio/store/alembic/versions/`).

`migrate` brings any database to the latest revision: a new one from the baseline, one made
by the release before Alembic (its own numbered steps, recorded in `studio_schema`) by
finishing those steps, which end at the baseline's schema, then stamping the baseline.
Add a revision for every model change (`alembic.ini` says how); never edit one that has
shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Integer, MetaData, Table, inspect, select, text

from studio.store import models
from studio.store.db import Database

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
BASELINE = "0001"

_meta = MetaData()
schema_table = Table("studio_schema", _meta, Column("version", Integer, primary_key=True))


# --- the release before Alembic: its steps, kept to finish an older database ----------------


def _create(*tables: Table) -> Callable[[Connection], None]:
    def step(conn: Connection) -> None:
        for table in tables:
            table.create(conn, checkfirst=True)

    return step


def _add_column(conn: Connection, table: str, column: Column) -> None:
    """Add `column` unless the table already has it."""
    if column.name in {c["name"] for c in inspect(conn).get_columns(table)}:
        return
    ddl_type = column.type.compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column.name} {ddl_type}"))


def _sharing_and_embeds(conn: Connection) -> None:
    _add_column(conn, "documents", models.Document.__table__.c.allowed_origins)
    _create(models.Grant.__table__, models.RowRule.__table__, models.EmbedKey.__table__)(conn)


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (
        1,
        "users, groups, API tokens, audit events",
        _create(
            models.User.__table__,
            models.Group.__table__,
            models.user_groups,
            models.ApiToken.__table__,
            models.AuditEvent.__table__,
        ),
    ),
    (2, "datasets", _create(models.Dataset.__table__)),
    (
        3,
        "dashboards and stories with revisions",
        _create(models.Document.__table__, models.Revision.__table__),
    ),
    (4, "sharing grants, row-level rules, embed keys, embed origins", _sharing_and_embeds),
    (5, "revoked sessions (signing out ends a session on the server)",
     _create(models.RevokedSession.__table__)),
]


def legacy_version(conn: Connection) -> int:
    """The last pre-Alembic step applied to this database (0 when it has none)."""
    if not inspect(conn).has_table("studio_schema"):
        return 0
    versions = conn.execute(select(schema_table.c.version)).scalars().all()
    return max(versions, default=0)


def _legacy_migrate(db: Database, up_to: int | None = None) -> list[int]:
    """The pre-Alembic release's `migrate`: its pending steps (all, or up to `up_to`)."""
    applied: list[int] = []
    with db.engine.begin() as conn:
        schema_table.create(conn, checkfirst=True)
        done = legacy_version(conn)
    for number, _title, step in MIGRATIONS:
        if number <= done or (up_to is not None and number > up_to):
            continue
        with db.engine.begin() as conn:
            step(conn)
            conn.execute(schema_table.insert().values(version=number))
        applied.append(number)
    return applied


# --- Alembic ----------------------------------------------------------------------------------


def _config(conn: Connection) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.attributes["connection"] = conn
    return config


def head() -> str:
    """The latest revision."""
    return ScriptDirectory.from_config(Config(str(ALEMBIC_INI))).get_current_head() or ""


def current_revision(conn: Connection) -> str | None:
    """The revision this database is at (None: not under Alembic yet)."""
    return MigrationContext.configure(conn).get_current_revision()


def migrate(db: Database) -> list[str]:
    """Bring the database to the latest revision; return the revisions applied (a database
    from the release before Alembic: its remaining steps, then the baseline stamped)."""
    with db.engine.begin() as conn:
        before = current_revision(conn)
        older = before is None and legacy_version(conn) > 0
    if older:
        _legacy_migrate(db)
        with db.engine.begin() as conn:
            command.stamp(_config(conn), BASELINE)
            before = BASELINE
    with db.engine.begin() as conn:
        command.upgrade(_config(conn), "head")
        after = current_revision(conn)
    script = ScriptDirectory.from_config(Config(str(ALEMBIC_INI)))
    applied = [r.revision for r in script.iterate_revisions(after, before)] if after else []
    return list(reversed(applied))


def is_initialised(db: Database) -> bool:
    """True when the database is at the latest revision."""
    with db.engine.begin() as conn:
        return current_revision(conn) == head()
