"""The demo datasets as files ready to ingest: Parquet tables and the boundaries GeoJSON."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from studio.demo.data import DEMO_SEED, generate_demo_frames

BOUNDARIES_NAME = "departements"
MAX_BOUNDARIES_BYTES = 100 * 1024**2
URL_TIMEOUT_SECONDS = 30


class DemoError(Exception):
    """The demo workspace cannot be built; the message says why."""


def write_demo_files(dest_dir: str | Path, seed: int = DEMO_SEED) -> dict[str, Path]:
    """The path of each demo dataset written as Parquet into `dest_dir`, by dataset name.

    `mois` is stored as a date column and codes as text, so ingesting the file keeps them.
    """
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, frame in generate_demo_frames(seed).items():
        table = pa.Table.from_pandas(frame, preserve_index=False)
        path = dest / f"{name}.parquet"
        pq.write_table(table, path)
        paths[name] = path
    return paths


def read_boundaries(source: str) -> bytes:
    """The GeoJSON bytes of the département boundaries at a path or http(s) URL.

    Raises DemoError when the source is unset, unreadable, or not a FeatureCollection whose
    features have `code` and `nom` properties (what the demo map joins on).
    """
    if not source:
        raise DemoError("STUDIO_BOUNDARIES is not set: give the path or URL of the "
                        "départements GeoJSON")
    try:
        data = _fetch(source)
    except OSError as exc:
        raise DemoError(f"cannot read the boundaries at {source}: {exc}") from None
    _check_boundaries(data, source)
    return data


def _fetch(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=URL_TIMEOUT_SECONDS) as response:  # noqa: S310
            data = response.read(MAX_BOUNDARIES_BYTES + 1)
    else:
        data = Path(source).expanduser().read_bytes()
    if len(data) > MAX_BOUNDARIES_BYTES:
        raise DemoError(f"the boundaries at {source} are larger than 100 MB")
    return data


def _check_boundaries(data: bytes, source: str) -> None:
    try:
        document = json.loads(data)
    except ValueError:
        raise DemoError(f"the boundaries at {source} are not JSON") from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or not features:
        raise DemoError(f"the boundaries at {source} are not a GeoJSON FeatureCollection")
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict) or not {"code", "nom"} <= props.keys():
            raise DemoError(f"every boundary at {source} needs 'code' and 'nom' properties")
