"""Settings, the secret key and its refusal rules."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from studio.config import ConfigError, check_secret_key, load_settings, resolve_secret_key


def test_defaults() -> None:
    s = load_settings(environ={})
    assert s.instance == Path("instance")
    assert s.default_locale == "fr"
    assert s.max_upload_mb == 200
    assert s.tile_url == ""  # offline by default: no base map unless configured
    assert s.resolved_database_url.startswith("sqlite:///")


def test_environment_then_config_override() -> None:
    env = {
        "STUDIO_MAX_UPLOAD_MB": "50",
        "STUDIO_DATABASE_URL": "sqlite:///x.db",
        "STUDIO_HTTPS": "1",
    }
    s = load_settings({"max_upload_mb": 10}, environ=env)
    assert s.max_upload_mb == 10
    assert s.database_url == "sqlite:///x.db"
    assert s.https is True


def test_bad_number_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="STUDIO_MAX_UPLOAD_MB must be a whole number"):
        load_settings(environ={"STUDIO_MAX_UPLOAD_MB": "lots"})


def test_unknown_locale_refused() -> None:
    with pytest.raises(ConfigError, match="STUDIO_DEFAULT_LOCALE"):
        load_settings(environ={"STUDIO_DEFAULT_LOCALE": "de"})


@pytest.mark.parametrize("key", ["changeme", "secret", "dev", "CHANGEME", "short-key-123"])
def test_weak_configured_secret_is_refused(key: str) -> None:
    with pytest.raises(ConfigError, match="STUDIO_SECRET_KEY"):
        check_secret_key(key)


def test_long_random_secret_accepted() -> None:
    check_secret_key("x" * 40)


def test_generated_secret_is_kept_with_mode_0600(tmp_path: Path) -> None:
    s = load_settings({"instance": tmp_path}, environ={})
    first = resolve_secret_key(s)
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert resolve_secret_key(s) == first


def test_app_refuses_to_start_with_placeholder_secret(make_app) -> None:  # noqa: ANN001
    with pytest.raises(ConfigError, match="placeholder"):
        make_app(secret_key="changeme")


def _resolve_in_child(instance: str, start, out) -> None:
    """Wait for the start signal, then resolve the instance's key (run in a child process)."""
    start.wait()
    out.put(resolve_secret_key(load_settings({"instance": Path(instance)}, environ={})))


def test_processes_started_together_agree_on_the_generated_key(tmp_path: Path) -> None:
    """8 processes creating the key at once all get the same one (exclusive create), 20 rounds."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    for round_ in range(20):
        instance = tmp_path / f"i{round_}"
        start, out = ctx.Event(), ctx.Queue()
        args = (str(instance), start, out)
        procs = [ctx.Process(target=_resolve_in_child, args=args) for _ in range(8)]
        for p in procs:
            p.start()
        start.set()
        keys = {out.get(timeout=20) for _ in procs}
        for p in procs:
            p.join(timeout=20)
        assert len(keys) == 1, f"round {round_}: {len(keys)} different keys"
        assert keys == {(instance / "secret_key").read_text(encoding="utf-8").strip()}


def test_database_pool_budget_settings() -> None:
    from studio.store.db import make_engine

    s = load_settings(environ={"STUDIO_DB_POOL_SIZE": "3", "STUDIO_DB_MAX_OVERFLOW": "2"})
    assert (s.db_pool_size, s.db_max_overflow) == (3, 2)
    engine = make_engine("postgresql+psycopg://u@127.0.0.1:1/db", 3, 2)  # nothing connects yet
    assert engine.pool.size() == 3 and engine.pool._max_overflow == 2
    with pytest.raises(ConfigError, match="STUDIO_DB_POOL_SIZE must be at least 1"):
        load_settings(environ={"STUDIO_DB_POOL_SIZE": "0"})


def test_every_setting_is_in_the_readme_table() -> None:
    """Each environment variable Studio reads is documented in the README's configuration
    table (a row whose first cell names it)."""
    import re
    from pathlib import Path

    from studio.config import ENV_NAMES

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = {
        name
        for line in table.splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`(STUDIO_[A-Z_]+)`", line.split(" | ")[0])
    }
    assert set(ENV_NAMES.values()) - documented == set()
