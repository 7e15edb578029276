"""Dashboard and story use cases: create, read the right revision, save, publish, restore."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from studio.security.access import NO_VOUCH, Vouch, vouch_of
from studio.security.policy import allowed, ensure
from studio.spec.messages import SpecIssue, SpecMessageError, location_text
from studio.store import NotFound
from studio.store import documents as repo
from studio.store.models import Document

BIN_DAYS = 30
AREAS = {"dashboard": "dashboards", "story": "stories"}  # permission areas by kind
EXPORT_FORMAT = 1


class SpecError(ValueError):
    """A spec that does not validate: `where` is the path of the bad key (as the API names
    it), `message(locale)` says what is wrong in French or English."""

    def __init__(
        self, where: str, key: str, params: dict[str, Any] | None = None, english: str = ""
    ) -> None:
        self.where = where
        self.issue = SpecIssue(key, dict(params or {}), english)
        super().__init__(f"{where}: {self.message('en')}")

    @property
    def key(self) -> str:
        """The stable message key (e.g. `spec.combo_needs_secondary`, `pydantic.missing`)."""
        return self.issue.key

    def message(self, locale: str | None = "fr") -> str:
        """What is wrong, in `locale` ("fr" by default, or "en")."""
        return self.issue.message(locale)

    def describe(self, locale: str | None = "fr") -> str:
        """ "where: what" for a page, the place said in the user's words."""
        if self.where in ("spec", "body"):
            return self.message(locale)
        where = location_text(self.where, locale) or self.where
        message = self.message(locale)
        if message.startswith(f"{where} :") or message.startswith(f"{where}:"):
            return message  # the message names its place already ("layout: …")
        return f"{where}{':' if locale == 'en' else ' :'} {message}"


class DatasetForbidden(SpecError):
    """A spec names a dataset the acting user may not view: nothing is saved (HTTP 403).

    A spec is never a key: whoever saves, imports, duplicates, restores or publishes a
    dashboard or story must be allowed to view every dataset (and boundary dataset) it
    names. `where` is the path of the first such `dataset` key (e.g. `tiles.2.dataset`).
    """

    status = 403

    def __init__(self, where: str, dataset_id: int, key: str = "doc.dataset_forbidden") -> None:
        self.dataset_id = dataset_id
        super().__init__(where, key, {"dataset": dataset_id})


def _loader(kind: str) -> Callable[[dict[str, Any]], BaseModel]:
    if kind == "dashboard":
        from studio.spec.dashboard import load_dashboard

        return load_dashboard
    if kind == "story":
        from studio.spec.story import load_story

        return load_story
    raise SpecError("kind", "doc.bad_kind")


