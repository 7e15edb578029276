"""The staging folder (`<instance>/staging/`): uploads analysed but not saved yet, and the
work folders of re-analyses and replacements.

Every entry is removed on every outcome: the use case that made it removes it when it ends
(saved, refused, crashed), and a bounded janitor removes what an outcome could not reach (a
person who closed the upload page, a worker killed mid-analysis). One person's pending
uploads are capped in bytes, so nobody can fill the disk by dropping files and leaving.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from studio.config import Settings
from studio.datasources import DatasetError
from studio.datasources.errors import MESSAGES, storage_faults

UPLOAD_TTL_SECONDS = 24 * 3600
"""How long an analysed upload waits for its person to save it."""
WORK_TTL_SECONDS = 3600
"""A work folder older than this belongs to a process that died (re-analyses take seconds)."""
SWEEP_LIMIT = 200
"""At most this many entries looked at per sweep: a sweep stays cheap on every upload."""
WORK_PREFIXES = ("reingest-", "replace-")

MESSAGES.update(
    {
        "upload.quota": (
            "Vous avez déjà $pending de fichiers importés en attente d'enregistrement (limite "
            "$limit). Enregistrez-les ou abandonnez-les, puis importez à nouveau ; ils "
            "disparaissent d'eux-mêmes après 24 heures.",
            "You already have $pending of uploaded files waiting to be saved (limit $limit). "
            "Save or discard them, then upload again; they go away by themselves after 24 "
            "hours.",
        ),
    }
)


def root(settings: Settings) -> Path:
    """The staging folder of the instance."""
    return settings.instance / "staging"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} Mo".replace(".", ",")


@contextmanager
def work_folder(settings: Settings, name: str, keep: bool = False) -> Iterator[Path]:
    """A fresh folder under staging, removed when the block raises (whatever the error) and,
    unless `keep`, when it ends; a full or read-only disk is raised as a StorageError."""
    folder = root(settings) / name
    with storage_faults():
        folder.mkdir(parents=True)
        try:
            yield folder
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)


def manifest_of(folder: Path) -> dict[str, Any] | None:
    """An upload's manifest, or None for a work folder or a broken entry."""
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def pending_bytes(settings: Settings, owner_id: int) -> int:
    """The bytes of the uploads `owner_id` analysed and has not saved or discarded yet."""
    total = 0
    base = root(settings)
    if not base.is_dir():
        return 0
    for folder in base.iterdir():
        manifest = manifest_of(folder)
        if manifest and manifest.get("owner_id") == owner_id:
            total += int(manifest.get("bytes") or 0)
    return total


def check_quota(settings: Settings, owner_id: int, incoming: int) -> None:
    """Refuse (DatasetError `upload.quota`) an upload that would take the person's pending
    uploads over `STUDIO_STAGING_MB_PER_USER`."""
    limit = settings.staging_mb_per_user * 1024 * 1024
    pending = pending_bytes(settings, owner_id)
    if pending + incoming > limit:
        raise DatasetError(
            "upload.quota",
            {"pending": _megabytes(pending), "limit": _megabytes(limit)},
        )


def sweep(settings: Settings, now: float | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Remove abandoned uploads (older than a day) and dead processes' work folders (older
    than an hour), looking at no more than `limit` entries; returns how many were removed."""
    base = root(settings)
    if not base.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for seen, folder in enumerate(base.iterdir()):
        if seen >= limit:
            break
        try:
            age = now - folder.stat().st_mtime
        except OSError:
            continue
        ttl = WORK_TTL_SECONDS if folder.name.startswith(WORK_PREFIXES) else UPLOAD_TTL_SECONDS
        if age > ttl:
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
            else:
                folder.unlink(missing_ok=True)
            removed += 1
    return removed
