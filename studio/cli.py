"""The `studio` command: init, run, create-user, create-token."""

from __future__ import annotations

import os
import sys

import click

from studio.config import ConfigError, load_settings, resolve_secret_key
from studio.store import AlreadyExists, Database, InvalidValue, migrate
from studio.store.models import ROLES


def _db() -> Database:
    settings = load_settings()
    settings.instance.mkdir(parents=True, exist_ok=True)
    return Database(settings.resolved_database_url)


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """Studio: dashboards and data stories for public authorities."""


@main.command()
def init() -> None:
    """Create the instance folder and database, and a first admin account."""
    from studio import accounts
    from studio.store import users as repo

    try:
        settings = load_settings()
        settings.instance.mkdir(parents=True, exist_ok=True)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        resolve_secret_key(settings)
    except ConfigError as exc:
        _fail(str(exc))
    db = _db()
    applied = migrate(db)
    click.echo(f"Instance: {settings.instance.resolve()}")
    click.echo(f"Database ready ({len(applied)} migration(s) applied).")
    with db.session() as s:
        if repo.count_users(s, "admin"):
            click.echo("An admin account already exists.")
            return
        email = os.environ.get("STUDIO_ADMIN_EMAIL", "admin@studio.local")
        password = os.environ.get("STUDIO_ADMIN_PASSWORD") or None
        try:
            user, generated = accounts.create_account(
                s, email, "admin", password=password, name="Admin"
            )
        except (InvalidValue, ValueError) as exc:
            _fail(f"cannot create the admin account: {exc}")
        click.echo(f"Admin account: {user.email}")
        if generated:
            click.echo(f"Admin password (shown once, keep it safe): {generated}")


@main.command()
@click.option("--if-new", is_flag=True, help="Do nothing when the demo is already loaded.")
def demo(if_new: bool) -> None:
    """Load the demo workspace (fictitious RSA data, boundaries, a published dashboard)."""
    from studio import accounts
    from studio.services.demo import DemoError, demo_exists, load_demo
    from studio.store import users as repo

    settings = load_settings()
    db = _db()
    if demo_exists(db):
        click.echo("The demo workspace is already loaded.")
        if if_new:
            return
    with db.session() as s:
        admins = [u for u in repo.list_users(s) if u.role == "admin" and not u.disabled]
        if not admins:
            _fail("no admin account: run `studio init` first.")
        actor = accounts.actor_of(admins[0])
    click.echo("Loading the demo workspace (fictitious data)…")
    try:
        made = load_demo(db, settings, actor)
    except DemoError as exc:
        _fail(f"{exc} Set STUDIO_BOUNDARIES to a GeoJSON file of the départements, or unset "
              "it to use the outlines shipped with Studio.")
    click.echo(f"Demo dashboard ready: /dashboards/{made['dashboard']}")
    click.echo(f"Demo story ready: /stories/{made['story']}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Reload on code changes (development only).")
def run(host: str, port: int, debug: bool) -> None:
    """Serve Studio (development server; use `gunicorn studio.wsgi:app` in production)."""
    from studio import create_app

    try:
        app = create_app()
    except ConfigError as exc:
        _fail(str(exc))
    click.echo(f"Studio is running on http://{host}:{port}")
    app.run(host=host, port=port, debug=debug)


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--group", "groups", multiple=True, help="A group to add the user to (repeatable).")
@click.option("--name", default="")
def create_user(email: str, role: str, groups: tuple[str, ...], name: str) -> None:
    """Create a user; the password is read from standard input, or generated and printed."""
    from studio import accounts
    from studio.security.passwords import WeakPassword

    password = None
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n") or None
    try:
        with _db().session() as s:
            user, generated = accounts.create_account(s, email, role, groups, password, name)
            click.echo(f"Created {user.role} {user.email}")
            if generated:
                click.echo(f"Password (shown once): {generated}")
    except AlreadyExists:
        _fail(f"a user with e-mail {email} already exists.")
    except WeakPassword as exc:
        _fail(str(exc))
    except InvalidValue as exc:
        _fail(str(exc))


