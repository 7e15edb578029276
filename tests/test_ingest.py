"""Ingest of awkward French files: encodings, separators, numbers, dates, codes, errors."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from studio.data import DEPARTEMENTS, DEPARTEMENTS_OUTRE_MER, RSA
from studio.datasources import (
    DatasetError,
    FieldInfo,
    IngestOptions,
    compare_schemas,
    fields_from_json,
    fields_to_json,
    ingest,
)

# Optional larger real files beside the checkout (not shipped: 1.6 MB and 270 KB); the
# small ones the tests need are in studio/data.
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
NBSP, NNBSP = "\u00a0", "\u202f"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, options: IngestOptions | None = None, name: str | None = None):
    return ingest(path, name or path.name, options, dest_dir=path.parent / "out")


def types(result) -> dict[str, str]:
    return {f.name: f.type for f in result.fields}


def rows(result) -> list[tuple]:
    return duckdb.sql(f"SELECT * FROM read_parquet('{result.parquet_path}')").fetchall()


def column(result, name: str) -> list:
    names = [f.name for f in result.fields]
    return [r[names.index(name)] for r in rows(result)]


FRENCH = (
    "Code département;Libellé;Montant;Taux;Date;Mois;Année;Payé\r\n"
    f"01;Ain;1{NBSP}234,56;12,5 %;05/03/2020;03/2020;2020;oui\r\n"
    f"2A;Corse-du-Sud;-12,5;3{NNBSP}%;31/12/2021;12/2021;2021;non\r\n"
    f"971;Guadeloupe;1{NNBSP}000{NNBSP}000;0,5 %;01/01/2019;01/2019;2019;oui\r\n"
    "69D;Rhône;7;100 %;29/02/2024;02/2024;2024;non\r\n"
)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8", "utf-8-sig", "utf-16"])
def test_french_csv_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    text = FRENCH if encoding.startswith("utf") else FRENCH.replace(NNBSP, NBSP)
    result = run(write(tmp_path, "f.csv", text, encoding))
    assert types(result) == {
        "Code département": "departement",
        "Libellé": "text",
        "Montant": "decimal",
        "Taux": "decimal",
        "Date": "date",
        "Mois": "date",
        "Année": "integer",
        "Payé": "boolean",
    }
    assert result.row_count == 4 and result.problems == []
    first = result.preview[0]
    assert first[:4] == ["01", "Ain", 1234.56, 12.5]
    assert first[4:] == ["2020-03-05", "2020-03-01", 2020, True]
    assert column(result, "Code département") == ["01", "2A", "971", "69D"]
    assert column(result, "Montant")[2] == 1_000_000
    assert result.source["delimiter"] == ";"


def test_cp1252_characters_survive(tmp_path: Path) -> None:
    text = "nom;montant\nl’été;3 €\nœuvre;4\n"
    result = run(write(tmp_path, "w.csv", text, "cp1252"))
    assert result.source["encoding"] == "cp1252"
    assert column(result, "nom") == ["l’été", "œuvre"]


def test_percentages_are_stored_as_written_with_unit(tmp_path: Path) -> None:
    result = run(write(tmp_path, "p.csv", "taux\n12,5 %\n3%\n-0,25 %\n"))
    (field,) = result.fields
    assert (field.type, field.unit) == ("decimal", "%")
    assert column(result, "taux") == [12.5, 3.0, -0.25]


@pytest.mark.parametrize(
    ("sep", "name"), [(",", "c.csv"), ("\t", "t.tsv"), ("|", "p.csv"), (";", "s.csv")]
)
def test_separators(tmp_path: Path, sep: str, name: str) -> None:
    lines = (
        ["code_commune", "nom", "valeur"],
        ["01004", "Ambérieu", "3.5"],
        ["2B033", "Bastia", "4"],
    )
    result = run(write(tmp_path, name, "\n".join(sep.join(r) for r in lines) + "\n"))
    assert result.source["delimiter"] == sep
    assert types(result) == {"code_commune": "commune", "nom": "text", "valeur": "decimal"}
    assert column(result, "code_commune") == ["01004", "2B033"]


def test_leading_zero_codes_stay_text_whatever_the_name(tmp_path: Path) -> None:
    text = "numero;siret;annee;effectif\n007;01234567800011;2019;5\n120;41234567800011;2020;6\n"
    result = run(write(tmp_path, "z.csv", text))
    assert types(result) == {
        "numero": "text",
        "siret": "text",
        "annee": "integer",
        "effectif": "integer",
    }
    assert column(result, "numero") == ["007", "120"]


def test_departement_codes_shortened_by_a_spreadsheet_get_their_zero_back(tmp_path: Path) -> None:
    result = run(write(tmp_path, "d.csv", "dep;n\n1;3\n2A;4\n974;5\n75;6\n"))
    assert types(result)["dep"] == "departement"
    assert column(result, "dep") == ["01", "2A", "974", "75"]


def test_year_column_named_date_becomes_a_date(tmp_path: Path) -> None:
    result = run(write(tmp_path, "y.csv", "date_creation;annee\n2019;2019\n2020;2020\n"))
    assert types(result) == {"date_creation": "date", "annee": "integer"}
    assert column(result, "date_creation")[0].isoformat() == "2019-01-01"


def test_iso_dates_and_datetimes(tmp_path: Path) -> None:
    text = "jour;horodatage\n2020-01-31;2020-01-31 10:15:00\n2021-12-01;2021-12-01T08:00:00\n"
    result = run(write(tmp_path, "i.csv", text))
    assert types(result) == {"jour": "date", "horodatage": "datetime"}
    assert result.preview[1] == ["2021-12-01", "2021-12-01T08:00:00"]


def bad_values_csv(tmp_path: Path) -> Path:
    lines = ["commune;montant;jour"] + [f"Ville {i};{i},5;01/02/2020" for i in range(200)]
    lines[51] = "Ville X;n.c.;01/02/2020"  # a missing-value token: no problem
    lines[101] = "Ville Y;douze;31/02/2020"  # line 102 of the file
    return write(tmp_path, "b.csv", "\n".join(lines) + "\n")


def test_values_that_do_not_parse_are_reported_with_the_line_the_user_sees(tmp_path: Path) -> None:
    result = run(bad_values_csv(tmp_path))
    assert types(result) == {"commune": "text", "montant": "decimal", "jour": "date"}
    problems = {(p.row, p.column, p.raw, p.expected_type) for p in result.problems}
    assert problems == {(102, "montant", "douze", "decimal"), (102, "jour", "31/02/2020", "date")}
    assert result.problem_counts == {"montant": 1, "jour": 1}
    assert column(result, "montant")[50] is None and column(result, "montant")[49] == 49.5


def test_type_override_rename_and_labels_on_reingest(tmp_path: Path) -> None:
    options = IngestOptions(
        types={"montant": "text"},
        renames={"commune": "ville"},
        labels={"ville": "Nom de la ville"},
    )
    result = run(bad_values_csv(tmp_path), options)
    assert types(result) == {"ville": "text", "montant": "text", "jour": "date"}
    assert result.fields[0].label == "Nom de la ville"
    assert result.problem_counts == {"jour": 1}
    assert column(result, "montant")[100] == "douze"


def test_integer_column_with_decimals_past_the_sample_widens(tmp_path: Path) -> None:
    lines = ["n"] + [str(i) for i in range(20000)] + ["3,5"]
    result = run(write(tmp_path, "w.csv", "\n".join(lines) + "\n"))
    assert types(result) == {"n": "decimal"} and result.problems == []
    assert column(result, "n")[-1] == 3.5


def test_unknown_override_column_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "u.csv", "a;b\n1;2\n")
    with pytest.raises(DatasetError) as err:
        run(path, IngestOptions(types={"zz": "text"}))
    assert err.value.code == "options.unknown_column" and err.value.column == "zz"
    with pytest.raises(DatasetError) as err:
        run(path, IngestOptions(types={"a": "money"}))
    assert err.value.code == "options.bad_type"


def test_stats_per_column(tmp_path: Path) -> None:
    text = "dep;n\n01;1\n01;2\n02;\n2A;10\n"
    stats = run(write(tmp_path, "s.csv", text)).stats
    assert stats["dep"].top == [("01", 2), ("02", 1), ("2A", 1)]
    assert (stats["dep"].distinct, stats["dep"].empty) == (3, 0)
    assert (stats["n"].empty, stats["n"].min, stats["n"].max) == (1, 1, 10)
    assert sum(count for _, _, count in stats["n"].histogram) == 3


def test_parquet_is_complete_and_nothing_partial_is_left(tmp_path: Path) -> None:
    result = run(write(tmp_path, "a.csv", "a;b\n1;2\n"))
    assert result.parquet_path.exists() and result.parquet_path.suffix == ".parquet"
    assert [p.name for p in result.parquet_path.parent.iterdir()] == [result.parquet_path.name]


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "file.empty"),
        (b"\xef\xbb\xbf \r\n\r\n", "file.empty"),
        (bytes(range(256)) * 40, "file.binary"),
        (b"\x00\x01\x02garbage\x00\x00" * 100, "file.binary"),
        (b"a;b;c\n", "csv.no_data"),
    ],
)
def test_unusable_files(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(DatasetError) as err:
        run(path)
    assert err.value.code == code
    assert err.value.message("fr") != err.value.message("en")


def test_ragged_row_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "a;b;c\n1;2;3\n4;5;6\n7;8\n9;10;11\n")
    with pytest.raises(DatasetError) as err:
        run(path)
    error = err.value
    assert (error.code, error.row, error.raw) == ("csv.ragged_row", 4, "7;8")
    assert error.message() == (
        "La ligne 4 contient 2 colonnes au lieu de 3. "
        "Vérifiez le séparateur et les guillemets de cette ligne."
    )
    assert "Line 4 has 2 columns instead of 3" in error.message("en")


def test_too_many_columns(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as err:
        run(write(tmp_path, "r.csv", "a;b\n1;2\n3;4;5\n"))
    assert (err.value.code, err.value.row, err.value.params["found"]) == ("csv.ragged_row", 3, 3)


def test_duplicate_column_names_are_renamed_and_reported(tmp_path: Path) -> None:
    result = run(write(tmp_path, "d.csv", "nom;Foyers;Foyers;foyers\nx;1;2;3\ny;4;5;6\n"))
    assert [f.name for f in result.fields] == ["nom", "Foyers", "Foyers (2)", "foyers (3)"]
    assert column(result, "Foyers (2)") == [2, 5]
    assert result.report.renamed[0] == {"position": 3, "name": "Foyers", "new_name": "Foyers (2)"}
    assert "« Foyers (2) »" in " ".join(result.report.to_dict()["messages"])
    # the new names are the ones options use
    again = run(write(tmp_path, "d.csv", "nom;Foyers;Foyers\nx;1;2\n"),
                IngestOptions(types={"Foyers (2)": "text"}))
    assert types(again)["Foyers (2)"] == "text"


def test_empty_column_name_with_data_is_named_after_its_position(tmp_path: Path) -> None:
    result = run(write(tmp_path, "e.csv", "a;;c\n1;2;3\n"))
    assert [f.name for f in result.fields] == ["a", "Colonne 2", "c"]
    assert result.report.renamed == [{"position": 2, "name": "", "new_name": "Colonne 2"}]


def test_trailing_separator_column_without_data_is_dropped(tmp_path: Path) -> None:
    result = run(write(tmp_path, "t.csv", "a;b;\n1;2;\n3;4;\n"))
    assert [f.name for f in result.fields] == ["a", "b"]


def test_rename_to_an_existing_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as err:
        run(write(tmp_path, "n.csv", "a;b\n1;2\n"), IngestOptions(renames={"a": "B"}))
    assert err.value.code == "header.duplicate_name"


def test_header_row_option_skips_title_lines(tmp_path: Path) -> None:
    text = "Titre du tableau;;\nSource : DREES;;\ndep;nom;n\n01;Ain;4\n"
    result = run(write(tmp_path, "h.csv", text), IngestOptions(header_row=3))
    assert types(result) == {"dep": "departement", "nom": "text", "n": "integer"}
    with pytest.raises(DatasetError) as err:
        run(write(tmp_path, "h.csv", text), IngestOptions(header_row=30))
    assert err.value.code == "header.row_out_of_range"


def test_error_to_dict_is_json_ready() -> None:
    error = DatasetError("csv.ragged_row", {"found": 2, "expected": 3}, row=4, raw="7;8")
    data = json.loads(json.dumps(error.to_dict("en")))
    assert data["code"] == "csv.ragged_row" and data["row"] == 4
    assert data["message"].startswith("Line 4 has 2 columns")


# --- Excel ----------------------------------------------------------------------------------


def workbook(tmp_path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, table in sheets.items():
        ws = wb.create_sheet(name)
        for row in table:
            ws.append(row)
    path = tmp_path / "w.xlsx"
    wb.save(path)
    return path


def test_xlsx_title_rows_two_header_rows_and_notes(tmp_path: Path) -> None:
    table = [
        ["Tableau 1 : allocataires"],
        [],
        [None, "N° Dep", "Libellé", "RSA", None, "Taux"],
        [None, None, None, 2019, "2020 (1)", None],
        [None, "01", "Ain", 7690, 7700, 0.125],
        [None, 971, "Guadeloupe", "-", 40000, 0.2],
        [None, None, "France", 9000, '="-"', None],
        [None, "Source : CNAF"],
    ]
    path = workbook(tmp_path, {"Sommaire": [["rien"]], "Données": table})
    result = run(path, IngestOptions(sheet="Données"))
    assert types(result) == {
        "N° Dep": "departement",
        "Libellé": "text",
        "RSA 2019": "integer",
        "RSA 2020 (1)": "integer",
        "Taux": "decimal",
    }
    assert result.row_count == 2 and result.problems == []
    assert column(result, "N° Dep") == ["01", "971"]
    assert column(result, "RSA 2019") == [7690, None]
    assert result.source["header_row"] == 3 and result.source["header_rows"] == 2
    assert result.source["sheets"] == ["Sommaire", "Données"]
    assert [t.label for t in result.report.totals] == ["France"]
    assert result.report.notes_before == ["Tableau 1 : allocataires"]
    assert result.report.notes_after == ["Source : CNAF"]
    assert result.report.citation == result.source["citation"] == "Source : CNAF"
    kept = run(path, IngestOptions(sheet="Données", keep_totals=True))
    assert column(kept, "N° Dep") == ["01", "971", None]
    assert column(kept, "RSA 2019") == [7690, None, 9000]


def test_xlsx_percent_cells_follow_the_csv_convention(tmp_path: Path) -> None:
    path = workbook(tmp_path, {"S": [["nom", "taux"], ["a", 0.125], ["b", 0.07]]})
    wb = openpyxl.load_workbook(path)
    for row in (2, 3):
        wb["S"].cell(row=row, column=2).number_format = "0.0%"
    wb.save(path)
    result = run(path)
    assert result.fields[1].unit == "%" and column(result, "taux") == [12.5, 7.0]


def test_xlsx_unknown_sheet(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as err:
        run(workbook(tmp_path, {"A": [["x", "y"], [1, 2]]}), IngestOptions(sheet="B"))
    assert err.value.code == "xlsx.no_sheet" and "A" in err.value.message()


def test_xlsx_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * 50_000_000 + b"</a>")
    with pytest.raises(DatasetError) as err:
        run(path)
    assert err.value.code == "xlsx.unsafe" and "sheet1.xml" in err.value.message("en")


def test_xlsx_entity_expansion_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path, {"S": [["a", "b"], [1, 2]]})
    billion = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><sst>&lol;</sst>'
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/sharedStrings2.xml", billion)
    with pytest.raises(DatasetError) as err:
        run(path)
    assert err.value.code == "xlsx.unsafe"


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(DatasetError) as err:
        run(path)
    assert err.value.code == "xlsx.invalid"


# --- GeoJSON -----------------------------------------------------------------------------


def feature(geometry: dict | None, **props) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


SQUARE = {"type": "Polygon", "coordinates": [[[2, 48], [3, 48], [3, 49], [2, 48]]]}


def geojson(tmp_path: Path, features: list) -> Path:
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_geojson_properties_and_geometry(tmp_path: Path) -> None:
    path = geojson(
        tmp_path, [feature(SQUARE, code="01", nom="Ain", pop=650000), feature(None, code="2A")]
    )
    result = run(path)
    assert types(result) == {
        "code": "departement",
        "nom": "text",
        "pop": "integer",
        "geometry": "geometry",
    }
    assert json.loads(column(result, "geometry")[0]) == SQUARE
    assert column(result, "geometry")[1] is None


@pytest.mark.parametrize(
    ("geometry", "detail"),
    [
        ({"type": "Polygon", "coordinates": [[[2, 48], [3, 48], [2, 48]]]}, "ring"),
        ({"type": "Point", "coordinates": [200, 48]}, "out of range"),
        ({"type": "Point", "coordinates": ["2", 48]}, "non-numbers"),
        ({"type": "Circle", "coordinates": [2, 48]}, "unknown geometry"),
        ({"type": "LineString", "coordinates": [2, 48]}, "position"),
        ({"type": "Polygon", "coordinates": 5}, "nested"),
    ],
)
def test_geojson_bad_geometries(tmp_path: Path, geometry: dict, detail: str) -> None:
    path = geojson(tmp_path, [feature(SQUARE, n=1), feature(geometry, n=2)])
    with pytest.raises(DatasetError) as err:
        run(path)
    assert err.value.code == "geojson.bad_geometry" and err.value.row == 2
    assert detail in err.value.message("en")


def test_geojson_vertex_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from studio.datasources import geojson_reader

    monkeypatch.setattr(geojson_reader, "MAX_VERTICES", 5)
    with pytest.raises(DatasetError) as err:
        run(geojson(tmp_path, [feature(SQUARE), feature(SQUARE)]))
    assert err.value.code == "geojson.too_many_vertices"


def test_geojson_not_json(tmp_path: Path) -> None:
    path = tmp_path / "g.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(DatasetError) as err:
        run(path)
    assert err.value.code == "geojson.invalid"


# --- Parquet upload, schemas, replace ---------------------------------------------------------


def test_parquet_upload_keeps_native_types_and_detects_codes(tmp_path: Path) -> None:
    path = tmp_path / "up.parquet"
    duckdb.sql(
        "COPY (SELECT '01' AS code_departement, 3 AS n, 2.5 AS x, DATE '2020-01-02' AS d) "
        f"TO '{path}' (FORMAT parquet)"
    )
    result = run(path)
    assert types(result) == {
        "code_departement": "departement",
        "n": "integer",
        "x": "decimal",
        "d": "date",
    }
    assert result.preview == [["01", 3, 2.5, "2020-01-02"]]


def test_field_info_round_trips_through_json() -> None:
    fields = [FieldInfo("taux", "decimal", "Taux", "", "%"), FieldInfo("dep", "departement")]
    assert fields_from_json(json.loads(json.dumps(fields_to_json(fields)))) == fields
    assert fields[1].label == "dep"
    with pytest.raises(ValueError):
        FieldInfo("x", "money")


def test_compare_schemas_reports_every_change() -> None:
    old = [FieldInfo("dep", "departement"), FieldInfo("n", "integer"), FieldInfo("x", "text")]
    new = [FieldInfo("dep", "departement"), FieldInfo("n", "decimal"), FieldInfo("y", "date")]
    diff = compare_schemas(old, new, 100, 90)
    assert not diff.same_schema
    assert (diff.added, diff.removed, diff.row_count_change) == (["y"], ["x"], -10)
    assert [(r.name, r.old_type, r.new_type) for r in diff.retyped] == [("n", "integer", "decimal")]
    assert "Colonne ajoutée : y" in diff.summary() and "Row count: 100 → 90" in diff.summary("en")
    assert compare_schemas(old, list(old), 5, 5).same_schema


# --- real files ---------------------------------------------------------------------------------

needs_data = pytest.mark.skipif(
    not DATA.is_dir(),
    reason=f"optional larger real file: {DATA} is absent (these files are not shipped)",
)


def test_real_rsa_csv(tmp_path: Path) -> None:
    result = ingest(RSA, "rsa.csv", dest_dir=tmp_path)
    assert result.row_count == 1078
    assert types(result)["code_departement"] == "departement"
    assert types(result)["foyers_allocataires_rsa"] == "integer"
    codes = set(column(result, "code_departement"))
    assert {"01", "09", "95", "971", "976"} <= codes and len(codes) == 99
    assert result.problems == []


@needs_data
def test_real_monthly_csv_months_and_flags(tmp_path: Path) -> None:
    name = "prestations-solidarite-departements-mensuel-2017-2020.csv"
    result = ingest(DATA / name, name, dest_dir=tmp_path)
    assert result.row_count == 31815
    assert types(result)["mois"] == "date" and types(result)["provisoire"] == "boolean"
    assert {"01", "2A", "2B", "971"} <= set(column(result, "code_departement"))


@needs_data
def test_real_drees_workbook_header_detection(tmp_path: Path) -> None:
    path = DATA / "drees-minima-sociaux-departements.xlsx"
    result = ingest(path, "drees.xlsx", IngestOptions(sheet="Tableau 11"), dest_dir=tmp_path)
    assert result.source["header_rows"] == 2
    assert types(result)["N° Dep"] == "departement"
    assert types(result)["Total RSA socle 2009"] == "integer"
    assert result.problems == []
    codes = column(result, "N° Dep")
    assert {"01", "2A", "95", "971", "976"} <= set(codes)
    by_code = dict(zip(codes, column(result, "Total RSA socle 2009"), strict=True))
    assert by_code["01"] == 6157 and by_code["971"] is None  # "-" in the workbook
    first_sheet = ingest(path, "drees.xlsx", dest_dir=tmp_path)
    assert first_sheet.source["sheet"] == "Tableau 1"  # the contents sheet is passed over


def test_real_departements_geojson(tmp_path: Path) -> None:
    result = ingest(DEPARTEMENTS, DEPARTEMENTS.name, dest_dir=tmp_path)
    assert result.row_count == 96
    assert types(result) == {"code": "departement", "nom": "text", "geometry": "geometry"}
    assert "2A" in column(result, "code")


def test_real_overseas_geojson(tmp_path: Path) -> None:
    result = ingest(DEPARTEMENTS_OUTRE_MER, DEPARTEMENTS_OUTRE_MER.name, dest_dir=tmp_path)
    assert result.row_count == 5
    assert types(result) == {"code": "departement", "nom": "text", "geometry": "geometry"}
    assert set(column(result, "code")) == {"971", "972", "973", "974", "976"}


def test_geojson_with_thousands_of_properties_is_refused_fast(tmp_path: Path) -> None:
    """A 12 MB file of 2,000 keys spread over 200,000 features: refused before any column is
    built (it once took 51 s and 2.8 GB, then a 500)."""
    import json as json_lib
    import resource

    from studio.datasources.errors import DatasetError
    from studio.datasources.geojson_reader import load_geojson

    point = {"type": "Point", "coordinates": [2.0, 48.0]}
    features = [
        {"type": "Feature", "geometry": point, "properties": {f"k{i % 2000}": 1}}
        for i in range(200_000)
    ]
    path = tmp_path / "wide.geojson"
    path.write_text(json_lib.dumps({"type": "FeatureCollection", "features": features}))
    del features
    assert path.stat().st_size > 10_000_000
    import duckdb

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(DatasetError) as refused:
        load_geojson(duckdb.connect(), path)
    assert refused.value.code == "geojson.too_many_properties"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 600, grown_mb
