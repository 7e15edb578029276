"""A full disk or a read-only instance folder while a dataset is written.

The person gets 507 (full) or 503 (read-only) with a French message saying what to do,
the previous version stays whole, and no file is left behind (staging, partial versions,
the folder of a dataset that was never created). Tests may run as root, which ignores
chmod, so the faults are injected by monkeypatching the writes.
"""

from __future__ import annotations

import errno
import io
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from studio.datasources import tabular

CSV = b"code;nom;montant\n01;Ain;10\n02;Aisne;20\n"
MORE = CSV + b"03;Allier;30\n"


def upload(client: Any, content: bytes = CSV, filename: str = "d.csv") -> Any:
    data = {"file": (io.BytesIO(content), filename), "name": "D"}
    return client.post("/api/v1/datasets", data=data, content_type="multipart/form-data")


def replace(client: Any, ds_id: int, content: bytes = MORE) -> Any:
    return client.put(
        f"/api/v1/datasets/{ds_id}/file",
        data={"file": (io.BytesIO(content), "v2.csv")},
        content_type="multipart/form-data",
    )


def files_under(folder: Path) -> list[str]:
    """Every file and folder below `folder`, relative, sorted."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def instance(server: Any) -> Path:
    return server.extensions["studio"]["settings"].instance


def full_disk(*_args: Any, **_kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, "No space left on device")


def read_only(*_args: Any, **_kwargs: Any) -> Any:
    raise OSError(errno.EROFS, "Read-only file system")


def dataset_count(server: Any) -> int:
    from studio.store.models import Dataset

    with server.extensions["studio"]["db"].session() as s:
        return s.query(Dataset).count()


def test_disk_full_while_saving_a_new_dataset(
    login: Any, server: Any, instance: Path, monkeypatch: Any
) -> None:
    client = login("editor")
    monkeypatch.setattr(shutil, "copyfile", full_disk)  # the kept source, after the Parquet
    response = upload(client)
    assert response.status_code == 507
    body = response.get_json()
    assert body["code"] == "storage.full"
    assert body["error"].startswith("Le disque de Studio est plein")
    assert "libérer de la place" in body["error"]
    assert dataset_count(server) == 0
    assert files_under(instance / "data") == []
    assert files_under(instance / "staging") == []


def test_disk_full_while_writing_the_parquet_file(
    login: Any, instance: Path, monkeypatch: Any
) -> None:
    def copy_fails(*_args: Any, **_kwargs: Any) -> Any:
        raise duckdb.IOException('Could not write file "x.parquet": No space left on device')

    monkeypatch.setattr(tabular, "_write_parquet", copy_fails)
    response = upload(login("editor"))
    assert response.status_code == 507
    assert response.get_json()["code"] == "storage.full"
    assert files_under(instance / "staging") == []
    assert files_under(instance / "data") == []


def test_disk_full_while_staging_the_upload(login: Any, instance: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(Path, "write_bytes", full_disk)
    response = upload(login("editor"))
    assert response.status_code == 507
    assert files_under(instance / "staging") == []


def test_read_only_folder_is_a_503_saying_what_to_do(
    login: Any, server: Any, instance: Path, monkeypatch: Any
) -> None:
    real_mkdir = Path.mkdir

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if instance in self.parents:
            read_only()
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    response = upload(login("editor"))
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == "storage.read_only"
    assert "lecture seule" in body["error"] and "administrateur" in body["error"]
    assert dataset_count(server) == 0


def test_replacing_on_a_full_disk_keeps_the_previous_version(
    login: Any, instance: Path, monkeypatch: Any
) -> None:
    client = login("editor")
    ds_id = upload(client).get_json()["id"]
    before = files_under(instance / "data")
    assert before == [f"{ds_id}", f"{ds_id}/v1", f"{ds_id}/v1/data.parquet",
                      f"{ds_id}/v1/source-d.csv"]
    monkeypatch.setattr(shutil, "copyfile", full_disk)
    response = replace(client, ds_id)
    assert response.status_code == 507
    monkeypatch.undo()
    assert files_under(instance / "data") == before  # no v2, nothing half-written
    assert files_under(instance / "staging") == []
    body = client.get(f"/api/v1/datasets/{ds_id}").get_json()
    assert body["version"] == 1 and body["row_count"] == 2
    rows = client.post(
        f"/api/v1/datasets/{ds_id}/query", json={"measures": [{"field": "montant", "agg": "sum"}]}
    ).get_json()["rows"]
    assert rows == [[30]]
    assert replace(client, ds_id).status_code == 200  # space freed: it goes through


def test_retyping_on_a_full_disk_leaves_no_work_folder(
    login: Any, instance: Path, monkeypatch: Any
) -> None:
    client = login("editor")
    ds_id = upload(client).get_json()["id"]
    monkeypatch.setattr(shutil, "copyfile", full_disk)
    response = client.patch(
        f"/api/v1/datasets/{ds_id}", json={"fields": [{"name": "nom", "new_name": "libelle"}]}
    )
    assert response.status_code == 507
    monkeypatch.undo()
    assert files_under(instance / "staging") == []
    assert [p for p in files_under(instance / "data") if "/" in p and p.count("/") == 1] == [
        f"{ds_id}/v1"
    ]
    fields = [f["name"] for f in client.get(f"/api/v1/datasets/{ds_id}").get_json()["fields"]]
    assert fields == ["code", "nom", "montant"]


def test_a_failed_commit_removes_the_files_it_wrote(
    login: Any, server: Any, instance: Path, monkeypatch: Any
) -> None:
    """The files are complete but the transaction that would point at them fails."""
    from studio.api import datasets as api

    server.config["PROPAGATE_EXCEPTIONS"] = False

    def audit_fails(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("database gone mid-request")

    client = login("editor")
    monkeypatch.setattr(api, "_audit", audit_fails)
    assert upload(client).status_code == 500
    assert dataset_count(server) == 0
    assert files_under(instance / "data") == []
    assert files_under(instance / "staging") == []


def test_a_failed_commit_keeps_the_previous_version_on_replace(
    login: Any, server: Any, instance: Path, monkeypatch: Any
) -> None:
    from studio.api import datasets as api

    server.config["PROPAGATE_EXCEPTIONS"] = False
    client = login("editor")
    ds_id = upload(client).get_json()["id"]
    before = files_under(instance / "data")

    def audit_fails(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("database gone mid-request")

    monkeypatch.setattr(api, "_audit", audit_fails)
    assert replace(client, ds_id).status_code == 500
    monkeypatch.undo()
    assert files_under(instance / "data") == before  # v1 not deleted before the commit
    body = client.get(f"/api/v1/datasets/{ds_id}").get_json()
    assert body["version"] == 1 and body["row_count"] == 2
    assert replace(client, ds_id).status_code == 200
    assert f"{ds_id}/v1" not in files_under(instance / "data")  # deleted once v2 committed


def test_storage_error_mapping() -> None:
    from studio.datasources.errors import storage_error

    assert storage_error(OSError(errno.ENOSPC, "x")).status == 507
    assert storage_error(OSError(errno.EDQUOT, "x")).code == "storage.full"
    assert storage_error(OSError(errno.EROFS, "x")).status == 503
    assert storage_error(OSError(errno.EACCES, "x")).code == "storage.read_only"
    assert storage_error(OSError(errno.ECONNRESET, "x")) is None
    assert storage_error(duckdb.IOException("Read-only file system")).status == 503
    assert storage_error(duckdb.IOException("Cannot open file: no such file")) is None
    assert storage_error(ValueError("x")) is None


def test_cover_image_on_a_full_disk_leaves_no_partial_file(
    server: Any, instance: Path, monkeypatch: Any
) -> None:
    from studio.datasources.errors import StorageError
    from studio.services import stories

    settings = server.extensions["studio"]["settings"]
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    real_write = Path.write_bytes

    def half_then_full(self: Path, data: bytes) -> int:
        real_write(self, data[: len(data) // 2])  # the disk filled up mid-file
        full_disk()

    monkeypatch.setattr(Path, "write_bytes", half_then_full)
    with pytest.raises(StorageError) as err:
        stories.save_cover_image(settings, 1, png)
    assert err.value.status == 507
    assert "libérer de la place" in err.value.message("fr")
    assert files_under(stories.images_dir(settings, 1)) == []
    monkeypatch.undo()
    name = stories.save_cover_image(settings, 1, png)
    assert files_under(stories.images_dir(settings, 1)) == [name]


def test_the_upload_page_says_the_disk_is_full_and_keeps_the_staged_file(
    app: Any, login: Any, instance: Path, monkeypatch: Any
) -> None:
    from tests.test_dataset_pages import response_of, run, stage, staging_folders, text_of

    editor = login("editor")
    store = stage(editor, app)["dsn-staged"]["data"]
    fields = {c: {"type": t} for c, t in store["detected"].items()}
    monkeypatch.setattr(shutil, "copyfile", full_disk)
    out = response_of(
        run(editor, app, "dsn-save.n_clicks", [1], [store, "Foyers", "", None, 1, False, False],
            fields)
    )
    assert "dsn-go" not in out
    assert "Le disque de Studio est plein" in text_of(out["dsn-message"]["children"])
    assert files_under(instance / "data") == []
    assert len(staging_folders(app)) == 1  # kept: the person retries once space is freed
    monkeypatch.undo()
    saved = response_of(
        run(editor, app, "dsn-save.n_clicks", [1], [store, "Foyers", "", None, 1, False, False],
            fields)
    )
    assert saved["dsn-go"]["href"].startswith("/datasets/")
    assert staging_folders(app) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Any:
    """A real 600 KB file system (tmpfs), where the machine allows mounting one (root in a
    privileged container or VM); skipped elsewhere."""
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode:
        pytest.skip("cannot mount a tmpfs here (needs root and the mount capability)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_then_read_only_disk(make_app: Any, small_disk: Path) -> None:
    """The same outcomes on a real file system that fills up, then is remounted read-only."""
    import subprocess

    from tests.conftest import sign_in

    server = make_app(instance=small_disk / "instance").server
    with server.extensions["studio"]["db"].session() as s:
        from studio import accounts

        accounts.create_account(s, "ed@example.org", "editor", [], "x" * 16, "Ed")
    client = server.test_client()
    assert sign_in(client, "ed@example.org", "x" * 16).status_code == 302
    ds_id = upload(client).get_json()["id"]
    before = files_under(small_disk / "instance" / "data")
    big = b"code;nom;montant\n" + b"".join(b"%06d;%032x;%d\n" % (i, i, i) for i in range(20000))
    response = upload(client, big)
    assert response.status_code == 507
    assert response.get_json()["code"] == "storage.full"
    assert files_under(small_disk / "instance" / "data") == before
    assert files_under(small_disk / "instance" / "staging") == []
    filler = small_disk / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)
    assert client.get("/readyz").get_json()["checks"]["storage"] == "failed"
    assert replace(client, ds_id).status_code == 507
    filler.unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    response = replace(client, ds_id)
    assert response.status_code == 503
    assert response.get_json()["code"] == "storage.read_only"
    assert client.get("/readyz").status_code == 503
    assert files_under(small_disk / "instance" / "data") == before
    rows = client.post(
        f"/api/v1/datasets/{ds_id}/query", json={"measures": [{"field": "montant", "agg": "sum"}]}
    ).get_json()["rows"]
    assert rows == [[30]]  # the data is still served from the read-only disk
