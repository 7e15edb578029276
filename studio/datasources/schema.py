"""The schema of a dataset (`FieldInfo`) and the comparison of two schemas on replace."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from studio.spec.query import FIELD_TYPES

NUMERIC_TYPES = ("integer", "decimal")
TEMPORAL_TYPES = ("date", "datetime")


@dataclass(frozen=True)
class FieldInfo:
    """One column of a dataset: its name in queries, its type, and how people call it.

    `unit` is "%" for a percentage column: values are stored as written (12.5 for "12,5 %").
    """

    name: str
    type: str
    label: str = ""
    description: str = ""
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type!r}")
        if not self.label:
            object.__setattr__(self, "label", self.name)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (stored as dataset metadata)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldInfo:
        """Return the FieldInfo stored by `to_dict` (unknown keys are ignored)."""
        known = {k: data[k] for k in ("name", "type", "label", "description", "unit") if k in data}
        return cls(**known)


def fields_to_json(fields: list[FieldInfo]) -> list[dict[str, Any]]:
    """Return the JSON-ready list of a schema's fields."""
    return [f.to_dict() for f in fields]


def fields_from_json(data: list[dict[str, Any]]) -> list[FieldInfo]:
    """Return the schema stored by `fields_to_json`."""
    return [FieldInfo.from_dict(d) for d in data]


@dataclass(frozen=True)
class Retyped:
    """A column kept by a replace whose type changed."""

    name: str
    old_type: str
    new_type: str


@dataclass
class SchemaDiff:
    """What changes when a dataset's file is replaced by a new one."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    retyped: list[Retyped] = field(default_factory=list)
    old_row_count: int | None = None
    new_row_count: int | None = None

    @property
    def same_schema(self) -> bool:
        """True when no column was added, removed or retyped."""
        return not (self.added or self.removed or self.retyped)

    @property
    def row_count_change(self) -> int | None:
        """Rows gained (positive) or lost (negative), when both counts are known."""
        if self.old_row_count is None or self.new_row_count is None:
            return None
        return self.new_row_count - self.old_row_count

    def summary(self, locale: str = "fr") -> list[str]:
        """Return one readable line per change, in French ("fr") or English ("en")."""
        fr = locale != "en"
        lines = [
            *((f"Colonne ajoutée : {n}" if fr else f"Column added: {n}") for n in self.added),
            *((f"Colonne supprimée : {n}" if fr else f"Column removed: {n}") for n in self.removed),
        ]
        for r in self.retyped:
            lines.append(
                f"Type modifié pour {r.name} : {r.old_type} → {r.new_type}"
                if fr
                else f"Type changed for {r.name}: {r.old_type} → {r.new_type}"
            )
        change = self.row_count_change
        if change:
            lines.append(
                f"Nombre de lignes : {self.old_row_count} → {self.new_row_count}"
                if fr
                else f"Row count: {self.old_row_count} → {self.new_row_count}"
            )
        return lines

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the changes."""
        return {
            "same_schema": self.same_schema,
            "added": self.added,
            "removed": self.removed,
            "retyped": [asdict(r) for r in self.retyped],
            "old_row_count": self.old_row_count,
            "new_row_count": self.new_row_count,
            "row_count_change": self.row_count_change,
        }


def compare_schemas(
    old: list[FieldInfo],
    new: list[FieldInfo],
    old_row_count: int | None = None,
    new_row_count: int | None = None,
) -> SchemaDiff:
    """Return what changed between the schema in use and the schema of a replacement file."""
    old_types = {f.name: f.type for f in old}
    new_types = {f.name: f.type for f in new}
    return SchemaDiff(
        added=[n for n in new_types if n not in old_types],
        removed=[n for n in old_types if n not in new_types],
        retyped=[
            Retyped(n, old_types[n], new_types[n])
            for n in old_types
            if n in new_types and old_types[n] != new_types[n]
        ],
        old_row_count=old_row_count,
        new_row_count=new_row_count,
    )
