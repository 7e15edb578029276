"""Tile data exports: French and English CSV, XLSX, and formula-injection escaping."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from studio.exports import (
    export_filename,
    result_to_csv,
    result_to_xlsx,
    safe_sheet_title,
    slugify,
)
from studio.spec import QueryResult

DANGEROUS = ["=1+1", "+33 6 12", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd",
             "=HYPERLINK(\"http://x\",\"y\")"]
RESULT = QueryResult(
    columns=["departement", "foyers__sum", "taux", "actif", "mois"],
    rows=[
        ["Ain", 7700, 3.25, True, "2024-01-01"],
        ["Nord", -120, -0.5, False, "2024-02-01"],
        [None, 0, None, None, None],
    ],
)


def read_csv(data: bytes, separator: str) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=separator))


def test_french_csv_uses_semicolons_decimal_commas_and_a_bom() -> None:
    rows = read_csv(result_to_csv(RESULT, "fr"), ";")
    assert rows == [
        ["departement", "foyers__sum", "taux", "actif", "mois"],
        ["Ain", "7700", "3,25", "oui", "2024-01-01"],
        ["Nord", "-120", "-0,5", "non", "2024-02-01"],
        ["", "0", "", "", ""],
    ]


def test_english_csv_uses_commas_and_dots() -> None:
    rows = read_csv(result_to_csv(RESULT, "en"), ",")
    assert rows[1] == ["Ain", "7700", "3.25", "true", "2024-01-01"]
    assert rows[2] == ["Nord", "-120", "-0.5", "false", "2024-02-01"]


def test_csv_keeps_accents_and_quotes_separators() -> None:
    result = QueryResult(columns=["nom"], rows=[["Côte-d'Or; Bourgogne"], ['Dit "ok"']])
    rows = read_csv(result_to_csv(result, "fr"), ";")
    assert rows[1:] == [["Côte-d'Or; Bourgogne"], ['Dit "ok"']]


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_escapes_every_dangerous_prefix(locale: str, text: str) -> None:
    result = QueryResult(columns=[text, "n"], rows=[[text, -5]])
    separator = ";" if locale == "fr" else ","
    rows = read_csv(result_to_csv(result, locale), separator)
    assert rows == [["'" + text, "n"], ["'" + text, "-5"]]


@pytest.mark.parametrize("text", ["-", "Saint-Denis", "a=b", " =1", "'=1", "2024-01-01"])
def test_harmless_text_is_not_escaped_needlessly(text: str) -> None:
    rows = read_csv(result_to_csv(QueryResult(columns=["v"], rows=[[text]]), "en"), ",")
    expected = "'" + text if text.startswith("-") else text
    assert rows[1] == [expected]


def test_xlsx_stores_text_as_strings_and_numbers_as_numbers() -> None:
    rows = [[text, -5, -2.5, text] for text in DANGEROUS] + [["Ain", 0, 1.5, "2024-03-01"]]
    result = QueryResult(columns=["=cmd", "n", "x", "y"], rows=rows)
    book = load_workbook(io.BytesIO(result_to_xlsx(result, "Foyers : RSA [2024]")))
    sheet = book.active
    assert sheet.title == "Foyers   RSA  2024"
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert sheet["A1"].value == "'=cmd" and sheet["A1"].font.bold
    for i, text in enumerate(DANGEROUS, start=2):
        assert sheet.cell(i, 1).value == "'" + text
        assert sheet.cell(i, 1).data_type == "s"
        assert sheet.cell(i, 2).value == -5 and sheet.cell(i, 2).data_type == "n"
        assert sheet.cell(i, 3).value == -2.5
    last = len(rows) + 1
    assert sheet.cell(last, 4).value == datetime(2024, 3, 1)  # ISO days become real dates
    assert sheet.cell(last, 4).is_date


def test_xlsx_drops_characters_excel_cannot_hold() -> None:
    result = QueryResult(columns=["v"], rows=[["a\x00b\x1fc"], [None], [float("nan")]])
    sheet = load_workbook(io.BytesIO(result_to_xlsx(result))).active
    assert sheet.title == "Données"
    assert [sheet.cell(i, 1).value for i in (2, 3, 4)] == ["abc", None, None]


def test_sheet_titles_and_file_names_are_safe() -> None:
    assert safe_sheet_title("x" * 40) == "x" * 31
    assert safe_sheet_title("///") == "Données"
    assert slugify("Foyers allocataires — Côte-d'Or / 2024") == "foyers-allocataires-cote-d-or-2024"
    assert export_filename("../../etc/passwd", "csv", date(2024, 11, 23)) \
        == "etc-passwd-2024-11-23.csv"
    assert export_filename("???", "xlsx", date(2024, 1, 2)) == "export-2024-01-02.xlsx"
    with pytest.raises(ValueError):
        export_filename("x", "exe")
