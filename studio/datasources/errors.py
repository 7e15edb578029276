"""Errors a user can cause with a dataset or a query, with French and English messages."""

from __future__ import annotations

import errno
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from string import Template
from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    # code: (French, English). $name placeholders come from `params`.
    "file.empty": (
        "Le fichier « $filename » est vide.",
        "The file “$filename” is empty.",
    ),
    "file.binary": (
        "Le fichier « $filename » n'est pas un fichier texte lisible (contenu binaire). "
        "Enregistrez-le au format CSV, XLSX, GeoJSON ou Parquet.",
        "The file “$filename” is not readable text (binary content). "
        "Save it as CSV, XLSX, GeoJSON or Parquet.",
    ),
    "file.unsupported": (
        "Le format du fichier « $filename » n'est pas pris en charge "
        "(formats acceptés : CSV, TSV, XLSX, GeoJSON, Parquet).",
        "The format of “$filename” is not supported "
        "(accepted formats: CSV, TSV, XLSX, GeoJSON, Parquet).",
    ),
    "file.too_large": (
        "Le fichier « $filename » dépasse la taille maximale autorisée ($limit).",
        "The file “$filename” is larger than the allowed maximum ($limit).",
    ),
    "url.invalid": (
        "L'adresse « $url » n'est pas une adresse web http(s). Copiez l'adresse complète du "
        "fichier (elle commence par https://).",
        "“$url” is not an http(s) web address. Copy the file's full address (it starts with "
        "https://).",
    ),
    "url.private": (
        "L'adresse « $url » mène à un serveur interne (réseau privé ou local) : Studio ne "
        "télécharge que des fichiers publiés sur internet. Téléversez le fichier à la place.",
        "“$url” leads to an internal server (private or local network): Studio only downloads "
        "files published on the internet. Upload the file instead.",
    ),
    "url.unreachable": (
        "Impossible de télécharger « $url » : le serveur ne répond pas ou refuse. Vérifiez "
        "l'adresse dans un navigateur, puis réessayez.",
        "Cannot download “$url”: the server does not answer or refuses. Check the address in "
        "a browser, then try again.",
    ),
    "url.too_slow": (
        "Le téléchargement de « $url » a pris trop de temps. Réessayez plus tard, ou "
        "téléversez le fichier.",
        "Downloading “$url” took too long. Try again later, or upload the file.",
    ),
    "url.redirects": (
        "L'adresse « $url » renvoie vers trop d'autres adresses. Donnez l'adresse finale du "
        "fichier.",
        "“$url” redirects too many times. Give the file's final address.",
    ),
    "url.status": (
        "Le serveur de « $url » a répondu par une erreur ($status). Vérifiez l'adresse.",
        "The server of “$url” answered with an error ($status). Check the address.",
    ),
    "query.too_large": (
        "Ce résultat est trop grand pour être affiché ($rows lignes) : ajoutez un filtre, "
        "regroupez par une dimension moins fine, ou réduisez le nombre de lignes.",
        "This result is too large to show ($rows rows): add a filter, group by a coarser "
        "dimension, or show fewer rows.",
    ),
    "csv.no_data": (
        "Le fichier ne contient qu'une ligne d'en-tête, sans aucune donnée.",
        "The file only has a header line and no data.",
    ),
    "csv.ragged_row": (
        "La ligne $row contient $found colonnes au lieu de $expected. Vérifiez le séparateur "
        "et les guillemets de cette ligne.",
        "Line $row has $found columns instead of $expected. Check the separator and the "
        "quotes on that line.",
    ),
    "csv.unreadable": (
        "Le fichier n'a pas pu être lu comme un tableau CSV : $detail",
        "The file could not be read as a CSV table: $detail",
    ),
    "header.empty_name": (
        "La colonne n° $position n'a pas de nom alors qu'elle contient des données. "
        "Donnez-lui un nom dans la ligne d'en-tête.",
        "Column number $position has no name but holds data. Give it a name in the header.",
    ),
    "header.duplicate_name": (
        "Le nom de colonne « $column » apparaît plusieurs fois (colonnes n° $positions). "
        "Chaque colonne doit avoir un nom unique.",
        "The column name “$column” appears more than once (columns $positions). "
        "Each column needs a unique name.",
    ),
    "header.name_too_long": (
        "Le nom de colonne « $column » est trop long (200 caractères au maximum).",
        "The column name “$column” is too long (200 characters at most).",
    ),
    "header.row_out_of_range": (
        "La ligne d'en-tête $header_row n'existe pas dans le fichier.",
        "The header row $header_row does not exist in the file.",
    ),
    "options.unknown_column": (
        "La colonne « $column » n'existe pas dans le fichier (options de l'import).",
        "The column “$column” does not exist in the file (import options).",
    ),
    "options.unpivot_not_numeric": (
        "La colonne « $column » ne contient pas des nombres : seules des colonnes de nombres "
        "(une par année, mois ou trimestre) peuvent être mises en lignes.",
        "The column “$column” does not hold numbers: only number columns (one per year, month "
        "or quarter) can be turned into rows.",
    ),
    "options.unpivot_type": (
        "Le type de la colonne « $column », créée en mettant les périodes en lignes, ne peut "
        "pas être changé : changez celui des colonnes de périodes du fichier.",
        "The type of the column “$column”, made by putting the periods in rows, cannot be "
        "changed: change the type of the file's period columns instead.",
    ),
    "options.bad_type": (
        "Le type « $type » demandé pour la colonne « $column » n'existe pas.",
        "The type “$type” asked for the column “$column” does not exist.",
    ),
    "xlsx.unsafe": (
        "Le classeur Excel a été refusé par sécurité : $detail",
        "The Excel workbook was refused for safety: $detail",
    ),
    "xlsx.invalid": (
        "Le fichier n'est pas un classeur Excel (.xlsx) valide.",
        "The file is not a valid Excel (.xlsx) workbook.",
    ),
    "xlsx.no_sheet": (
        "La feuille « $sheet » n'existe pas. Feuilles disponibles : $sheets.",
        "The sheet “$sheet” does not exist. Available sheets: $sheets.",
    ),
    "xlsx.no_table": (
        "Aucun tableau n'a été trouvé dans la feuille « $sheet ».",
        "No table was found in the sheet “$sheet”.",
    ),
    "geojson.invalid": (
        "Le fichier GeoJSON est invalide : $detail",
        "The GeoJSON file is invalid: $detail",
    ),
    "geojson.bad_geometry": (
        "L'objet n° $row a une géométrie invalide : $detail",
        "Feature number $row has an invalid geometry: $detail",
    ),
    "geojson.too_many_properties": (
        "Ce GeoJSON a plus de $limit propriétés différentes : gardez les colonnes utiles "
        "(par exemple avec mapshaper ou QGIS), puis réessayez.",
        "This GeoJSON has more than $limit different properties: keep the useful columns "
        "(e.g. with mapshaper or QGIS), then try again.",
    ),
    "geojson.too_many_cells": (
        "Ce GeoJSON est trop grand ($features entités × $properties propriétés, plus de "
        "$limit cellules) : retirez des propriétés ou découpez le fichier.",
        "This GeoJSON is too large ($features features × $properties properties, over $limit "
        "cells): remove properties or split the file.",
    ),
    "geojson.too_many_vertices": (
        "Le fichier GeoJSON contient trop de points ($count, maximum $limit). "
        "Simplifiez les géométries avant l'import.",
        "The GeoJSON file has too many vertices ($count, at most $limit). "
        "Simplify the geometries before importing.",
    ),
    "parquet.invalid": (
        "Le fichier Parquet n'a pas pu être lu : $detail",
        "The Parquet file could not be read: $detail",
    ),
    "query.unknown_field": (
        "Le champ « $field » n'existe pas dans ce jeu de données.",
        "The field “$field” does not exist in this dataset.",
    ),
    "query.bad_grain": (
        "Le champ « $field » n'est pas une date : impossible de le regrouper par $grain.",
        "The field “$field” is not a date: it cannot be grouped by $grain.",
    ),
    "query.bad_aggregate": (
        "L'agrégat $agg ne s'applique pas au champ « $field » (type $type).",
        "The aggregate $agg does not apply to the field “$field” (type $type).",
    ),
    "query.bad_operator": (
        "L'opérateur $op ne s'applique pas au champ « $field » (type $type).",
        "The operator $op does not apply to the field “$field” (type $type).",
    ),
    "query.bad_value": (
        "La valeur « $value » ne convient pas au champ « $field » (type $type).",
        "The value “$value” does not fit the field “$field” (type $type).",
    ),
    "query.unsupported": (
        "La base de données source ne permet pas $feature.",
        "The source database does not support $feature.",
    ),
    "query.failed": (
        "La requête sur la source de données a échoué : $detail",
        "The query on the data source failed: $detail",
    ),
    "sql.unreachable": (
        "La base de données n'est pas joignable : $detail",
        "The database cannot be reached: $detail",
    ),
    "sql.no_such_table": (
        "La table ou vue « $table » n'existe pas dans la base de données.",
        "The table or view “$table” does not exist in the database.",
    ),
    "sql.column_missing": (
        "La colonne « $column » n'existe plus dans la table « $table » de la base de "
        "données (sa structure a changé). Demandez à un administrateur de recréer le jeu de "
        "données sur cette table, ou retirez cette colonne de la tuile.",
        "The column “$column” no longer exists in the table “$table” of the database (its "
        "structure changed). Ask an administrator to create the dataset again on this table, "
        "or remove this column from the tile.",
    ),
}

