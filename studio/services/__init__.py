"""Use cases shared by the pages and the API (glue between store, security and datasources)."""

from __future__ import annotations

from typing import Any


def live_datasets(s: Any, dataset_ids: set[int]) -> dict[int, Any]:
    """`{dataset id: Dataset}` for those of `dataset_ids` that still exist."""
    from studio.store import NotFound
    from studio.store import datasets as repo

    found: dict[int, Any] = {}
    for ds_id in dataset_ids:
        try:
            found[ds_id] = repo.get_dataset(s, ds_id)
        except NotFound:
            continue
    return found


def dataset_service_fields(s: Any, dataset_ids: set[int]) -> dict[int, dict[str, str]]:
    """`{dataset id: {field name: field type}}` for the datasets that still exist."""
    from studio.services.datasets import fields_of

    return {
        ds_id: {f.name: f.type for f in fields_of(ds)}
        for ds_id, ds in live_datasets(s, dataset_ids).items()
    }
