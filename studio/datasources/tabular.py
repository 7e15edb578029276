"""From a raw text table in DuckDB to a typed Parquet file, its schema, problems and stats.

Every reader (CSV, Excel, GeoJSON) loads the file into a DuckDB table `raw` whose columns
are named `c0`, `c1`… and hold text; this module does the rest, the same way for all.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from studio.datasources.cleanup import (
    check_totals,
    citation,
    codeless_rows,
    find_totals,
    trailing_notes,
)
from studio.datasources.convert import marker_condition, problem_condition, typed_expression
from studio.datasources.errors import DatasetError
from studio.datasources.infer import ColumnPlan, infer_column, plan_for_type
from studio.datasources.models import (
    ColumnStats,
    IngestOptions,
    IngestReport,
    IngestResult,
    ParseProblem,
    TotalRow,
)
from studio.datasources.schema import NUMERIC_TYPES, FieldInfo
from studio.datasources.values import json_rows, json_value, quote_ident, sql_string
from studio.datasources.wide import period_columns, unpivot
from studio.spec.query import FIELD_TYPES

SAMPLE_HEAD = 2000
SAMPLE_RANDOM = 5000
PROBLEMS_PER_COLUMN = 5
PREVIEW_ROWS = 20
TOP_VALUES = 5
HISTOGRAM_BINS = 10
MAX_NAME = 200
ROW_GROUP_SIZE = 122880
CLUSTER_MIN_ROWS = 4 * ROW_GROUP_SIZE
"""From this many rows, a dataset is written sorted by its cluster columns (below, one or
a few row groups hold everything, and the rows keep the file's order)."""
CLUSTER_ORDER = ("region", "departement", "epci", "commune", "date", "datetime")
"""Field types rows are sorted by, coarse territory first, then time: dashboard filters are
mostly on territory and period, and sorted rows let DuckDB skip the row groups whose
min/max statistics exclude the filtered values."""
AGREE = ("equal", "close")
"""Statuses of a total's check that make an unlabelled row without code a total."""


@dataclass
class RawTable:
    """A file loaded as text into the DuckDB table `raw`.

    `line_of` maps a `raw` rowid to the line or row number the person sees in the file.
    `plans` holds columns whose plan the reader already knows (a geometry column).
    `notes_before` / `notes_after`: title and note lines the reader found around the table.
    """

    names: list[str]
    line_of: Callable[[int], int]
    plans: dict[int, ColumnPlan] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    notes_before: list[str] = field(default_factory=list)
    notes_after: list[str] = field(default_factory=list)


def connect_for_ingest(temp_dir: Path) -> duckdb.DuckDBPyConnection:
    """Return a private DuckDB connection with bounded memory, spilling to `temp_dir`."""
    con = duckdb.connect(config={"memory_limit": "600MB", "threads": 2})
    con.execute("SET temp_directory = ?", [str(temp_dir)])
    con.execute("SET preserve_insertion_order = true")
    return con


def build_dataset(
    con: duckdb.DuckDBPyConnection, raw: RawTable, options: IngestOptions, dest_dir: Path
) -> IngestResult:
    """Return the ingest result after writing the typed Parquet file into `dest_dir`."""
    columns, renamed = _checked_columns(con, raw)
    report = IngestReport(
        totals_kept=options.keep_totals,
        notes_before=list(raw.notes_before),
        notes_after=list(raw.notes_after),
        renamed=renamed,
    )
    tabular = raw.source.get("format") in ("csv", "xlsx")
    if tabular:
        _set_aside_notes(con, columns, report)
    row_count = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    if row_count == 0:
        raise DatasetError("csv.no_data")
    renames, new_renames = _renames_for_unpivot(raw, columns, options)
    final_names = _final_names([raw.names[i] for i in columns], renames)
    forced = _forced_types(raw.names, columns, options, set(new_renames.values()))
    sample = _sample(con, columns)
    plans = _plans(raw, columns, forced, sample)
    if tabular:
        aside = _set_aside_totals(con, raw, columns, plans, sample, options, report)
        if aside:
            sample = [r for r in sample if r[0] not in aside]
            plans = _plans(raw, columns, forced, sample)
            row_count -= len(aside)
    report.citation = citation(report.notes_before + report.notes_after)
    plans, counts, markers = _settle_plans(con, columns, plans)
    report.missing = {raw.names[i]: m for i, m in markers.items() if m}
    final_of = dict(zip(columns, final_names, strict=True))
    missing_by_field = {final_of[i]: m for i, m in markers.items() if m}
    problems = _problem_examples(con, raw, columns, plans, counts)
    if tabular:
        columns, final_names, plans = _wide_to_long(
            con, raw, columns, final_names, plans, options, report, new_renames
        )
        if report.wide.get("applied"):
            row_count = con.execute("SELECT count(*) FROM conv").fetchone()[0]
    order = (
        cluster_columns([plans[i].type for i in columns]) if row_count >= CLUSTER_MIN_ROWS else []
    )
    parquet_path = _write_parquet(con, columns, final_names, dest_dir, [columns[k] for k in order])
    fields = [_field(name, plans[i], options) for name, i in zip(final_names, columns, strict=True)]
    value_label = report.wide.get("value_label")
    if value_label:
        value_name = report.wide["names"]["valeur"]
        fields = [
            replace(f, label=value_label) if f.name == value_name and f.label == f.name else f
            for f in fields
        ]
    return IngestResult(
        parquet_path=parquet_path,
        fields=fields,
        row_count=row_count,
        problems=problems,
        problem_counts={raw.names[i]: n for i, n in counts.items() if n},
        preview=preview(con, parquet_path),
        stats=column_stats(con, parquet_path, fields),
        source=raw.source
        | ({"citation": report.citation} if report.citation else {})
        | ({"missing_markers": missing_by_field} if missing_by_field else {}),
        report=report,
    )


def _set_aside_notes(
    con: duckdb.DuckDBPyConnection, columns: list[int], report: IngestReport
) -> None:
    """Remove the note, source and blank rows that end the table; keep their text."""
    notes = trailing_notes(con, columns)
    if not notes:
        return
    con.execute("DELETE FROM raw WHERE rowid >= ?", [notes[0][0]])
    report.notes_after = [text for _, text in notes if text] + report.notes_after


def _set_aside_totals(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    columns: list[int],
    plans: dict[int, ColumnPlan],
    sample: list[tuple[Any, ...]],
    options: IngestOptions,
    report: IngestReport,
) -> set[int]:
    """Find total rows, check their sums, and remove them unless asked to keep them.

    Returns the rowids removed."""
    totals = find_totals(con, columns, plans)
    codeless = codeless_rows(con, columns, plans, {t.rowid for t in totals})
    if not totals and not codeless:
        return set()
    values = [r[1:] for r in sample]
    checks = check_totals(con, totals + codeless, columns, plans, raw.names, values)
    adding_up = [
        t for t in codeless if checks.get(t.rowid) and checks[t.rowid][0]["status"] in AGREE
    ]
    totals = sorted(totals + adding_up, key=lambda t: t.rowid)
    if not totals:
        return set()
    report.totals = [
        TotalRow(raw.line_of(t.rowid), t.label or f"ligne {raw.line_of(t.rowid)}",
                 checks.get(t.rowid, []))
        for t in totals
    ]
    if options.keep_totals:
        return set()
    aside = [t.rowid for t in totals]
    con.execute("DELETE FROM raw WHERE rowid IN (SELECT unnest(?))", [aside])
    return set(aside)


def _wide_to_long(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    columns: list[int],
    final_names: list[str],
    plans: dict[int, ColumnPlan],
    options: IngestOptions,
    report: IngestReport,
    new_renames: dict[str, str],
) -> tuple[list[int], list[str], dict[int, ColumnPlan]]:
    """Turn period columns into rows when asked; note them in the report either way.

    `new_renames` renames the new columns ({"periode": "annee"})."""
    found = period_columns(raw.names, columns, plans)
    chosen = _unpivot_choice(raw, columns, final_names, options, found)
    if not (found or chosen):
        return columns, final_names, plans
    report.wide = {"columns": [raw.names[i] for i in chosen or found], "applied": bool(chosen)}
    if not chosen:
        return columns, final_names, plans
    long = unpivot(con, raw.names, columns, plans, chosen)
    final_of = dict(zip(columns, final_names, strict=True))
    taken = {n.lower() for i, n in final_of.items() if i not in chosen}
    new_name = {}
    for role, position in long.new.items():
        new_name[position] = new_renames.get(role) or _free_name(role, taken, role.lower() in taken)
        taken.add(new_name[position].lower())
    report.wide["names"] = {role: new_name[p] for role, p in long.new.items()}
    _check_unique([final_of[i] for i in long.columns if i in final_of] + list(new_name.values()))
    if long.value_label:
        report.wide["value_label"] = long.value_label
    names = [final_of.get(i) or new_name[i] for i in long.columns]
    return long.columns, names, long.plans


UNPIVOT_ROLES = ("periode", "serie", "valeur", "colonne")


def _renames_for_unpivot(
    raw: RawTable, columns: list[int], options: IngestOptions
) -> tuple[dict[str, str], dict[str, str]]:
    """Split the renames into those of the file's columns and those of the columns a
    wide-to-long creates ("periode", "valeur"…), which the file does not have."""
    if not options.unpivot:
        return options.renames, {}
    present = {raw.names[i] for i in columns}
    new = {
        old: clean_header(name)
        for old, name in options.renames.items()
        if old not in present and old in UNPIVOT_ROLES
    }
    return {old: n for old, n in options.renames.items() if old not in new}, new


def _unpivot_choice(
    raw: RawTable,
    columns: list[int],
    final_names: list[str],
    options: IngestOptions,
    found: list[int],
) -> list[int]:
    if not options.unpivot:
        return []
    if options.unpivot == "auto":
        return found
    wanted = [options.unpivot] if isinstance(options.unpivot, str) else list(options.unpivot)
    by_name = {raw.names[i]: i for i in columns} | dict(zip(final_names, columns, strict=True))
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise DatasetError("options.unknown_column", {"column": unknown[0]}, column=unknown[0])
    return [by_name[n] for n in wanted]


def _checked_columns(
    con: duckdb.DuckDBPyConnection, raw: RawTable
) -> tuple[list[int], list[dict[str, Any]]]:
    """Return the indexes of the columns to keep and the names given to unnamed or repeated
    columns (`raw.names` is updated); unnamed empty columns are dropped."""
    keep: list[int] = []
    renamed: list[dict[str, Any]] = []
    taken = {n.lower() for n in raw.names if n}
    seen: set[str] = set()
    for i, name in enumerate(raw.names):
        if not name and not _has_data(con, i):
            continue
        if len(name) > MAX_NAME:
            raise DatasetError("header.name_too_long", {"column": name}, column=name)
        if not name or name.lower() in seen:
            new = _free_name(name or f"Colonne {i + 1}", taken, bool(name))
            renamed.append({"position": i + 1, "name": name, "new_name": new})
            taken.add(new.lower())
            raw.names[i] = new
        seen.add(raw.names[i].lower())
        keep.append(i)
    return keep, renamed


def _free_name(base: str, taken: set[str], repeated: bool) -> str:
    """Return `base` ("Colonne 3") or, for a repeated name, "Foyers (2)", not yet taken."""
    if not repeated and base.lower() not in taken:
        return base
    n = 2
    while f"{base} ({n})".lower() in taken:
        n += 1
    return f"{base} ({n})"


def _has_data(con: duckdb.DuckDBPyConnection, index: int) -> bool:
    col = f"c{index}"
    sql = f"SELECT count(*) FROM raw WHERE NULLIF(trim({col}), '') IS NOT NULL"
    return con.execute(sql).fetchone()[0] > 0


def clean_header(value: Any) -> str:
    """Return a header cell as a column name: text with its spaces collapsed."""
    if value is None:
        return ""
    text = str(value).replace("\ufeff", "")
    return re.sub(r"\s+", " ", text).strip()


def _final_names(names: list[str], renames: dict[str, str]) -> list[str]:
    unknown = [old for old in renames if old not in names]
    if unknown:
        raise DatasetError("options.unknown_column", {"column": unknown[0]}, column=unknown[0])
    final = [clean_header(renames.get(n, n)) for n in names]
    _check_unique(final)
    return final


def _check_unique(names: list[str]) -> None:
    lowered = [n.lower() for n in names]
    for i, name in enumerate(names):
        if not name:
            raise DatasetError("header.empty_name", {"position": i + 1}, column="")
        if len(name) > MAX_NAME:
            raise DatasetError("header.name_too_long", {"column": name}, column=name)
        if lowered.count(name.lower()) > 1:
            positions = [j + 1 for j, n in enumerate(lowered) if n == name.lower()]
            raise DatasetError(
                "header.duplicate_name", {"column": name, "positions": positions}, column=name
            )


def _plans(
    raw: RawTable,
    columns: list[int],
    forced: dict[int, str],
    sample: list[tuple[Any, ...]],
) -> dict[int, ColumnPlan]:
    plans: dict[int, ColumnPlan] = {}
    for pos, i in enumerate(columns):
        values = [row[pos + 1] for row in sample]
        if i in forced:
            plans[i] = plan_for_type(forced[i], values)
        elif i in raw.plans:
            plans[i] = raw.plans[i]
        else:
            plans[i] = infer_column(raw.names[i], values)
    return plans


def _forced_types(
    names: list[str], columns: list[int], options: IngestOptions, created: set[str] | None = None
) -> dict[int, str]:
    """Return the forced type per column index; `types` keys are original or renamed names.

    `created`: names of the columns a wide-to-long makes, whose type cannot be forced."""
    by_name = {names[i]: i for i in columns}
    by_name |= {new: by_name[old] for old, new in options.renames.items() if old in by_name}
    forced: dict[int, str] = {}
    for name, type_ in options.types.items():
        if options.unpivot and name not in by_name and (
            name in UNPIVOT_ROLES or name in (created or set())
        ):
            raise DatasetError("options.unpivot_type", {"column": name}, column=name)
        if name not in by_name:
            raise DatasetError("options.unknown_column", {"column": name}, column=name)
        if type_ not in FIELD_TYPES:
            raise DatasetError("options.bad_type", {"column": name, "type": type_}, column=name)
        forced[by_name[name]] = type_
    return forced


def _sample(con: duckdb.DuckDBPyConnection, columns: list[int]) -> list[tuple[Any, ...]]:
    """Return the first rows plus a repeatable random sample of the rest, rowid first."""
    select = ", ".join(["rowid", *(f"c{i}" for i in columns)])
    head = con.execute(f"SELECT {select} FROM raw LIMIT {SAMPLE_HEAD}").fetchall()
    rest = con.execute(
        f"SELECT {select} FROM raw USING SAMPLE reservoir({SAMPLE_RANDOM} ROWS) REPEATABLE (7)"
    ).fetchall()
    return head + rest


def _convert(
    con: duckdb.DuckDBPyConnection, columns: list[int], plans: dict[int, ColumnPlan]
) -> None:
    """Create the table `conv`: raw rowid `r`, raw texts `c<i>` and typed values `t<i>`."""
    typed = ", ".join(f"{typed_expression(f'c{i}', plans[i])} AS t{i}" for i in columns)
    raws = ", ".join(f"c{i}" for i in columns)
    con.execute(f"CREATE OR REPLACE TABLE conv AS SELECT rowid AS r, {raws}, {typed} FROM raw")


def _condition(i: int, plan: ColumnPlan) -> str:
    return problem_condition(f"c{i}", f"t{i}", plan)


def _problem_counts(
    con: duckdb.DuckDBPyConnection, plans: dict[int, ColumnPlan]
) -> tuple[dict[int, int], dict[int, int]]:
    """Return per column the values that did not convert, and the missing markers."""
    checked = [i for i, p in plans.items() if _condition(i, p) != "FALSE"]
    if not checked:
        return {i: 0 for i in plans}, {}
    select = ", ".join(
        f"count_if({_condition(i, plans[i])}), count_if({marker_condition(f'c{i}', f't{i}')})"
        for i in checked
    )
    row = con.execute(f"SELECT {select} FROM conv").fetchone()
    counts = dict(zip(checked, row[0::2], strict=True))
    markers = {i: n for i, n in zip(checked, row[1::2], strict=True) if n}
    return {i: counts.get(i, 0) for i in plans}, markers


def _settle_plans(
    con: duckdb.DuckDBPyConnection, columns: list[int], plans: dict[int, ColumnPlan]
) -> tuple[dict[int, ColumnPlan], dict[int, int], dict[int, dict[str, int]]]:
    """Return plans, problem counts and, per column, the count of each missing marker
    (`secret statistique`, `<5`…); integer columns with decimals further down widen."""
    _convert(con, columns, plans)
    counts, markers = _problem_counts(con, plans)
    widen = [i for i, n in counts.items() if n and plans[i] == ColumnPlan("integer", "number")]
    if widen:
        trial = plans | {i: ColumnPlan("decimal", "number") for i in widen}
        _convert(con, columns, trial)
        retry, _ = _problem_counts(con, trial)
        settled = {i: trial[i] if i in widen and retry[i] == 0 else plans[i] for i in plans}
        if settled != trial:
            _convert(con, columns, settled)
        plans = settled
        counts, markers = _problem_counts(con, settled)
    return plans, counts, {i: _marker_counts(con, i) for i in markers}


def _marker_counts(con: duckdb.DuckDBPyConnection, i: int) -> dict[str, int]:
    """Return how many cells of column `i` hold each missing marker, most frequent first."""
    sql = (
        f"SELECT trim(c{i}) AS m, count(*) AS n FROM conv "
        f"WHERE {marker_condition(f'c{i}', f't{i}')} GROUP BY 1 ORDER BY n DESC, m LIMIT 20"
    )
    return dict(con.execute(sql).fetchall())


def _problem_examples(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    columns: list[int],
    plans: dict[int, ColumnPlan],
    counts: dict[int, int],
) -> list[ParseProblem]:
    problems: list[ParseProblem] = []
    for i in columns:
        if not counts.get(i):
            continue
        sql = (
            f"SELECT r, c{i} FROM conv WHERE {_condition(i, plans[i])} "
            f"ORDER BY r LIMIT {PROBLEMS_PER_COLUMN}"
        )
        for rowid, value in con.execute(sql).fetchall():
            problems.append(ParseProblem(raw.line_of(rowid), raw.names[i], value, plans[i].type))
    return problems


def cluster_columns(types: list[str]) -> list[int]:
    """Positions of the columns to sort a large dataset by: at most one of each type of
    `CLUSTER_ORDER`, in that order, at most three."""
    chosen: list[int] = []
    for kind in CLUSTER_ORDER:
        position = next((i for i, t in enumerate(types) if t == kind), None)
        if position is not None:
            chosen.append(position)
    return chosen[:3]


def _write_parquet(
    con: duckdb.DuckDBPyConnection,
    columns: list[int],
    names: list[str],
    dest_dir: Path,
    order: list[int] | None = None,
) -> Path:
    """Return the path of the complete Parquet file, renamed into place once written.

    `order` lists the columns (raw positions) to sort rows by (see `CLUSTER_ORDER`)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / f"{uuid.uuid4().hex}.parquet"
    partial = dest_dir / f".{final.name}.partial"
    select = ", ".join(
        f"t{i} AS {quote_ident(name)}" for i, name in zip(columns, names, strict=True)
    )
    sort = " ORDER BY " + ", ".join(f"t{i} NULLS LAST" for i in order) if order else ""
    try:
        con.execute(
            f"COPY (SELECT {select} FROM conv{sort}) TO ? "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})",
            [str(partial)],
        )
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final


def _field(name: str, plan: ColumnPlan, options: IngestOptions) -> FieldInfo:
    description = options.descriptions.get(name, "")
    if plan.unit == "%" and not description:
        description = "Pourcentage : 12,5 % est enregistré 12.5"
    return FieldInfo(name, plan.type, options.labels.get(name, name), description, plan.unit)


def preview(con: duckdb.DuckDBPyConnection, parquet_path: Path, limit: int = PREVIEW_ROWS) -> list:
    """Return the first rows of a Parquet file, JSON-ready."""
    sql = f"SELECT * FROM read_parquet(?) LIMIT {int(limit)}"
    return json_rows(con.execute(sql, [str(parquet_path)]).fetchall())


def column_stats(
    con: duckdb.DuckDBPyConnection, parquet_path: Path, fields: list[FieldInfo]
) -> dict[str, ColumnStats]:
    """Return per-column stats: empties, distinct count, min/max, top values or histogram."""
    path = sql_string(str(parquet_path))
    con.execute(f"CREATE OR REPLACE TEMP VIEW typed AS SELECT * FROM read_parquet({path})")
    parts = []
    for f in fields:
        q = quote_ident(f.name)
        ranged = f.type not in ("geometry", "boolean")
        parts.append(f"count(*) - count({q}), count(DISTINCT {q})")
        parts.append(f"min({q}), max({q})" if ranged else "NULL, NULL")
    row = con.execute(f"SELECT {', '.join(parts)} FROM typed").fetchone()
    stats: dict[str, ColumnStats] = {}
    for n, f in enumerate(fields):
        empty, distinct, low, high = row[4 * n : 4 * n + 4]
        stat = ColumnStats(empty, distinct, json_value(low), json_value(high))
        if f.type in NUMERIC_TYPES and low is not None:
            stat.histogram = _histogram(con, f.name, float(low), float(high))
        elif f.type != "geometry":
            stat.top = _top_values(con, f.name)
        stats[f.name] = stat
    return stats


def _top_values(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[Any, int]]:
    q = quote_ident(name)
    sql = (
        f"SELECT {q}, count(*) AS n FROM typed WHERE {q} IS NOT NULL GROUP BY 1 "
        f"ORDER BY n DESC, 1 LIMIT {TOP_VALUES}"
    )
    return [(json_value(v), n) for v, n in con.execute(sql).fetchall()]


def _histogram(
    con: duckdb.DuckDBPyConnection, name: str, low: float, high: float
) -> list[tuple[float, float, int]]:
    width = (high - low) / HISTOGRAM_BINS or 1.0
    q = quote_ident(name)
    bucket = f"CAST(floor(({q} - {float(low)!r}) / {float(width)!r}) AS INTEGER)"
    sql = (
        f"SELECT least({bucket}, {HISTOGRAM_BINS - 1}) AS b, count(*) FROM typed "
        f"WHERE {q} IS NOT NULL GROUP BY 1 ORDER BY 1"
    )
    counts = dict(con.execute(sql).fetchall())
    bins = HISTOGRAM_BINS if high > low else 1
    return [(low + b * width, low + (b + 1) * width, counts.get(b, 0)) for b in range(bins)]
