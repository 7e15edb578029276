"""Embeds: keys, tokens, allowed origins, and opening a published object for an embed.

An embed never runs as a signed-in user of the page: everything it shows is derived from
the token (or the object being public) and the object's published revision, on every call.

Keys: website keys (`ek_…`) are created by admins and sign tokens on the website's server;
Studio signs the tokens it issues itself with an internal key (`studio-…`, one active at a
time, created when first needed). Revoking any key stops every token signed with it;
revoking the internal key rotates it (the next issued token gets a new one).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.config import Settings
from studio.datasources import QueryCache
from studio.security import embed as tokens
from studio.security.access import readable
from studio.security.origins import canonical_origin
from studio.security.policy import PermissionDenied, allowed, ensure
from studio.services import dataset_service_fields, documents, tiles
from studio.services import datasets as dataset_service
from studio.services.dashboards import OpenDashboard, merged_queries
from studio.services.sharing import row_filter_for
from studio.services.stories import OpenStory, dashboard_part, open_spec
from studio.services.tiles import TileData
from studio.spec import Query
from studio.spec.dashboard import DashboardSpec, load_dashboard
from studio.spec.query import Filter, RowFilter
from studio.store import NotFound, audit
from studio.store import datasets as ds_repo
from studio.store import documents as repo
from studio.store.db import Database
from studio.store.models import Dataset, Document, EmbedKey, Group, User

INTERNAL_PREFIX = "studio-"
WEBSITE_PREFIX = "ek_"
DEFAULT_EXPIRES_IN = 3600
MAX_ORIGINS = 20


def _as_int(value: Any) -> int:
    number = _as_float(value)
    if number != int(number):
        raise ValueError("not a whole number")
    return int(number)


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("not a number")
    return number


NUMERIC_TYPES = {"integer": _as_int, "decimal": _as_float}


class EmbedError(Exception):
    """A request about embeds that cannot be honoured; `status` for the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class EmbedActor:
    """Who an embed runs as: the issuing user (Studio tokens), a website key's groups, or
    nobody (a public object without a token). Never a signed-in session."""

    id: int | None = None
    role: str = "anonymous"
    group_ids: frozenset[int] = frozenset()
    groups: frozenset[str] = frozenset()
    via: str = "public"  # public | studio | key
    is_authenticated = False


@dataclass
class EmbedView:
    """An object opened for an embed: its published spec, data schemas and locks."""

    board: OpenDashboard
    actor: EmbedActor
    locked: dict[str, list[Any]] = field(default_factory=dict)
    allowed_origins: list[str] = field(default_factory=list)

    @property
    def spec(self) -> DashboardSpec:
        return self.board.spec


@dataclass
class StoryEmbedView:
    """A story opened for an embed: its published revision, who it runs as, and locks."""

    story: OpenStory
    actor: EmbedActor
    locked: dict[str, list[Any]] = field(default_factory=dict)
    allowed_origins: list[str] = field(default_factory=list)


AnyEmbedView = EmbedView | StoryEmbedView


# --- keys ----------------------------------------------------------------------------------


def active_secret(s: Session, kid: str) -> str | None:
    """The secret of a key that exists and is not revoked, else None."""
    key = s.scalar(select(EmbedKey).where(EmbedKey.key_id == kid))
    if key is None or key.revoked_at is not None:
        return None
    return key.secret


def list_keys(s: Session, actor: Any) -> list[EmbedKey]:
    """Every embed key, newest first (admins only)."""
    ensure(actor, "manage", "embed-keys")
    return list(s.scalars(select(EmbedKey).order_by(EmbedKey.id.desc())))


def create_key(s: Session, actor: Any, name: str, address: str = "") -> tuple[EmbedKey, str]:
    """A new website key and its secret (shown once to the admin)."""
    ensure(actor, "manage", "embed-keys")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise EmbedError("give the key a name (1 to 200 characters), e.g. the website's")
    key = _new_key(s, WEBSITE_PREFIX, name, actor.email)
    audit.record(s, actor, "embed_key_created", "embed_key", key.key_id, {"name": name}, address)
    return key, key.secret


