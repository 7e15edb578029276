"""Metadata migrations (Alembic): a new database gets every revision, a database made by the
release before Alembic (at its last step, or an older one) is brought to the same schema,
and the schema then equals the models (no difference Alembic would autogenerate)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from studio.store import Database, migrate, models
from studio.store.migrations import (
    BASELINE,
    MIGRATIONS,
    _legacy_migrate,
    current_revision,
    head,
    is_initialised,
    legacy_version,
)


def _differences(db: Database) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, models.Base.metadata)
    # The pre-Alembic release's own record is left in place, unused.
    return [d for d in diff if not (d[0] == "remove_table" and d[1].name == "studio_schema")]


def test_new_database_gets_every_revision_and_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    assert migrate(db)[0] == BASELINE
    assert is_initialised(db)
    assert _differences(db) == []
    assert migrate(db) == []
    with db.engine.connect() as conn:
        assert current_revision(conn) == head()
        assert legacy_version(conn) == 0  # no pre-Alembic record on a new database
    db.dispose()


def test_a_database_of_the_release_before_alembic_is_stamped_and_upgraded(
    database_url: str,
) -> None:
    db = Database(database_url)
    assert _legacy_migrate(db) == [number for number, _title, _step in MIGRATIONS]
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (email, name, role, password_hash, locale, disabled,"
                " session_epoch, created_at) VALUES ('a@example.org', 'A', 'admin', 'x', 'fr',"
                " false, 0, CURRENT_TIMESTAMP)"
            )
        )
    assert not is_initialised(db)
    applied = migrate(db)
    assert BASELINE not in applied  # stamped, not created again over the data
    assert is_initialised(db)
    assert _differences(db) == []
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT email FROM users")).scalar_one() == "a@example.org"
    db.dispose()


def test_an_older_database_finishes_its_steps_first(database_url: str) -> None:
    """A version-3 instance (no sharing tables, no embed origins, no revoked sessions)."""
    db = Database(database_url)
    _legacy_migrate(db, up_to=3)
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO documents (kind, title, visibility, spec, version, updated_by,"
                " created_at, updated_at) VALUES ('dashboard', 'Old', 'private', '{}', 1, '',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    migrate(db)
    assert is_initialised(db)
    assert _differences(db) == []
    with db.engine.begin() as conn:
        title, origins = conn.execute(sa.text("SELECT title, allowed_origins FROM documents")).one()
        assert legacy_version(conn) == 5
    assert (title, origins) == ("Old", None)
    db.dispose()
