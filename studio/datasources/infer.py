"""Type inference on a sample of text values, with French conventions.

The result of inference is a `ColumnPlan`: a field type and the text format the values are
written in (decimal comma, dd/mm/yyyy…). `convert.py` turns a plan into a SQL expression
that DuckDB runs on the whole column.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Tokens that mean "no value" in French statistical tables (secret, not significant…).
MISSING_TOKENS = (
    "-", "--", "\u2212", "\u2013", "\u2014", "ns", "n.s.", "nd", "n.d.", "n.d", "nc", "n.c.",
    "na", "n/a", "nr", "n.r.", "s", "(s)", "secret", "secret statistique", "(secret)", "…",
    "...", "so", "s.o.",
)
MISSING_PATTERN = r"<\s*[0-9]+"
"""Small counts hidden for secrecy ("<5", "< 11") are missing values too."""
RE_MISSING = re.compile(MISSING_PATTERN)
TRUE_TOKENS = ("oui", "vrai", "true", "yes", "o", "y")
FALSE_TOKENS = ("non", "faux", "false", "no", "n")
BOOLEAN_WORDS = ("oui", "non", "vrai", "faux", "true", "false", "yes", "no")
SPACES = " \u00a0\u202f"
MATCH_SHARE = 0.98  # share of sample values that must fit a type; the rest become problems
GEO_MATCH_SHARE = 0.9  # codes columns often hold a few totals rows ("France", "DOM")

_SEP = f"[{SPACES}]"
_SIGN = "[+\\-\u2212]?"  # U+2212 is the typographic minus sign of French publications
_INT = rf"{_SIGN}(\d{{1,3}}({_SEP}\d{{3}})+|\d+)"
_DEC = rf"{_SIGN}((\d{{1,3}}({_SEP}\d{{3}})+|\d+)?[.,]\d+([eE][+-]?\d+)?|\d+[eE][+-]?\d+)"
RE_INTEGER = re.compile(_INT)
RE_DECIMAL = re.compile(rf"{_INT}|{_DEC}")
RE_PERCENT = re.compile(rf"({_INT}|{_DEC}){_SEP}?%")
RE_LEADING_ZERO = re.compile(r"0\d+")
RE_YEAR = re.compile(r"(1[89]|2[01])\d\d")

FRENCH_MONTHS = ("jan", "fev", "mar", "avr", "mai", "juin", "juil", "aou", "sep", "oct", "nov",
                 "dec")  # fmt: skip
"""The keys of the French month names, unaccented: 3 letters, 4 for juin / juillet."""


def french_month(word: str) -> int | None:
    """The month (1-12) a French month name or abbreviation stands for ("déc.", "juillet")."""
    plain = unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()
    key = plain[:4] if plain.startswith("ju") else plain[:3]
    return FRENCH_MONTHS.index(key) + 1 if key in FRENCH_MONTHS else None


_MONTH = (
    r"(janv(ier)?|jan|f[ée]vr?(ier)?|mars?|avr(il)?|mai|juin|juil(let)?|ao[uû]t?|sept?(embre)?"
    r"|oct(obre)?|nov(embre)?|d[ée]c(embre)?)\.?"
)
DATE_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    # (format id, field type, shape)
    ("dmy", "date", re.compile(r"(0?[1-9]|[12]\d|3[01])/(0?[1-9]|1[0-2])/\d{4}")),
    ("dmy_dash", "date", re.compile(r"(0?[1-9]|[12]\d|3[01])-(0?[1-9]|1[0-2])-\d{4}")),
    ("ymd", "date", re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")),
    ("my", "date", re.compile(r"(0?[1-9]|1[0-2])/\d{4}")),
    ("ym", "date", re.compile(r"\d{4}-(0[1-9]|1[0-2])")),
    (
        "ymd_hms",
        "datetime",
        re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?Z?"),
    ),
    ("dmy_hms", "datetime", re.compile(r"\d{1,2}/\d{1,2}/\d{4} \d\d?:\d\d(:\d\d)?")),
    # French month names: "31 déc. 2019", "1er janvier 2020"; "janv.-24", "décembre 2019"
    ("dmy_fr", "date", re.compile(rf"(0?[1-9]|[12]\d|3[01]|1er)\s+{_MONTH}\s+\d{{4}}", re.I)),
    ("my_fr", "date", re.compile(rf"{_MONTH}(\s+|\s*-\s*)(\d{{4}}|\d\d)", re.I)),
    # quarters: "T1 2024", "2024-T1", "2024T1" (first day of the quarter)
    ("quarter", "date", re.compile(r"T[1-4][\s-]*\d{4}|\d{4}[\s-]*T[1-4]", re.I)),
)
DATE_FORMATS = {fmt: type_ for fmt, type_, _ in DATE_PATTERNS} | {"y": "date"}

GEO_RULES: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    # (type, column name pattern on the normalised name, value shape)
    (
        "commune",
        re.compile(r"(^|_)(code_?)?(com|commune|codgeo|code_?geo|insee|depcom|code_?insee)s?($|_)"),
        re.compile(r"\d{4,5}|2[AB]\d{3}"),
    ),
    (
        "departement",
        re.compile(r"(^|_)(n_?|num_?|no_?)?(code_?)?(dep|dept|dpt|departement)s?($|_)"),
        re.compile(r"0?[1-9]|[1-8]\d|9[0-5]|20?[AB]|97[1-8]|98[6-9]|69[DM]"),
    ),
    ("epci", re.compile(r"(^|_)(code_?)?(epci|siren_?epci)s?($|_)"), re.compile(r"\d{9}")),
    ("region", re.compile(r"(^|_)(code_?)?(reg|region)s?($|_)"), re.compile(r"\d{1,2}")),
)
REGION_CODES = frozenset(
    (
        "01",
        "02",
        "03",
        "04",
        "06",
        "11",
        "24",
        "27",
        "28",
        "32",
        "44",
        "52",
        "53",
        "75",
        "76",
        "84",
        "93",
        "94",
    )
)
# Columns whose name says they hold codes or identifiers are never numbers.
RE_CODE_NAME = re.compile(r"(^|_)(code|codes|cod|insee|siren|siret|postal|cp|id|identifiant)($|_)")
RE_GENERIC_CODE_NAME = re.compile(r"(code|code_?insee|codgeo|cog|insee)")
GEO_WIDTH = {"commune": 5, "departement": 2, "epci": 9, "region": 2}


@dataclass(frozen=True)
class ColumnPlan:
    """How to read one text column: its field type and the format of its values."""

    type: str
    format: str | None = None
    unit: str | None = None


def normalise_name(name: str) -> str:
    """Return the column name lowercased, without accents, words joined by underscores."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def is_missing(value: str) -> bool:
    """Return True when a cleaned value means "no value" in a typed column."""
    return value.lower() in MISSING_TOKENS or bool(RE_MISSING.fullmatch(value))


