"""The `studio` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from studio.cli import main


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, monkeypatch: Any) -> Path:
    monkeypatch.setenv("STUDIO_INSTANCE", str(tmp_path / "inst"))
    monkeypatch.setenv("STUDIO_DATABASE_URL", database_url)
    monkeypatch.delenv("STUDIO_SECRET_KEY", raising=False)
    monkeypatch.delenv("STUDIO_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("STUDIO_ADMIN_PASSWORD", raising=False)
    return tmp_path / "inst"


def test_init_creates_instance_and_admin_once(cli_env: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["init"])
    assert first.exit_code == 0, first.output
    assert "Admin account: admin@studio.local" in first.output
    assert "Admin password (shown once" in first.output
    assert (cli_env / "secret_key").exists()
    second = runner.invoke(main, ["init"])
    assert second.exit_code == 0
    assert "already exists" in second.output and "password" not in second.output


def test_init_takes_admin_from_environment(cli_env: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("STUDIO_ADMIN_EMAIL", "chef@cd53.fr")
    monkeypatch.setenv("STUDIO_ADMIN_PASSWORD", "a very good password")
    result = CliRunner().invoke(main, ["init"])
    assert "Admin account: chef@cd53.fr" in result.output
    assert "shown once" not in result.output


def test_init_refuses_placeholder_secret(cli_env: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("STUDIO_SECRET_KEY", "changeme")
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 1
    assert "placeholder" in result.output


def test_create_user_with_password_from_stdin_and_token(cli_env: Path) -> None:
    runner = CliRunner()
    runner.invoke(main, ["init"])
    made = runner.invoke(
        main,
        [
            "create-user",
            "--email",
            "Agent@CD53.fr",
            "--role",
            "editor",
            "--group",
            "CD53",
            "--group",
            "Obs",
        ],
        input="a strong password\n",
    )
    assert made.exit_code == 0, made.output
    assert "Created editor agent@cd53.fr" in made.output and "Password" not in made.output
    dup = runner.invoke(
        main, ["create-user", "--email", "agent@cd53.fr"], input="another password\n"
    )
    assert dup.exit_code == 1 and "already exists" in dup.output
    token = runner.invoke(main, ["create-token", "--email", "agent@cd53.fr"])
    assert token.exit_code == 0 and token.output.strip().startswith("stu_")
    missing = runner.invoke(main, ["create-token", "--email", "nobody@x.org"])
    assert missing.exit_code == 1 and "no user" in missing.output


def test_created_token_works_against_the_api(cli_env: Path, database_url: str) -> None:
    runner = CliRunner()
    runner.invoke(main, ["init"])
    runner.invoke(
        main, ["create-user", "--email", "v@x.org", "--group", "G1"], input="a strong password\n"
    )
    token = runner.invoke(main, ["create-token", "--email", "v@x.org"]).output.strip()
    from studio import create_app

    app = create_app({"instance": cli_env, "database_url": database_url, "testing": True})
    response = app.server.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.get_json() == {"email": "v@x.org", "role": "viewer", "groups": ["G1"]}
    app.server.extensions["studio"]["db"].dispose()


def test_create_user_generates_password_without_stdin(cli_env: Path) -> None:
    runner = CliRunner()
    runner.invoke(main, ["init"])
    made = runner.invoke(main, ["create-user", "--email", "x@y.org"], input="")
    assert made.exit_code == 0
    assert "Password (shown once)" in made.output


def test_app_refuses_uninitialised_database(tmp_path: Path) -> None:
    from studio import create_app
    from studio.config import ConfigError

    with pytest.raises(ConfigError, match="studio init"):
        create_app({"instance": tmp_path, "secret_key": "k" * 40})


def test_demo_loads_once_and_renders(cli_env: Path, database_url: str, monkeypatch: Any) -> None:
    """Offline and without STUDIO_BOUNDARIES: the demo draws the shipped outlines."""
    import urllib.request

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the demo must not download anything")

    monkeypatch.delenv("STUDIO_BOUNDARIES", raising=False)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    runner = CliRunner()
    runner.invoke(main, ["init"])
    first = runner.invoke(main, ["demo", "--if-new"])
    assert first.exit_code == 0, first.output
    assert "Demo dashboard ready: /dashboards/1" in first.output
    again = runner.invoke(main, ["demo", "--if-new"])
    assert again.exit_code == 0 and "already loaded" in again.output
    from studio import create_app
    from studio.store import documents as repo

    app = create_app({"instance": cli_env, "database_url": database_url, "testing": True})
    with app.server.extensions["studio"]["db"].session() as s:
        doc = repo.get_document(s, "dashboard", 1)
        assert doc.title == "Observatoire RSA (démo)" and doc.published_number == 1
        kinds = {tile["kind"] for tile in doc.spec["tiles"]}
        assert kinds == {"chart", "map", "kpi", "table", "text"}
    assert "Demo story ready: /stories/2" in first.output
    _demo_story_runs(app)
    app.server.extensions["studio"]["db"].dispose()


def _demo_story_runs(app: Any) -> None:
    """The demo story is published, and every text, tile, step and dashboard part has data."""
    from studio import accounts
    from studio.services import stories
    from studio.store import documents as repo
    from studio.store import users as user_repo

    ext = app.server.extensions["studio"]
    with ext["db"].session() as s:
        doc = repo.get_document(s, "story", 2)
        assert doc.title == "Le RSA en six ans (démo)" and doc.published_number == 1
        assert doc.visibility == "internal"
        actor = accounts.actor_of(user_repo.list_users(s)[0])
        story = stories.open_story(s, actor, 2)
    assert [c.kind for c in story.spec.chapters] == ["tiles", "scroll", "scroll", "dashboard"]
    data = stories.story_data(ext["db"], ext["settings"], None, actor, story, "fr")
    assert all(unit.error is None and unit.results for unit in data.units.values()), data
    part = data.dashboards["detail"]
    assert part is not None and len(part.tiles) == 4
    assert all(d.error is None for d in part.data.values())
    for chapter in story.spec.chapters[1:3]:
        for number in range(len(chapter.steps)):
            _n, step = stories.step_data(ext["db"], ext["settings"], None, actor, story,
                                         chapter, number, "fr")
            unit = step.units[f"tile:{chapter.tile.id}"]
            assert unit.error is None and all(r.rows for r in unit.results.values())


def test_demo_without_boundaries_says_what_to_do(cli_env: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("STUDIO_BOUNDARIES", str(cli_env / "missing.geojson"))
    runner = CliRunner()
    runner.invoke(main, ["init"])
    result = runner.invoke(main, ["demo"])
    assert result.exit_code == 1 and "STUDIO_BOUNDARIES" in result.output


def test_export_then_import_a_dashboard(cli_env: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(main, ["init"])
    from studio.cli import _db, _first_admin
    from studio.services import documents

    db = _db()
    with db.session() as s:
        doc = documents.create(s, "dashboard", _first_admin(db),
                               {"title": "Suivi RSA", "tiles": [
                                   {"kind": "text", "id": "t1", "markdown": "**Bonjour**"}],
                                "layout": [{"tile": "t1", "x": 0, "y": 0, "w": 6, "h": 2}]})
        doc_id = doc.id
    exported = runner.invoke(main, ["export", "dashboard", str(doc_id)])
    assert exported.exit_code == 0, exported.output
    assert '"studio_export": 1' in exported.output and "Suivi RSA" in exported.output
    path = tmp_path / "board.json"
    path.write_text(exported.output, encoding="utf-8")
    imported = runner.invoke(main, ["import", str(path)])
    assert imported.exit_code == 0, imported.output
    assert "Imported dashboard 2: Suivi RSA (draft)" in imported.output
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert "not JSON" in runner.invoke(main, ["import", str(bad)]).output
    assert runner.invoke(main, ["export", "dashboard", "99"]).exit_code == 1


def test_export_then_import_a_story(cli_env: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(main, ["init"])
    from studio.cli import _db, _first_admin
    from studio.services import documents

    db = _db()
    with db.session() as s:
        doc = documents.create(s, "story", _first_admin(db), {
            "title": "Récit RSA", "cover": {"author": "Observatoire"},
            "chapters": [{"kind": "tiles", "id": "a", "title": "Début",
                          "text": {"markdown": "**Bonjour**"}}]})
        doc_id = doc.id
    exported = runner.invoke(main, ["export", "story", str(doc_id)])
    assert exported.exit_code == 0, exported.output
    assert '"kind": "story"' in exported.output and "Récit RSA" in exported.output
    path = tmp_path / "story.json"
    path.write_text(exported.output, encoding="utf-8")
    imported = runner.invoke(main, ["import", str(path)])
    assert imported.exit_code == 0, imported.output
    assert f"Imported story {doc_id + 1}: Récit RSA (draft)" in imported.output
