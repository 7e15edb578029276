"""Component ids, namespaced by page (and tile), from one helper."""

from __future__ import annotations


def cid(page: str, name: str) -> str:
    """The id of component `name` on `page`, e.g. `admin-create-email`."""
    return f"{page}-{name}"
