"""French and English number and date formats."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio.components.format import (
    MINUS,
    MISSING,
    NBSP,
    NNBSP,
    axis_affixes,
    d3_format,
    format_change,
    format_date,
    format_number,
    format_percent,
    format_period,
    format_value,
    normalize_locale,
    plotly_separators,
)
from studio.spec.tiles import NumberFormat

EUR = NumberFormat(style="currency")
PCT = NumberFormat(style="percent")


@pytest.mark.parametrize(("value", "locale", "fmt", "expected"), [
    (1234.5, "fr", None, f"1{NNBSP}234,5"),
    (1234.5, "en", None, "1,234.5"),
    (-1234.5, "fr", None, f"{MINUS}1{NNBSP}234,5"),
    (-1234.5, "en", None, f"{MINUS}1,234.5"),
    (1234567, "fr", None, f"1{NNBSP}234{NNBSP}567"),
    (0, "fr", None, "0"),
    (-0.001, "fr", NumberFormat(decimals=1), "0,0"),
    (2.0, "fr", NumberFormat(decimals=2), "2,00"),
    (1234.5, "fr", EUR, f"1{NNBSP}234,50{NBSP}€"),
    (1234.5, "en", EUR, "€1,234.50"),
    (-1234.5, "en", EUR, f"{MINUS}€1,234.50"),
    (1_234_567, "fr", NumberFormat(style="currency", compact=True), f"1,2{NBSP}M€"),
    (1_234_567, "en", NumberFormat(style="currency", compact=True), "€1.2M"),
    (12_345, "fr", NumberFormat(compact=True), f"12,3{NBSP}k"),
    (12_345, "en", NumberFormat(compact=True), "12.3k"),
    (-2_500_000_000, "fr", NumberFormat(compact=True), f"{MINUS}2,5{NBSP}Md"),
    (2_500_000_000, "en", NumberFormat(compact=True), "2.5bn"),
    (1_000_000, "fr", NumberFormat(compact=True), f"1{NBSP}M"),
    (999, "fr", NumberFormat(compact=True), "999"),
    (0.084, "fr", PCT, f"8,4{NBSP}%"),
    (0.084, "en", PCT, "8.4%"),
    (-0.084, "fr", PCT, f"{MINUS}8,4{NBSP}%"),
    (8.4, "fr", NumberFormat(unit="%"), f"8,4{NBSP}%"),
    (8.4, "en", NumberFormat(unit="%"), "8.4%"),
    (1234, "fr", NumberFormat(unit="foyers"), f"1{NNBSP}234{NBSP}foyers"),
    (None, "fr", None, MISSING),
    (float("nan"), "fr", None, MISSING),
    ("abc", "fr", None, MISSING),
])
def test_format_number(value: object, locale: str, fmt: NumberFormat | None,
                       expected: str) -> None:
    assert format_number(value, locale, fmt) == expected


def test_brief_example_uses_narrow_no_break_space() -> None:
    text = format_number(1234.5, "fr")
    assert text == "1\u202f234,5"
    assert "\u202f" in text and " " not in text


def test_signed_changes() -> None:
    assert format_change(0.031, "fr") == f"+3,1{NBSP}%"
    assert format_change(-0.031, "fr") == f"{MINUS}3,1{NBSP}%"
    assert format_change(0.031, "en") == "+3.1%"
    assert format_change(0, "fr") == f"0,0{NBSP}%"
    assert format_change(-1200, "fr", as_percent=False) == f"{MINUS}1{NNBSP}200"
    assert format_change(1200, "en", as_percent=False) == "+1,200"
    assert format_percent(0.5, "fr", 0) == f"50{NBSP}%"


@pytest.mark.parametrize(("value", "grain", "locale", "expected"), [
    (date(2026, 11, 23), "day", "fr", "23/11/2026"),
    (date(2026, 11, 23), "day", "en", "2026-11-23"),
    ("2026-01-01", "month", "fr", f"janv.{NBSP}2026"),
    ("2026-02-01", "month", "fr", f"févr.{NBSP}2026"),
    ("2026-08-01", "month", "fr", f"août{NBSP}2026"),
    ("2026-01-01", "month", "en", f"Jan{NBSP}2026"),
    ("2026-01-01", "quarter", "fr", f"T1{NBSP}2026"),
    ("2026-10-01T00:00:00", "quarter", "fr", f"T4{NBSP}2026"),
    ("2026-04-01", "quarter", "en", f"Q2{NBSP}2026"),
    (datetime(2026, 5, 1, 12), "year", "fr", "2026"),
    (2026, "year", "en", "2026"),
    ("2026-11-23", "week", "fr", f"S48{NBSP}2026"),
    ("2026-11-23", "week", "en", f"W48{NBSP}2026"),
    ("not a date", "month", "fr", "not a date"),
    (None, "month", "fr", MISSING),
])
def test_format_period(value: object, grain: str, locale: str, expected: str) -> None:
    assert format_period(value, grain, locale) == expected


def test_format_date_and_value() -> None:
    assert format_date("2026-11-23", "fr") == "23/11/2026"
    assert format_date(datetime(2026, 11, 23, 8, 0), "en") == "2026-11-23"
    assert format_value(True, "fr") == "Oui"
    assert format_value(False, "en") == "No"
    assert format_value("Mayenne", "fr") == "Mayenne"
    assert format_value(date(2026, 3, 1), "fr") == "01/03/2026"
    assert format_value(1500, "fr", EUR) == f"1{NNBSP}500{NBSP}€"
    assert format_value(None, "fr") == MISSING


def test_locale_normalisation() -> None:
    assert normalize_locale("en-GB") == "en"
    assert normalize_locale("fr-FR") == "fr"
    assert normalize_locale(None) == "fr"
    assert normalize_locale("de") == "fr"


def test_plotly_settings() -> None:
    assert plotly_separators("fr") == f",{NNBSP}"
    assert plotly_separators("en") == ".,"
    assert d3_format(NumberFormat(compact=True)) == "~s"
    assert d3_format(PCT) == ",.1~%"
    assert d3_format(NumberFormat(decimals=0)) == ",.0f"
    assert axis_affixes(EUR, "fr") == ("", f"{NBSP}€")
    assert axis_affixes(EUR, "en") == ("€", "")
    assert axis_affixes(NumberFormat(unit="foyers"), "fr") == ("", f"{NBSP}foyers")


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_french_numbers_read_back(value: float) -> None:
    text = format_number(value, "fr", NumberFormat(decimals=2))
    back = float(text.replace(NNBSP, "").replace(MINUS, "-").replace(",", "."))
    assert abs(back - value) <= 0.005 + abs(value) * 1e-12
    assert "-" not in text and "." not in text


@pytest.mark.parametrize(("value", "locale", "fmt", "expected"), [
    # the examples written in the Tiles issue, French then English
    (12_345, "fr", None, f"12{NNBSP}345"),
    (12_345, "en", None, "12,345"),
    (8_412, "fr", NumberFormat(unit="foyers"), f"8{NNBSP}412{NBSP}foyers"),
    (1_200_000, "fr", NumberFormat(style="currency", compact=True), f"1,2{NBSP}M€"),
    (-1_200_000, "fr", NumberFormat(style="currency", compact=True), f"{MINUS}1,2{NBSP}M€"),
    (-1_200_000, "en", NumberFormat(style="currency", compact=True), f"{MINUS}€1.2M"),
    (-1_234_567, "fr", NumberFormat(compact=True), f"{MINUS}1,2{NBSP}M"),
    (-1_234_567, "en", NumberFormat(compact=True), f"{MINUS}1.2M"),
    (-0.084, "en", PCT, f"{MINUS}8.4%"),
    (0.084, "fr", NumberFormat(style="percent", decimals=2), f"8,40{NBSP}%"),
    (-1234.5, "fr", NumberFormat(decimals=0), f"{MINUS}1{NNBSP}234"),
])
def test_issue_number_examples(value: object, locale: str, fmt: NumberFormat | None,
                               expected: str) -> None:
    assert format_number(value, locale, fmt) == expected


def test_issue_rsa_sentence_and_dates() -> None:
    # "foyers allocataires du RSA : 8 412, −3,1 % sur un an"
    assert format_number(8412, "fr") == f"8{NNBSP}412"
    assert format_change(-0.031, "fr") == f"{MINUS}3,1{NBSP}%"
    assert format_change(-0.031, "en") == f"{MINUS}3.1%"
    assert format_date(date(2026, 11, 23), "fr") == "23/11/2026"
    assert format_period(date(2026, 1, 15), "month", "fr") == f"janv.{NBSP}2026"
    assert format_period(date(2026, 12, 31), "quarter", "fr") == f"T4{NBSP}2026"
    assert format_period(date(2026, 12, 31), "quarter", "en") == f"Q4{NBSP}2026"
    assert format_period(date(2026, 12, 1), "month", "fr") == f"déc.{NBSP}2026"
