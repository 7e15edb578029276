"""DuckDB expressions that turn a raw text column into its typed value, following a plan.

Every expression here is built from our own constants and from internal column names
(`c0`, `c1`…); no text from the file reaches the SQL.
"""

from __future__ import annotations

from studio.datasources.infer import (
    FALSE_TOKENS,
    FRENCH_MONTHS,
    GEO_WIDTH,
    MISSING_PATTERN,
    MISSING_TOKENS,
    SPACES,
    TRUE_TOKENS,
    ColumnPlan,
)

STRPTIME_FORMATS = {
    "dmy": "['%d/%m/%Y']",
    "dmy_dash": "['%d-%m-%Y']",
    "ymd": "['%Y-%m-%d']",
    "ymd_hms": "['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', "
    "'%Y-%m-%dT%H:%M', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f', "
    "'%Y-%m-%dT%H:%M:%SZ']",
    "dmy_hms": "['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M']",
}


def _sql_list(tokens: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + t.replace("'", "''") + "'" for t in tokens) + ")"


def trimmed(col: str) -> str:
    """Return the expression of the value without surrounding spaces, NULL when empty."""
    return f"NULLIF(trim({col}), '')"


def _number_text(col: str) -> str:
    """Digits with thousands separators removed and a decimal comma turned into a point.

    Missing-value tokens ("-", "ns"…) simply fail the cast; `problem_condition` tells them
    apart from real problems. Plain `replace` is several times faster than a regex here.
    """
    text = col
    for space in SPACES:
        text = f"replace({text}, '{space}', '')"
    return f"NULLIF(replace(replace({text}, ',', '.'), '\u2212', '-'), '')"


def typed_expression(col: str, plan: ColumnPlan) -> str:
    """Return the DuckDB expression giving the typed value of raw column `col`."""
    kind = plan.type
    if kind in GEO_WIDTH:
        return _geo_code(col, GEO_WIDTH[kind])
    if kind == "integer":
        # TRY_CAST('3.5' AS BIGINT) rounds; a decimal in an integer column is a problem
        number = _number_text(col)
        return (
            f"(CASE WHEN contains({number}, '.') THEN NULL ELSE TRY_CAST({number} AS BIGINT) END)"
        )
    if kind == "decimal":
        number = _number_text(col)
        if plan.format == "percent":
            number = f"rtrim({number}, '%')"
        return f"TRY_CAST({number} AS DOUBLE)"
    if kind == "boolean":
        value = f"lower({trimmed(col)})"
        return (
            f"(CASE WHEN {value} IN {_sql_list(TRUE_TOKENS)} THEN TRUE "
            f"WHEN {value} IN {_sql_list(FALSE_TOKENS)} THEN FALSE END)"
        )
    if kind in ("date", "datetime"):
        return _temporal(col, plan)
    return trimmed(col)


def _geo_code(col: str, width: int) -> str:
    """Codes keep their text; digits-only codes a spreadsheet shortened get their zeros back."""
    value = f"upper({trimmed(col)})"
    return (
        f"(CASE WHEN regexp_full_match({value}, '[0-9]{{1,{width - 1}}}') "
        f"AND length({value}) >= {width - 1} THEN lpad({value}, {width}, '0') ELSE {value} END)"
        if width > 2
        else _two_char_code(value)
    )


def _two_char_code(value: str) -> str:
    """ "1" becomes "01"; DREES's "20A"/"20B" become INSEE's "2A"/"2B" (joins with maps)."""
    return (
        f"(CASE WHEN regexp_full_match({value}, '[0-9]') THEN '0' || {value} "
        f"WHEN {value} IN ('20A', '20B') THEN '2' || right({value}, 1) ELSE {value} END)"
    )


def _temporal(col: str, plan: ColumnPlan) -> str:
    value = trimmed(col)
    fmt = plan.format or ("dmy" if plan.type == "date" else "ymd_hms")
    if fmt == "y":
        parsed = f"make_date(TRY_CAST({value} AS INTEGER), 1, 1)"
    elif fmt == "my":
        parsed = f"try_strptime('01/' || {value}, ['%d/%m/%Y'])"
    elif fmt == "ym":
        parsed = f"try_strptime({value} || '-01', ['%Y-%m-%d'])"
    elif fmt in ("dmy_fr", "my_fr", "quarter"):
        parsed = _french_period(value, fmt)
    else:
        parsed = f"try_strptime({value}, {STRPTIME_FORMATS[fmt]})"
    target = "DATE" if plan.type == "date" else "TIMESTAMP"
    return f"CAST({parsed} AS {target})"


MONTH_KEYS = "[" + ", ".join(f"'{m}'" for m in FRENCH_MONTHS) + "]"


def _french_period(value: str, fmt: str) -> str:
    """The date of "31 déc. 2019" (dmy_fr), "janv.-24" (my_fr) or "T1 2024" (quarter)."""
    text = f"lower(strip_accents({value}))"
    if fmt == "quarter":
        quarter = f"TRY_CAST(regexp_extract({text}, 't\\s*([1-4])', 1) AS INTEGER)"
        year = f"TRY_CAST(regexp_extract({text}, '([0-9]{{4}})', 1) AS INTEGER)"
        return f"try(make_date({year}, 3 * {quarter} - 2, 1))"
    word = f"regexp_extract({text}, '([a-z]{{3,}})', 1)"
    key = f"(CASE WHEN left({word}, 2) = 'ju' THEN left({word}, 4) ELSE left({word}, 3) END)"
    month = f"nullif(list_position({MONTH_KEYS}, {key}), 0)"
    if fmt == "my_fr":
        digits = f"regexp_extract({text}, '([0-9]+)$', 1)"
        short = f"TRY_CAST({digits} AS INTEGER)"
        century = f"(CASE WHEN {short} < 50 THEN 2000 ELSE 1900 END)"
        year = f"(CASE WHEN length({digits}) = 2 THEN {short} + {century} ELSE {short} END)"
        return f"try(make_date({year}, {month}, 1))"
    day = f"TRY_CAST(regexp_extract({text}, '^([0-9]{{1,2}})', 1) AS INTEGER)"
    year = f"TRY_CAST(regexp_extract({text}, '([0-9]{{4}})$', 1) AS INTEGER)"
    return f"try(make_date({year}, {month}, {day}))"


def problem_condition(raw: str, typed: str, plan: ColumnPlan) -> str:
    """Return the condition true for a row whose raw value is present but did not convert.

    `raw` and `typed` name the raw text column and its already converted column. Written
    as a CASE, evaluated lazily: the tests on the text only run where the value is NULL."""
    if plan.type in ("text", "geometry") or plan.type in GEO_WIDTH:
        return "FALSE"
    value = trimmed(raw)
    return (
        f"(CASE WHEN {typed} IS NOT NULL THEN FALSE WHEN {value} IS NULL THEN FALSE "
        f"ELSE NOT {_is_marker(value)} END)"
    )


def _is_marker(value: str) -> str:
    return (
        f"(lower({value}) IN {_sql_list(MISSING_TOKENS)} "
        f"OR regexp_full_match({value}, '{MISSING_PATTERN}'))"
    )


def marker_condition(raw: str, typed: str) -> str:
    """Return the condition true for a row whose raw value is a missing or secrecy marker
    ("secret statistique", "<5", "nd"…), read as an empty value."""
    value = trimmed(raw)
    return (
        f"(CASE WHEN {typed} IS NOT NULL THEN FALSE WHEN {value} IS NULL THEN FALSE "
        f"ELSE {_is_marker(value)} END)"
    )
