"""Tile data exports: French and English CSV, XLSX, and formula-injection escaping."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

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


def _yearly_chart() -> Any:
    from studio.spec.tiles import TILE_ADAPTER

    return TILE_ADAPTER.validate_python(
        {
            "kind": "chart",
            "id": "c1",
            "chart": "line",
            "dataset": 1,
            "dimension": {"field": "date", "grain": "year"},
            "measures": [
                {"field": "Foyers allocataires du RSA", "agg": "sum"},
                {"field": "montant", "agg": "avg"},
                {"field": "montant", "agg": "max", "label": "Plus gros versement"},
            ],
        }
    )


def test_export_headers_are_words_and_periods_are_at_their_grain() -> None:
    from studio.exports import columns_of

    tile = _yearly_chart()
    query = next(iter(tile.queries().values()))
    columns = columns_of(tile, query, "fr")
    assert columns.headers == [
        "date", "Foyers allocataires du RSA", "montant (moyenne)", "Plus gros versement",
    ]  # fmt: skip
    assert columns_of(tile, query, "en").headers[2] == "montant (average)"
    result = QueryResult(
        columns=query.columns, rows=[["2009-01-01", 1000, 1.5, 3.0], ["2010-01-01", 1200, 2.0, 4.0]]
    )
    lines = result_to_csv(result, "fr", columns).decode("utf-8-sig").splitlines()
    assert lines[0] == "date;Foyers allocataires du RSA;montant (moyenne);Plus gros versement"
    assert lines[1] == "2009;1000;1,5;3,0"
    sheet = load_workbook(io.BytesIO(result_to_xlsx(result, "RSA", columns))).active
    assert [c.value for c in sheet[1]][1] == "Foyers allocataires du RSA"
    assert sheet["A2"].value == 2009  # a year, not 2009-01-01


def test_months_and_quarters_are_written_at_their_grain() -> None:
    from studio.exports import Columns

    result = QueryResult(columns=["mois", "n"], rows=[["2026-01-01", 3]])
    monthly = Columns(["Mois", "Nombre"], {0: "month"})
    assert result_to_csv(result, "fr", monthly).decode("utf-8-sig").splitlines()[1] == (
        "janv. 2026;3"
    )
    sheet = load_workbook(io.BytesIO(result_to_xlsx(result, "x", monthly))).active
    assert sheet["A2"].value.date() == date(2026, 1, 1) and sheet["A2"].number_format == "mmm yyyy"
    quarterly = Columns(["Trimestre", "Nombre"], {0: "quarter"})
    assert result_to_csv(result, "fr", quarterly).decode("utf-8-sig").splitlines()[1] == (
        "T1 2026;3"
    )
    sheet = load_workbook(io.BytesIO(result_to_xlsx(result, "x", quarterly))).active
    assert sheet["A2"].value == "T1 2026"