LOCALES = ("fr", "en")


_PATH_RE = re.compile(r"""(?<![\w.~-])(?:[A-Za-z]:)?(?:/|\\)[^\s'"]*""")
_ENGINE_PREFIX_RE = re.compile(
    r"^(?:[A-Z][A-Za-z]* )*(?:Error|Exception)\s*:\s*|^\(?[\w.]+\.\w*Error\)?\s*"
)


def public_detail(text: str) -> str:
    """An engine's error text as a person may see it: no server path, no engine class name,
    one line, at most 200 characters; running out of memory said plainly."""
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    if "out of memory" in first.lower() or "memory limit" in first.lower():
        return "mémoire insuffisante sur le serveur pour ce calcul / not enough server memory"
    first = _PATH_RE.sub("…", first)
    first = _ENGINE_PREFIX_RE.sub("", first).strip()
    return first[:200] or "erreur du moteur / engine error"


class DatasetError(Exception):
    """A problem with a dataset or a query that the person can fix; `code` is stable."""

    def __init__(
        self,
        code: str,
        params: dict[str, Any] | None = None,
        *,
        row: int | None = None,
        column: str | None = None,
        raw: str | None = None,
    ) -> None:
        self.code = code
        self.params = dict(params or {})
        if "detail" in self.params:
            self.params["detail"] = public_detail(str(self.params["detail"]))
        self.row = row
        self.column = column
        self.raw = raw
        super().__init__(self.message("en"))

    def message(self, locale: str = "fr") -> str:
        """Return the message in `locale` ("fr" by default, or "en")."""
        templates = MESSAGES.get(self.code, ("Erreur : $code", "Error: $code"))
        template = templates[1] if locale == "en" else templates[0]
        values = {"code": self.code, "row": self.row, "column": self.column, **self.params}
        return Template(template).safe_substitute({k: _show(v) for k, v in values.items()})

    def to_dict(self, locale: str = "fr") -> dict[str, Any]:
        """Return a JSON-ready description of the error, for an API response."""
        return {
            "code": self.code,
            "message": self.message(locale),
            "params": {k: _show(v) for k, v in self.params.items()},
            "row": self.row,
            "column": self.column,
            "raw": self.raw,
        }


