"""What an ingest takes (`IngestOptions`) and gives back (`IngestResult`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studio.datasources.schema import FieldInfo


@dataclass
class IngestOptions:
    """Choices the person makes when (re-)importing a file.

    `sheet`: Excel sheet name (first sheet when None). `header_row`: 1-based line (CSV) or
    row (Excel) of the header, detected when None. `types`: forced field type per column.
    `renames`: new name per column. `labels` / `descriptions`: per final column name.
    `keep_totals`: keep the total and subtotal rows ("Total France", "DOM"…) as rows; by
    default they are set aside and listed in the report. `unpivot`: "auto" turns the columns
    whose names are years, months or quarters into rows (`periode`, `valeur`); a list of
    column names turns those; "" keeps the table as it is.
    """

    sheet: str | None = None
    header_row: int | None = None
    types: dict[str, str] = field(default_factory=dict)
    renames: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    keep_totals: bool = False
    unpivot: str | list[str] = ""


@dataclass(frozen=True)
class ParseProblem:
    """A value that did not fit its column's type; `row` is the line or row the user sees."""

    row: int
    column: str
    raw: str
    expected_type: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


@dataclass
class ColumnStats:
    """Summary of one column: empties, distinct values, range, and frequent values."""

    empty: int
    distinct: int
    min: Any = None
    max: Any = None
    top: list[tuple[Any, int]] = field(default_factory=list)
    histogram: list[tuple[float, float, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "empty": self.empty,
            "distinct": self.distinct,
            "min": self.min,
            "max": self.max,
            "top": [list(t) for t in self.top],
            "histogram": [list(h) for h in self.histogram],
        }


@dataclass
class TotalRow:
    """A total or subtotal row found in the file: its line, label and the check of its sums.

    `checks` holds, per measure column, the row's value, the sum of the other rows of its
    group (same year, series…) and whether they agree (exact, or within 1 %)."""

    line: int
    label: str
    checks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


@dataclass
class IngestReport:
    """What the ingest set aside or changed so the table reads as meant, for the person.

    `totals`: total rows found (set aside unless `totals_kept`). `notes_before` / `notes_after`:
    title and note lines around the table. `citation`: the "Source : …" line, offered as the
    dataset's source. `missing`: per column, how many cells held each secrecy or missing
    marker (`secret statistique`, `<5`, `s`…). `renamed`: duplicate or empty column names
    given a unique name ({"position", "name", "new_name"}).
    """

    totals: list[TotalRow] = field(default_factory=list)
    totals_kept: bool = False
    notes_before: list[str] = field(default_factory=list)
    notes_after: list[str] = field(default_factory=list)
    citation: str | None = None
    missing: dict[str, dict[str, int]] = field(default_factory=dict)
    renamed: list[dict[str, Any]] = field(default_factory=list)
    wide: dict[str, Any] = field(default_factory=dict)
    """Period columns found ({"columns": [...], "applied": bool, "names": {...}})."""

    def to_dict(self, locale: str = "fr") -> dict[str, Any]:
        """Return a JSON-ready dict, with the report's sentences in `locale`."""
        from studio.datasources.report import report_lines

        return {
            "totals": [t.to_dict() for t in self.totals],
            "totals_kept": self.totals_kept,
            "notes_before": self.notes_before,
            "notes_after": self.notes_after,
            "citation": self.citation,
            "missing": self.missing,
            "renamed": self.renamed,
            "wide": self.wide,
            "messages": report_lines(self, locale),
        }


@dataclass
class IngestResult:
    """A complete Parquet file and everything the person needs to check the import.

    `problems` lists at most a few examples per column; `problem_counts` has the totals.
    `source` tells how the file was read (format, encoding, separator, sheet, header row).
    """

    parquet_path: Path
    fields: list[FieldInfo]
    row_count: int
    problems: list[ParseProblem]
    problem_counts: dict[str, int]
    preview: list[list[Any]]
    stats: dict[str, ColumnStats]
    source: dict[str, Any] = field(default_factory=dict)
    report: IngestReport = field(default_factory=IngestReport)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (the Parquet path as text)."""
        return {
            "parquet_path": str(self.parquet_path),
            "fields": [f.to_dict() for f in self.fields],
            "row_count": self.row_count,
            "problems": [p.to_dict() for p in self.problems],
            "problem_counts": self.problem_counts,
            "preview": self.preview,
            "stats": {k: s.to_dict() for k, s in self.stats.items()},
            "source": self.source,
            "report": self.report.to_dict(),
        }
