"""Errors the store raises; pages and the API turn them into clear messages."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of store errors; `code` is stable, the message is for logs."""

    code = "store.error"


class NotFound(StoreError):
    code = "store.not_found"


class AlreadyExists(StoreError):
    code = "store.already_exists"


class InvalidValue(StoreError):
    code = "store.invalid_value"


class StaleRevision(StoreError):
    """A save based on an old version: someone else saved in between."""

    code = "store.stale"

    def __init__(self, current_version: int, by: str, at: object) -> None:
        super().__init__(f"stale save: now at version {current_version}, saved by {by} at {at}")
        self.current_version = current_version
        self.by = by
        self.at = at
