"""Tables of the context service (SQLAlchemy 2 declarative mapping).

Customers, requests and activities carry an integer `version` that SQLAlchemy
checks on every UPDATE (`version_id_col`), so two writers can never both win.
"""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("connector", "agent", "admin")
ID_MAX = 2**31 - 1  # ids are INTEGER columns: larger ones can never exist
SEARCH_KEY_MAX = 200  # the longest search query, so a key cut to it loses no match
PHONE_DIGITS_MAX = 20  # E.164 has at most 15 digits
MEDIA_TYPES = ("voice", "chat", "email", "video", "social", "web", "mobile", "event", "task")
ROUTED_MEDIA = ("voice", "chat", "email")  # what Care desktop mode queues and offers
AGENT_STATES = ("ready", "not_ready")
TASK_STATUSES = ("waiting", "offered", "active", "completed", "abandoned")


def utcnow() -> datetime:
    return datetime.now(UTC)


def search_text(length: int) -> sa.types.TypeEngine:
    """Text searched by prefix: compared byte by byte (code point order) on both databases,
    so one range condition is an indexed prefix match and the index gives the order.
    SQLite's default (BINARY) does so; PostgreSQL's needs the "C" collation."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def search_key(*parts: str | None) -> str:
    """Words joined by one space, casefolded here (not by the database) and cut to size."""
    return " ".join(" ".join(p for p in parts if p).split()).casefold()[:SEARCH_KEY_MAX]


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(so.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: sa.JSON(), list: sa.JSON()}


class Versioned:
    """Optimistic concurrency: `version` plus who changed the row and when."""

    version: so.Mapped[int] = so.mapped_column(default=1)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_by: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    @so.declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class Agent(Base):
    """An agent, with its Care desktop state (R13).

    `idle_since` orders Ready agents for offers: the latest of going Ready,
    accepting a task and finishing one.
    """

    __tablename__ = "agents"

    id: so.Mapped[str] = so.mapped_column(sa.String(100), primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    state: so.Mapped[str] = so.mapped_column(sa.String(10), default="not_ready")
    state_reason: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    state_changed_at: so.Mapped[datetime | None]
    idle_since: so.Mapped[datetime | None]
    # A disabled agent cannot sign in; its tokens were revoked when it was disabled.
    disabled_at: so.Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint("state IN ('ready', 'not_ready')", name="state"),
        sa.Index("ix_agents_state_idle_since", "state", "idle_since"),
    )


class ApiToken(Base):
    """A bearer credential. Only the SHA-256 of the token is kept."""

    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    role: so.Mapped[str] = so.mapped_column(sa.String(20))
    agent_id: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    expires_at: so.Mapped[datetime | None]
    revoked_at: so.Mapped[datetime | None]
    # A connector's outbound webhook (agent chat replies). The signing secret is derived
    # from SECRET_KEY and this salt, so the database alone cannot sign.
    webhook_url: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    webhook_salt: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    webhook_set_at: so.Mapped[datetime | None]
    # Connector keys an admin lets act on every contact of these sources, whoever reported
    # it (a standby connector of the same phone system, say). Otherwise a connector acts
    # only on the contacts it reported itself.
    shared_sources: so.Mapped[list] = so.mapped_column(default=list, server_default="[]")

    __table_args__ = (
        sa.CheckConstraint("role IN ('connector', 'agent', 'admin')", name="role"),
    )


class Customer(Versioned, Base):
    __tablename__ = "customers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    first_name: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    last_name: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    street: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    city: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    postal_code: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    region: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    country: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    preferred_language: so.Mapped[str | None] = so.mapped_column(sa.String(35))
    extra: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    # Name search keys: SQL lower() leaves Ø or Č alone on SQLite, and a whole 2000-character
    # name is too big for a PostgreSQL index entry; these are kept by `_keep_search_keys`.
    name_key: so.Mapped[str] = so.mapped_column(search_text(SEARCH_KEY_MAX), default="")
    last_name_key: so.Mapped[str] = so.mapped_column(search_text(SEARCH_KEY_MAX), default="")

    contact_points: so.Mapped[list["ContactPoint"]] = so.relationship(
        back_populates="customer",
        cascade="all, delete-orphan",
        order_by="(ContactPoint.kind, ContactPoint.position)",
        lazy="selectin",
    )

    @so.validates("first_name", "last_name")
    def _keep_search_keys(self, field: str, value: str | None) -> str | None:
        first = value if field == "first_name" else self.first_name
        last = value if field == "last_name" else self.last_name
        self.name_key, self.last_name_key = search_key(first, last), search_key(last)
        return value

    def addresses(self, kind: str) -> list[str]:
        return [p.value for p in self.contact_points if p.kind == kind]

    @property
    def emails(self) -> list[str]:
        return self.addresses("email")

    @property
    def phones(self) -> list[str]:
        return self.addresses("phone")

    @property
    def display_name(self) -> str:
        """Name, else email, else phone, else a fixed fallback (the gadget translates it)."""
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or next(iter(self.emails + self.phones), "Unknown customer")

    # Prefix search on names (domain/customers.py): each index gives its matches in the
    # order results are shown, so a page reads only as many entries as it shows.
    __table_args__ = (
        sa.Index("ix_customers_name_key", "name_key", "id"),
        sa.Index("ix_customers_last_name_key", "last_name_key", "name_key", "id"),
    )


class ContactPoint(Base):
    """An email or phone of a customer; `key` is the normalised form used for lookup.

    A phone is also kept in the forms partial digits are searched by, each a prefix
    match on an index: its national number (what people type without the country code)
    and its digits reversed (for the last digits).
    """

    __tablename__ = "contact_points"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(10))
    value: so.Mapped[str] = so.mapped_column(sa.String(320))
    key: so.Mapped[str] = so.mapped_column(search_text(320))
    position: so.Mapped[int] = so.mapped_column(default=0)
    national_digits: so.Mapped[str | None] = so.mapped_column(search_text(PHONE_DIGITS_MAX))
    reversed_digits: so.Mapped[str | None] = so.mapped_column(search_text(PHONE_DIGITS_MAX))

    customer: so.Mapped[Customer] = so.relationship(back_populates="contact_points")

    __table_args__ = (
        sa.Index("ix_contact_points_kind_key", "kind", "key", "customer_id"),
        sa.Index("ix_contact_points_national_digits", "national_digits", "customer_id"),
        sa.Index("ix_contact_points_reversed_digits", "reversed_digits", "customer_id"),
    )


class Request(Versioned, Base):
    """A case. Open until an agent closes it or it sits idle past the auto-close time."""

    __tablename__ = "requests"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(2000), default="")
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="open")
    closed_at: so.Mapped[datetime | None]
    closed_reason: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    # Custom field values (domain/fields.py validates those an admin defined).
    extra: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict, server_default="{}")

    activities: so.Mapped[list["Activity"]] = so.relationship(
        back_populates="request", order_by="Activity.id.desc()"
    )

    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'closed')", name="status"),
        sa.Index("ix_requests_status_updated_at", "status", "updated_at"),
    )


class Activity(Versioned, Base):
    """One interaction. `customer_id` mirrors its request's customer for fast lookups."""

    __tablename__ = "activities"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    request_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("requests.id", ondelete="CASCADE"), index=True
    )
    customer_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    source: so.Mapped[str] = so.mapped_column(sa.String(100))
    contact_id: so.Mapped[str] = so.mapped_column(sa.String(250))
    media_type: so.Mapped[str] = so.mapped_column(sa.String(10))
    state: so.Mapped[str] = so.mapped_column(sa.String(10), default="offered")
    from_address: so.Mapped[str | None] = so.mapped_column(sa.String(320))
    to_address: so.Mapped[str | None] = so.mapped_column(sa.String(320))
    customer_name: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    variables: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    candidate_ids: so.Mapped[list] = so.mapped_column(default=list)
    agent_id: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    started_at: so.Mapped[datetime | None]
    ended_at: so.Mapped[datetime | None]
    # The connector key that reported the contact: its webhook receives the agent's replies.
    connector_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("api_tokens.id", ondelete="SET NULL")
    )

    request: so.Mapped[Request | None] = so.relationship(back_populates="activities")
    # Loaded when read: routing, events and the Open list load activities by the thousand
    # and never show tags; the journey and the export load them in bulk (selectinload).
    tags: so.Mapped[list["Tag"]] = so.relationship(
        cascade="all, delete-orphan", order_by="Tag.id"
    )
    notes: so.Mapped[list["Note"]] = so.relationship(
        cascade="all, delete-orphan", order_by="Note.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("source", "contact_id", name="uq_activities_source_contact"),
        sa.Index("ix_activities_request_updated", "request_id", "updated_at"),
    )


