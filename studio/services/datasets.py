"""Dataset use cases: stage an upload, save it, edit its schema, replace, delete, query.

Files live under the instance's data folder, one folder per dataset and version
(`data/<id>/v<version>/`), holding the Parquet file and the original upload (kept so a
column's type can be changed later). A new version is complete on disk before the
database points at it, so a failed import leaves the previous version intact.
"""

from __future__ import annotations

import copy
import json
import os
import re
import secrets
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from studio.config import Settings
from studio.datasources import (
    DatasetError,
    FieldInfo,
    IngestOptions,
    IngestResult,
    ParquetSource,
    QueryCache,
    SchemaDiff,
    SqlSource,
    compare_schemas,
    fields_from_json,
    fields_to_json,
    ingest,
    inspect_sql_table,
    run_query,
)
from studio.datasources.errors import MESSAGES, storage_faults, write_atomic
from studio.datasources.fetch import FetchError, fetch
from studio.security.policy import ensure
from studio.services import staging
from studio.spec import FIELD_TYPES, Query, QueryResult, RowFilter
from studio.store import datasets as repo
from studio.store.db import after_commit, on_rollback
from studio.store.models import Dataset

SERVICE_MESSAGES: dict[str, tuple[str, str]] = {
    "upload.expired": (
        "Ce fichier importé n'est plus disponible (session expirée). Importez-le à nouveau.",
        "This uploaded file is no longer available (session expired). Upload it again.",
    ),
    "dataset.name_missing": (
        "Donnez un nom au jeu de données.",
        "Give the dataset a name.",
    ),
    "dataset.not_a_file": (
        "Ce jeu de données reste dans sa base SQL : ses colonnes ne peuvent pas être retypées ici.",
        "This dataset stays in its SQL database: its columns cannot be retyped here.",
    ),
    "dataset.not_a_url": (
        "Ce jeu de données ne provient pas d'une URL : importez un nouveau fichier à la place.",
        "This dataset does not come from a URL: upload a new file instead.",
    ),
    "schema.duplicate_column": (
        "Une colonne s'appelle déjà « $column ». Choisissez un autre nom.",
        "A column is already called '$column'. Choose another name.",
    ),
    "schema.unknown_type": (
        "Type de colonne inconnu : $type.",
        "Unknown column type: $type.",
    ),
    "options.invalid": (
        "Les options de l'import sont invalides : $detail.",
        "The import options are invalid: $detail.",
    ),
    "query.wrong_dataset": (
        "Cette requête porte sur un autre jeu de données.",
        "This query is about another dataset.",
    ),
}
MESSAGES.update(SERVICE_MESSAGES)


class SchemaChanged(DatasetError):
    """A replacement file loses or retypes columns; carries the report of what changed."""

    def __init__(self, diff: SchemaDiff) -> None:
        self.diff = diff
        super().__init__("replace.schema_changed", {})

    def message(self, locale: str = "fr") -> str:
        """The changes, and what to do, in `locale`."""
        lines = "; ".join(self.diff.summary(locale))
        if locale == "en":
            return (
                f"The new file does not match the dataset: {lines}. Fix the file, or replace "
                "anyway (tiles using the lost columns will show a message)."
            )
        return (
            f"Le nouveau fichier ne correspond pas au jeu de données : {lines}. Corrigez le "
            "fichier, ou remplacez quand même (les tuiles qui utilisent les colonnes perdues "
            "afficheront un message)."
        )


STAGING_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
SOURCE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
MAX_URL_BYTES_DEFAULT = 200 * 1024 * 1024


@dataclass
class Staged:
    """An upload analysed but not yet saved: its token and what the analysis found."""

    token: str
    filename: str
    result: IngestResult


def _dataset_dir(settings: Settings, dataset_id: int, version: int) -> Path:
    return settings.data_dir / str(dataset_id) / f"v{version}"