def validate_spec(kind: str, data: Any) -> BaseModel:
    """The validated (and migrated) spec, or SpecError naming the first problem."""
    if not isinstance(data, dict):
        raise SpecError("spec", "doc.not_object")
    try:
        return _loader(kind)(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "spec"
        issue = SpecIssue.from_error(first)
        raise SpecError(where, issue.key, issue.params, issue.english) from None
    except SpecMessageError as exc:
        raise SpecError("spec", exc.key, exc.params) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise SpecError("spec", "pydantic.other", {"msg": str(exc)}) from None


def dump(spec: BaseModel) -> dict[str, Any]:
    """The JSON-ready form of a spec, as stored."""
    return spec.model_dump(mode="json")


def create(s: Session, kind: str, actor: Any, data: dict[str, Any]) -> Document:
    """A new draft from a spec (DatasetForbidden when it names a dataset the actor may not
    view)."""
    ensure(actor, "create", AREAS[kind])
    spec = validate_spec(kind, data)
    stored = dump(spec)
    check_datasets(s, actor, stored)
    return repo.create_document(s, kind, getattr(spec, "title", "") or kind, stored, actor)


def dataset_refs(spec: Any, path: str = "") -> list[tuple[str, int]]:
    """Every (path, dataset id) a spec names, in document order: each `dataset` key holding
    an integer (tiles, maps' boundaries, story steps…), the path as the API names places."""
    found: list[tuple[str, int]] = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            where = f"{path}.{key}" if path else str(key)
            if key == "dataset" and isinstance(value, int) and not isinstance(value, bool):
                found.append((where, value))
            else:
                found += dataset_refs(value, where)
    elif isinstance(spec, list):
        for index, item in enumerate(spec):
            found += dataset_refs(item, f"{path}.{index}" if path else str(index))
    return found


def check_datasets(
    s: Session, actor: Any, spec: Any, key: str = "doc.dataset_forbidden"
) -> None:
    """DatasetForbidden naming the first place where `spec` names a dataset `actor` may not
    view (a missing one counts as not viewable: ids are not probed)."""
    from studio.store import datasets as ds_repo

    verdicts: dict[int, bool] = {}
    for where, ds_id in dataset_refs(spec):
        if ds_id not in verdicts:
            try:
                verdicts[ds_id] = allowed(actor, "view", ds_repo.get_dataset(s, ds_id))
            except NotFound:
                verdicts[ds_id] = False
        if not verdicts[ds_id]:
            raise DatasetForbidden(where, ds_id, key)


def vouch(s: Session, doc: Document, raw: dict[str, Any]) -> Vouch:
    """What the published revision `raw` of `doc` vouches for: the datasets it names, on the
    word of the person who saved that revision (re-checked by `readable` at each read, so a
    dataset made private later or a publisher who lost access stops the vouching)."""
    from studio import accounts
    from studio.store.models import User

    if not doc.published_number:
        return NO_VOUCH
    author_id = repo.revision_author(s, doc, doc.published_number)
    if author_id is None:
        author_id = doc.owner_id
    user = s.get(User, author_id) if author_id is not None else None
    if user is None or user.disabled:
        return NO_VOUCH
    return vouch_of(accounts.actor_of(user), dataset_ids(raw))


def get_visible(s: Session, kind: str, actor: Any, doc_id: int) -> Document:
    """The document if the actor may view it; NotFound otherwise (existence not revealed)."""
    doc = repo.get_document(s, kind, doc_id)
    if not allowed(actor, "view", doc):
        raise NotFound(f"no {kind} {doc_id}")
    return doc


def visible_spec(s: Session, actor: Any, doc: Document) -> tuple[dict[str, Any], str]:
    """What this actor sees: the draft for those who may edit, else the published revision."""
    if allowed(actor, "edit", doc):
        return doc.spec, "draft"
    published = repo.published_spec(s, doc)
    if published is None:
        raise NotFound("not published")
    return published, "published"


def visible_list(
    s: Session, kind: str, actor: Any, search: str = ""
) -> list[tuple[Document, str]]:
    """The documents of a kind the actor may view (filtered in SQL), each with the title the
    actor sees: the draft's for those who may edit, else the published revision's (read for
    all of them in one query)."""
    from studio.store import sharing as sharing_repo

    docs = sharing_repo.visible_documents(s, kind, actor, search)
    editable = {d.id for d in docs if allowed(actor, "edit", d)}
    published = sharing_repo.published_titles(s, [d for d in docs if d.id not in editable])
    return [(d, d.title if d.id in editable else published.get(d.id, d.title)) for d in docs]


def visible_title(s: Session, actor: Any, doc: Document) -> str:
    """The title this actor may see (the published one for those who cannot edit)."""
    spec, _state = visible_spec(s, actor, doc)
    return str(spec.get("title", doc.title))


def save(
    s: Session,
    actor: Any,
    doc: Document,
    data: dict[str, Any],
    expected_version: int,
    note: str = "",
) -> Document:
    """Save a new draft revision (StaleRevision when someone saved in between)."""
    ensure(actor, "edit", doc)
    spec = validate_spec(doc.kind, data)
    stored = dump(spec)
    check_datasets(s, actor, stored)
    title = getattr(spec, "title", "") or doc.title
    return repo.save_document(s, doc, title, stored, expected_version, actor, note)


def publish(s: Session, actor: Any, doc: Document) -> int:
    """Publish the latest revision; returns its number. The publisher must be allowed to
    view every dataset it names (DatasetForbidden otherwise): publishing vouches for them."""
    ensure(actor, "publish", doc)
    check_datasets(s, actor, repo.latest_revision(s, doc).spec, "doc.publisher_forbidden")
    return repo.publish(s, doc, actor).number


def restore_revision(
    s: Session, actor: Any, doc: Document, number: int, expected_version: int | None = None
) -> Document:
    """Make an earlier revision the new draft (itself a new revision)."""
    ensure(actor, "edit", doc)
    rev = repo.get_revision(s, doc, number)
    check_datasets(s, actor, rev.spec)
    version = doc.version if expected_version is None else expected_version
    return repo.save_document(
        s,
        doc,
        rev.spec.get("title", doc.title),
        rev.spec,
        version,
        actor,
        f"restored revision {number}",
    )


def duplicate(s: Session, actor: Any, doc: Document, title_suffix: str = " (copie)") -> Document:
    """A private copy of the document's draft, owned by the actor."""
    ensure(actor, "create", AREAS[doc.kind])
    spec, _state = visible_spec(s, actor, doc)
    spec = {**spec, "title": (spec.get("title", doc.title) + title_suffix)[:200]}
    check_datasets(s, actor, spec)
    return repo.create_document(s, doc.kind, spec["title"], spec, actor)


def delete(s: Session, actor: Any, doc: Document) -> None:
    """Move to the bin for BIN_DAYS days (the owner and admins: co-editors may not)."""
    ensure(actor, "manage", doc)
    repo.mark_deleted(doc)


def undelete(s: Session, actor: Any, kind: str, doc_id: int) -> Document:
    """Take a document out of the bin (within BIN_DAYS days)."""
    from studio.store.models import Document as Doc

    doc = s.get(Doc, doc_id)
    if doc is None or doc.kind != kind or doc.deleted_at is None:
        raise NotFound(f"no deleted {kind} {doc_id}")
    ensure(actor, "manage", doc)
    if datetime.now(UTC) - _aware(doc.deleted_at) > timedelta(days=BIN_DAYS):
        raise NotFound("emptied from the bin")
    repo.restore_deleted(doc)
    return doc


def in_bin(s: Session, actor: Any, kind: str) -> list[Document]:
    """The documents of this kind in the bin that the actor may restore, last deleted first.

    Owners see their own; admins see everyone's. Items older than BIN_DAYS are left out
    (`studio purge-bin` deletes them for good).
    """
    from sqlalchemy import select

    cutoff = datetime.now(UTC) - timedelta(days=BIN_DAYS)
    docs = s.scalars(
        select(Document)
        .where(Document.kind == kind, Document.deleted_at.is_not(None))
        .order_by(Document.deleted_at.desc(), Document.id.desc())
    ).all()
    return [d for d in docs if _aware(d.deleted_at) >= cutoff and allowed(actor, "edit", d)]


def bin_days_left(doc: Document) -> int:
    """Days (started ones count) before a document in the bin may be deleted for good."""
    left = _aware(doc.deleted_at) + timedelta(days=BIN_DAYS) - datetime.now(UTC)
    return max(math.ceil(left.total_seconds() / 86400), 0)


def _aware(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def export_document(s: Session, actor: Any, doc: Document) -> dict[str, Any]:
    """A portable JSON export (with dataset names, so another instance can re-link them)."""
    spec, state = visible_spec(s, actor, doc)
    from studio.store import datasets as ds_repo

    names = {}
    for ds_id in dataset_ids(spec):
        try:
            names[str(ds_id)] = ds_repo.get_dataset(s, ds_id).name
        except NotFound:
            continue
    return {
        "studio_export": EXPORT_FORMAT,
        "kind": doc.kind,
        "title": str(spec.get("title", doc.title)),  # the revision shown, never a draft's
        "state": state,
        "datasets": names,
        "spec": spec,
    }


def import_document(s: Session, actor: Any, data: Any) -> Document:
    """Create a draft from an export, re-linking datasets by name where ids differ."""
    if not isinstance(data, dict) or data.get("studio_export") != EXPORT_FORMAT:
        raise SpecError("studio_export", "doc.not_export")
    kind = data.get("kind")
    if kind not in repo.KINDS:
        raise SpecError("kind", "doc.bad_kind")
    spec = data.get("spec")
    names = data.get("datasets") or {}
    if isinstance(spec, dict) and isinstance(names, dict) and names:
        spec = _relink(s, actor, spec, names)
    return create(s, kind, actor, spec)


def _relink(s: Session, actor: Any, spec: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:

    from studio.store.sharing import visible_datasets

    by_name = {ds.name: ds.id for ds in visible_datasets(s, actor)}
    mapping = {
        int(old): by_name[name]
        for old, name in names.items()
        if str(old).isdigit() and name in by_name
    }

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (mapping.get(v, v) if k == "dataset" and isinstance(v, int) else walk(v))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [walk(x) for x in node]
        return node

    return walk(spec)


def dataset_ids(spec: Any) -> set[int]:
    """Every dataset id a spec names (what viewing the published document vouches for)."""
    return {ds_id for _where, ds_id in dataset_refs(spec)}


def purge_bin(s: Session) -> int:
    """Delete for good the documents in the bin for more than BIN_DAYS days."""
    from sqlalchemy import select

    cutoff = datetime.now(UTC) - timedelta(days=BIN_DAYS)
    old = s.scalars(
        select(Document).where(Document.deleted_at.is_not(None), Document.deleted_at < cutoff)
    ).all()
    for doc in old:
        s.delete(doc)
    return len(old)
