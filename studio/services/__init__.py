"""Use cases shared by the pages and the API (glue between store, security and datasources)."""

from __future__ import annotations

from typing import Any


def dataset_service_fields(s: Any, dataset_ids: set[int]) -> dict[int, dict[str, str]]:
    """`{dataset id: {field name: field type}}` for the datasets that still exist."""
    from studio.services.datasets import fields_of
    from studio.store import NotFound
    from studio.store import datasets as repo

    schemas: dict[int, dict[str, str]] = {}
    for ds_id in dataset_ids:
        try:
            schemas[ds_id] = {f.name: f.type for f in fields_of(repo.get_dataset(s, ds_id))}
        except NotFound:
            continue
    return schemas