class Tag(Base):
    __tablename__ = "tags"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    activity_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("activities.id", ondelete="CASCADE")
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(50))
    key: so.Mapped[str] = so.mapped_column(sa.String(50))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    created_by: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    __table_args__ = (sa.UniqueConstraint("activity_id", "key", name="uq_tags_activity_key"),)


class Note(Base):
    __tablename__ = "notes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    activity_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    author: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class ContactEvent(Base):
    """Every accepted connector event, keyed for idempotency, with the answer it got."""

    __tablename__ = "contact_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(100))
    event_id: so.Mapped[str] = so.mapped_column(sa.String(250))
    type: so.Mapped[str] = so.mapped_column(sa.String(20))
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))
    activity_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("activities.id", ondelete="SET NULL"), index=True
    )
    response: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    received_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # Who sent it (Principal.identity): only they may read its stored answer by replaying it.
    reporter: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    __table_args__ = (
        sa.UniqueConstraint("source", "event_id", name="uq_contact_events_source_event"),
    )


class OpenEntry(Base):
    """An interaction in an agent's Open list; closing it moves it to Recent.

    `ringing`: the contact is offered to this agent (the host's phone rings) and not yet
    accepted by it: the caller pops up before the agent answers, and the entry goes
    away if the agent never does.
    """

    __tablename__ = "open_entries"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agent_id: so.Mapped[str] = so.mapped_column(sa.String(100), index=True)
    activity_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("activities.id", ondelete="CASCADE")
    )
    customer_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE")
    )
    request_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("requests.id", ondelete="SET NULL")
    )
    opened_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    closed_at: so.Mapped[datetime | None]
    ringing: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    activity: so.Mapped[Activity | None] = so.relationship(lazy="joined")
    customer: so.Mapped[Customer | None] = so.relationship(lazy="joined")
    # Set with the activity's request, which may be new in the same flush.
    request: so.Mapped[Request | None] = so.relationship()

    __table_args__ = (sa.Index("ix_open_entries_agent_closed", "agent_id", "closed_at"),)