@main.command("create-token")
@click.option("--email", required=True)
@click.option("--label", default="")
def create_token(email: str, label: str) -> None:
    """Print a new personal API token for a user (shown once)."""
    from studio import accounts
    from studio.store import users as repo

    with _db().session() as s:
        user = repo.find_user_by_email(s, email)
        if user is None:
            _fail(f"no user with e-mail {email}.")
        click.echo(accounts.issue_token(s, user, label))


@main.command("refresh")
@click.option(
    "--due/--all",
    "only_due",
    default=True,
    show_default=True,
    help="Only datasets whose refresh interval has passed, or every URL dataset.",
)
def refresh(only_due: bool) -> None:
    """Fetch URL datasets again. Meant for cron, e.g. every hour:

    \b
    0 * * * *  studio refresh

    Prints one line per dataset; exits with 1 when any refresh failed (the previous data is
    then kept).
    """
    from studio.services.refresh import RefreshRunning, refresh_due, refresh_lock

    settings = load_settings()
    try:
        with refresh_lock(settings):
            results = refresh_due(_db(), settings, only_due=only_due)
    except RefreshRunning:
        click.echo("Another refresh is still running on this instance; nothing done.")
        return
    if not results:
        click.echo("Nothing to refresh.")
        return
    for dataset_id, outcome in results:
        click.echo(f"Dataset {dataset_id}: {outcome}")
    if any(outcome != "ok" for _dataset_id, outcome in results):
        sys.exit(1)


@main.command("purge-bin")
def purge_bin() -> None:
    """Delete for good the dashboards and stories in the bin for more than 30 days, and the
    uploads nobody saved within a day.

    Meant for cron, e.g. every night: `0 3 * * *  studio purge-bin`.
    """
    from studio.services import documents, staging
    from studio.store import audit

    with _db().session() as s:
        count = documents.purge_bin(s)
        if count:
            audit.record(s, None, "bin_purged", "document", "", {"count": count}, "cli")
    swept = staging.sweep(load_settings(), limit=sys.maxsize)
    click.echo(f"{count} item(s) deleted for good from the bin.")
    click.echo(f"{swept} abandoned upload(s) removed.")


def _first_admin(db: Database):  # noqa: ANN202
    from studio import accounts
    from studio.store import users as repo

    with db.session() as s:
        admins = [u for u in repo.list_users(s) if u.role == "admin" and not u.disabled]
        if not admins:
            _fail("no admin account: run `studio init` first.")
        return accounts.actor_of(admins[0])


@main.command("export")
@click.argument("kind", type=click.Choice(["dashboard", "story"]))
@click.argument("doc_id", type=int)
def export_document(kind: str, doc_id: int) -> None:
    """Print a dashboard (or story) as portable JSON: `studio export dashboard 3 > file.json`."""
    import json

    from studio.services import documents
    from studio.store import NotFound
    from studio.store import documents as doc_repo

    db = _db()
    actor = _first_admin(db)
    with db.session() as s:
        try:
            doc = doc_repo.get_document(s, kind, doc_id)
        except NotFound:
            _fail(f"no {kind} {doc_id}.")
        click.echo(json.dumps(documents.export_document(s, actor, doc), ensure_ascii=False,
                              indent=2))


@main.command("import")
@click.argument("path", type=click.File("r", encoding="utf-8"))
def import_document(path) -> None:  # noqa: ANN001
    """Create a draft from an export file (datasets are re-linked by name)."""
    import json

    from studio.services import documents

    try:
        data = json.load(path)
    except json.JSONDecodeError as exc:
        _fail(f"this file is not JSON ({exc.msg}, line {exc.lineno}).")
    db = _db()
    actor = _first_admin(db)
    try:
        with db.session() as s:
            doc = documents.import_document(s, actor, data)
            click.echo(f"Imported {doc.kind} {doc.id}: {doc.title} (draft)")
    except documents.SpecError as exc:
        _fail(f"invalid export at {exc.where}: {exc.message('en')}")


if __name__ == "__main__":
    main()
