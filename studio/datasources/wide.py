"""Wide to long: published tables put years (months, quarters) in columns; charts over time
need them in rows. This module finds such columns by their names and rebuilds the typed
`conv` table with one row per (row, column): a `periode` date, a `serie` when the column
names carry a series label ("Total RSA socle 2009" / "Total RSA 2016"), and a `valeur`.

Column names only reach SQL as bound parameters (the table `wide_periods`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb

from studio.datasources.errors import DatasetError
from studio.datasources.infer import ColumnPlan, french_month

_YEAR = r"(?<!\d)((?:19|20)\d\d)(?!\d)"
RE_QUARTER = re.compile(
    rf"\bT([1-4])\s*[-/ ]?\s*{_YEAR}|{_YEAR}\s*[-/ ]?\s*T([1-4])\b", re.IGNORECASE
)
RE_MONTH_NAME = re.compile(
    rf"\b(janv?|f[ée]vr?|mars?|avr|mai|juin|juil|ao[uû]t?|sept?|oct|nov|d[ée]c)[a-zéû]*\.?"
    rf"[\s-]*{_YEAR}",
    re.IGNORECASE,
)
RE_MONTH_NUMBER = re.compile(rf"(?<!\d)(0[1-9]|1[0-2])/{_YEAR}|{_YEAR}-(0[1-9]|1[0-2])(?!\d)")
RE_YEAR = re.compile(_YEAR)
RE_FOOTNOTE = re.compile(r"\(\s*\d+\s*\)|\*+")
MIN_COLUMNS = 2


@dataclass
class Period:
    """What a column name says: its period (first day) and the rest of the name, without
    footnote calls (`series`) and with them (`marked`)."""

    start: date
    series: str
    marked: str = ""


def period_of(name: str) -> Period | None:
    """Return the period a column name holds ("2019", "T1 2024", "janv. 2020", "2016 (1)")."""
    for pattern, build in (
        (RE_QUARTER, _quarter),
        (RE_MONTH_NAME, _month_name),
        (RE_MONTH_NUMBER, _month_number),
        (RE_YEAR, lambda m: date(int(m.group(1)), 1, 1)),
    ):
        match = pattern.search(name)
        if match:
            start = build(match)
            if start is None:
                continue
            rest = name[: match.start()] + " " + name[match.end() :]
            plain = " ".join(RE_FOOTNOTE.sub(" ", rest).split()).strip(" -–:,")
            return Period(start, plain, " ".join(rest.split()).strip(" -–:,"))
    return None


def _quarter(match: re.Match[str]) -> date:
    quarter = int(match.group(1) or match.group(4))
    year = int(match.group(2) or match.group(3))
    return date(year, 3 * quarter - 2, 1)


def _month_name(match: re.Match[str]) -> date | None:
    month = french_month(match.group(1))
    return date(int(match.group(2)), month, 1) if month else None


def _month_number(match: re.Match[str]) -> date:
    if match.group(1):
        return date(int(match.group(2)), int(match.group(1)), 1)
    return date(int(match.group(3)), int(match.group(4)), 1)


def _distinct_series(periods: list[Period]) -> None:
    """Where two columns give the same period and series once footnote calls are dropped
    (DREES's "Total RSA 2016" and "Total RSA 2016 (2)", two systems for one year), keep
    their calls so the two series stay apart."""
    seen: dict[tuple[date, str], int] = {}
    for p in periods:
        seen[(p.start, p.series)] = seen.get((p.start, p.series), 0) + 1
    clashing = {series for (_start, series), n in seen.items() if n > 1}
    for p in periods:
        if p.series in clashing and p.marked != p.series:
            p.series = p.marked


def period_columns(
    names: list[str], columns: list[int], plans: dict[int, ColumnPlan]
) -> list[int]:
    """Return the numeric columns whose names are periods (at least two, else none)."""
    found = [
        i
        for i in columns
        if plans[i].type in ("integer", "decimal") and period_of(names[i]) is not None
    ]
    return found if len(found) >= MIN_COLUMNS else []


@dataclass
class Unpivoted:
    """The columns of the long table: kept positions, and the new ones' positions."""

    columns: list[int]
    plans: dict[int, ColumnPlan]
    new: dict[str, int]
    """Role ("periode", "serie", "colonne", "valeur") to the new column's position."""
    value_label: str = ""
    """The series every column shares ("Total RSA"), as the value column's label."""


def unpivot(
    con: duckdb.DuckDBPyConnection,
    names: list[str],
    columns: list[int],
    plans: dict[int, ColumnPlan],
    chosen: list[int],
) -> Unpivoted:
    """Rebuild `conv` with the `chosen` columns turned into rows; return the new layout."""
    if len(chosen) < 1 or any(plans[i].type not in ("integer", "decimal") for i in chosen):
        bad = next((names[i] for i in chosen if plans[i].type not in ("integer", "decimal")), "")
        raise DatasetError("options.unpivot_not_numeric", {"column": bad}, column=bad)
    periods = [period_of(names[i]) for i in chosen]
    dated = all(p is not None for p in periods)
    if dated:
        _distinct_series(periods)  # type: ignore[arg-type]
    series = {p.series for p in periods if p} if dated else set()
    with_series = dated and len(series) > 1
    kept = [i for i in columns if i not in chosen]
    width = max(columns) + 1
    new = {"periode" if dated else "colonne": width, "valeur": width + 2}
    if with_series:
        new["serie"] = width + 1
    con.execute("CREATE OR REPLACE TEMP TABLE wide_periods "
                "(k VARCHAR, pos INTEGER, periode DATE, serie VARCHAR, colonne VARCHAR)")
    con.executemany(
        "INSERT INTO wide_periods VALUES (?, ?, ?, ?, ?)",
        [
            [f"t{i}", pos, p.start if p else None, (p.series or None) if p else None, names[i]]
            for pos, (i, p) in enumerate(zip(chosen, periods, strict=True))
        ],
    )
    integer = all(plans[i].type == "integer" for i in chosen)
    value_type = "BIGINT" if integer else "DOUBLE"
    inner = ", ".join(
        ["r", *(f"t{i}" for i in kept), *(f"CAST(t{i} AS {value_type}) AS t{i}" for i in chosen)]
    )
    on = ", ".join(f"t{i}" for i in chosen)
    extra = [f"p.periode AS t{width}" if dated else f"p.colonne AS t{width}"]
    if with_series:
        extra.append(f"p.serie AS t{width + 1}")
    select = ", ".join(["u.r", *(f"u.t{i}" for i in kept), *extra, f"u.valeur AS t{width + 2}"])
    con.execute(
        f"CREATE OR REPLACE TABLE conv AS SELECT {select} FROM "
        f"(UNPIVOT (SELECT {inner} FROM conv) ON {on} INTO NAME k VALUE valeur) u "
        "JOIN wide_periods p ON p.k = u.k ORDER BY u.r, p.pos"
    )
    new_plans = {i: plans[i] for i in kept}
    new_plans[width] = ColumnPlan("date", "ymd") if dated else ColumnPlan("text")
    if with_series:
        new_plans[width + 1] = ColumnPlan("text")
    new_plans[width + 2] = ColumnPlan("integer" if integer else "decimal", "number")
    layout = [*kept, width, *([width + 1] if with_series else []), width + 2]
    label = next(iter(series)) if len(series) == 1 else ""
    return Unpivoted(layout, new_plans, new, label)
