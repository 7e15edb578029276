"""Ordered schema migrations, recorded in `studio_schema`.

Each step runs once, in order, inside a transaction (PostgreSQL) and records its number.
Add a new step at the end for every schema change; never edit a step that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Column, Connection, Integer, MetaData, Table, inspect, select, text

from studio.store import models
from studio.store.db import Database

_meta = MetaData()
schema_table = Table("studio_schema", _meta, Column("version", Integer, primary_key=True))


def _create(*tables: Table) -> Callable[[Connection], None]:
    def step(conn: Connection) -> None:
        for table in tables:
            table.create(conn, checkfirst=True)

    return step


def _add_column(conn: Connection, table: str, column: Column) -> None:
    """Add `column` unless the table already has it (tables created from the current models
    on a new database already do)."""
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


def current_version(conn: Connection) -> int:
    """The highest migration applied to this database (0 for a new one)."""
    schema_table.create(conn, checkfirst=True)
    versions = conn.execute(select(schema_table.c.version)).scalars().all()
    return max(versions, default=0)


def migrate(db: Database) -> list[int]:
    """Apply every pending migration; return the numbers applied."""
    applied: list[int] = []
    with db.engine.begin() as conn:
        done = current_version(conn)
    for number, _title, step in MIGRATIONS:
        if number <= done:
            continue
        with db.engine.begin() as conn:
            step(conn)
            conn.execute(schema_table.insert().values(version=number))
        applied.append(number)
    return applied


def is_initialised(db: Database) -> bool:
    """True when every migration has been applied."""
    with db.engine.begin() as conn:
        return current_version(conn) >= MIGRATIONS[-1][0]