class AuditEntry(Base):
    """Who changed what, when, and to which version."""

    __tablename__ = "audit_entries"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    actor: so.Mapped[str] = so.mapped_column(sa.String(200))
    entity_type: so.Mapped[str] = so.mapped_column(sa.String(20))
    entity_id: so.Mapped[str] = so.mapped_column(sa.String(100))
    action: so.Mapped[str] = so.mapped_column(sa.String(30))
    version: so.Mapped[int | None]
    changes: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)

    __table_args__ = (sa.Index("ix_audit_entries_entity", "entity_type", "entity_id"),)


class Task(Base):
    """A queued contact in Care desktop mode (R13-R15): waiting, offered, active, then done.

    Changes lock the rows they change, and offers are made under the dispatch lock
    (domain/routing.py). The partial unique index is the database's own guarantee that an
    agent never holds two pending offers.
    """

    __tablename__ = "tasks"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    activity_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("activities.id", ondelete="CASCADE"), unique=True
    )
    queue: so.Mapped[str] = so.mapped_column(sa.String(100))
    media_type: so.Mapped[str] = so.mapped_column(sa.String(10))
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="waiting")
    agent_id: so.Mapped[str | None] = so.mapped_column(
        sa.ForeignKey("agents.id", ondelete="SET NULL")
    )
    queued_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    offered_at: so.Mapped[datetime | None]
    offer_deadline: so.Mapped[datetime | None]
    offers: so.Mapped[int] = so.mapped_column(default=0)
    accepted_at: so.Mapped[datetime | None]
    ended_at: so.Mapped[datetime | None]
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    activity: so.Mapped[Activity] = so.relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('waiting', 'offered', 'active', 'completed', 'abandoned')", name="status"),
        sa.Index("ix_tasks_status_queued_at", "status", "queued_at"),
        sa.Index("ix_tasks_agent_id_status", "agent_id", "status"),
        sa.Index("uq_tasks_one_offer_per_agent", "agent_id", unique=True,
                 sqlite_where=sa.text("status = 'offered'"),
                 postgresql_where=sa.text("status = 'offered'")),
    )


