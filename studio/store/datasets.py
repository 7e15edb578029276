"""Repository of datasets' metadata."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from studio.store.errors import NotFound
from studio.store.models import Dataset


def get_dataset(s: Session, dataset_id: int) -> Dataset:
    """The live (not deleted) dataset with this id, or NotFound."""
    ds = s.get(Dataset, dataset_id)
    if ds is None or ds.deleted_at is not None:
        raise NotFound(f"no dataset {dataset_id}")
    return ds


def list_datasets(s: Session, search: str = "") -> list[Dataset]:
    """Live datasets, most recently updated first, optionally matching `search`."""
    q = select(Dataset).where(Dataset.deleted_at.is_(None))
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        q = q.where(or_(Dataset.name.ilike(pattern), Dataset.description.ilike(pattern)))
    return list(s.scalars(q.order_by(Dataset.updated_at.desc(), Dataset.id.desc())))


def add_dataset(s: Session, **values: object) -> Dataset:
    """Store a new dataset's metadata."""
    ds = Dataset(**values)
    s.add(ds)
    s.flush()
    return ds


def touch(ds: Dataset) -> None:
    """Record that the dataset changed now."""
    ds.updated_at = datetime.now(UTC)


def mark_deleted(ds: Dataset) -> None:
    """Hide the dataset (its files are removed by the caller)."""
    ds.deleted_at = datetime.now(UTC)