def revoke_key(s: Session, actor: Any, kid: str, address: str = "") -> EmbedKey:
    """Revoke a key: every token signed with it stops working at once."""
    ensure(actor, "manage", "embed-keys")
    key = s.scalar(select(EmbedKey).where(EmbedKey.key_id == kid))
    if key is None:
        raise NotFound(f"no embed key {kid}")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        audit.record(s, actor, "embed_key_revoked", "embed_key", kid, {"name": key.name}, address)
    return key


def describe_key(key: EmbedKey) -> dict[str, Any]:
    """A key as the API lists it (never its secret)."""
    return {
        "key_id": key.key_id,
        "name": key.name,
        "internal": key.key_id.startswith(INTERNAL_PREFIX),
        "created_by": key.created_by,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def _new_key(s: Session, prefix: str, name: str, created_by: str) -> EmbedKey:
    key = EmbedKey(
        key_id=prefix + secrets.token_hex(8),
        name=name,
        secret=secrets.token_urlsafe(48),
        created_by=created_by,
    )
    s.add(key)
    s.flush()
    return key


def _internal_key(s: Session) -> EmbedKey:
    key = s.scalar(
        select(EmbedKey)
        .where(EmbedKey.key_id.startswith(INTERNAL_PREFIX), EmbedKey.revoked_at.is_(None))
        .order_by(EmbedKey.id.desc())
    )
    return key or _new_key(s, INTERNAL_PREFIX, "Studio", "studio")


# --- allowed origins -----------------------------------------------------------------------


def normalise_origin(text: str) -> str:
    """`scheme://host[:port]` in lower case; EmbedError for anything else (paths, wildcards)."""
    origin = canonical_origin(text)
    if origin is None:
        raw = (text or "").strip()
        raise EmbedError(
            f"{raw!r} is not an origin: write scheme://host[:port], e.g. https://www.example.fr"
        )
    return origin


def valid_origins(origins: Any) -> list[str]:
    """The well-formed origins of a stored list (anything else is dropped, never sent in a
    header)."""
    out: list[str] = []
    for origin in origins if isinstance(origins, list) else []:
        try:
            out.append(normalise_origin(str(origin)))
        except EmbedError:
            continue
    return out


def set_allowed_origins(
    s: Session, actor: Any, doc: Document, origins: list[str], address: str = ""
) -> list[str]:
    """Replace the origins allowed to frame the object's embed (needs the "share" right)."""
    ensure(actor, "share", doc)
    if not isinstance(origins, list) or len(origins) > MAX_ORIGINS:
        raise EmbedError(f"give a list of at most {MAX_ORIGINS} origins")
    cleaned = list(dict.fromkeys(normalise_origin(o) for o in origins if str(o).strip()))
    if cleaned != (doc.allowed_origins or []):
        doc.allowed_origins = cleaned
        audit.record(
            s, actor, "embed_origins_changed", doc.kind, doc.id, {"origins": cleaned}, address
        )
    return cleaned


# --- tokens Studio issues ------------------------------------------------------------------


def issue_token(
    s: Session,
    actor: Any,
    kind: str,
    doc_id: int,
    expires_in: Any = DEFAULT_EXPIRES_IN,
    locked_filters: Any = None,
    address: str = "",
) -> str:
    """A token for one published object, signed with the internal key, `sub` = the issuer.

    The issuer needs the "share" right; locked filter fields must be fields of the object's
    data. The token never grants more than the issuer may see (checked again when used).
    """
    doc = documents.get_visible(s, kind, actor, doc_id)
    ensure(actor, "share", doc)
    if not isinstance(expires_in, int) or isinstance(expires_in, bool):
        raise EmbedError("expires_in must be a number of seconds")
    if not 60 <= expires_in <= tokens.MAX_LIFETIME:
        raise EmbedError(f"expires_in must be between 60 and {tokens.MAX_LIFETIME} seconds")
    raw = repo.published_spec(s, doc)
    if raw is None:
        raise EmbedError("publish it first: embeds show the published revision only", 409)
    try:
        locks = tokens.clean_locked_filters(locked_filters or {}, status=400)
    except tokens.EmbedTokenError as exc:
        raise EmbedError(exc.reason) from None
    schemas = dataset_service_fields(s, documents.dataset_ids(raw))
    typed_locks(locks, schemas, status=400)
    key = _internal_key(s)
    token = tokens.issue(
        key.secret,
        key.key_id,
        kind,
        doc.id,
        expires_in,
        locks,
        sub=actor.id,
        epoch=getattr(actor, "session_epoch", 0),
    )
    audit.record(
        s,
        actor,
        "embed_token_issued",
        kind,
        doc.id,
        {"expires_in": expires_in, "locked_filters": locks, "kid": key.key_id},
        address,
    )
    return token


def embed_path(kind: str, doc_id: int, token: str | None = None) -> str:
    """The embed page's path (with its token)."""
    plural = {"dashboard": "dashboards", "story": "stories"}[kind]
    return f"/embed/{plural}/{doc_id}" + (f"?token={token}" if token else "")


def typed_locks(
    locks: dict[str, list[Any]], schemas: dict[int, dict[str, str]], status: int = 403
) -> dict[str, list[Any]]:
    """Locked values converted to their field's type; EmbedError for a field the object's
    data does not have, or a value that does not fit its type."""
    typed: dict[str, list[Any]] = {}
    for name, values in locks.items():
        types = {schema[name] for schema in schemas.values() if name in schema}
        if not types or types == {"geometry"}:
            raise EmbedError(f"locked filter {name!r} is not a field of this object's data", status)
        convert = NUMERIC_TYPES.get(next(iter(types))) if len(types) == 1 else None
        try:
            typed[name] = [convert(v) if convert else v for v in values]
        except (TypeError, ValueError):
            raise EmbedError(
                f"locked filter {name!r} has a value of the wrong type", status
            ) from None
    return typed


# --- opening an embed ----------------------------------------------------------------------


def open_embed(s: Session, kind: str, doc_id: int, token: str | None) -> AnyEmbedView:
    """The published object for this embed request; EmbedError (401/403/404) otherwise.

    A dashboard gives an `EmbedView`, a story a `StoryEmbedView`.
    """
    try:
        doc = repo.get_document(s, kind, doc_id)
    except NotFound:
        raise EmbedError("not found", 404) from None
    locks: dict[str, list[Any]] = {}
    if token:
        try:
            claims = tokens.verify(token, lambda kid: active_secret(s, kid), kind, doc.id)
        except tokens.EmbedTokenError as exc:
            raise EmbedError(exc.reason, exc.status) from None
        actor = _token_actor(s, claims, doc)
        locks = claims.locked_filters
    elif doc.visibility == "public":
        actor = EmbedActor()
    else:
        raise EmbedError("this object is not public: its embed needs a token", 401)
    raw = repo.published_spec(s, doc)
    if raw is None:
        raise EmbedError("not published", 404)
    origins = list(doc.allowed_origins or [])
    if kind == "story":
        try:
            story = open_spec(s, doc, raw, "published")
        except ValueError:  # a stored spec this version cannot read (ValidationError too)
            raise EmbedError("this story cannot be shown", 404) from None
        return StoryEmbedView(story, actor, typed_locks(locks, story.schemas), origins)
    schemas = dataset_service_fields(s, documents.dataset_ids(raw))
    vouch = documents.vouch(s, doc, raw)
    board = OpenDashboard(doc, load_dashboard(raw), "published", schemas, vouch)
    return EmbedView(board, actor, typed_locks(locks, schemas), origins)


def _token_actor(s: Session, claims: tokens.EmbedToken, doc: Document) -> EmbedActor:
    if claims.kid.startswith(INTERNAL_PREFIX):
        user = s.get(User, claims.sub) if claims.sub is not None else None
        if user is None or user.disabled:
            raise EmbedError("the user who issued this token is no longer active", 403)
        if claims.epoch != user.session_epoch:
            raise EmbedError(
                "this token was revoked: its issuer signed out everywhere or had their "
                "password reset",
                403,
            )
        from studio import accounts

        issuer = accounts.actor_of(user)
        if not allowed(issuer, "view", doc):
            raise EmbedError("the user who issued this token may no longer see this", 403)
        return EmbedActor(issuer.id, issuer.role, issuer.group_ids, issuer.groups, "studio")
    names = set(claims.groups)
    found = s.scalars(select(Group).where(Group.name.in_(names))).all() if names else []
    return EmbedActor(
        None, "anonymous", frozenset(g.id for g in found), frozenset(g.name for g in found), "key"
    )


# --- running an embed's tiles --------------------------------------------------------------


def _embed_row_filter(s: Session, actor: EmbedActor, ds: Dataset) -> RowFilter | None:
    """The row-level rules of an embed on a dataset, as for a signed-in user: a Studio
    token carries its issuer's (an admin or the dataset's owner: every row), a website key's
    token those of the groups it names; a dataset with rules shows nothing to anyone else."""
    return row_filter_for(s, actor, ds)


def locked_queries(
    queries: dict[str, Query], locks: dict[str, list[Any]], schemas: dict[int, dict[str, str]]
) -> dict[str, Query]:
    """Each query with `field in locked values` added wherever its dataset has the field."""
    out: dict[str, Query] = {}
    for name, query in queries.items():
        extra = [
            Filter(field=f, op="in", value=values)
            for f, values in locks.items()
            if f in schemas.get(query.dataset, {})
        ]
        if extra:
            data = query.model_dump()
            data["filters"] = [*data["filters"], *(x.model_dump() for x in extra)]
            query = Query.model_validate(data)
        out[name] = query
    return out


def run_query(
    s: Session, settings: Settings, cache: QueryCache | None, view: EmbedView, query: Query
) -> Any:
    """One query of the embedded object, locked and row-filtered (PermissionDenied for a
    dataset the object's tiles do not use, or that `readable` refuses)."""
    if not view.board.vouched.names(query.dataset):
        raise PermissionDenied("view", "dataset")
    ds = ds_repo.get_dataset(s, query.dataset)
    if not readable(view.actor, ds, view.board.vouched):
        raise PermissionDenied("view", "dataset")
    query = locked_queries({"q": query}, view.locked, view.board.schemas)["q"]
    row_filter = _embed_row_filter(s, view.actor, ds)
    return dataset_service.query_dataset(settings, cache, ds, query, row_filter)


def run_tiles(
    db: Database,
    settings: Settings,
    cache: QueryCache | None,
    view: EmbedView,
    values: dict[str, Any],
    locale: str,
) -> dict[str, TileData]:
    """Every tile's data for these (already cleaned) filter values, the token's locks added
    to every query, run by the one tile runner as the embed's actor."""
    queries = {
        tile_id: locked_queries(named, view.locked, view.board.schemas)
        for tile_id, named in merged_queries(view.board, values, None).items()
    }
    return tiles.run_tiles(db, settings, cache, view.actor, queries, locale, view.board.vouched)


# --- running an embedded story --------------------------------------------------------------


def story_locks(
    db: Database, view: StoryEmbedView
) -> Callable[[dict[str, Query]], dict[str, Query]]:
    """The query transform adding the token's locked filters to every query of the story
    (and of its dashboard chapters: their datasets' schemas are read when first met)."""
    schemas = dict(view.story.schemas)

    def apply(queries: dict[str, Query]) -> dict[str, Query]:
        missing = {q.dataset for q in queries.values()} - schemas.keys()
        if missing and view.locked:
            with db.session() as s:
                schemas.update(dataset_service_fields(s, missing))
        return locked_queries(queries, view.locked, schemas)

    return apply


def public_dashboard_part(s: Session, dashboard_id: int, section_id: str | None) -> Any:
    """A dashboard chapter of an embedded story: shown only when that dashboard is itself
    public (and published); its tiles then run as the embed, locked and row-filtered."""
    found = dashboard_part(
        s, EmbedActor(), dashboard_id, section_id, may_view=lambda d: d.visibility == "public"
    )
    if found is not None:
        found[0].href = embed_path("dashboard", dashboard_id)
    return found
