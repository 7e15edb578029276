"""Settings: defaults, overridden by `STUDIO_*` environment variables, then by a config dict."""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A setting is missing or unsafe; the message says which and what to do."""


PLACEHOLDER_SECRETS = {
    "changeme",
    "change-me",
    "secret",
    "secret-key",
    "secretkey",
    "dev",
    "development",
    "password",
    "test",
    "please-change-me",
    "your-secret-key",
    "insecure",
}
MIN_SECRET_LENGTH = 32
SESSION_PROTECTIONS = ("basic", "strong", "none")
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8050"


@dataclass(frozen=True)
class Settings:
    """Everything Studio reads from its environment, with safe defaults."""

    instance: Path = Path("instance")
    database_url: str = ""
    secret_key: str = ""
    redis_url: str = ""
    redis_prefix: str = "studio:"
    default_locale: str = "fr"
    max_upload_mb: int = 200
    staging_mb_per_user: int = 1000
    query_cache_mb: int = 256
    tile_url: str = ""
    tile_attribution: str = ""
    boundaries: str = ""
    public_url: str = ""
    https: bool = False
    proxy_fix: bool = False  # legacy: STUDIO_PROXY_HOPS=1
    proxy_hops: int = 0
    session_protection: str = "basic"
    db_pool_size: int = 5
    db_max_overflow: int = 10
    login_max_per_account: int = 5
    login_max_per_address: int = 30
    login_window_seconds: int = 900
    testing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        """Folder holding datasets' Parquet files."""
        return self.instance / "data"

    @property
    def public_base_url(self) -> str:
        """The address websites reach Studio at, for the embed URLs and snippets Studio
        gives out: STUDIO_PUBLIC_URL, else the local default (never a request's `Host`
        header, which whoever sends the request chooses)."""
        return (self.public_url or DEFAULT_PUBLIC_URL).rstrip("/")

    @property
    def trusted_proxy_hops(self) -> int:
        """How many reverse proxies in front of Studio to trust for `X-Forwarded-*`:
        STUDIO_PROXY_HOPS, else 1 when the older STUDIO_PROXY_FIX is on, else 0 (the
        headers are ignored: anyone reaching gunicorn could forge them)."""
        return self.proxy_hops or (1 if self.proxy_fix else 0)

    @property
    def resolved_database_url(self) -> str:
        """The metadata database URL: the configured one, or SQLite in the instance folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.instance / 'studio.db').resolve()}"


ENV_NAMES = {
    "instance": "STUDIO_INSTANCE",
    "database_url": "STUDIO_DATABASE_URL",
    "secret_key": "STUDIO_SECRET_KEY",
    "redis_url": "STUDIO_REDIS_URL",
    "redis_prefix": "STUDIO_REDIS_PREFIX",
    "default_locale": "STUDIO_DEFAULT_LOCALE",
    "max_upload_mb": "STUDIO_MAX_UPLOAD_MB",
    "staging_mb_per_user": "STUDIO_STAGING_MB_PER_USER",
    "query_cache_mb": "STUDIO_QUERY_CACHE_MB",
    "tile_url": "STUDIO_TILE_URL",
    "tile_attribution": "STUDIO_TILE_ATTRIBUTION",
    "boundaries": "STUDIO_BOUNDARIES",
    "public_url": "STUDIO_PUBLIC_URL",
    "https": "STUDIO_HTTPS",
    "proxy_fix": "STUDIO_PROXY_FIX",
    "proxy_hops": "STUDIO_PROXY_HOPS",
    "session_protection": "STUDIO_SESSION_PROTECTION",
    "db_pool_size": "STUDIO_DB_POOL_SIZE",
    "db_max_overflow": "STUDIO_DB_MAX_OVERFLOW",
    "login_max_per_account": "STUDIO_LOGIN_MAX_PER_ACCOUNT",
    "login_max_per_address": "STUDIO_LOGIN_MAX_PER_ADDRESS",
    "login_window_seconds": "STUDIO_LOGIN_WINDOW_SECONDS",
}


def _coerce(name: str, raw: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        try:
            return int(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"{ENV_NAMES.get(name, name)} must be a whole number, not {raw!r}"
            ) from exc
    if isinstance(default, Path):
        return Path(raw)
    return raw


def load_settings(
    config: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Settings from defaults, then the environment, then `config` (used by tests)."""
    env = os.environ if environ is None else environ
    base = Settings()
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name == "extra":
            continue
        default = getattr(base, f.name)
        env_name = ENV_NAMES.get(f.name)
        if env_name and env.get(env_name, "") != "":
            values[f.name] = _coerce(f.name, env[env_name], default)
    extra: dict[str, Any] = {}
    for key, value in (config or {}).items():
        if key in {f.name for f in fields(Settings)}:
            values[key] = _coerce(key, value, getattr(base, key))
        else:
            extra[key] = value
    settings = replace(base, **values, extra=extra)
    if settings.default_locale not in ("fr", "en"):
        raise ConfigError("STUDIO_DEFAULT_LOCALE must be 'fr' or 'en'.")
    if settings.session_protection not in SESSION_PROTECTIONS:
        raise ConfigError(
            "STUDIO_SESSION_PROTECTION must be 'basic' (the default: a session survives a "
            "change of the client's address), 'strong' (signed out when the address or "
            "browser changes) or 'none'."
        )
    if not 0 <= settings.proxy_hops <= 5:
        raise ConfigError(
            "STUDIO_PROXY_HOPS must be the number of reverse proxies in front of Studio "
            "(0 to 5; 0 ignores X-Forwarded-* headers)."
        )
    if settings.db_pool_size < 1 or settings.db_max_overflow < 0:
        raise ConfigError(
            "STUDIO_DB_POOL_SIZE must be at least 1 and STUDIO_DB_MAX_OVERFLOW at least 0 "
            "(each worker opens up to their sum of connections to PostgreSQL)."
        )
    if settings.public_url and not settings.public_url.startswith(("https://", "http://")):
        raise ConfigError(
            "STUDIO_PUBLIC_URL must be an http(s) address, e.g. https://studio.example.fr"
        )
    return settings


