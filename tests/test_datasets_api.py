"""The dataset API through the Flask client: who may do what, and what each route does."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
from conftest import serve_files, sign_in

from studio.data import RSA

FRENCH_CSV = (
    "code_departement;nom;date;montant;taux\n"
    "01;Ain;31/01/2024;1 234,50;12,5 %\n"
    "2A;Corse-du-Sud;29/02/2024;-12,00;8 %\n"
    "971;Guadeloupe;31/03/2024;3 000;10,0 %\n"
    "01;Ain;30/04/2024;100,25;11 %\n"
).encode("cp1252")


def upload(
    client: Any, content: bytes = FRENCH_CSV, filename: str = "rsa.csv", name: str = "RSA"
) -> Any:
    data = {"file": (io.BytesIO(content), filename), "name": name}
    return client.post("/api/v1/datasets", data=data, content_type="multipart/form-data")


@pytest.fixture
def editor_dataset(login: Any) -> tuple[Any, int]:
    client = login("editor")
    response = upload(client)
    assert response.status_code == 201, response.get_json()
    return client, response.get_json()["id"]


def test_upload_french_csv(editor_dataset: tuple[Any, int]) -> None:
    client, ds_id = editor_dataset
    body = client.get(f"/api/v1/datasets/{ds_id}").get_json()
    assert body["name"] == "RSA" and body["row_count"] == 4
    types = {f["name"]: f["type"] for f in body["fields"]}
    assert types["code_departement"] == "departement"
    assert types["montant"] == "decimal" and types["date"] == "date"
    result = client.post(
        f"/api/v1/datasets/{ds_id}/query",
        json={
            "dimensions": [{"field": "code_departement"}],
            "measures": [{"field": "montant", "agg": "sum"}],
            "sort": [{"field": "code_departement"}],
        },
    ).get_json()
    assert result["columns"] == ["code_departement", "montant__sum"]
    assert result["rows"] == [["01", pytest.approx(1334.75)], ["2A", -12.0], ["971", 3000.0]]


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("viewer", 403)])
def test_who_may_upload(login: Any, role: str, status: int) -> None:
    assert upload(login(role)).status_code == status


def test_private_dataset_is_invisible_to_others(
    editor_dataset: tuple[Any, int], server: Any, users: dict
) -> None:
    _client, ds_id = editor_dataset
    from studio import accounts

    with server.extensions["studio"]["db"].session() as s:
        accounts.create_account(s, "other@example.org", "editor", password="another password")
    for email, sees in (
        ("other@example.org", False),
        (users["viewer"]["email"], False),
        (users["admin"]["email"], True),
    ):
        other = server.test_client()
        assert (
            sign_in(
                other,
                email,
                "another password" if "other" in email else users["viewer"]["password"],
            ).status_code
            == 302
        )
        listed = [d["id"] for d in other.get("/api/v1/datasets").get_json()["datasets"]]
        assert (ds_id in listed) is sees, email
        expected = 200 if sees else 404
        assert other.get(f"/api/v1/datasets/{ds_id}").status_code == expected
        q = {"measures": [{"agg": "count"}]}
        assert other.post(f"/api/v1/datasets/{ds_id}/query", json=q).status_code == expected
        patch = other.patch(f"/api/v1/datasets/{ds_id}", json={"name": "x"})
        assert patch.status_code == expected
        assert other.delete(f"/api/v1/datasets/{ds_id}").status_code in (expected, 204)


def test_query_matches_pandas_on_real_rsa_file(login: Any) -> None:
    path = RSA
    client = login("editor")
    created = upload(client, path.read_bytes(), path.name, "RSA départements")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["row_count"] == 1078
    ds_id = body["id"]
    frame = pd.read_csv(path, dtype={"code_departement": str})
    code_col = next(c for c in frame.columns if c.startswith("code"))
    value_col = "foyers_allocataires_rsa"
    year_col = next(c for c in frame.columns if c in ("annee", "année", "year"))
    result = client.post(
        f"/api/v1/datasets/{ds_id}/query",
        json={
            "dimensions": [{"field": year_col}],
            "measures": [{"field": value_col, "agg": "sum"}],
            "filters": [{"field": code_col, "op": "in", "value": ["53", "72", "2A"]}],
            "sort": [{"field": year_col}],
        },
    ).get_json()
    expected = frame[frame[code_col].isin(["53", "72", "2A"])].groupby(year_col)[value_col].sum()
    assert [r[0] for r in result["rows"]] == list(expected.index)
    assert [r[1] for r in result["rows"]] == pytest.approx(list(expected.values))


def test_invalid_queries_get_clear_errors(editor_dataset: tuple[Any, int]) -> None:
    client, ds_id = editor_dataset
    url = f"/api/v1/datasets/{ds_id}/query"
    bad_field = client.post(
        url, json={"measures": [{"field": "montant; DROP TABLE x", "agg": "sum"}]}
    )
    assert bad_field.status_code == 422 and "montant; DROP TABLE x" in bad_field.get_json()["error"]
    bad_agg = client.post(url, json={"measures": [{"field": "montant", "agg": "eval"}]})
    assert bad_agg.status_code == 422 and bad_agg.get_json()["field"].startswith("measures")
    assert bad_agg.get_json()["code"] == "pydantic.literal_error"
    no_field = client.post(url, json={"measures": [{"agg": "sum"}]})
    assert no_field.get_json() == {
        "error": "Invalid query at measures.0: the aggregate 'sum' needs a field",
        "field": "measures.0",
        "code": "spec.agg_needs_field",
    }
    assert client.post(url, data="not json").status_code == 400
    sql_text = client.post(url, json={"sql": "select 1", "measures": [{"agg": "count"}]})
    assert sql_text.status_code == 422


def test_patch_label_rename_and_type(editor_dataset: tuple[Any, int]) -> None:
    client, ds_id = editor_dataset
    response = client.patch(
        f"/api/v1/datasets/{ds_id}",
        json={
            "name": "RSA 2024",
            "fields": [
                {"name": "montant", "label": "Montant versé (€)"},
                {"name": "nom", "new_name": "nom_departement"},
                {"name": "code_departement", "type": "text"},
            ],
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    fields = {f["name"]: f for f in body["fields"]}
    assert body["name"] == "RSA 2024" and body["version"] == 2
    assert fields["montant"]["label"] == "Montant versé (€)"
    assert "nom_departement" in fields and "nom" not in fields
    assert fields["code_departement"]["type"] == "text"
    rows = client.post(
        f"/api/v1/datasets/{ds_id}/query",
        json={
            "dimensions": [{"field": "nom_departement"}],
            "measures": [{"agg": "count"}],
            "sort": [{"field": "nom_departement"}],
        },
    ).get_json()["rows"]
    assert rows == [["Ain", 2], ["Corse-du-Sud", 1], ["Guadeloupe", 1]]


def test_replace_file_same_schema_then_breaking(editor_dataset: tuple[Any, int]) -> None:
    client, ds_id = editor_dataset
    more = FRENCH_CSV + "53;Mayenne;31/05/2024;10,00;9 %\n".encode("cp1252")
    put = client.put(
        f"/api/v1/datasets/{ds_id}/file",
        data={"file": (io.BytesIO(more), "v2.csv")},
        content_type="multipart/form-data",
    )
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["row_count"] == 5 and put.get_json()["changes"]["row_count_change"] == 1
    broken = b"code_departement;nom\n01;Ain\n"
    put = client.put(
        f"/api/v1/datasets/{ds_id}/file",
        data={"file": (io.BytesIO(broken), "v3.csv")},
        content_type="multipart/form-data",
    )
    assert put.status_code == 409
    assert "montant" in put.get_json()["changes"]["removed"]
    assert "Colonne supprimée : montant" in put.get_json()["error"]
    assert client.get(f"/api/v1/datasets/{ds_id}").get_json()["row_count"] == 5  # nothing lost
    forced = client.put(
        f"/api/v1/datasets/{ds_id}/file?force=1",
        data={"file": (io.BytesIO(broken), "v3.csv")},
        content_type="multipart/form-data",
    )
    assert forced.status_code == 200 and forced.get_json()["row_count"] == 1


def test_bad_files_get_precise_messages(login: Any) -> None:
    client = login("editor")
    cases = [
        (b"", "vide"),
        (bytes(range(256)) * 20, ""),
        (b"a;b\n1;2\n3;4;5;6\n", "ligne"),
        (b"a;b\n", "donn\u00e9e"),  # a header and no data (repeated names are renamed now)
    ]
    for content, words in cases:
        response = upload(client, content, "bad.csv")
        assert response.status_code == 422, (content[:20], response.get_json())
        assert words in response.get_json()["error"]
    assert client.get("/api/v1/datasets").get_json()["datasets"] == []


def test_upload_over_the_limit_gets_413(make_app: Any, users: Any) -> None:
    app = make_app(max_upload_mb=1)
    from studio import accounts

    with app.server.extensions["studio"]["db"].session() as s:
        accounts.create_account(s, "ed@example.org", "editor", password="a long password")
    client = app.server.test_client()
    sign_in(client, "ed@example.org", "a long password")
    response = upload(client, b"a;b\n" + b"1;2\n" * 400_000, "big.csv")
    assert response.status_code == 413
    assert "1 Mo" in response.get_json()["error"]


def test_delete(editor_dataset: tuple[Any, int]) -> None:
    client, ds_id = editor_dataset
    assert client.delete(f"/api/v1/datasets/{ds_id}").status_code == 204
    assert client.get(f"/api/v1/datasets/{ds_id}").status_code == 404


def test_sql_datasets_are_for_admins(login: Any, tmp_path: Any) -> None:
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'ext.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE rsa (code_departement TEXT, foyers INTEGER)"))
        conn.execute(sa.text("INSERT INTO rsa VALUES ('53', 10), ('53', 5), ('72', 7)"))
    body = {"sql_url": url, "table": "rsa", "name": "RSA externe"}
    assert login("editor").post("/api/v1/datasets", json=body).status_code == 403
    admin = login("admin")
    created = admin.post("/api/v1/datasets", json=body)
    assert created.status_code == 201, created.get_json()
    assert "sql_url" not in created.get_json() and url not in str(created.get_json())
    rows = admin.post(
        f"/api/v1/datasets/{created.get_json()['id']}/query",
        json={
            "dimensions": [{"field": "code_departement"}],
            "measures": [{"field": "foyers", "agg": "sum"}],
            "sort": [{"field": "code_departement"}],
        },
    ).get_json()["rows"]
    assert rows == [["53", 15], ["72", 7]]


def test_url_dataset_and_refresh(make_app: Any) -> None:
    app = make_app(url_allow_private=True)
    from studio import accounts

    with app.server.extensions["studio"]["db"].session() as s:
        accounts.create_account(s, "ed@example.org", "editor", password="a long password")
    client = app.server.test_client()
    sign_in(client, "ed@example.org", "a long password")
    with serve_files({"/export.csv": FRENCH_CSV}) as server:
        url = server.url("/export.csv")
        created = client.post("/api/v1/datasets", json={"url": url, "refresh_hours": 24})
        assert created.status_code == 201, created.get_json()
        ds_id = created.get_json()["id"]
        assert created.get_json()["row_count"] == 4 and created.get_json()["refresh_hours"] == 24
        server.files["/export.csv"] = FRENCH_CSV + "53;Mayenne;31/05/2024;10,00;9 %\n".encode(
            "cp1252"
        )
        refreshed = client.post(f"/api/v1/datasets/{ds_id}/refresh")
        assert refreshed.status_code == 200 and refreshed.get_json()["row_count"] == 5


def test_url_to_private_network_refused(login: Any) -> None:
    response = login("editor").post("/api/v1/datasets", json={"url": "http://127.0.0.1:6379/"})
    assert response.status_code == 422
    assert "serveur interne" in response.get_json()["error"]


def test_a_second_patch_keeps_the_first_ones_rename(editor_dataset: tuple[Any, int]) -> None:
    """The stored import options were changed in place, so the database did not see the
    rename: the next re-read of the file lost it (then refused the renamed column)."""
    client, ds_id = editor_dataset
    first = client.patch(
        f"/api/v1/datasets/{ds_id}", json={"fields": [{"name": "nom", "new_name": "libelle"}]}
    )
    assert first.status_code == 200, first.get_json()
    second = client.patch(
        f"/api/v1/datasets/{ds_id}", json={"fields": [{"name": "montant", "type": "text"}]}
    )
    assert second.status_code == 200, second.get_json()
    types = {f["name"]: f["type"] for f in second.get_json()["fields"]}
    assert types["libelle"] == "text" and types["montant"] == "text" and "nom" not in types
