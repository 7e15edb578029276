"""Locale-aware number and date formatting (French by default, English available).

French typography choices:

- thousands are separated by a narrow no-break space U+202F ("1 234 567"), as the
  Imprimerie nationale and CLDR recommend: it cannot break across lines and is narrower
  than a word space;
- a no-break space U+00A0 sits between a number and its unit, "%" or "€" ("8,4 %",
  "1 234,50 €", "1,2 M€"), so the unit never wraps to the next line;
- negative numbers use the real minus sign U+2212 ("−3,1"), in both locales;
- compact suffixes are "k", "M", "Md" (milliards) in French and "k", "M", "bn" in English.

English choices: "1,234.5", "8.4%", the euro stays the currency and is written before the
number ("€1,234.50", "€1.2M"); dates are ISO 8601 ("2026-11-23"), unambiguous for readers
on both sides of the Atlantic; months "Jan 2026", quarters "Q1 2026".

Missing values (None, NaN) are shown as an en dash "–".
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from typing import Any, Literal

from studio.spec.tiles import NumberFormat

Locale = Literal["fr", "en"]
LOCALES: tuple[str, ...] = ("fr", "en")

NNBSP = "\u202f"
NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "\u2013"

_SEPARATORS = {"fr": (",", NNBSP), "en": (".", ",")}
_COMPACT = {
    "fr": ((1e9, "Md"), (1e6, "M"), (1e3, "k")),
    "en": ((1e9, "bn"), (1e6, "M"), (1e3, "k")),
}
_MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin",
           "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_QUARTER = {"fr": "T", "en": "Q"}
_WEEK = {"fr": "S", "en": "W"}
_BOOL = {"fr": ("Oui", "Non"), "en": ("Yes", "No")}

DEFAULT_FORMAT = NumberFormat()


def normalize_locale(locale: str | None) -> Locale:
    """The supported locale closest to `locale` ("fr-FR" -> "fr"); French when unknown."""
    if locale and locale[:2].lower() == "en":
        return "en"
    return "fr"


def is_number(value: Any) -> bool:
    """True for an int or a finite float (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not (isinstance(value, float) and not math.isfinite(value))


def _digits(value: float, decimals: int, trim: bool, locale: Locale) -> str:
    """Absolute value with `decimals` digits and the locale's separators."""
    text = f"{abs(value):,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    decimal_mark, thousands = _SEPARATORS[locale]
    return text.replace(",", "\x00").replace(".", decimal_mark).replace("\x00", thousands)


def _auto_decimals(value: float, fmt: NumberFormat, compact: bool) -> tuple[int, bool]:
    """(decimals, trim trailing zeros) when the format leaves decimals automatic."""
    if fmt.decimals is not None:
        return fmt.decimals, False
    if compact or fmt.style == "percent":
        return 1, True
    if float(value).is_integer():
        return 0, False
    if fmt.style == "currency":
        return 2, False
    return 2, True


def _compact(value: float, locale: Locale) -> tuple[float, str]:
    for threshold, suffix in _COMPACT[locale]:
        if abs(value) >= threshold:
            return value / threshold, suffix
    return value, ""


def format_number(
    value: Any,
    locale: str = "fr",
    fmt: NumberFormat | None = None,
    *,
    signed: bool = False,
) -> str:
    """The number as text in the locale, following `fmt` (see the module docstring).

    `signed=True` writes "+" before positive numbers (changes: "+3,1 %").
    """
    if not is_number(value):
        return MISSING
    loc = normalize_locale(locale)
    fmt = fmt or DEFAULT_FORMAT
    number = float(value) * (100 if fmt.style == "percent" else 1)
    suffix = ""
    if fmt.compact:
        number, suffix = _compact(number, loc)
    decimals, trim = _auto_decimals(number, fmt, bool(suffix))
    digits = _digits(number, decimals, trim, loc)
    is_zero = round(abs(number), decimals) == 0
    sign = "" if is_zero else (MINUS if number < 0 else ("+" if signed else ""))
    return _with_unit(sign, digits, suffix, fmt, loc)


def _with_unit(sign: str, digits: str, suffix: str, fmt: NumberFormat, loc: Locale) -> str:
    """Assemble sign, digits, compact suffix and unit in the locale's order."""
    if loc == "fr":
        unit = {"percent": "%", "currency": "€"}.get(fmt.style, "")
        tail = suffix + unit
        text = sign + digits + (NBSP + tail if tail else "")
    else:
        prefix = "€" if fmt.style == "currency" else ""
        text = sign + prefix + digits + suffix + ("%" if fmt.style == "percent" else "")
    if fmt.unit:
        glue = "" if (fmt.unit == "%" and loc == "en") else NBSP
        text += glue + fmt.unit
    return text


def format_percent(value: Any, locale: str = "fr", decimals: int | None = 1,
                   *, signed: bool = False) -> str:
    """A fraction as a percentage: 0.084 -> "8,4 %" (fr), "8.4%" (en)."""
    fmt = NumberFormat(style="percent", decimals=decimals)
    return format_number(value, locale, fmt, signed=signed)


def format_change(value: Any, locale: str = "fr", *, as_percent: bool = True,
                  fmt: NumberFormat | None = None) -> str:
    """A signed change: a relative one as "+3,1 %" / "−3,1 %", or an absolute one in `fmt`."""
    if as_percent:
        return format_percent(value, locale, 1, signed=True)
    return format_number(value, locale, fmt, signed=True)


# --- dates ---------------------------------------------------------------------------------


def to_date(value: Any) -> date | None:
    """A date from a date, datetime, ISO text or year number; `None` when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9999:
        return date(value, 1, 1)
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            if len(text) == 4 and text.isdigit():
                return date(int(text), 1, 1)
    return None


def format_date(value: Any, locale: str = "fr") -> str:
    """A day: "23/11/2026" in French, ISO "2026-11-23" in English; the text itself otherwise."""
    day = to_date(value)
    if day is None:
        return MISSING if value is None else str(value)
    if normalize_locale(locale) == "fr":
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    return day.isoformat()


def format_period(value: Any, grain: str | None, locale: str = "fr") -> str:
    """A period start as its grain reads: "janv. 2026", "T1 2026", "S47 2026", "2026"."""
    day = to_date(value)
    if day is None:
        return MISSING if value is None else str(value)
    loc = normalize_locale(locale)
    if grain == "year":
        return str(day.year)
    if grain == "quarter":
        return f"{_QUARTER[loc]}{(day.month - 1) // 3 + 1}{NBSP}{day.year}"
    if grain == "month":
        return f"{_MONTHS[loc][day.month - 1]}{NBSP}{day.year}"
    if grain == "week":
        iso_year, week, _ = day.isocalendar()
        return f"{_WEEK[loc]}{week:02d}{NBSP}{iso_year}"
    return format_date(day, loc)


def format_value(value: Any, locale: str = "fr", fmt: NumberFormat | None = None,
                 grain: str | None = None) -> str:
    """Any result cell as text: numbers by `fmt`, dates by `grain`, booleans as Oui/Non."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, bool):
        yes, no = _BOOL[normalize_locale(locale)]
        return yes if value else no
    if grain is not None or isinstance(value, date):
        return format_period(value, grain or "day", locale)
    if is_number(value):
        return format_number(value, locale, fmt)
    return str(value)


def format_category(value: Any, locale: str = "fr", grain: str | None = None) -> str:
    """A grouping value as a label: periods by `grain`, numbers as written (codes, years)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and grain is None:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value) if is_number(value) else MISSING
    return format_value(value, locale, None, grain)


# --- plotly --------------------------------------------------------------------------------


def plotly_separators(locale: str = "fr") -> str:
    """Plotly's `layout.separators`: decimal mark then thousands separator."""
    decimal_mark, thousands = _SEPARATORS[normalize_locale(locale)]
    return decimal_mark + thousands


def d3_format(fmt: NumberFormat | None = None) -> str:
    """A d3-format string for plotly axes (`tickformat`) matching `fmt`."""
    fmt = fmt or DEFAULT_FORMAT
    if fmt.compact:
        return "~s"
    if fmt.style == "percent":
        return f",.{1 if fmt.decimals is None else fmt.decimals}~%"
    if fmt.decimals is None:
        return ",.2~f"
    return f",.{fmt.decimals}f"


def axis_affixes(fmt: NumberFormat | None, locale: str = "fr") -> tuple[str, str]:
    """(tickprefix, ticksuffix) for plotly axes: the euro sign and the unit."""
    fmt = fmt or DEFAULT_FORMAT
    loc = normalize_locale(locale)
    prefix = "€" if (fmt.style == "currency" and loc == "en") else ""
    suffix = NBSP + "€" if (fmt.style == "currency" and loc == "fr") else ""
    if fmt.unit:
        suffix += ("" if (fmt.unit == "%" and loc == "en") else NBSP) + fmt.unit
    return prefix, suffix


def slugify(text: str, max_length: int = 60) -> str:
    """A lowercase ASCII slug of the text (accents dropped, words joined by `-`)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")
