"""Real French files as agents get them (issue 12): totals, notes and titles, secrecy
markers, typographic minus and French dates, repeated column names, workbooks.

Every file is made from the real RSA series shipped in `studio/data` (or the extract made
from it in `tests/data`), and every case goes through `ingest` and the API upload route.
The households of 2019 add up to 1,909,894 over the 99 départements.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from conftest import SHARED_DATA

from studio.data import RSA
from studio.datasources import DatasetError, IngestOptions, ingest

HOUSEHOLDS_2019 = 1_909_894
PEOPLE_2019 = 3_856_618
PUBLISHED = Path(__file__).parent / "data" / "rsa-2019-publie.csv"
DREES = SHARED_DATA / "drees-minima-sociaux-departements.xlsx"


def rsa_text() -> str:
    return RSA.read_text(encoding="utf-8")


def rsa_rows() -> list[list[str]]:
    lines = rsa_text().strip().splitlines()
    return [line.split(",") for line in lines[1:]]


def with_total_france() -> str:
    """The tidy RSA file with a trailing "Total France" row for 2019."""
    return rsa_text().rstrip("\n") + f"\n,Total France,2019,RSA,{HOUSEHOLDS_2019},{PEOPLE_2019}\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, options: IngestOptions | None = None):
    return ingest(path, path.name, options, dest_dir=path.parent / "out")


def sql(result, query: str) -> list[tuple]:
    """Run `query` on the result's Parquet file, seen as the table `t`."""
    con = duckdb.connect()
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{result.parquet_path}')")
    return con.execute(query).fetchall()


def upload(client: Any, content: bytes, filename: str, **form: str) -> Any:
    data = {"file": (io.BytesIO(content), filename), "name": "RSA", **form}
    return client.post("/api/v1/datasets", data=data, content_type="multipart/form-data")


