"""The staging folder is emptied on every outcome (saved, refused, crashed, abandoned) and one
person's pending uploads are capped in bytes."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from test_dataset_pages import FRENCH_CSV, data_url, response_of, run, text_of

from studio.accounts import actor_of
from studio.datasources import DatasetError
from studio.datasources.errors import StorageError
from studio.services import datasets as service
from studio.services import staging
from studio.store.models import User


def _folders(app: Any) -> list[str]:
    root = staging.root(app.server.extensions["studio"]["settings"])
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


def _editor(app: Any, users: dict[str, Any]) -> Any:
    with app.server.extensions["studio"]["db"].session() as s:
        return actor_of(s.get(User, users["editor"]["id"]))


def _settings(app: Any) -> Any:
    return app.server.extensions["studio"]["settings"]


def test_a_crash_during_the_analysis_leaves_no_folder(
    app: Any, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_args: Any, **_kwargs: Any) -> Any:
        raise MemoryError("killed half-way")

    monkeypatch.setattr(service, "ingest", crash)
    with pytest.raises(MemoryError):
        service.stage_upload(_settings(app), _editor(app, users), "a.csv", FRENCH_CSV, None)
    assert _folders(app) == []


def test_a_refused_file_leaves_no_folder(app: Any, users: dict[str, Any]) -> None:
    with pytest.raises(DatasetError):
        service.stage_upload(_settings(app), _editor(app, users), "a.csv", b"", None)
    assert _folders(app) == []


def test_a_failed_replacement_leaves_no_work_folder(
    app: Any, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, editor = _settings(app), _editor(app, users)
    with app.server.extensions["studio"]["db"].session() as s:
        ds, _ = service.create_from_upload(s, settings, editor, "a.csv", FRENCH_CSV)
        assert _folders(app) == []
        with pytest.raises(DatasetError):
            service.replace_file(s, settings, editor, ds, "b.csv", b"a;b\n1;2\n3;4;5;6\n")
        assert _folders(app) == []

        def crash(*_args: Any, **_kwargs: Any) -> Any:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(service, "ingest", crash)
        # A full disk is said as such (StorageError, 507), and leaves nothing behind.
        with pytest.raises(StorageError):
            service.replace_file(s, settings, editor, ds, "b.csv", FRENCH_CSV)
        with pytest.raises(StorageError):
            service._reingest(settings, ds, service.options_from_json(ds.ingest_options))
    assert _folders(app) == []


def _age(folder: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(folder, (then, then))


def test_the_janitor_removes_what_no_outcome_reached(app: Any, users: dict[str, Any]) -> None:
    settings, editor = _settings(app), _editor(app, users)
    abandoned = service.stage_upload(settings, editor, "a.csv", FRENCH_CSV, None).token
    waiting = service.stage_upload(settings, editor, "b.csv", FRENCH_CSV, None).token
    root = staging.root(settings)
    dead = root / "replace-1-deadbeef0000"
    dead.mkdir()
    running = root / "reingest-1-cafe00000000"
    running.mkdir()
    _age(root / abandoned, 25 * 3600)
    _age(root / waiting, 23 * 3600)
    _age(dead, 2 * 3600)
    _age(running, 60)
    assert staging.sweep(settings) == 2
    assert _folders(app) == sorted([waiting, running.name])
    # The person comes back to the abandoned page: told to upload again, nothing breaks.
    with pytest.raises(DatasetError) as refused:
        service.restage(settings, editor, abandoned, service.IngestOptions())
    assert refused.value.code == "upload.expired"


def test_the_janitor_is_bounded(app: Any) -> None:
    root = staging.root(_settings(app))
    root.mkdir(parents=True)
    for i in range(12):
        (root / f"replace-{i}-old").mkdir()
        _age(root / f"replace-{i}-old", 7200)
    assert staging.sweep(_settings(app), limit=5) == 5
    assert len(_folders(app)) == 7
    assert staging.sweep(_settings(app)) == 7


def test_pending_uploads_are_capped_per_person(make_app: Any) -> None:
    app = make_app(staging_mb_per_user=1)
    server = app.server
    from studio.accounts import create_account

    with server.extensions["studio"]["db"].session() as s:
        one = actor_of(create_account(s, "un@example.org", "editor", [], "x" * 12)[0])
        two = actor_of(create_account(s, "deux@example.org", "editor", [], "x" * 12)[0])
    settings = _settings(app)
    big = FRENCH_CSV * 50  # ~615 KB: one fits under 1 MB, two do not
    first = service.stage_upload(settings, one, "a.csv", big, None)
    with pytest.raises(DatasetError) as refused:
        service.stage_upload(settings, one, "b.csv", big, None)
    assert refused.value.code == "upload.quota"
    message = refused.value.to_dict("fr")["message"]
    assert "en attente" in message and "1 Mo" in message and "Enregistrez-les" in message
    assert len(_folders(app)) == 1
    # Another person is not held back by the first one's uploads.
    service.stage_upload(settings, two, "c.csv", big, None)
    # Discarding frees the room.
    service.discard_staged(settings, one, first.token)
    service.stage_upload(settings, one, "b.csv", big, None)


def _capped_editor(make_app: Any) -> tuple[Any, Any]:
    """An app whose pending uploads are capped at 1 Mo, and a signed-in editor's client."""
    from conftest import PASSWORD, sign_in

    from studio.accounts import create_account

    app = make_app(staging_mb_per_user=1)
    with app.server.extensions["studio"]["db"].session() as s:
        create_account(s, "un@example.org", "editor", [], PASSWORD)
    client = app.server.test_client()
    sign_in(client, "un@example.org")
    return app, client


def test_the_upload_page_says_the_cap_is_reached(make_app: Any) -> None:
    app, client = _capped_editor(make_app)
    dropped = {"contents": data_url(FRENCH_CSV * 50), "filename": "a.csv"}
    first = response_of(run(client, app, "dsn-file.data", [dropped], [None]))
    assert first["dsn-staged"]["data"]["token"]
    # A second file dropped while the first waits (in another tab: no `previous`).
    second = response_of(run(client, app, "dsn-file.data", [dropped], [None]))
    assert "dsn-staged" not in second
    assert "en attente d'enregistrement" in text_of(second["dsn-message"]["children"])
    assert len(_folders(app)) == 1


def test_the_api_refuses_an_upload_over_the_cap(make_app: Any) -> None:
    app, client = _capped_editor(make_app)
    data = {"file": (io.BytesIO(FRENCH_CSV * 100), "big.csv"), "name": "Gros"}
    response = client.post("/api/v1/datasets", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_json()["code"] == "upload.quota"
    assert _folders(app) == []


def test_the_nightly_command_sweeps_the_staging_folder(
    app: Any, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from studio.cli import main

    root = staging.root(_settings(app))
    root.mkdir(parents=True)
    (root / "replace-9-old").mkdir()
    _age(root / "replace-9-old", 7200)
    monkeypatch.setenv("STUDIO_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("STUDIO_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["purge-bin"])
    assert result.exit_code == 0 and "1 abandoned upload(s) removed" in result.output
    assert _folders(app) == []
