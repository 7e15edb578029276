"""Scheduled refresh of URL datasets: fetch again those whose refresh interval has passed.

Meant to run from cron through `studio refresh`. Each dataset is refreshed as its owner, in
a session of its own, so one failure neither stops the others nor touches the data already
saved (a failed refresh leaves the previous version in place).
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from studio.accounts import actor_of
from studio.config import Settings
from studio.datasources import DatasetError
from studio.security.policy import PermissionDenied
from studio.services.datasets import refresh_from_url
from studio.store import audit
from studio.store.db import Database
from studio.store.models import Dataset

log = logging.getLogger(__name__)

OK = "ok"
FORBIDDEN = (
    "Le propriétaire du jeu de données n'a plus le droit de le modifier : confiez-le à un "
    "éditeur."
)
UNEXPECTED = (
    "Erreur inattendue pendant l'actualisation ; les données précédentes sont conservées. "
    "Consultez le journal du serveur."
)


class RefreshRunning(Exception):
    """Another `studio refresh` holds the instance's refresh lock."""


@contextmanager
def refresh_lock(settings: Settings) -> Iterator[None]:
    """Hold the instance's refresh lock, or raise RefreshRunning at once.

    Two overlapping cron runs on one host would otherwise fetch the same datasets twice. The
    lock is an advisory file lock, released by the kernel if the process dies.
    """
    settings.instance.mkdir(parents=True, exist_ok=True)
    with open(settings.instance / "refresh.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise RefreshRunning from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _aware(moment: datetime) -> datetime:
    """`moment` with a time zone (SQLite gives naive datetimes back; they are UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_due(ds: Dataset, now: datetime) -> bool:
    """True when the dataset has a refresh interval and it has passed (or it never ran)."""
    if not ds.refresh_hours:
        return False
    if ds.refreshed_at is None:
        return True
    return _aware(ds.refreshed_at) + timedelta(hours=ds.refresh_hours) <= now


def datasets_to_refresh(db: Database, now: datetime, only_due: bool = True) -> list[int]:
    """Ids of the live URL datasets to refresh now (every one of them when not `only_due`)."""
    with db.session() as s:
        query = select(Dataset).where(Dataset.deleted_at.is_(None), Dataset.kind == "url")
        if only_due:
            query = query.where(Dataset.refresh_hours.is_not(None))
        found = s.scalars(query.order_by(Dataset.id))
        return [ds.id for ds in found if not only_due or is_due(ds, now)]


def refresh_one(db: Database, settings: Settings, dataset_id: int) -> str | None:
    """Refresh one dataset as its owner: "ok", the error in French, or None when skipped
    (no owner, or a disabled one)."""
    try:
        with db.session() as s:
            ds = s.get(Dataset, dataset_id)
            if ds is None or ds.deleted_at is not None:
                return None
            owner = ds.owner
            if owner is None or owner.disabled:
                log.warning("dataset %s not refreshed: no active owner", dataset_id)
                return None
            actor = actor_of(owner)
            refresh_from_url(s, settings, actor, ds)
            audit.record(s, actor, "dataset_refreshed", "dataset", ds.id,
                         {"version": ds.version, "scheduled": True})
    except DatasetError as exc:
        return exc.message("fr")
    except PermissionDenied:
        return FORBIDDEN
    except Exception:
        # One broken dataset must not stop the others; the details go to the log.
        log.exception("scheduled refresh of dataset %s failed", dataset_id)
        return UNEXPECTED
    return OK


def refresh_due(
    db: Database, settings: Settings, now: datetime | None = None, *, only_due: bool = True
) -> list[tuple[int, str]]:
    """(dataset id, "ok" or the error in French) for each URL dataset refreshed now.

    Datasets without an owner, or whose owner is disabled, are skipped and not listed.
    """
    now = _aware(now or datetime.now(UTC))
    results = []
    for dataset_id in datasets_to_refresh(db, now, only_due):
        outcome = refresh_one(db, settings, dataset_id)
        if outcome is not None:
            results.append((dataset_id, outcome))
    return results