def check_secret_key(key: str) -> None:
    """Raise ConfigError when an explicitly configured key is short or a known placeholder."""
    if key.strip().lower() in PLACEHOLDER_SECRETS:
        raise ConfigError(
            "STUDIO_SECRET_KEY is a well-known placeholder. Set it to a random value of at least "
            f"{MIN_SECRET_LENGTH} characters (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`), or unset it to let "
            "Studio generate one in the instance folder."
        )
    if len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"STUDIO_SECRET_KEY is too short ({len(key)} characters; at least {MIN_SECRET_LENGTH} "
            "are needed). Use a long random value, or unset it to let Studio generate one."
        )


def resolve_secret_key(settings: Settings) -> str:
    """The configured key (checked), or the instance's generated key (created 0600 if missing)."""
    if settings.secret_key:
        check_secret_key(settings.secret_key)
        return settings.secret_key
    path = settings.instance / "secret_key"
    key = _read_key(path)
    if key:
        return key
    settings.instance.mkdir(parents=True, exist_ok=True)
    return _create_key(path)


def _read_key(path: Path) -> str:
    """The key stored at `path`, or "" when it is missing or too short."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""
    return key if len(key) >= MIN_SECRET_LENGTH else ""


def _create_key(path: Path) -> str:
    """Write a new key to a temporary file, then link it into place: the first process wins.

    `os.link` fails when `path` exists, so processes started together all end up with the
    winner's key, and no process ever reads a half-written file. A stored key that is too
    short (from an old version) is replaced.
    """
    key = secrets.token_urlsafe(48)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            existing = _read_key(path)
            if existing:
                return existing
            os.replace(tmp, path)
        return key
    finally:
        tmp.unlink(missing_ok=True)
