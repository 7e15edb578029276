"""Alembic's environment: migrations run on the connection Studio hands over (`migrate`), or,
from the `alembic` command, on the database of `STUDIO_DATABASE_URL` (see docs/architecture.md)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from studio.store import models

config = context.config
target_metadata = models.Base.metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from studio.config import load_settings

    engine = create_engine(load_settings().resolved_database_url)
    with engine.begin() as conn:
        _run(conn)
