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
