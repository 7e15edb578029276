"""Dataset sources beyond files: the admins' database tab, and the scheduled URL refresh."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import call_callback, render_page, serve_files
from test_cli import cli_env  # noqa: F401 - the fixture, shared with the CLI tests

from studio import accounts
from studio.cli import main
from studio.services.refresh import refresh_due
from studio.store.models import Dataset

SQL_OUTPUT = "dsn-sql-message.children"
OWNERS = itertools.count(1)
CSV = "code;nom;foyers\n53001;Laval;10\n53002;Mayenne;7\n"


def db_of(app: Any) -> Any:
    return app.server.extensions["studio"]["db"]


def settings_of(app: Any) -> Any:
    return app.server.extensions["studio"]["settings"]


def sql_datasets(app: Any) -> list[Dataset]:
    with db_of(app).session() as s:
        return list(s.scalars(sa.select(Dataset).where(Dataset.kind == "sql")))


def alert_text(response: Any) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response.get_json()["response"]["dsn-sql-message"], ensure_ascii=False)


@pytest.fixture
def external_db(tmp_path: Path) -> str:
    """A SQLite file with one table, as an external database."""
    url = f"sqlite:///{tmp_path / 'ext.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE rsa (code_departement TEXT, foyers INTEGER)"))
        conn.execute(sa.text("INSERT INTO rsa VALUES ('53', 10), ('72', 7)"))
    engine.dispose()
    return url


# --- the database tab -------------------------------------------------------------------


def test_database_tab_only_for_admins(app: Any, login: Any) -> None:
    admin = json.dumps(render_page(login("admin"), app, "/datasets/new").get_json())
    assert "dsn-sql-url" in admin and "Base de donn" in admin
    editor = json.dumps(render_page(login("editor"), app, "/datasets/new").get_json())
    assert "dsn-tab-url" in editor and "dsn-sql-url" not in editor


def test_admin_adds_a_table_and_editor_is_refused(app: Any, login: Any, external_db: str) -> None:
    inputs, state = [1], [external_db, "rsa", "", "RSA externe"]
    refused = call_callback(login("editor"), app, SQL_OUTPUT, inputs, state)
    assert refused.status_code == 403
    assert sql_datasets(app) == []

    done = call_callback(login("admin"), app, SQL_OUTPUT, inputs, state)
    assert done.status_code == 200, done.get_data(as_text=True)[:500]
    made = sql_datasets(app)
    assert [(d.name, d.source["table"]) for d in made] == [("RSA externe", "rsa")]
    body = done.get_json()["response"]
    assert body["dsn-go"]["href"] == f"/datasets/{made[0].id}"
    assert external_db not in json.dumps(body)


@pytest.mark.parametrize(
    ("url", "table", "expected"),
    [
        ("pas une adresse", "rsa", "forme dialecte://"),
        ("postgresql://agent:S3cret-pw@127.0.0.1:1/base", "rsa", "pas joignable"),
        ("", "rsa", "Indiquez l'adresse de connexion"),
        (None, "absente", "Indiquez l'adresse de connexion"),
    ],
)
def test_bad_connection_gives_a_clear_message(
    app: Any, login: Any, url: str | None, table: str, expected: str
) -> None:
    text = alert_text(call_callback(login("admin"), app, SQL_OUTPUT, [1], [url, table, "", ""]))
    assert expected in text
    assert "S3cret-pw" not in text and "Traceback" not in text
    assert sql_datasets(app) == []


def test_missing_table_named_in_the_message(app: Any, login: Any, external_db: str) -> None:
    text = alert_text(
        call_callback(login("admin"), app, SQL_OUTPUT, [1], [external_db, "absente", "", ""])
    )
    assert "« absente » n'existe pas" in text


# --- scheduled refresh ------------------------------------------------------------------


@pytest.fixture
def exports() -> Iterator[Any]:
    """A local web server of CSV exports: /good.csv (its body can change); others fail."""
    with serve_files({"/good.csv": CSV.encode()}) as server:
        yield server


def _url_dataset(app: Any, url: str, hours: int | None, refreshed_hours_ago: float) -> int:
    """A URL dataset owned by a new editor, last refreshed some hours ago."""
    from studio.services import datasets as service

    with db_of(app).session() as s:
        user, _ = accounts.create_account(
            s, f"editor{next(OWNERS)}@example.org", "editor", password="a long password"
        )
        ds = service.create_from_url(
            s,
            settings_of(app),
            accounts.actor_of(user),
            f"{url.rsplit('/', 1)[0]}/good.csv",
            "Foyers",
            hours,
        )
        ds.source = {**ds.source, "url": url}
        ds.refreshed_at = datetime.now(UTC) - timedelta(hours=refreshed_hours_ago)
        return ds.id


def _state(app: Any, dataset_id: int) -> tuple[int, int, datetime | None]:
    with db_of(app).session() as s:
        ds = s.get(Dataset, dataset_id)
        return ds.row_count, ds.version, ds.refreshed_at


def test_refresh_due_refreshes_skips_and_reports(make_app: Any, exports: Any) -> None:
    app = make_app(url_allow_private=True)
    due = _url_dataset(app, exports.url("/good.csv"), 24, 30)
    not_due = _url_dataset(app, exports.url("/good.csv"), 48, 30)
    no_schedule = _url_dataset(app, exports.url("/good.csv"), None, 1000)
    broken = _url_dataset(app, exports.url("/broken.csv"), 1, 2)
    before = {i: _state(app, i) for i in (due, not_due, no_schedule, broken)}
    exports.files["/good.csv"] = (CSV + "53003;Château-Gontier;4\n").encode()

    results = dict(refresh_due(db_of(app), settings_of(app)))

    assert set(results) == {due, broken}
    assert results[due] == "ok"
    assert "a répondu par une erreur (500)" in results[broken]
    rows, version, refreshed = _state(app, due)
    assert (rows, version) == (3, before[due][1] + 1)
    assert refreshed is not None and refreshed.replace(tzinfo=UTC) > before[due][2].replace(
        tzinfo=UTC
    )
    for untouched in (not_due, no_schedule, broken):
        assert _state(app, untouched)[:2] == before[untouched][:2]
    assert refresh_due(db_of(app), settings_of(app)) == [(broken, results[broken])]


def test_refresh_skips_datasets_of_disabled_owners(make_app: Any, exports: Any) -> None:
    app = make_app(url_allow_private=True)
    dataset_id = _url_dataset(app, exports.url("/good.csv"), 1, 5)
    with db_of(app).session() as s:
        s.get(Dataset, dataset_id).owner.disabled = True
    assert refresh_due(db_of(app), settings_of(app)) == []


def test_refresh_uses_now(make_app: Any, exports: Any) -> None:
    app = make_app(url_allow_private=True)
    dataset_id = _url_dataset(app, exports.url("/good.csv"), 24, 1)
    assert refresh_due(db_of(app), settings_of(app)) == []
    later = datetime.now(UTC) + timedelta(hours=24)
    assert refresh_due(db_of(app), settings_of(app), now=later) == [(dataset_id, "ok")]


def test_cli_refresh_with_nothing_due(cli_env: Path) -> None:  # noqa: F811
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    result = runner.invoke(main, ["refresh"])
    assert result.exit_code == 0, result.output
    assert "Nothing to refresh." in result.output
    assert "cron" in runner.invoke(main, ["refresh", "--help"]).output


def test_cli_refresh_one_run_at_a_time(cli_env: Path) -> None:  # noqa: F811
    from studio.config import load_settings
    from studio.services.refresh import RefreshRunning, refresh_lock

    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    with refresh_lock(load_settings()):
        result = runner.invoke(main, ["refresh"])
        assert result.exit_code == 0, result.output
        assert "Another refresh is still running" in result.output
        with pytest.raises(RefreshRunning), refresh_lock(load_settings()):
            pass
    assert "Nothing to refresh." in runner.invoke(main, ["refresh"]).output