def api_sum(client: Any, ds_id: int, measure: str, filters: list[dict] | None = None) -> Any:
    body = {"measures": [{"field": measure, "agg": "sum"}], "filters": filters or []}
    response = client.post(f"/api/v1/datasets/{ds_id}/query", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["rows"][0][0]


YEAR_2019 = [{"field": "annee", "op": "=", "value": 2019}]


# --- 1. totals and subtotals ----------------------------------------------------------------


def test_trailing_total_france_row_is_set_aside_and_checked(tmp_path: Path) -> None:
    result = run(write(tmp_path, "rsa.csv", with_total_france()))
    assert result.row_count == 1078
    households = "SELECT sum(foyers_allocataires_rsa) FROM t WHERE annee = 2019"
    assert sql(result, households) == [(HOUSEHOLDS_2019,)]
    assert sql(result, "SELECT count(*) FROM t WHERE annee = 2019") == [(99,)]
    (total,) = result.report.totals
    assert (total.label, total.line) == ("Total France", 1080)
    check = total.checks[0]
    assert check["column"] == "foyers_allocataires_rsa" and check["status"] == "equal"
    assert check["total"] == check["sum"] == HOUSEHOLDS_2019
    messages = result.report.to_dict()["messages"]
    assert messages[0].startswith("1 ligne de total écartée : « Total France »")
    assert "elles concordent" in messages[1]
    # the code column is still recognised, and no value is a problem
    assert {f.name: f.type for f in result.fields}["code_departement"] == "departement"
    assert result.problems == []


def test_keep_totals_keeps_the_row(tmp_path: Path) -> None:
    result = run(write(tmp_path, "rsa.csv", with_total_france()), IngestOptions(keep_totals=True))
    assert result.row_count == 1079
    households = "SELECT sum(foyers_allocataires_rsa) FROM t WHERE annee = 2019"
    assert sql(result, households) == [(2 * HOUSEHOLDS_2019,)]
    assert result.report.totals_kept and result.report.totals[0].label == "Total France"
    assert "1 ligne de total gardée" in result.report.to_dict()["messages"][0]


def test_a_wrong_total_is_reported_as_not_adding_up(tmp_path: Path) -> None:
    text = rsa_text().rstrip("\n") + "\n,Total France,2019,RSA,1900000,3856618\n"
    result = run(write(tmp_path, "rsa.csv", text))
    check = result.report.totals[0].checks[0]
    assert check["status"] == "close" and check["sum"] == HOUSEHOLDS_2019
    assert "à 0,5 % près" in result.report.to_dict()["messages"][1]


def test_a_sparse_last_row_is_data_a_sentence_is_a_note(tmp_path: Path) -> None:
    text = "departement;foyers\nAin;7690\nAisne;18125\nAllier;\n"
    assert run(write(tmp_path, "s.csv", text)).row_count == 3
    noted = text + "Données provisoires pour l'année en cours;\n"
    result = run(write(tmp_path, "s.csv", noted))
    assert result.row_count == 3
    assert result.report.notes_after == ["Données provisoires pour l'année en cours"]


def test_an_unlabelled_row_without_code_that_adds_up_is_a_total(tmp_path: Path) -> None:
    """No label at all, but no code either and its numbers are the sum of the rows: a total.
    A row without code whose numbers do not add up (an overseas collectivity) stays."""
    text = rsa_text().rstrip("\n") + (
        f"\n,,2019,RSA,{HOUSEHOLDS_2019},{PEOPLE_2019}\n,Saint-Pierre-et-Miquelon,2019,RSA,50,90\n"
    )
    result = run(write(tmp_path, "rsa.csv", text))
    assert result.row_count == 1079
    assert [(t.label, t.checks[0]["status"]) for t in result.report.totals] == [
        ("ligne 1080", "equal")
    ]
    households = "SELECT sum(foyers_allocataires_rsa) FROM t WHERE annee = 2019"
    assert sql(result, households) == [(HOUSEHOLDS_2019 + 50,)]


def test_a_country_column_is_not_a_total(tmp_path: Path) -> None:
    """"France" on every row is a value, not a total; "Ensemble" on half the rows neither."""
    lines = ["pays;sexe;foyers"] + [f"France;{s};{i}" for i in range(10) for s in ("F", "H")]
    result = run(write(tmp_path, "p.csv", "\n".join(lines) + "\n"))
    assert result.row_count == 20 and result.report.totals == []


def test_published_table_totals_notes_and_title(tmp_path: Path) -> None:
    result = ingest(PUBLISHED, PUBLISHED.name, dest_dir=tmp_path)
    assert result.row_count == 99
    assert sql(result, 'SELECT sum("Foyers allocataires") FROM t') == [(HOUSEHOLDS_2019,)]
    assert [t.label for t in result.report.totals] == ["France métropolitaine", "DOM", "France"]
    status = [t.checks[0]["status"] for t in result.report.totals]
    assert status == ["subtotal", "subtotal", "equal"]
    assert result.report.to_dict()["messages"][0].startswith(
        "3 lignes de total écartées : « France métropolitaine », « DOM », « France »"
    )
    assert {f.name: f.type for f in result.fields} == {
        "Code": "departement",
        "Département": "text",
        "Foyers allocataires": "integer",
        "Population couverte": "integer",
    }


def test_api_upload_sets_totals_aside_unless_asked(login: Any) -> None:
    client = login("editor")
    response = upload(client, with_total_france().encode(), "rsa.csv")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["row_count"] == 1078
    assert body["report"]["totals"][0]["label"] == "Total France"
    assert body["report"]["messages"][0].startswith("1 ligne de total écartée")
    assert api_sum(client, body["id"], "foyers_allocataires_rsa", YEAR_2019) == HOUSEHOLDS_2019

    kept = upload(client, with_total_france().encode(), "rsa.csv", keep_totals="true")
    assert kept.status_code == 201 and kept.get_json()["row_count"] == 1079
    assert api_sum(client, kept.get_json()["id"], "foyers_allocataires_rsa", YEAR_2019) == (
        2 * HOUSEHOLDS_2019
    )
    as_json = upload(
        client, with_total_france().encode(), "rsa.csv", options=json.dumps({"keep_totals": True})
    )
    assert as_json.get_json()["row_count"] == 1079


@pytest.mark.parametrize(
    ("form", "detail"),
    [
        ({"options": "[1, 2]"}, "JSON"),
        ({"options": json.dumps({"colour": "red"})}, "colour"),
        ({"header_row": "zéro"}, "header_row"),
        ({"options": json.dumps({"keep_totals": "peut-être"})}, "keep_totals"),
    ],
)
def test_api_bad_options_are_refused_in_french(login: Any, form: dict, detail: str) -> None:
    client = login("editor")
    response = upload(client, with_total_france().encode(), "rsa.csv", **form)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "options.invalid" and detail in body["error"]
    assert "options de l'import sont invalides" in body["error"]
    assert client.get("/api/v1/datasets").get_json()["datasets"] == []


# --- 2. notes, sources, titles -----------------------------------------------------------------


def test_source_line_after_the_table_no_longer_refuses_the_file(tmp_path: Path) -> None:
    """A footnote after the rows used to refuse the file with "Vérifiez le séparateur"."""
    text = (
        "Allocataires du RSA par département et année\n"
        + rsa_text()
        + "\nSource : DREES, CNAF, MSA\nNote : au 31 décembre de chaque année\n"
    )
    result = run(write(tmp_path, "rsa.csv", text))
    assert result.row_count == 1078
    assert result.source["delimiter"] == "," and result.source["header_row"] == 2
    assert [f.name for f in result.fields][:3] == ["code_departement", "departement", "annee"]
    households = "SELECT sum(foyers_allocataires_rsa) FROM t WHERE annee = 2019"
    assert sql(result, households) == [(HOUSEHOLDS_2019,)]
    report = result.report
    assert report.notes_before == ["Allocataires du RSA par département et année"]
    assert report.notes_after == [
        "Source : DREES, CNAF, MSA",
        "Note : au 31 décembre de chaque année",
    ]
    assert report.citation == result.source["citation"] == "Source : DREES, CNAF, MSA"
    assert result.problems == []


def test_a_ragged_data_row_is_still_an_error(tmp_path: Path) -> None:
    text = rsa_text().rstrip("\n") + "\n977,Saint-Barthélemy,2019\n"
    with pytest.raises(DatasetError) as err:
        run(write(tmp_path, "rsa.csv", text))
    assert err.value.code == "csv.ragged_row" and err.value.row == 1080


def test_api_published_table_offers_its_source(login: Any) -> None:
    client = login("editor")
    response = upload(client, PUBLISHED.read_bytes(), PUBLISHED.name)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["row_count"] == 99
    assert body["citation"] == "Sources : DREES, CNAF et MSA (minima sociaux, tableau 11)"
    assert any("avant le tableau (titre)" in m for m in body["report"]["messages"])
    assert api_sum(client, body["id"], "Foyers allocataires") == HOUSEHOLDS_2019
    described = client.get(f"/api/v1/datasets/{body['id']}").get_json()
    assert described["citation"].startswith("Sources : DREES")


# --- 3. secrecy and missing markers ------------------------------------------------------------

MARKERS = ["secret statistique", "s", "(s)", "<5", "nd", "n.d.", "NC", "-", "…"]


def with_markers() -> str:
    """The tidy RSA file with the 2019 households of the first 18 départements hidden by
    markers (two each): 18 of 99 rows of 2019, far over the 2 % that once made it text."""
    rows = rsa_rows()
    hidden = [r for r in rows if r[2] == "2019"][:18]
    for n, row in enumerate(hidden):
        row[4] = MARKERS[n // 2]
    header = rsa_text().splitlines()[0]
    return header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"


def test_secrecy_markers_are_missing_and_counted(tmp_path: Path) -> None:
    result = run(write(tmp_path, "rsa.csv", with_markers()))
    assert {f.name: f.type for f in result.fields}["foyers_allocataires_rsa"] == "integer"
    assert result.problems == [] and result.problem_counts == {}
    counts = result.report.missing["foyers_allocataires_rsa"]
    assert counts == {m: 2 for m in MARKERS}
    # kept with the dataset, so a tile can say "dont 18 valeurs secrètes"
    assert result.source["missing_markers"] == {"foyers_allocataires_rsa": counts}
    hidden = "SELECT count(*) FROM t WHERE annee = 2019 AND foyers_allocataires_rsa IS NULL"
    assert sql(result, hidden) == [(18,)]
    message = next(m for m in result.report.to_dict()["messages"] if "secrètes" in m)
    assert message.startswith("« foyers_allocataires_rsa » : 18 valeurs secrètes ou manquantes")
    assert "secret statistique : 2" in message and "<5 : 2" in message


def test_api_secrecy_markers(login: Any) -> None:
    client = login("editor")
    response = upload(client, with_markers().encode(), "rsa.csv")
    assert response.status_code == 201
    body = response.get_json()
    types = {f["name"]: f["type"] for f in body["fields"]}
    assert types["foyers_allocataires_rsa"] == "integer" and body["problems"] == []
    assert body["report"]["missing"]["foyers_allocataires_rsa"]["(s)"] == 2
    total = api_sum(client, body["id"], "foyers_allocataires_rsa", YEAR_2019)
    assert 0 < total < HOUSEHOLDS_2019


# --- 4. minus sign, French dates, quarters ------------------------------------------------------


def evolution_file() -> str:
    """Per département, the change in households from 2018 to 2019 (U+2212 for minus), dated
    in three French ways."""
    rows = rsa_rows()
    by_dep: dict[str, dict[str, int]] = {}
    for r in rows:
        by_dep.setdefault(r[0], {})[r[2]] = int(r[4])
    lines = ["code_departement;evolution;arrete;mois;trimestre;trimestre_iso"]
    for code, years in by_dep.items():
        change = years["2019"] - years["2018"]
        text = f"{change}".replace("-", "\u2212")
        lines.append(f"{code};{text};31 déc. 2019;déc.-19;T4 2019;2019-T4")
    return "\n".join(lines) + "\n"


def expected_change() -> int:
    rows = rsa_rows()
    return sum(int(r[4]) for r in rows if r[2] == "2019") - sum(
        int(r[4]) for r in rows if r[2] == "2018"
    )


def test_typographic_minus_and_french_dates(tmp_path: Path) -> None:
    result = run(write(tmp_path, "evolution.csv", evolution_file()))
    types = {f.name: f.type for f in result.fields}
    assert types == {
        "code_departement": "departement",
        "evolution": "integer",
        "arrete": "date",
        "mois": "date",
        "trimestre": "date",
        "trimestre_iso": "date",
    }
    assert result.problems == []
    assert sql(result, "SELECT sum(evolution), min(evolution) < 0 FROM t") == [
        (expected_change(), True)
    ]
    dates = sql(result, "SELECT DISTINCT arrete, mois, trimestre, trimestre_iso FROM t")
    assert [tuple(d.isoformat() for d in row) for row in dates] == [
        ("2019-12-31", "2019-12-01", "2019-10-01", "2019-10-01")
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31 décembre 2019", "2019-12-31"),
        ("1er janvier 2020", "2020-01-01"),
        ("15 août 2021", "2021-08-15"),
        ("3 JUIL. 2022", "2022-07-03"),
        ("janv.-24", "2024-01-01"),
        ("février 2016", "2016-02-01"),
        ("T1 2024", "2024-01-01"),
        ("2024-T3", "2024-07-01"),
    ],
)
def test_french_date_forms(tmp_path: Path, value: str, expected: str) -> None:
    text = "periode;foyers\n" + "".join(f"{value};{n}\n" for n in (7690, 18125))
    result = run(write(tmp_path, "d.csv", text))
    assert {f.name: f.type for f in result.fields}["periode"] == "date"
    assert [d.isoformat() for (d,) in sql(result, "SELECT periode FROM t")] == [expected] * 2


def test_api_minus_and_dates(login: Any) -> None:
    client = login("editor")
    response = upload(client, evolution_file().encode(), "evolution.csv")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {f["name"]: f["type"] for f in body["fields"]}["arrete"] == "date"
    assert api_sum(client, body["id"], "evolution") == expected_change()


# --- 5. repeated and empty column names --------------------------------------------------------


def repeated_names() -> str:
    lines = ["code_departement;departement;Foyers;Foyers;"]
    lines += [f"{r[0]};{r[1]};{r[4]};{r[5]};x" for r in rsa_rows() if r[2] == "2019"]
    return "\n".join(lines) + "\n"


def test_repeated_and_empty_names_are_renamed(tmp_path: Path) -> None:
    result = run(write(tmp_path, "r.csv", repeated_names()))
    names = [f.name for f in result.fields]
    assert names == ["code_departement", "departement", "Foyers", "Foyers (2)", "Colonne 5"]
    assert sql(result, 'SELECT sum("Foyers"), sum("Foyers (2)") FROM t') == [
        (HOUSEHOLDS_2019, PEOPLE_2019)
    ]
    messages = " ".join(result.report.to_dict()["messages"])
    assert "La colonne n° 4 « Foyers » répète un nom déjà pris : elle s'appelle « Foyers (2) »" in (
        messages
    )
    assert "La colonne n° 5 n'avait pas de nom" in messages


def test_a_header_with_unnamed_columns_stays_the_header(tmp_path: Path) -> None:
    """Only one-cell lines and notes above the table are titles, not a sparse header."""
    lines = ["code_departement;;;foyers"]
    lines += [f"{r[0]};{r[1]};{r[3]};{r[4]}" for r in rsa_rows() if r[2] == "2019"]
    result = run(write(tmp_path, "h.csv", "\n".join(lines) + "\n"))
    assert result.source["header_row"] == 1 and result.row_count == 99
    assert [f.name for f in result.fields] == [
        "code_departement", "Colonne 2", "Colonne 3", "foyers"
    ]


def test_api_repeated_names(login: Any) -> None:
    client = login("editor")
    response = upload(client, repeated_names().encode(), "r.csv")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [f["name"] for f in body["fields"]][2:4] == ["Foyers", "Foyers (2)"]
    assert body["report"]["renamed"][0]["new_name"] == "Foyers (2)"
    assert api_sum(client, body["id"], "Foyers (2)") == PEOPLE_2019


# --- 6. workbooks ---------------------------------------------------------------------------------


def rsa_workbook(path: Path) -> Path:
    """A workbook laid out like DREES's: a contents sheet, then per table a title, a two-row
    header (series above years), the département rows, totals and notes."""
    rows = rsa_rows()
    by_dep: dict[tuple[str, str], dict[str, int]] = {}
    for r in rows:
        by_dep.setdefault((r[0], r[1]), {})[r[2]] = int(r[4])
    years = ["2016", "2017", "2018", "2019"]
    wb = openpyxl.Workbook()
    contents = wb.active
    contents.title = "Sommaire"
    contents.append(["Minima sociaux : données départementales"])
    contents.append([])
    contents.append(["Tableau 11", "Allocataires du RSA par département"])
    contents.append(["Tableau 12", "Le même tableau, en-tête ligne 4"])
    for title, blank_rows in (("Tableau 11", 1), ("Tableau 12", 0)):
        ws = wb.create_sheet(title)
        ws.append([f"{title} Répartition des allocataires du RSA par département"])
        for _ in range(blank_rows):
            ws.append([])
        ws.append([None, "N° Dep", "Libelle Dep", "Total RSA", None, None, None])
        ws.append([None, None, None, *[int(y) for y in years]])
        for (code, name), values in by_dep.items():
            ws.append([None, code, name, *[values[y] for y in years]])
        metro = [v for (c, _), v in by_dep.items() if not c.startswith("97")]
        dom = [v for (c, _), v in by_dep.items() if c.startswith("97")]
        for label, group in (("France métropolitaine", metro), ("DOM", dom)):
            ws.append([None, None, label, *[sum(v[y] for v in group) for y in years]])
        ws.append([None, None, "France ", *[sum(v[y] for v in by_dep.values()) for y in years]])
        ws.append([])
        ws.append([None, "Sources : CNAF, MSA"])
    wb.save(path)
    return path


def test_workbook_default_sheet_skips_the_contents(tmp_path: Path) -> None:
    result = run(rsa_workbook(tmp_path / "drees.xlsx"))
    assert result.source["sheet"] == "Tableau 11"
    assert result.row_count == 99
    assert sql(result, 'SELECT sum("Total RSA 2019") FROM t') == [(HOUSEHOLDS_2019,)]
    assert [t.label for t in result.report.totals] == ["France métropolitaine", "DOM", "France"]
    assert result.report.citation == "Sources : CNAF, MSA"
    titles = result.source["sheet_titles"]
    assert titles["Sommaire"] == "Minima sociaux : données départementales"
    assert titles["Tableau 12"] == "Tableau 12 Répartition des allocataires du RSA par département"


def test_page_lists_each_sheet_with_its_title(app: Any, login: Any, tmp_path: Path) -> None:
    from test_dataset_pages import data_url, response_of
    from test_dataset_pages import run as fire

    content = rsa_workbook(tmp_path / "drees.xlsx").read_bytes()
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    dropped = {"contents": data_url(content, mime), "filename": "drees.xlsx"}
    out = response_of(fire(login("editor"), app, "dsn-file.data", [dropped], [None]))
    assert out["dsn-sheet"]["value"] == "Tableau 11" and out["dsn-sheet-wrap"]["hidden"] is False
    assert out["dsn-sheet"]["options"][1] == {
        "label": "Tableau 11 — Répartition des allocataires du RSA par département",
        "value": "Tableau 11",
    }


def test_api_workbook_sheet_and_header_row(login: Any, tmp_path: Path) -> None:
    client = login("editor")
    content = rsa_workbook(tmp_path / "drees.xlsx").read_bytes()
    response = upload(client, content, "drees.xlsx", sheet="Tableau 12", header_row="3")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    names = [f["name"] for f in body["fields"]]
    assert names == ["Colonne 2", "Colonne 3", "2016", "2017", "2018", "2019"]
    assert body["row_count"] == 99
    assert api_sum(client, body["id"], "2019") == HOUSEHOLDS_2019
    default = upload(client, content, "drees.xlsx").get_json()
    assert default["row_count"] == 99
    assert api_sum(client, default["id"], "Total RSA 2019") == HOUSEHOLDS_2019
    missing = upload(client, content, "drees.xlsx", sheet="Tableau 99")
    assert missing.status_code == 422 and "Tableau 11" in missing.get_json()["error"]


needs_drees = pytest.mark.skipif(
    not DREES.is_file(), reason=f"the DREES workbook is not beside the checkout ({DREES})"
)


@needs_drees
def test_real_drees_workbook_tableau_11(tmp_path: Path) -> None:
    result = ingest(DREES, DREES.name, IngestOptions(sheet="Tableau 11"), dest_dir=tmp_path)
    labels = [t.label for t in result.report.totals]
    assert labels == ["France métropolitaine", "DOM", "France"]
    codes = [c for (c,) in sql(result, 'SELECT "N° Dep" FROM t')]
    assert None not in codes and len(codes) == len(set(codes))
    assert result.report.citation == "Sources : CNAF, MSA"
    default = ingest(DREES, DREES.name, dest_dir=tmp_path)
    assert default.source["sheet"] == "Tableau 1"


@needs_drees
def test_real_drees_every_sheet_has_its_table_without_totals(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(DREES, read_only=True)
    sheets = [s for s in workbook.sheetnames if s != "Sommaire"]
    workbook.close()
    for sheet in sheets:
        result = ingest(DREES, DREES.name, IngestOptions(sheet=sheet), dest_dir=tmp_path)
        names = [f.name for f in result.fields]
        assert names[:2] == ["N° Dep", "Libelle Dep"], sheet
        assert {f.name: f.type for f in result.fields}["N° Dep"] == "departement", sheet
        labels = [r for (r,) in sql(result, 'SELECT "Libelle Dep" FROM t')]
        assert not {"France", "DOM", "France métropolitaine"} & {(x or "").strip() for x in labels}
        assert result.report.totals, sheet


# --- 7. wide to long ------------------------------------------------------------------------------


def test_years_in_columns_are_offered_then_put_in_rows(tmp_path: Path) -> None:
    path = rsa_workbook(tmp_path / "drees.xlsx")
    wide = run(path)
    assert wide.report.wide == {
        "columns": ["Total RSA 2016", "Total RSA 2017", "Total RSA 2018", "Total RSA 2019"],
        "applied": False,
    }
    assert "Les années (mois, trimestres) sont en colonnes (4 :" in (
        wide.report.to_dict()["messages"][-1]
    )
    long = run(path, IngestOptions(unpivot="auto"))
    assert {f.name: f.type for f in long.fields} == {
        "N° Dep": "departement",
        "Libelle Dep": "text",
        "periode": "date",
        "valeur": "integer",
    }
    assert long.row_count == 4 * 99
    labels = {f.name: f.label for f in long.fields}
    assert labels["valeur"] == "Total RSA"  # the series all the columns share
    by_year = sql(long, "SELECT year(periode), sum(valeur) FROM t GROUP BY 1 ORDER BY 1")
    expected = [
        (year, sum(int(r[4]) for r in rsa_rows() if r[2] == str(year)))
        for year in (2016, 2017, 2018, 2019)
    ]
    assert by_year == expected and by_year[-1] == (2019, HOUSEHOLDS_2019)
    assert "4 colonnes mises en lignes" in long.report.to_dict()["messages"][-1]


def test_unpivot_a_chosen_text_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as err:
        run(rsa_workbook(tmp_path / "drees.xlsx"), IngestOptions(unpivot=["Libelle Dep"]))
    assert err.value.code == "options.unpivot_not_numeric"
    assert "ne contient pas des nombres" in err.value.message()


def wide_csv() -> str:
    """The RSA households as a wide French CSV: one column per year, "2016 (1)" style, "-"
    where the series has no value (Mayotte before 2011)."""
    by_dep: dict[tuple[str, str], dict[str, str]] = {}
    for r in rsa_rows():
        by_dep.setdefault((r[0], r[1]), {})[r[2]] = r[4]
    years = [str(y) for y in range(2009, 2020)]
    lines = ["Code;Département;" + ";".join(f"{y} (1)" if y == "2016" else y for y in years)]
    for (code, name), values in by_dep.items():
        lines.append(f"{code};{name};" + ";".join(values.get(y, "-") for y in years))
    return "\n".join(lines) + "\n"


def test_api_unpivot(login: Any) -> None:
    client = login("editor")
    response = upload(client, wide_csv().encode(), "rsa-large.csv", unpivot="auto")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [f["name"] for f in body["fields"]] == ["Code", "Département", "periode", "valeur"]
    assert body["row_count"] == 1078
    result = client.post(
        f"/api/v1/datasets/{body['id']}/query",
        json={
            "dimensions": [{"field": "periode", "grain": "year"}],
            "measures": [{"field": "valeur", "agg": "sum"}],
            "sort": [{"field": "periode"}],
        },
    ).get_json()
    assert len(result["rows"]) == 11
    assert result["rows"][-1][0].startswith("2019") and result["rows"][-1][1] == HOUSEHOLDS_2019
    bad = upload(client, wide_csv().encode(), "rsa-large.csv", unpivot="peut-être")
    assert bad.status_code == 422 and bad.get_json()["code"] == "options.invalid"

    # the new columns can be renamed and labelled afterwards (the file is read again)
    patched = client.patch(
        f"/api/v1/datasets/{body['id']}",
        json={"fields": [{"name": "valeur", "new_name": "foyers", "label": "Foyers au RSA"},
                         {"name": "periode", "new_name": "annee"}]},
    )
    assert patched.status_code == 200, patched.get_json()
    fields = {f["name"]: f for f in patched.get_json()["fields"]}
    assert list(fields) == ["Code", "Département", "annee", "foyers"]
    assert fields["foyers"]["label"] == "Foyers au RSA"
    filters = [{"field": "annee", "op": ">=", "value": "2019-01-01"}]
    assert api_sum(client, body["id"], "foyers", filters) == HOUSEHOLDS_2019
    retyped = client.patch(
        f"/api/v1/datasets/{body['id']}", json={"fields": [{"name": "foyers", "type": "text"}]}
    )
    assert retyped.status_code == 422
    assert "mettant les périodes en lignes" in retyped.get_json()["error"]


@needs_drees
def test_real_drees_tableau_11_unpivots_into_a_yearly_series(tmp_path: Path) -> None:
    options = IngestOptions(sheet="Tableau 11", unpivot="auto")
    result = ingest(DREES, DREES.name, options, dest_dir=tmp_path)
    assert {f.name: f.type for f in result.fields}["periode"] == "date"
    # the département rows of the sheet itself, read apart from Studio
    workbook = openpyxl.load_workbook(DREES, read_only=True, data_only=True)
    rows = list(workbook["Tableau 11"].iter_rows(values_only=True))
    workbook.close()
    header = next(i for i, r in enumerate(rows) if r[1] == "N° Dep")
    column = next(j for j, v in enumerate(rows[header + 1]) if v == 2019)
    departements = [r for r in rows[header + 2 :] if r[1] is not None and r[2]]
    departements = [r for r in departements if isinstance(r[column], int)]
    expected = sum(r[column] for r in departements)
    got = sql(result, "SELECT sum(valeur) FROM t WHERE year(periode) = 2019")
    assert got == [(expected,)]
    # the shipped series is the same one without Corse (2A, 2B)
    corse = sum(r[column] for r in departements if str(r[1]) in ("20A", "20B"))  # 2A, 2B
    assert expected - corse == HOUSEHOLDS_2019
    # two systems for 2016 stay two series
    series_2016 = sql(result, "SELECT DISTINCT serie FROM t WHERE year(periode) = 2016 ORDER BY 1")
    assert series_2016 == [("Total RSA",), ("Total RSA (2)",)]


# --- the upload page ----------------------------------------------------------------------------


def test_page_reports_totals_and_notes_and_keeps_totals_on_request(app: Any, login: Any) -> None:
    from test_dataset_pages import data_url, dataset, response_of, text_of
    from test_dataset_pages import run as fire

    editor = login("editor")
    dropped = {"contents": data_url(PUBLISHED.read_bytes()), "filename": PUBLISHED.name}
    out = response_of(fire(editor, app, "dsn-file.data", [dropped], [None]))
    preview = text_of(out["dsn-preview"]["children"])
    assert "99 lignes" in preview and "Ce que Studio a mis de côté ou corrigé" in preview
    assert "3 lignes de total écartées : « France métropolitaine », « DOM », « France »" in preview
    assert "la somme des autres lignes donne 1\u202f909\u202f894 : elles concordent" in preview
    assert "Vérifiez le séparateur" not in preview
    citation = "Sources : DREES, CNAF et MSA (minima sociaux, tableau 11)"
    assert out["dsn-description"]["value"] == citation  # offered as the dataset's source
    assert out["dsn-keep-totals"]["value"] is False
    store = out["dsn-staged"]["data"]

    kept = response_of(
        fire(editor, app, "dsn-reanalyse.n_clicks", [1], [store, None, 3, True, False], {})
    )
    text = text_of(kept["dsn-preview"]["children"])
    assert "102 lignes" in text and "3 lignes de total gardées" in text

    saved = response_of(
        fire(
            editor,
            app,
            "dsn-save.n_clicks",
            [1],
            [kept["dsn-staged"]["data"], "RSA 2019", citation, None, 3, False, False],
            {},
        )
    )
    ds = dataset(app, int(saved["dsn-go"]["href"].rsplit("/", 1)[1]))
    assert ds.row_count == 99 and ds.description == citation  # saved without the totals
    assert ds.ingest_options["keep_totals"] is False


def test_page_puts_years_in_rows(app: Any, login: Any) -> None:
    from test_dataset_pages import data_url, dataset, response_of, text_of
    from test_dataset_pages import run as fire

    editor = login("editor")
    dropped = {"contents": data_url(wide_csv().encode()), "filename": "rsa-large.csv"}
    out = response_of(fire(editor, app, "dsn-file.data", [dropped], [None]))
    assert "Les années (mois, trimestres) sont en colonnes (11 :" in text_of(
        out["dsn-preview"]["children"]
    )
    store = out["dsn-staged"]["data"]
    fields = {c: {"type": t} for c, t in store["detected"].items()}
    long = response_of(
        fire(editor, app, "dsn-reanalyse.n_clicks", [1], [store, None, 1, False, True], fields)
    )
    text = text_of(long["dsn-preview"]["children"])
    assert "1 078 lignes" in text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "11 colonnes mises en lignes" in text
    assert long["dsn-staged"]["data"]["unpivot"] is True
    saved = response_of(
        fire(
            editor,
            app,
            "dsn-save.n_clicks",
            [1],
            [long["dsn-staged"]["data"], "RSA par année", "", None, 1, False, True],
            fields,
        )
    )
    ds = dataset(app, int(saved["dsn-go"]["href"].rsplit("/", 1)[1]))
    assert [f["name"] for f in ds.fields] == ["Code", "Département", "periode", "valeur"]
    assert ds.row_count == 1078


def test_api_url_dataset_with_options_keeps_them_on_refresh(make_app: Any) -> None:
    from conftest import serve_files, sign_in

    from studio import accounts

    app = make_app(url_allow_private=True)
    with app.server.extensions["studio"]["db"].session() as s:
        accounts.create_account(s, "ed@example.org", "editor", password="a long password")
    client = app.server.test_client()
    sign_in(client, "ed@example.org", "a long password")
    with serve_files({"/rsa.csv": with_total_france().encode()}) as server:
        body = {"url": server.url("/rsa.csv"), "options": {"keep_totals": True}}
        created = client.post("/api/v1/datasets", json=body)
        assert created.status_code == 201, created.get_json()
        assert created.get_json()["row_count"] == 1079
        refreshed = client.post(f"/api/v1/datasets/{created.get_json()['id']}/refresh")
        assert refreshed.status_code == 200 and refreshed.get_json()["row_count"] == 1079
        default = client.post("/api/v1/datasets", json={"url": server.url("/rsa.csv")})
        assert default.get_json()["row_count"] == 1078
        bad = client.post("/api/v1/datasets", json={**body, "options": ["keep_totals"]})
        assert bad.status_code == 422 and bad.get_json()["code"] == "options.invalid"


def test_page_changing_sheet_finds_that_sheets_header(app: Any, login: Any, tmp_path: Path) -> None:
    """Tableau 11's header is on row 3 and Tableau 12's on row 2: picking Tableau 12 with the
    field still showing 3 used to read the year row as the header."""
    from test_dataset_pages import data_url, response_of, text_of
    from test_dataset_pages import run as fire

    editor = login("editor")
    content = rsa_workbook(tmp_path / "drees.xlsx").read_bytes()
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    dropped = {"contents": data_url(content, mime), "filename": "drees.xlsx"}
    out = response_of(fire(editor, app, "dsn-file.data", [dropped], [None]))
    store = out["dsn-staged"]["data"]
    assert out["dsn-header"]["value"] == 3 and store["sheet"] == "Tableau 11"
    state = [store, "Tableau 12", 3, False, False]
    other = response_of(fire(editor, app, "dsn-reanalyse.n_clicks", [1], state, {}))
    assert other["dsn-header"]["value"] == 2
    assert other["dsn-staged"]["data"]["sheet"] == "Tableau 12"
    text = text_of(other["dsn-preview"]["children"])
    assert "99 lignes" in text and "Total RSA 2019" in json.dumps(other["dsn-preview"])
    # a header row the person typed for the new sheet is kept
    state = [other["dsn-staged"]["data"], "Tableau 12", 3, False, False]
    typed = response_of(fire(editor, app, "dsn-reanalyse.n_clicks", [1], state, {}))
    assert typed["dsn-header"]["value"] == 3
