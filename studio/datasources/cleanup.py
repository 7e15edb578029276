"""Rows that are not data: notes and sources below a table, totals and subtotals within it.

Published French tables end with "Source : DREES…" and notes, and hold "Total France",
"France métropolitaine" or "DOM" rows: kept as rows, every sum over the file doubles. This
module finds them in the DuckDB `raw` table (text columns `c0`, `c1`…) so `tabular` can set
them aside and report them. Values from the file only ever reach SQL as bound parameters.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import duckdb

from studio.datasources.convert import typed_expression
from studio.datasources.infer import GEO_RULES, GEO_WIDTH, RE_DECIMAL, RE_YEAR, ColumnPlan

TAIL_ROWS = 60
"""How many last rows are looked at for notes (a table's notes are a few lines)."""
MAX_TOTAL_ROWS = 5000
LABEL_COLUMNS = 4
MAX_DIMENSION_VALUES = 60
TOTAL_LABEL = (
    r"\s*((sous[- ]?)?total(\W.*)?|ensemble(\W.*)?|france(\W.*)?|dom|drom|dom[- ]tom"
    r"|m[ée]tropole|outre[- ]mer)\s*"
)
TOTAL_PREFIX = r"^\s*(?i:(sous[- ]?)?total|ensemble|france|dom|drom|m[ée]tropole|outre[- ]mer)"
"""A cheaper test first (a prefix), the full label test only on the rows that pass."""
RE_TOTAL_LABEL = re.compile(TOTAL_LABEL, re.IGNORECASE)
RE_NOTE_START = re.compile(
    r"\s*(sources?\b|notes?\b|champ\b|lecture\b|avertissement|attention\b|guide de lecture"
    r"|d[ée]finitions?\b|n\.?b\.?\b|\*|\(\d+\)|\d+\)|©|donn[ée]es provisoires|mise? [àa] jour"
    r"|publi[ée]|r[ée]alisation\b|traitement\b|produit par|date de)",
    re.IGNORECASE,
)
RE_SOURCE = re.compile(r"\s*sources?\s*:", re.IGNORECASE)
CLOSE_SHARE = 0.01
MAX_CODELESS = 20
CODELESS_SHARE = 0.05
NOTE_MIN_WORDS = 4


def row_text(cells: list[Any]) -> str:
    """Return the non-empty cells of a row joined by spaces."""
    return " ".join(str(c).strip() for c in cells if c is not None and str(c).strip())


def is_note_row(cells: list[Any], width: int) -> bool:
    """True when a row reads as a note, a source or a blank separator, not as data."""
    filled = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    if not filled:
        return True
    if RE_NOTE_START.match(filled[0]):
        return len(filled) <= max(1, width // 2)
    # a lone sentence is a note; a lone short word may be a sparse data row ("Ain;;")
    return len(filled) == 1 and not RE_DECIMAL.fullmatch(filled[0]) and (
        len(filled[0].split()) >= NOTE_MIN_WORDS
    )


def citation(notes: list[str]) -> str | None:
    """Return the first "Source(s) : …" line of the notes, offered as the dataset's source."""
    return next((n for n in notes if RE_SOURCE.match(n)), None)


def trailing_notes(con: duckdb.DuckDBPyConnection, columns: list[int]) -> list[tuple[int, str]]:
    """Return (rowid, text) of the note and blank rows that end the `raw` table."""
    count = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    if count == 0:
        return []
    select = ", ".join(f"c{i}" for i in columns)
    tail = con.execute(
        f"SELECT rowid, {select} FROM raw WHERE rowid >= ? ORDER BY rowid",
        [max(0, count - TAIL_ROWS)],
    ).fetchall()
    found: list[tuple[int, str]] = []
    for row in reversed(tail):
        if not is_note_row(list(row[1:]), len(columns)):
            break
        found.append((row[0], row_text(list(row[1:]))))
    if len(found) == count:  # only notes: leave the table alone, the person will see it
        return []
    return list(reversed(found))


@dataclass
class Total:
    """A total row: its rowid in `raw`, its label and the column that holds the label."""

    rowid: int
    label: str
    column: int
    values: dict[int, str | None]


def find_totals(
    con: duckdb.DuckDBPyConnection,
    columns: list[int],
    plans: dict[int, ColumnPlan],
) -> list[Total]:
    """Return the rows labelled as totals ("Total France", "Ensemble", "DOM"…).

    A label counts in a text or code column where fewer than half the rows carry one; when
    the table has a territory-code column, the row's code must be empty or not a code."""
    labels = [i for i in columns if plans[i].type == "text" or plans[i].type in GEO_WIDTH]
    labels = labels[:LABEL_COLUMNS]
    if not labels:
        return []
    rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    full = TOTAL_LABEL.replace("'", "''")
    matched = {
        i: f"(CASE WHEN regexp_matches(c{i}, '{TOTAL_PREFIX}') "
        f"THEN regexp_full_match(c{i}, '{full}', 'i') ELSE FALSE END)"
        for i in labels
    }
    counts = con.execute(
        "SELECT "
        + ", ".join(f"count_if({m})" for m in matched.values())
        + " FROM raw"
    ).fetchone()
    usable = [i for i, n in zip(labels, counts, strict=True) if 0 < n < rows / 2]
    if not usable or sum(counts) > MAX_TOTAL_ROWS:
        return []
    select = ", ".join(f"c{i}" for i in columns)
    where = " OR ".join(matched[i] for i in usable)
    found = con.execute(f"SELECT rowid, {select} FROM raw WHERE {where} ORDER BY rowid").fetchall()
    geo = [i for i in columns if plans[i].type in GEO_WIDTH]
    totals: list[Total] = []
    for row in found:
        values = dict(zip(columns, row[1:], strict=True))
        column = next(i for i in usable if values[i] and RE_TOTAL_LABEL.fullmatch(values[i]))
        if any(_is_code(plans[g].type, values[g]) for g in geo if g != column):
            continue
        totals.append(Total(row[0], " ".join(values[column].split()), column, values))
    return totals


def codeless_rows(
    con: duckdb.DuckDBPyConnection,
    columns: list[int],
    plans: dict[int, ColumnPlan],
    known: set[int],
) -> list[Total]:
    """Return the few rows without any territory code in a table of territories: candidate
    totals even unlabelled; `tabular` keeps those whose numbers add up to the other rows."""
    geo = [i for i in columns if plans[i].type in GEO_WIDTH]
    if not geo:
        return []
    empty = " AND ".join(f"NULLIF(trim(c{g}), '') IS NULL" for g in geo)
    rows, found = con.execute(f"SELECT count(*), count_if({empty}) FROM raw").fetchone()
    if not 0 < found <= MAX_CODELESS or found >= rows * CODELESS_SHARE:
        return []
    select = ", ".join(f"c{i}" for i in columns)
    texts = [i for i in columns if plans[i].type == "text"]
    candidates: list[Total] = []
    sql = f"SELECT rowid, {select} FROM raw WHERE {empty} ORDER BY rowid"
    for row in con.execute(sql).fetchall():
        if row[0] in known:
            continue
        values = dict(zip(columns, row[1:], strict=True))
        label = " ".join((values[texts[0]] or "").split()) if texts else ""
        candidates.append(Total(row[0], label, texts[0] if texts else -1, values))
    return candidates


def _is_code(type_: str, value: str | None) -> bool:
    if value is None or not value.strip():
        return False
    shape = next(s for t, _, s in GEO_RULES if t == type_)
    return bool(shape.fullmatch(value.strip().upper()))


def check_totals(
    con: duckdb.DuckDBPyConnection,
    totals: list[Total],
    columns: list[int],
    plans: dict[int, ColumnPlan],
    names: list[str],
    sample: list[tuple[Any, ...]],
) -> dict[int, list[dict[str, Any]]]:
    """Return, per total rowid, each measure's value beside the sum of the other rows of
    its group (rows with the same year, series… as the total row)."""
    if not totals:
        return {}
    measures, dimensions = _roles(columns, plans, sample)
    if not measures:
        return {}
    con.execute(
        "CREATE OR REPLACE TEMP TABLE aside AS SELECT unnest(?) AS r", [[t.rowid for t in totals]]
    )
    typed = {m: typed_expression(f"c{m}", plans[m]) for m in measures}
    own = dict(
        (row[0], row[1:])
        for row in con.execute(
            f"SELECT rowid, {', '.join(typed.values())} FROM raw "
            "WHERE rowid IN (SELECT r FROM aside)"
        ).fetchall()
    )
    results: dict[int, list[dict[str, Any]]] = {}
    groups: dict[tuple[int, ...], list[Total]] = {}
    for total in totals:
        dims = tuple(d for d in dimensions if d != total.column and total.values.get(d))
        groups.setdefault(dims, []).append(total)
    for dims, members in groups.items():
        key = [f"NULLIF(trim(c{d}), '')" for d in dims]
        sums = ", ".join(f"sum({e})" for e in typed.values())
        group_by = f" GROUP BY {', '.join(key)}" if key else ""
        select_key = ", ".join(key) + ", " if key else ""
        sql = (
            f"SELECT {select_key}{sums} FROM raw WHERE rowid NOT IN (SELECT r FROM aside){group_by}"
        )
        by_key = {tuple(r[: len(dims)]): r[len(dims) :] for r in con.execute(sql).fetchall()}
        for total in members:
            wanted = tuple((total.values[d] or "").strip() or None for d in dims)
            summed = by_key.get(wanted)
            checks = []
            for pos, m in enumerate(measures):
                value = own.get(total.rowid, [None] * len(measures))[pos]
                if value is None:
                    continue
                rows_sum = summed[pos] if summed else None
                checks.append(_check(names[m], value, rows_sum))
            results[total.rowid] = checks
    _mark_subtotals(totals, results)
    return results


def _roles(
    columns: list[int], plans: dict[int, ColumnPlan], sample: list[tuple[Any, ...]]
) -> tuple[list[int], list[int]]:
    """Return the measure columns (numbers) and the dimension columns (year, series…)."""
    measures: list[int] = []
    dimensions: list[int] = []
    for pos, i in enumerate(columns):
        values = Counter(
            str(r[pos]).strip() for r in sample if r[pos] is not None and str(r[pos]).strip()
        )
        kind = plans[i].type
        if kind == "integer" and values and all(RE_YEAR.fullmatch(v) for v in values):
            dimensions.append(i)
        elif kind in ("integer", "decimal"):
            measures.append(i)
        elif kind in ("text", "date", "boolean") and len(values) <= MAX_DIMENSION_VALUES:
            dimensions.append(i)
    return measures[:6], dimensions


def _check(column: str, value: float, rows_sum: float | None) -> dict[str, Any]:
    value = float(value)
    if rows_sum is None:
        return {
            "column": column,
            "total": value,
            "sum": None,
            "status": "different",
            "gap_pct": None,
        }
    rows_sum = float(rows_sum)
    gap = abs(value - rows_sum)
    gap_pct = 100 * gap / abs(value) if value else (0.0 if not gap else 100.0)
    if gap <= 1e-9 * max(1.0, abs(value)) or gap < 0.005:
        status = "equal"
    elif gap_pct <= 100 * CLOSE_SHARE:
        status = "close"
    else:
        status = "different"
    return {
        "column": column,
        "total": _plain(value),
        "sum": _plain(rows_sum),
        "status": status,
        "gap_pct": round(gap_pct, 2),
    }


def _plain(value: float) -> float | int:
    return int(value) if value.is_integer() else value


def _mark_subtotals(totals: list[Total], results: dict[int, list[dict[str, Any]]]) -> None:
    """A total smaller than the rows' sum, where a larger total of the table does add up,
    is a subtotal (France métropolitaine, DOM beside France)."""
    agreeing = {
        c["column"]: c["total"]
        for checks in results.values()
        for c in checks
        if c["status"] in ("equal", "close")
    }
    for checks in results.values():
        for c in checks:
            grand = agreeing.get(c["column"])
            if c["status"] == "different" and grand is not None and c["total"] < grand:
                c["status"] = "subtotal"