def _remove(path: Path) -> None:
    """Remove a file or folder if present, then its dataset folder if left empty."""
    try:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        if path.parent.name.isdigit() and not any(path.parent.iterdir()):
            path.parent.rmdir()  # data/<id>/ of a dataset that never got a version
    except OSError:
        pass


def _safe_filename(filename: str) -> str:
    name = SOURCE_NAME.sub("_", Path(filename or "upload").name).strip("._") or "upload"
    return name[:120]


def options_from_json(data: dict[str, Any] | None) -> IngestOptions:
    """The ingest options stored with a dataset (a copy: changing them must not change the
    stored JSON in place, or the database would not see the change)."""
    data = copy.deepcopy(data or {})
    known = {k: data[k] for k in asdict(IngestOptions()) if k in data}
    return IngestOptions(**known)


OPTION_TEXT_MAPS = ("types", "renames", "labels", "descriptions")
MAX_HEADER_ROW = 10_000


def options_from_request(data: dict[str, Any]) -> IngestOptions:
    """The ingest options an API client sent, checked (raises DatasetError "options.invalid").

    Keys: `sheet` (text), `header_row` (1-based number), `keep_totals` (boolean), `unpivot`
    ("auto", or a list of column names to turn into rows), and
    `types` / `renames` / `labels` / `descriptions` (objects of texts)."""
    known = {"sheet", "header_row", "keep_totals", "unpivot", *OPTION_TEXT_MAPS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise DatasetError("options.invalid", {"detail": f"unknown option {unknown[0]}"})
    options = IngestOptions()
    sheet = data.get("sheet")
    if sheet not in (None, ""):
        if not isinstance(sheet, str) or len(sheet) > 200:
            raise DatasetError("options.invalid", {"detail": "sheet must be a sheet name"})
        options.sheet = sheet
    header = data.get("header_row")
    if header not in (None, ""):
        try:
            options.header_row = int(header)
        except (TypeError, ValueError):
            options.header_row = 0
        if not 1 <= options.header_row <= MAX_HEADER_ROW or isinstance(header, bool | float):
            raise DatasetError("options.invalid", {"detail": "header_row must be a line number"})
    keep = data.get("keep_totals", False)
    if isinstance(keep, str):
        words = {"1": True, "true": True, "oui": True, "on": True, "yes": True,
                 "0": False, "false": False, "non": False, "off": False, "no": False, "": False}
        keep = words.get(keep.strip().lower(), keep)
    if not isinstance(keep, bool):
        raise DatasetError("options.invalid", {"detail": "keep_totals must be true or false"})
    options.keep_totals = keep
    unpivot = data.get("unpivot") or ""
    if isinstance(unpivot, str) and unpivot.strip().lower() in ("1", "true", "oui", "auto"):
        unpivot = "auto"
    if not (unpivot == "" or unpivot == "auto" or (
        isinstance(unpivot, list) and unpivot and all(isinstance(n, str) for n in unpivot)
    )):
        raise DatasetError(
            "options.invalid", {"detail": 'unpivot must be "auto" or a list of column names'}
        )
    options.unpivot = unpivot
    for key in OPTION_TEXT_MAPS:
        value = data.get(key) or {}
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise DatasetError("options.invalid", {"detail": f"{key} must map names to texts"})
        setattr(options, key, dict(value))
    return options


# --- staging (upload page: analyse, let the person adjust, then save) -------------------


def stage_upload(
    settings: Settings, actor: Any, filename: str, content: bytes, options: IngestOptions | None
) -> Staged:
    """Analyse an uploaded file into a private staging folder (raises DatasetError)."""
    ensure(actor, "create", "datasets")
    staging.sweep(settings)
    staging.check_quota(settings, actor.id, len(content))
    token = secrets.token_urlsafe(24)
    with staging.work_folder(settings, token, keep=True) as folder:
        source = folder / _safe_filename(filename)
        source.write_bytes(content)
        # the manifest last: a staging folder without one is never read (upload.expired)
        manifest = {
            "owner_id": actor.id,
            "filename": filename,
            "source": source.name,
            "bytes": len(content),
        }
        write_atomic(folder / "manifest.json", json.dumps(manifest).encode())
        result = ingest(source, filename, options, dest_dir=folder)
    return Staged(token, filename, result)


def _staged_folder(settings: Settings, actor: Any, token: str) -> tuple[Path, dict[str, Any]]:
    if not STAGING_TOKEN.match(token or ""):
        raise DatasetError("upload.expired")
    folder = staging.root(settings) / token
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise DatasetError("upload.expired")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("owner_id") != actor.id:
        raise DatasetError("upload.expired")
    return folder, manifest


def restage(settings: Settings, actor: Any, token: str, options: IngestOptions) -> Staged:
    """Analyse a staged upload again with new options (types, renames, sheet, header row)."""
    ensure(actor, "create", "datasets")
    folder, manifest = _staged_folder(settings, actor, token)
    with storage_faults():
        for old in folder.glob("*.parquet"):
            old.unlink()
        result = ingest(
            folder / manifest["source"], manifest["filename"], options, dest_dir=folder
        )
    return Staged(token, manifest["filename"], result)


def save_staged(
    s: Session,
    settings: Settings,
    actor: Any,
    token: str,
    name: str,
    options: IngestOptions,
    description: str = "",
) -> Dataset:
    """Turn a staged upload into a saved dataset (re-analysed with the final options)."""
    staged = restage(settings, actor, token, options)
    folder, manifest = _staged_folder(settings, actor, token)
    ds = _create_file_dataset(
        s,
        settings,
        actor,
        name or manifest["filename"],
        staged.result,
        folder / manifest["source"],
        manifest["filename"],
        options,
        description,
    )
    after_commit(s, lambda: shutil.rmtree(folder, ignore_errors=True))  # kept for a retry
    return ds


def discard_staged(settings: Settings, actor: Any, token: str) -> None:
    """Forget a staged upload."""
    folder, _manifest = _staged_folder(settings, actor, token)
    shutil.rmtree(folder, ignore_errors=True)


# --- creating datasets ----------------------------------------------------------------


def _create_file_dataset(
    s: Session,
    settings: Settings,
    actor: Any,
    name: str,
    result: IngestResult,
    source_file: Path,
    filename: str,
    options: IngestOptions,
    description: str = "",
    kind: str = "file",
    extra_source: dict[str, Any] | None = None,
) -> Dataset:
    ds = repo.add_dataset(
        s,
        name=_clean_name(name),
        description=description.strip()[:5000],
        owner_id=actor.id,
        kind=kind,
        fields=fields_to_json(result.fields),
        row_count=result.row_count,
        version=1,
        source={"filename": filename, **result.source, **(extra_source or {})},
        ingest_options=asdict(options),
    )
    _install_version(s, settings, ds, result, source_file)
    return ds


def _install_version(
    s: Session,
    settings: Settings,
    ds: Dataset,
    result: IngestResult,
    source: Path,
    version: int | None = None,
) -> None:
    """Move a complete Parquet file and its source into the dataset's version folder.

    Both go to a temporary folder renamed into place once complete, so a full or read-only
    disk leaves no partial version; the version is removed again if the database
    transaction that points at it rolls back."""
    folder = _dataset_dir(settings, ds.id, ds.version if version is None else version)
    tmp = folder.with_name(f".{folder.name}.{secrets.token_hex(4)}.tmp")
    with storage_faults():
        try:
            tmp.mkdir(parents=True)
            shutil.move(str(result.parquet_path), tmp / "data.parquet")
            shutil.copyfile(source, tmp / ("source-" + _safe_filename(source.name)))
            if folder.exists():  # left by an attempt whose transaction failed: not referenced
                shutil.rmtree(folder)
            os.rename(tmp, folder)
        except BaseException:
            _remove(tmp)  # nothing half-written stays behind
            raise
    on_rollback(s, lambda: _remove(folder))
    target = folder / "data.parquet"
    kept = folder / ("source-" + _safe_filename(source.name))
    ds.storage_path = str(target.relative_to(settings.data_dir))
    ds.size_bytes = target.stat().st_size
    ds.source = {**(ds.source or {}), "kept_source": kept.name}
    repo.touch(ds)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())[:200]
    if not name:
        raise DatasetError("dataset.name_missing")
    return name


