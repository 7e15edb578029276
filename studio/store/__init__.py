"""Metadata store: SQLAlchemy models, migrations and repositories."""

from studio.store.db import Base, Database
from studio.store.errors import AlreadyExists, InvalidValue, NotFound, StaleRevision, StoreError
from studio.store.migrations import is_initialised, migrate

__all__ = [
    "AlreadyExists",
    "Base",
    "Database",
    "InvalidValue",
    "NotFound",
    "StaleRevision",
    "StoreError",
    "is_initialised",
    "migrate",
]
