"""Turning database values into JSON-ready values, and quoting identifiers."""

from __future__ import annotations

import math
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any


def json_value(value: Any) -> Any:
    """Return `value` as JSON can hold it: ISO text for dates, floats for decimals, no NaN."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return json_value(value.item())
    return str(value)


def _decimal(value: Decimal) -> int | float | None:
    if not value.is_finite():
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def json_rows(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """Return rows with every value JSON-ready."""
    return [[json_value(v) for v in row] for row in rows]


def quote_ident(name: str) -> str:
    """Return a double-quoted SQL identifier (DuckDB/PostgreSQL rules)."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """Return a single-quoted SQL string literal (for our own file paths, never user text)."""
    return "'" + text.replace("'", "''") + "'"