def create_from_upload(
    s: Session,
    settings: Settings,
    actor: Any,
    filename: str,
    content: bytes,
    name: str = "",
    options: IngestOptions | None = None,
) -> tuple[Dataset, IngestResult]:
    """Analyse and save an upload in one step (the API's POST /datasets)."""
    options = options or IngestOptions()
    staged = stage_upload(settings, actor, filename, content, options)
    folder, manifest = _staged_folder(settings, actor, staged.token)
    try:
        ds = _create_file_dataset(
            s,
            settings,
            actor,
            name or Path(filename).stem,
            staged.result,
            folder / manifest["source"],
            filename,
            options,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return ds, staged.result


def create_sql_dataset(
    s: Session, actor: Any, name: str, url: str, table: str, schema: str | None = None
) -> Dataset:
    """A dataset that stays in an external database (admins only: the URL holds secrets)."""
    ensure(actor, "manage", "connections")
    try:
        fields = inspect_sql_table(url, table, schema)
    except DatasetError:
        raise
    except Exception as exc:  # noqa: BLE001 - any driver error becomes a clear message
        raise DatasetError("sql.unreachable", {"detail": type(exc).__name__}) from exc
    return repo.add_dataset(
        s,
        name=_clean_name(name or table),
        owner_id=actor.id,
        kind="sql",
        fields=fields_to_json(fields),
        source={"url": url, "table": table, "schema": schema},
    )


def portal_export_url(url: str) -> str:
    """The CSV export URL for an Opendatasoft dataset page; other URLs unchanged."""
    match = re.match(r"^(https?://[^/]+)/explore/dataset/([\w-]+)/?", url)
    if match:
        base, dataset = match.groups()
        return f"{base}/api/explore/v2.1/catalog/datasets/{dataset}/exports/csv?delimiter=%3B"
    return url


def fetch_url(settings: Settings, url: str) -> tuple[str, bytes]:
    """The file name and content behind an http(s) URL: public hosts only, every redirect
    re-checked, connection pinned to the checked address, size and time capped
    (`datasources.fetch`)."""
    url = portal_export_url(url.strip())
    limit = settings.max_upload_mb * 1024 * 1024
    options = settings.extra.get("url_fetch_options") or {}  # tests: a resolver and dialer
    try:
        fetched = fetch(
            url,
            max_bytes=limit,
            allow_private=bool(settings.extra.get("url_allow_private")),
            **options,
        )
    except FetchError as exc:
        if exc.reason == "too_large":
            raise DatasetError(
                "file.too_large", {"filename": url, "limit": f"{settings.max_upload_mb} Mo"}
            ) from None
        key = {"too_many_redirects": "url.redirects"}.get(exc.reason, f"url.{exc.reason}")
        raise DatasetError(key, {"url": exc.url, "status": exc.detail}) from None
    name = Path(urlsplit(fetched.url).path).name or "export"
    if "." not in name:
        name += ".geojson" if "json" in fetched.content_type else ".csv"
    return name, fetched.content


def create_from_url(
    s: Session,
    settings: Settings,
    actor: Any,
    url: str,
    name: str = "",
    refresh_hours: int | None = None,
    options: IngestOptions | None = None,
) -> Dataset:
    """A dataset fetched from a URL, refreshable later (with the same import options)."""
    filename, content = fetch_url(settings, url)
    ds, _result = create_from_upload(
        s, settings, actor, filename, content, name or filename, options
    )
    ds.kind = "url"
    ds.source = {**ds.source, "url": url}
    ds.refresh_hours = refresh_hours
    ds.refreshed_at = datetime.now(UTC)
    return ds


# --- reading ----------------------------------------------------------------------------


def fields_of(ds: Dataset) -> list[FieldInfo]:
    """The dataset's schema."""
    return fields_from_json(ds.fields or [])


def source_of(settings: Settings, ds: Dataset) -> ParquetSource | SqlSource:
    """Where the engine finds the dataset's rows, with its version for cache keys."""
    if ds.kind == "sql":
        src = ds.source
        return SqlSource(src["url"], src["table"], ds.version, src.get("schema"))
    return ParquetSource(settings.data_dir / ds.storage_path, f"{ds.id}.{ds.version}")


def query_dataset(
    settings: Settings,
    cache: QueryCache | None,
    ds: Dataset,
    query: Query,
    row_filter: RowFilter | None = None,
) -> QueryResult:
    """Run `query` on `ds` (the caller has checked the actor may view it)."""
    if query.dataset != ds.id:
        raise DatasetError("query.wrong_dataset")
    return run_query(
        query, source_of(settings, ds), fields_of(ds), row_filter=row_filter, cache=cache
    )


def sample_rows(settings: Settings, ds: Dataset, limit: int = 20) -> list[list[Any]]:
    """The first rows of a file dataset, for its editors' preview."""
    if ds.kind == "sql":
        return []
    import duckdb

    from studio.datasources.values import json_rows

    path = settings.data_dir / ds.storage_path
    con = duckdb.connect()
    try:
        rows = con.execute("SELECT * FROM read_parquet(?) LIMIT ?", [str(path), limit]).fetchall()
    finally:
        con.close()
    return json_rows(rows)


# --- changing ---------------------------------------------------------------------------


def _reingest(
    settings: Settings,
    ds: Dataset,
    options: IngestOptions,
    source: Path | None = None,
    filename: str | None = None,
) -> IngestResult:
    if ds.kind == "sql":
        raise DatasetError("dataset.not_a_file")
    if source is None:
        folder = _dataset_dir(settings, ds.id, ds.version)
        source = folder / ds.source["kept_source"]
    name = f"reingest-{ds.id}-{secrets.token_hex(6)}"
    # Kept on success: `_new_version` moves its Parquet file and removes it.
    with staging.work_folder(settings, name, keep=True) as work:
        return ingest(
            source, filename or ds.source.get("filename", source.name), options, dest_dir=work
        )


def _new_version(
    s: Session, settings: Settings, ds: Dataset, result: IngestResult, source: Path
) -> None:
    """Install the next version; the previous one is deleted only once the database points
    at the new one (after the commit), so a failure at any step keeps the dataset whole."""
    old = _dataset_dir(settings, ds.id, ds.version)
    try:
        _install_version(s, settings, ds, result, source, version=ds.version + 1)
    finally:
        shutil.rmtree(result.parquet_path.parent, ignore_errors=True)
    ds.version += 1
    ds.fields = fields_to_json(result.fields)
    ds.row_count = result.row_count
    after_commit(s, lambda: shutil.rmtree(old, ignore_errors=True))


def update_fields(
    s: Session,
    settings: Settings,
    actor: Any,
    ds: Dataset,
    changes: list[dict[str, Any]],
    name: str | None = None,
    description: str | None = None,
) -> Dataset:
    """Apply renames, labels, descriptions and types; a rename or a new type re-reads the file."""
    ensure(actor, "edit", ds)
    current = {f.name: f for f in fields_of(ds)}
    options = options_from_json(ds.ingest_options)
    original_of = {new: old for old, new in options.renames.items()}
    needs_reingest = False
    for change in changes:
        field = change.get("name")
        if field not in current:
            raise DatasetError("query.unknown_field", {"field": field})
        original = original_of.get(field, field)
        final = field
        new_name = (change.get("new_name") or "").strip()
        if new_name and new_name != field:
            if new_name in current:
                raise DatasetError("schema.duplicate_column", {"column": new_name})
            options.renames[original] = final = new_name
            needs_reingest = True
        new_type = change.get("type")
        if new_type and new_type != current[field].type:
            if new_type not in FIELD_TYPES:
                raise DatasetError("schema.unknown_type", {"type": new_type})
            options.types[original] = new_type
            needs_reingest = True
        for key, store in (("label", options.labels), ("description", options.descriptions)):
            if key in change and change[key] is not None:
                store.pop(field, None)
                store[final] = str(change[key])[:500]
    if needs_reingest and ds.kind != "sql":
        result = _reingest(settings, ds, options)
        _new_version(
            s,
            settings,
            ds,
            result,
            _dataset_dir(settings, ds.id, ds.version) / ds.source["kept_source"],
        )
    else:
        ds.fields = [
            {
                **f.to_dict(),
                "label": options.labels.get(f.name, f.label),
                "description": options.descriptions.get(f.name, f.description),
            }
            for f in fields_of(ds)
        ]
    ds.ingest_options = asdict(options)
    if name is not None:
        ds.name = _clean_name(name)
    if description is not None:
        ds.description = description.strip()[:5000]
    repo.touch(ds)
    return ds


def replace_file(
    s: Session,
    settings: Settings,
    actor: Any,
    ds: Dataset,
    filename: str,
    content: bytes,
    force: bool = False,
) -> dict[str, Any]:
    """Replace the data with a new file; refused (report returned) when columns were lost or
    retyped, unless `force`. Returns the report of what changed."""
    ensure(actor, "edit", ds)
    with staging.work_folder(settings, f"replace-{ds.id}-{secrets.token_hex(6)}") as work:
        source = work / _safe_filename(filename)
        source.write_bytes(content)
        result = ingest(source, filename, options_from_json(ds.ingest_options), dest_dir=work)
        diff = compare_schemas(fields_of(ds), result.fields, ds.row_count, result.row_count)
        report = diff.to_dict()
        if (diff.removed or diff.retyped) and not force:
            raise SchemaChanged(diff)
        ds.source = {**ds.source, "filename": filename, **result.source}
        _new_version(s, settings, ds, result, source)
        repo.touch(ds)
        return report


def refresh_from_url(s: Session, settings: Settings, actor: Any, ds: Dataset) -> dict[str, Any]:
    """Fetch a URL dataset again and replace its data."""
    ensure(actor, "edit", ds)
    if ds.kind != "url":
        raise DatasetError("dataset.not_a_url")
    filename, content = fetch_url(settings, ds.source["url"])
    report = replace_file(s, settings, actor, ds, filename, content, force=False)
    ds.refreshed_at = datetime.now(UTC)
    return report


def delete_dataset(s: Session, settings: Settings, actor: Any, ds: Dataset) -> None:
    """Delete the dataset and its files (the owner and admins: co-editors may not)."""
    ensure(actor, "manage", ds)
    repo.mark_deleted(ds)
    folder = settings.data_dir / str(ds.id)
    after_commit(s, lambda: shutil.rmtree(folder, ignore_errors=True))


def describe(ds: Dataset, with_fields: bool = True) -> dict[str, Any]:
    """The public JSON description of a dataset (never its SQL URL)."""
    out: dict[str, Any] = {
        "id": ds.id,
        "name": ds.name,
        "description": ds.description,
        "kind": ds.kind,
        "owner": ds.owner.email if ds.owner else None,
        "row_count": ds.row_count,
        "size_bytes": ds.size_bytes,
        "version": ds.version,
        "visibility": ds.visibility,
        "updated_at": ds.updated_at.isoformat() if ds.updated_at else None,
    }
    if ds.kind == "url":
        out["url"] = ds.source.get("url")
        out["refresh_hours"] = ds.refresh_hours
    if ds.kind != "sql" and (ds.source or {}).get("citation"):
        out["citation"] = ds.source["citation"]
    if with_fields:
        out["fields"] = [
            {"name": f.name, "type": f.type, "label": f.label, "description": f.description}
            for f in fields_of(ds)
        ]
    return out