class Message(Base):
    """One message of a chat or email (R16): from the customer (`in`) or an agent's reply (`out`).

    `message_id` is stable: the chat system's own id for customer messages, ours for
    replies, which the webhook delivers with it so the receiver can drop duplicates.
    """

    __tablename__ = "messages"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    activity_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    message_id: so.Mapped[str] = so.mapped_column(sa.String(250))
    direction: so.Mapped[str] = so.mapped_column(sa.String(3))
    author: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    subject: so.Mapped[str | None] = so.mapped_column(sa.String(2000))
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    sent_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))
    # Replies only: pending -> delivered | failed; `stored` when the connector has no webhook.
    delivery_status: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime | None]
    delivered_at: so.Mapped[datetime | None]
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))

    __table_args__ = (
        sa.UniqueConstraint("activity_id", "message_id", name="uq_messages_activity_message"),
        sa.CheckConstraint("direction IN ('in', 'out')", name="direction"),
        sa.Index("ix_messages_delivery_due", "delivery_status", "next_attempt_at"),
    )


FIELD_ENTITIES = ("customer", "request")
FIELD_TYPES = ("string", "number", "date", "boolean", "choice")


class FieldDefinition(Base):
    """An admin-defined custom field of customers or requests (domain/fields.py).

    Values live in the entity's `extra` object under `key`; keys without a definition
    stay there untyped, as before fields could be defined.
    """

    __tablename__ = "field_definitions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    entity: so.Mapped[str] = so.mapped_column(sa.String(10))
    key: so.Mapped[str] = so.mapped_column(sa.String(100))
    labels: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    type: so.Mapped[str] = so.mapped_column(sa.String(10))
    options: so.Mapped[list] = so.mapped_column(default=list)
    required: so.Mapped[bool] = so.mapped_column(default=False)
    max_length: so.Mapped[int | None]
    version: so.Mapped[int] = so.mapped_column(default=1)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_by: so.Mapped[str | None] = so.mapped_column(sa.String(200))

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("entity", "key", name="uq_field_definitions_entity_key"),
        sa.CheckConstraint("entity IN ('customer', 'request')", name="entity"),
        sa.CheckConstraint("type IN ('string', 'number', 'date', 'boolean', 'choice')",
                           name="type"),
    )


class CustomerMerge(Base):
    """One merge of a duplicate customer into a survivor (domain/merges.py), with what
    undoing it needs: the merged-away customer as it was, what moved, the survivor's
    values before. The merged-away customer's row is gone; its id is not reused here."""

    __tablename__ = "customer_merges"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    survivor_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    merged_id: so.Mapped[int] = so.mapped_column(index=True)
    merged_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    merged_by: so.Mapped[str] = so.mapped_column(sa.String(200))
    # The survivor's version the merge left: undo is safe only while it still has it.
    survivor_version: so.Mapped[int]
    undo: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    undone_at: so.Mapped[datetime | None]
    undone_by: so.Mapped[str | None] = so.mapped_column(sa.String(200))


IMPORT_STATUSES = ("running", "completed", "failed")


class CustomerImport(Base):
    """A bulk import of customers from CSV (domain/imports.py), keyed by the client's
    import id: sending the same file again resumes it, or answers its result."""

    __tablename__ = "customer_imports"

    id: so.Mapped[str] = so.mapped_column(sa.String(100), primary_key=True)
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="running")
    total_lines: so.Mapped[int] = so.mapped_column(default=0)
    processed_lines: so.Mapped[int] = so.mapped_column(default=0)
    created: so.Mapped[int] = so.mapped_column(default=0)
    updated: so.Mapped[int] = so.mapped_column(default=0)
    unchanged: so.Mapped[int] = so.mapped_column(default=0)
    refused: so.Mapped[int] = so.mapped_column(default=0)
    refusals: so.Mapped[list] = so.mapped_column(default=list)
    started_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    heartbeat_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    finished_at: so.Mapped[datetime | None]
    created_by: so.Mapped[str] = so.mapped_column(sa.String(200))


class Presence(Base):
    """Which customer an agent's gadget shows now (domain/presence.py): one row per agent,
    gone when the agent leaves the customer or its stream closes."""

    __tablename__ = "presence"

    agent_id: so.Mapped[str] = so.mapped_column(sa.String(100), primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    since: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    seen_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # Other agents read the name ("Also viewing: Bob"). No foreign key: the row lives and
    # dies with the agent's stream, not with the agent's record. Loaded by its own SELECT:
    # PostgreSQL refuses the row lock (FOR UPDATE) across an outer join.
    agent: so.Mapped[Agent | None] = so.relationship(
        primaryjoin="foreign(Presence.agent_id) == Agent.id", viewonly=True, lazy="selectin")
