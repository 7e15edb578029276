"""SQLAlchemy models of the metadata store."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.exc import DetachedInstanceError

from studio.spec.sharing import NO_SHARING, VISIBILITIES, Sharing  # noqa: F401 (VISIBILITIES re-exported)
from studio.store.db import Base

ROLES = ("admin", "editor", "viewer")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _sharing_of(obj: Dataset | Document) -> Sharing:
    """The object's grants as a Sharing value; none when they were never loaded and the
    object has left its session (denies what only a grant would allow, never crashes)."""
    try:
        grants = obj.grants
    except DetachedInstanceError:
        return NO_SHARING
    return Sharing.from_grants(grants) if grants else NO_SHARING


user_groups = Table(
    "user_groups",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    groups: Mapped[list[Group]] = relationship(
        # loaded when read (an actor's groups), not with every owner joined to a dataset or
        # a document; lists of users ask for them explicitly (users.list_users)
        secondary=user_groups, back_populates="members", lazy="select", order_by="Group.name"
    )


class RevokedSession(Base):
    """A signed-in session ended by signing out: its cookie, even copied, no longer works."""

    __tablename__ = "revoked_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, index=True)
    members: Mapped[list[User]] = relationship(secondary=user_groups, back_populates="groups")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(50), index=True)
    object_type: Mapped[str] = mapped_column(String(30), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    address: Mapped[str] = mapped_column(Text, default="")


class Dataset(Base):
    """A dataset's metadata; its rows live in Parquet files or an external SQL source."""

    __tablename__ = "datasets"
    object_type = "dataset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default="file")  # file | sql | url
    fields: Mapped[list] = mapped_column(JSON, default=list)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    storage_path: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[dict] = mapped_column(JSON, default=dict)
    ingest_options: Mapped[dict] = mapped_column(JSON, default=dict)
    visibility: Mapped[str] = mapped_column(String(10), default="private")
    refresh_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    owner: Mapped[User | None] = relationship(lazy="joined")
    # Loaded with the dataset (one extra query per load, batched for lists) so that the
    # permission function reads `sharing` without querying.
    grants: Mapped[list[Grant]] = relationship(
        primaryjoin="and_(foreign(Grant.object_id) == Dataset.id, Grant.object_type == 'dataset')",
        viewonly=True,
        lazy="selectin",
    )

    @property
    def sharing(self) -> Sharing:
        """The grants on this dataset, as a frozen value for the permission function."""
        return _sharing_of(self)


class Document(Base):
    """A dashboard or a story: its current draft, version counter and published revision."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)  # dashboard | story
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    visibility: Mapped[str] = mapped_column(String(10), default="private")
    # Origins allowed to frame this document's embed route (CSP frame-ancestors).
    allowed_origins: Mapped[list | None] = mapped_column(JSON, nullable=True, default=list)
    spec: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    published_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    owner: Mapped[User | None] = relationship(lazy="joined")
    # Document ids are unique across kinds, so the grants' object_type only has to be one of
    # the document kinds.
    grants: Mapped[list[Grant]] = relationship(
        primaryjoin="and_(foreign(Grant.object_id) == Document.id, "
        "Grant.object_type.in_(['dashboard', 'story']))",
        viewonly=True,
        lazy="selectin",
    )

    @property
    def sharing(self) -> Sharing:
        """The grants on this document, as a frozen value for the permission function."""
        return _sharing_of(self)

    @property
    def object_type(self) -> str:
        """ "dashboard" or "story", for the permission function."""
        return self.kind

    @property
    def state(self) -> str:
        """ "published" when a revision is published (the draft may be ahead), else "draft"."""
        return "published" if self.published_number else "draft"


class Revision(Base):
    """One saved state of a document; numbers count up from 1 per document."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")


GRANT_PRINCIPALS = ("user", "group", "role")
GRANT_PERMISSIONS = ("view", "edit")


class Grant(Base):
    """A right on one object given to a user, a group or a role.

    `permission` "view" lets the principal see the object when its visibility is "private" or
    "groups"; "edit" makes the principal a co-editor (only users and groups get edit).
    """

    __tablename__ = "grants"
    __table_args__ = (
        UniqueConstraint(
            "object_type",
            "object_id",
            "principal_type",
            "principal",
            "permission",
            name="uq_grants_object_principal",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    object_type: Mapped[str] = mapped_column(String(20), index=True)  # dataset|dashboard|story
    object_id: Mapped[int] = mapped_column(Integer, index=True)
    principal_type: Mapped[str] = mapped_column(String(10))  # user | group | role
    principal: Mapped[str] = mapped_column(String(100))  # user id, group id or role name
    permission: Mapped[str] = mapped_column(String(10), default="view")  # view | edit
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RowRule(Base):
    """A row-level rule: members of `group_id` see only the rows of `dataset_id` matching
    `conditions` (a list of {"field", "op", "value"} ANDed). A dataset with any rule is
    restricted: a member of no ruled group sees none of its rows (admins and the owner
    excepted)."""

    __tablename__ = "row_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EmbedKey(Base):
    """A shared secret (HS256) a website's server signs embed tokens with; `key_id` goes in
    the token header as `kid`. Revoking a key stops every token signed with it."""

    __tablename__ = "embed_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    secret: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
