"""Metadata migrations: a new database gets every step; an older one is brought up to date."""

from __future__ import annotations

import sqlalchemy as sa

from studio.store import Database, migrate
from studio.store.migrations import MIGRATIONS, is_initialised


def test_new_database_gets_every_step(database_url: str) -> None:
    db = Database(database_url)
    assert migrate(db) == [number for number, _title, _step in MIGRATIONS]
    assert is_initialised(db)
    assert migrate(db) == []
    db.dispose()


def test_version_3_database_gains_sharing_tables_and_embed_origins(database_url: str) -> None:
    db = Database(database_url)
    migrate(db)
    # Rewind to what a version-3 instance holds: no origins column, no sharing tables.
    with db.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE documents DROP COLUMN allowed_origins"))
        for table in ("grants", "row_rules", "embed_keys"):
            conn.execute(sa.text(f"DROP TABLE {table}"))
        conn.execute(sa.text("DROP TABLE revoked_sessions"))
        conn.execute(sa.text("DELETE FROM studio_schema WHERE version >= 4"))
        conn.execute(
            sa.text(
                "INSERT INTO documents (kind, title, visibility, spec, version, updated_by,"
                " created_at, updated_at) VALUES ('dashboard', 'Old', 'private', '{}', 1, '',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    assert not is_initialised(db)

    assert migrate(db) == [4, 5]

    inspector = sa.inspect(db.engine)
    assert "allowed_origins" in {c["name"] for c in inspector.get_columns("documents")}
    assert {"grants", "row_rules", "embed_keys", "revoked_sessions"} <= set(
        inspector.get_table_names()
    )
    with db.engine.begin() as conn:
        title, origins = conn.execute(sa.text("SELECT title, allowed_origins FROM documents")).one()
    assert (title, origins) == ("Old", None)
    db.dispose()