def _show(value: Any) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return text if len(text) <= 200 else text[:199] + "…"


STORAGE_MESSAGES: dict[str, tuple[str, str]] = {
    "storage.full": (
        "Le disque de Studio est plein : rien n'a été enregistré et vos données précédentes "
        "sont intactes. Prévenez votre administrateur, qui doit libérer de la place dans le "
        "dossier des données de Studio (dossier « instance »), puis réessayez.",
        "Studio's disk is full: nothing was saved and your previous data is intact. Tell "
        "your administrator, who must free space in Studio's data folder (the 'instance' "
        "folder), then try again.",
    ),
    "storage.read_only": (
        "Le dossier des données de Studio est en lecture seule ou inaccessible : rien n'a "
        "été enregistré et vos données précédentes sont intactes. Prévenez votre "
        "administrateur (droits d'écriture ou montage du dossier « instance »), puis "
        "réessayez.",
        "Studio's data folder is read-only or unreachable: nothing was saved and your "
        "previous data is intact. Tell your administrator (write permission or mount of the "
        "'instance' folder), then try again.",
    ),
}
MESSAGES.update(STORAGE_MESSAGES)

# errno values meaning "no room left" and "may not write here"
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EIO}
_DUCKDB_FULL = ("no space left", "disk quota exceeded", "file too large")
_DUCKDB_READ_ONLY = ("read-only file system", "permission denied", "input/output error")


class StorageError(DatasetError):
    """The instance folder cannot take a write (disk full: 507; read-only or gone: 503).

    Nothing was stored: the caller cleaned what it had started writing."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.status = 507 if code == "storage.full" else 503


@contextmanager
def storage_faults() -> Iterator[None]:
    """Raise a full or read-only disk met inside the block as a StorageError (507 / 503 with
    a message saying what to do); any other error goes through unchanged."""
    try:
        yield
    except BaseException as exc:
        converted = storage_error(exc)
        if converted is None or converted is exc:
            raise
        raise converted from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` under a temporary name beside `path`, then rename it into place: never a
    partial file, even on a full disk (then a StorageError, and no temporary file left)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with storage_faults():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, path)
        finally:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass


def storage_error(exc: BaseException) -> StorageError | None:
    """The StorageError for a failed write (an OSError, or DuckDB's IOException when it
    wrote a Parquet file), or None when `exc` is not a storage fault."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, OSError):
        if exc.errno in _FULL:
            return StorageError("storage.full")
        if exc.errno in _READ_ONLY:
            return StorageError("storage.read_only")
        return None
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dependency
        return None
    if isinstance(exc, duckdb.IOException):
        text = str(exc).lower()
        if any(marker in text for marker in _DUCKDB_FULL):
            return StorageError("storage.full")
        if any(marker in text for marker in _DUCKDB_READ_ONLY):
            return StorageError("storage.read_only")
    return None