def infer_column(name: str, values: Iterable[str | None]) -> ColumnPlan:
    """Return the plan for a column, given its name and a sample of its raw text values."""
    cleaned = Counter(v.strip() for v in values if v is not None and v.strip())
    if not cleaned:
        return ColumnPlan("text")
    normalised = normalise_name(name)
    geo = _geo_type(normalised, cleaned)
    if geo:
        return ColumnPlan(geo, "geo")
    if RE_CODE_NAME.search(normalised) or any(RE_LEADING_ZERO.fullmatch(v) for v in cleaned):
        return ColumnPlan("text")
    present = Counter({v: n for v, n in cleaned.items() if not is_missing(v)})
    if not present:
        return ColumnPlan("text")
    return _typed_plan(name, present) or ColumnPlan("text")


def _typed_plan(name: str, values: Counter[str]) -> ColumnPlan | None:
    if all(v.lower() in BOOLEAN_WORDS for v in values):
        return ColumnPlan("boolean", "words")
    if _share(values, RE_INTEGER.fullmatch) >= MATCH_SHARE:
        return _integer_or_year(name, values)
    if _share(values, RE_DECIMAL.fullmatch) >= MATCH_SHARE:
        return ColumnPlan("decimal", "number")
    if _share(values, RE_PERCENT.fullmatch) >= MATCH_SHARE:
        return ColumnPlan("decimal", "percent", "%")
    for fmt, type_, pattern in DATE_PATTERNS:
        if _share(values, pattern.fullmatch) >= MATCH_SHARE:
            return ColumnPlan(type_, fmt)
    return None


def _integer_or_year(name: str, values: Counter[str]) -> ColumnPlan:
    """Years stay integers (`annee` sums and sorts well) unless the name says it is a date."""
    if "date" in normalise_name(name) and all(RE_YEAR.fullmatch(v) for v in values):
        return ColumnPlan("date", "y")
    return ColumnPlan("integer", "number")


def _geo_type(normalised: str, values: Counter[str]) -> str | None:
    upper = Counter({v.upper(): n for v, n in values.items()})
    for type_, name_pattern, shape in GEO_RULES:
        if name_pattern.search(normalised) and _share(upper, shape.fullmatch) >= GEO_MATCH_SHARE:
            return type_
    if RE_GENERIC_CODE_NAME.fullmatch(normalised):
        return _geo_type_by_shape(upper)
    return None


def _geo_type_by_shape(values: Counter[str]) -> str | None:
    """For a column just called "code": INSEE codes are recognised by their shape alone."""
    if all(v in REGION_CODES for v in values):
        return "region"
    for type_, _, shape in GEO_RULES:
        if type_ != "region" and all(shape.fullmatch(v) and len(v) >= 2 for v in values):
            return type_
    return None


def _share(values: Counter[str], test: Callable[[str], object]) -> float:
    """Return the share of sample values (with their repeats) for which `test` holds."""
    matched = sum(n for v, n in values.items() if test(v))
    return matched / values.total()


def plan_for_type(type_: str, values: Iterable[str | None]) -> ColumnPlan:
    """Return the plan for a type the user forced, finding the value format in the sample."""
    present = Counter(v.strip() for v in values if v and v.strip() and not is_missing(v.strip()))
    if type_ in ("date", "datetime"):
        for fmt, ftype, pattern in DATE_PATTERNS:
            if ftype == type_ and present and _share(present, pattern.fullmatch) >= 0.5:
                return ColumnPlan(type_, fmt)
        if type_ == "date" and present and all(RE_YEAR.fullmatch(v) for v in present):
            return ColumnPlan("date", "y")
        return ColumnPlan(type_, "dmy" if type_ == "date" else "ymd_hms")
    if type_ == "decimal" and present and _share(present, RE_PERCENT.fullmatch) >= 0.5:
        return ColumnPlan("decimal", "percent", "%")
    formats = {"integer": "number", "decimal": "number", "boolean": "words", "geometry": None}
    return ColumnPlan(type_, "geo" if type_ in GEO_WIDTH else formats.get(type_))
