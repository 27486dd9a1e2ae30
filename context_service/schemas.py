"""Marshmallow schemas: what the API accepts and answers, and so the OpenAPI document."""

import base64
import binascii
import json
import math
import re
from datetime import UTC, datetime

import marshmallow as ma
from marshmallow import fields as f
from marshmallow import validate as v

from .domain.activities import TAG_MAX
from .domain.addresses import display_address
from .domain.customers import JOURNEY_PAGE, JOURNEY_PAGE_MAX
from .models import AGENT_STATES, ID_MAX, MEDIA_TYPES, ROLES, ROUTED_MEDIA, utcnow

TEXT_MAX = 2000  # R3: titles, descriptions, notes and customer text fields.


# NUL (PostgreSQL cannot store it) and lone UTF-16 surrogates (JSON's "\ud800" escape:
# no UTF-8 can hold them, so they could be neither stored nor served back as JSON).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value) -> bool:
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(item) for k, item in value.items())
    return isinstance(value, list) and any(map(_unstorable, value))


class Schema(ma.Schema):
    """Base of every schema: only text that can be stored and served back, anywhere."""

    @ma.pre_load
    def _storable_text(self, data, **_kwargs):
        if hasattr(data, "items"):
            bad = [key for key, value in data.items() if _unstorable(key) or _unstorable(value)]
            if bad:
                raise ma.ValidationError({
                    (key if isinstance(key, str) and not _unstorable(key) else "_schema"):
                    ["Contains a NUL character or a lone surrogate (\\ud800-\\udfff)."]
                    for key in bad})
        return data


class Instant(f.AwareDateTime):
    """A date and time with its offset, that UTC can hold (years 1 to 9999 once in UTC)."""

    default_error_messages = {"range": "Out of range: in UTC it must fall in years 1 to 9999."}

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment.astimezone(UTC)
        except OverflowError as exc:
            raise self.make_error("range") from exc
        return moment


class Flag(f.Boolean):
    """true or false, and nothing marshmallow would also read as one (1, "yes", "on")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Scalar(f.Raw):
    """A string (up to TEXT_MAX), a finite number, a boolean or null: no lists or objects."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ma.ValidationError("Only a string, a number, a boolean or null.")
        if isinstance(value, float) and not math.isfinite(value):
            raise ma.ValidationError("Not a finite number.")
        if isinstance(value, str) and len(value) > TEXT_MAX:
            raise ma.ValidationError(f"Longer than {TEXT_MAX} characters.")
        return value


def scalar2properties(_converter, field, **_kwargs) -> dict:
    """apispec: how Scalar reads in the document, and the text rule every string keeps:
    no NUL (registered by extensions.ProblemApi; a field's own pattern says more)."""
    if isinstance(field, Scalar):
        return {"type": ["string", "number", "boolean", "null"], "maxLength": TEXT_MAX}
    if isinstance(field, f.String) and not any(isinstance(rule, v.Regexp)
                                               for rule in field.validators):
        return {"pattern": "^[^\\x00]*$"}
    return {}


def mapping(values, most: int, metadata: dict | None = None, **kwargs):
    """A JSON object of at most `most` entries, keys of 1 to 100 characters.

    The count is checked by a plain validator and documented as maxProperties: apispec
    reads a Length validator on an object as maxLength, which says nothing there.
    """
    def at_most(value):
        if len(value) > most:
            raise ma.ValidationError(f"At most {most} entries.")

    return f.Dict(keys=f.String(validate=v.Length(min=1, max=100)), values=values,
                  validate=at_most, metadata={"maxProperties": most, **(metadata or {})},
                  **kwargs)


def text(**kwargs):
    return f.String(validate=v.Length(max=TEXT_MAX), **kwargs)


class Id(f.Integer):
    """A row id: a JSON integer (so 7 and 7.0, as JSON Schema reads them; never "7" or true)
    that fits the database's INTEGER."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def id_field(**kwargs):
    return Id(validate=v.Range(min=1, max=ID_MAX), **kwargs)


def name_field(max_len: int, **kwargs):
    return f.String(validate=v.Length(min=1, max=max_len), **kwargs)


class ProblemSchema(Schema):
    """Problem details (RFC 9457)."""

    type = f.String()
    title = f.String()
    status = f.Integer()
    detail = f.String()
    errors = f.Dict(metadata={"description": "Field errors, by field name"})
    current = f.Dict(metadata={"description": "With 412: the current representation"})
    changed_by = f.String(allow_none=True)
    changed_at = f.String(allow_none=True)


class StatusSchema(Schema):
    status = f.String(metadata={"description": "ok"})


# --- customers ---------------------------------------------------------------------------

class CustomerFieldsSchema(Schema):
    first_name = text(allow_none=True)
    last_name = text(allow_none=True)
    emails = f.List(f.Email(validate=v.Length(max=320)), validate=v.Length(max=20))
    phones = f.List(f.String(validate=v.Length(min=1, max=40)), validate=v.Length(max=20))
    street = text(allow_none=True)
    city = text(allow_none=True)
    postal_code = text(allow_none=True)
    region = text(allow_none=True)
    country = text(allow_none=True)
    preferred_language = f.String(
        allow_none=True, validate=v.Regexp(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")
    )
    extra = mapping(Scalar(allow_none=True), 50, metadata={
        "description": "Custom fields: values checked by their definitions (GET "
                       "/api/v1/fields; 422 names `extra.<key>`); keys without one are kept "
                       "untyped. Written as a whole"})


class CustomerCreateSchema(CustomerFieldsSchema):
    from_activity_id = id_field(
        metadata={"description": "Unknown contact whose request becomes this customer's (R7)"}
    )


class CustomerPatchSchema(CustomerFieldsSchema):
    pass


class CustomerSchema(CustomerFieldsSchema):
    id = f.Integer()
    version = f.Integer()
    display_name = f.String()
    created_at = f.DateTime()
    updated_at = f.DateTime()
    updated_by = f.String(allow_none=True)


class CustomerSummarySchema(Schema):
    id = f.Integer()
    display_name = f.String()
    first_name = f.String(allow_none=True)
    last_name = f.String(allow_none=True)
    emails = f.List(f.String())
    phones = f.List(f.String())


class CustomerQueryArgsSchema(Schema):
    q = f.String(validate=v.Length(max=200),
                 metadata={"description": "Name prefix, email prefix or phone digits"})
    field = f.String(validate=v.Regexp(r"^[a-z][a-z0-9_]{0,99}$"), metadata={
        "description": "Only customers whose custom field `field` equals `value` (a defined "
                       "field; 422 otherwise)"})
    value = f.String(validate=v.Length(max=2000), metadata={
        "description": "With `field`: the value, as text (numbers as 12 or 1.5, booleans as "
                       "true/false, dates as YYYY-MM-DD)"})

    @ma.validates_schema
    def _field_and_value_together(self, data, **_kwargs):
        if ("field" in data) != ("value" in data):
            raise ma.ValidationError("Give field and value together.",
                                     "value" if "field" in data else "field")


# --- requests ----------------------------------------------------------------------------

def custom_fields(**kwargs):
    """`extra`: custom field values, checked by the admin's definitions (issue 14)."""
    return mapping(Scalar(allow_none=True), 50, metadata={
        "description": "Custom fields: values checked by their definitions (GET "
                       "/api/v1/fields; 422 names `extra.<key>`); keys without one are kept "
                       "untyped. Written as a whole"}, **kwargs)


class RequestCreateSchema(Schema):
    title = text(load_default="")
    description = text(load_default="")
    extra = custom_fields(load_default=dict)


class RequestPatchSchema(Schema):
    title = text()
    description = text()
    status = f.String(validate=v.OneOf(("open", "closed")))
    extra = custom_fields()


class RequestSchema(Schema):
    id = f.Integer()
    version = f.Integer()
    customer_id = f.Integer(allow_none=True)
    title = f.String()
    description = f.String()
    status = f.String()
    created_at = f.DateTime()
    updated_at = f.DateTime()
    updated_by = f.String(allow_none=True)
    closed_at = f.DateTime(allow_none=True)
    closed_reason = f.String(allow_none=True, metadata={"description": "agent or auto"})
    extra = f.Dict(metadata={"description": "Custom field values"})


# --- activities --------------------------------------------------------------------------

class TagSchema(Schema):
    name = f.String()
    created_at = f.DateTime()
    created_by = f.String(allow_none=True)


class TagCreateSchema(Schema):
    name = f.String(required=True, validate=v.Length(min=1, max=TAG_MAX), metadata={
        "description": f"Not blank; at most {TAG_MAX} characters once runs of whitespace are "
                       "one space; unique in the activity in any case and Unicode composition"})


class NoteCreateSchema(Schema):
    text = f.String(required=True, validate=v.Length(min=1, max=TEXT_MAX))


class NoteSchema(Schema):
    id = f.Integer()
    activity_id = f.Integer()
    text = f.String()
    author = f.String(allow_none=True)
    created_at = f.DateTime()


class ActivitySchema(Schema):
    id = f.Integer()
    version = f.Integer()
    request_id = f.Integer(allow_none=True)
    customer_id = f.Integer(allow_none=True)
    source = f.String()
    contact_id = f.String()
    media_type = f.String()
    state = f.String(metadata={"description": "offered, active or ended"})
    from_address = f.String(data_key="from", allow_none=True)
    to_address = f.String(data_key="to", allow_none=True)
    customer_name = f.String(allow_none=True)
    variables = f.Dict(keys=f.String(), values=f.String())
    candidate_ids = f.List(f.Integer(), metadata={"description": "Customers sharing the address"})
    agent_id = f.String(allow_none=True)
    started_at = f.DateTime(allow_none=True)
    ended_at = f.DateTime(allow_none=True)
    created_at = f.DateTime()
    updated_at = f.DateTime()
    updated_by = f.String(allow_none=True)
    tags = f.List(f.Nested(TagSchema))


class MoveSchema(Schema):
    request_id = id_field(metadata={"description": "Another open request"})
    new_request = Flag(load_default=False, metadata={"description": "Start a new request"})
    customer_id = id_field(metadata={"description": "Another customer (R2 picks the request)"})


class JourneyActivitySchema(ActivitySchema):
    notes = f.List(f.Nested(NoteSchema))


class JourneyRequestSchema(RequestSchema):
    activities = f.List(f.Nested(JourneyActivitySchema))


class JourneyCursor(f.Field):
    """Where a journey page ended, as an opaque string: the request's creation time and id,
    and the last activity shown of it (none: the request had no activity)."""

    default_error_messages = {"invalid": "Not a cursor this service gave (use `next`)."}

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        at, request_id, activity_id = value
        text = json.dumps([at.astimezone(UTC).isoformat(), request_id, activity_id])
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            at, request_id, activity_id = json.loads(raw)
            moment = datetime.fromisoformat(at)
            if moment.tzinfo is None or not all(
                    isinstance(i, int) and 0 < i <= ID_MAX for i in (request_id,
                                                                   activity_id or 1)):
                raise ValueError(value)
        except (ValueError, TypeError, UnicodeDecodeError, binascii.Error,
                json.JSONDecodeError, OverflowError):
            raise self.make_error("invalid") from None
        return moment, request_id, activity_id


class JourneyQueryArgsSchema(Schema):
    limit = f.Integer(load_default=JOURNEY_PAGE, validate=v.Range(min=1, max=JOURNEY_PAGE_MAX),
                      metadata={
        "description": "Items on the page: activities, and requests that have none"})
    before = JourneyCursor(metadata={
        "type": "string", "description": "`next` of the page before: this page goes on there"})


class JourneySchema(Schema):
    customer = f.Nested(CustomerSchema)
    requests = f.List(f.Nested(JourneyRequestSchema), metadata={
        "description": "Newest first, each with its activities on this page, newest first. A "
                       "request whose activities go on past the page comes again at the top "
                       "of the next page with the rest of them"})
    next = JourneyCursor(allow_none=True, metadata={
        "type": "string", "nullable": True,
        "description": "Pass as `before` for the next page; null on the last page"})
    open_requests = f.List(f.Nested(RequestSchema), metadata={
        "description": "Every open request of the customer, on any page (targets of a move)"})


# --- contact events ----------------------------------------------------------------------

BODY_MAX = 100_000  # an email body or chat message; bodies as a whole stop at MAX_CONTENT_LENGTH


class ContactEventSchema(Schema):
    event_id = name_field(250, required=True)
    source = name_field(100, required=True)
    contact_id = name_field(250, required=True)
    media_type = f.String(required=True, validate=v.OneOf(MEDIA_TYPES))
    type = f.String(required=True, validate=v.OneOf(("offered", "queued", "accepted", "ended")),
                    metadata={"description": "queued: the service routes it (Care desktop)"})
    queue = name_field(100, metadata={"description": "With queued: the queue it waits in"})
    subject = text(metadata={"description": "An email's subject"})
    body = f.String(validate=v.Length(min=1, max=BODY_MAX),
                    metadata={"description": "An email's body, or a chat's first message"})
    agent_id = f.String(validate=v.Length(min=1, max=100))
    from_ = f.String(data_key="from", validate=v.Length(max=320), attribute="from")
    to = f.String(validate=v.Length(max=320))
    customer_name = text()
    variables = mapping(f.String(validate=v.Length(max=TEXT_MAX)), 100)
    occurred_at = Instant()
    transfer = Flag(metadata={
        "description": "With accepted: take over a contact another agent holds (audited). "
                       "Agents need it; a connector's word moves its own contacts anyway"})

    @ma.validates_schema
    def _fields_fit_the_type(self, data, **_kwargs):
        if data.get("media_type") not in ("chat", "email"):
            for field in ("subject", "body"):
                if field in data:
                    raise ma.ValidationError("Only chats and emails carry a text.", field)
        if "transfer" in data and data.get("type") != "accepted":
            raise ma.ValidationError("Only accepted events transfer a contact.", "transfer")
        if data.get("type") != "queued":
            if "queue" in data:
                raise ma.ValidationError("Only queued events name a queue.", "queue")
            return
        errors = {}
        if "queue" not in data:
            errors["queue"] = ["Required for queued events."]
        if "agent_id" in data:
            errors["agent_id"] = ["A queued contact has no agent yet: the service offers it."]
        if data.get("media_type") not in ROUTED_MEDIA:
            errors["media_type"] = [f"Queued contacts are one of: {', '.join(ROUTED_MEDIA)}."]
        if errors:
            raise ma.ValidationError(errors)


class EventActivitySchema(Schema):
    id = f.Integer()
    request_id = f.Integer(allow_none=True)
    customer_id = f.Integer(allow_none=True)
    state = f.String()
    media_type = f.String()
    contact_id = f.String()
    agent_id = f.String(allow_none=True)
    candidate_ids = f.List(f.Integer())


class EventTaskSchema(Schema):
    id = f.Integer()
    status = f.String()
    queue = f.String()


class ContactEventResultSchema(Schema):
    event_id = f.String()
    source = f.String()
    type = f.String()
    activity = f.Nested(EventActivitySchema)
    task = f.Nested(EventTaskSchema, allow_none=True,
                    metadata={"description": "The routed task of a queued contact"})
    erased = f.Boolean(metadata={"description": "A replay of an event whose contact was "
                                                "erased since: nothing of it is kept"})


# --- the agent's own lists ---------------------------------------------------------------

class EntryActivitySchema(EventActivitySchema):
    """The contact of an Open or Recent entry: enough to tell unknown callers apart."""

    from_address = f.String(data_key="from", allow_none=True)
    caller = f.Function(lambda activity: display_address(activity.from_address),
                        metadata={"type": "string", "nullable": True,
                                  "description": "The caller's address as people write it: "
                                                 "an international phone number or an email"})
    customer_name = f.String(allow_none=True, metadata={"description": "As the host gave it"})
    started_at = f.DateTime(allow_none=True)
    ended_at = f.DateTime(allow_none=True)


class OpenEntrySchema(Schema):
    id = f.Integer()
    customer_id = f.Integer(allow_none=True)
    request_id = f.Integer(allow_none=True)
    activity_id = f.Integer(allow_none=True)
    customer = f.Nested(CustomerSummarySchema, allow_none=True)
    activity = f.Nested(EntryActivitySchema, allow_none=True)
    ringing = f.Boolean(metadata={"description": "Offered to me, not yet accepted: the caller "
                                                 "pops up before I answer"})
    opened_at = f.DateTime()
    closed_at = f.DateTime(allow_none=True)


class ReopenSchema(Schema):
    customer_id = id_field(required=True)


class MeSchema(Schema):
    id = f.String()
    name = f.String()
    role = f.String()


# --- Care desktop: agent state, the queue, tasks (R13-R15) --------------------------------

class TaskRequestSchema(Schema):
    id = f.Integer()
    title = f.String()
    description = f.String()
    status = f.String()
    created_at = f.DateTime()


class TaskContactSchema(Schema):
    activity_id = f.Integer(attribute="id")
    source = f.String()
    contact_id = f.String()
    media_type = f.String()
    state = f.String()
    from_address = f.String(data_key="from", allow_none=True)
    to_address = f.String(data_key="to", allow_none=True)
    customer_name = f.String(allow_none=True)
    variables = f.Dict(keys=f.String(), values=f.String())
    candidate_ids = f.List(f.Integer())
    started_at = f.DateTime(allow_none=True)


class TaskSchema(Schema):
    id = f.Integer()
    status = f.String(metadata={"description": "waiting, offered, active, completed, abandoned"})
    queue = f.String()
    media_type = f.String()
    agent_id = f.String(allow_none=True, metadata={"description": "Offered to, or handled by"})
    activity_id = f.Integer()
    queued_at = f.DateTime()
    offered_at = f.DateTime(allow_none=True)
    offer_deadline = f.DateTime(allow_none=True)
    expires_in = f.Method("_expires_in", metadata={
        "type": "number", "nullable": True,
        "description": "Seconds left to accept an offer, by the service's clock"})
    offers = f.Integer(metadata={"description": "How many times it was offered"})
    accepted_at = f.DateTime(allow_none=True)
    ended_at = f.DateTime(allow_none=True)
    customer = f.Nested(CustomerSummarySchema, allow_none=True)
    request = f.Nested(TaskRequestSchema, allow_none=True,
                       metadata={"description": "The open request the activity joins (R2)"})
    contact = f.Nested(TaskContactSchema, attribute="activity")
    subject = f.String(allow_none=True, metadata={"description": "An email's subject"})
    open_entry_id = f.Integer(allow_none=True,
                              metadata={"description": "In my tasks: its entry in my Open list"})

    @staticmethod
    def _expires_in(task):
        if task.status != "offered" or task.offer_deadline is None:
            return None
        return round(max(0.0, (task.offer_deadline - utcnow()).total_seconds()), 3)


class QueueQueryArgsSchema(Schema):
    queue = f.String(validate=v.Length(min=1, max=100))
    media_type = f.String(validate=v.OneOf(ROUTED_MEDIA))


class AgentStateChangeSchema(Schema):
    state = f.String(required=True, validate=v.OneOf(AGENT_STATES))
    reason = f.String(validate=v.Length(min=1, max=100),
                      metadata={"description": "With not_ready: why (a code from `reasons`, "
                                               "or the agent's own words)"})

    @ma.validates_schema
    def _reason_only_when_not_ready(self, data, **_kwargs):
        if data.get("reason") and data.get("state") == "ready":
            raise ma.ValidationError("Only Not Ready has a reason.", "reason")


class AgentStateSchema(Schema):
    agent_id = f.String()
    state = f.String()
    reason = f.String(allow_none=True, metadata={"description": "missed_offer after a timeout"})
    changed_at = f.DateTime(allow_none=True)
    idle_since = f.DateTime(allow_none=True)
    capacity = f.Dict(keys=f.String(), values=f.Integer(),
                      metadata={"description": "Tasks of each media handled at once"})
    load = f.Dict(keys=f.String(), values=f.Integer(),
                  metadata={"description": "Offered and active tasks by media"})
    reasons = f.List(f.String(), metadata={"description": "Not Ready reasons to offer"})
    offer = f.Nested(TaskSchema, allow_none=True, metadata={"description": "The pending offer"})


# --- admin and sign-in -------------------------------------------------------------------

def shared_sources_field(**kwargs):
    return f.List(name_field(100), validate=v.Length(max=50), metadata={
        "description": "Connector keys: sources whose contacts this key may act on, whoever "
                       "reported them (e.g. a standby connector); otherwise only its own"},
        **kwargs)


class ApiKeyCreateSchema(Schema):
    name = name_field(200, required=True)
    role = f.String(required=True, validate=v.OneOf(ROLES))
    shared_sources = shared_sources_field()

    @ma.validates_schema
    def _sharing_is_for_connectors(self, data, **_kwargs):
        if data.get("shared_sources") and data.get("role") != "connector":
            raise ma.ValidationError("Only connector keys share sources.", "shared_sources")


class ApiKeyPatchSchema(Schema):
    shared_sources = shared_sources_field(required=True)


class ApiKeySchema(Schema):
    id = f.Integer()
    name = f.String()
    role = f.String()
    agent_id = f.String(allow_none=True)
    created_at = f.DateTime()
    expires_at = f.DateTime(allow_none=True)
    revoked_at = f.DateTime(allow_none=True)
    webhook_url = f.String(allow_none=True, metadata={"description": "Connector keys' webhook"})
    shared_sources = f.List(f.String())


class ApiKeyCreatedSchema(ApiKeySchema):
    token = f.String(metadata={"description": "Shown this once; only its hash is kept"})


class AgentCreateSchema(Schema):
    id = f.String(required=True, validate=[v.Length(min=1, max=100),
                                           v.Regexp(r"^[A-Za-z0-9._@-]+$")])
    name = name_field(200, required=True)
    password = f.String(validate=v.Length(min=8, max=200), load_only=True)


class AgentPatchSchema(Schema):
    name = name_field(200)
    password = f.String(validate=v.Length(min=8, max=200), load_only=True)
    disabled = Flag(metadata={"description": "true: no sign-in, every session ends now"})


class AgentTokenSchema(Schema):
    id = f.Integer()
    created_at = f.DateTime()
    expires_at = f.DateTime(allow_none=True)
    revoked_at = f.DateTime(allow_none=True)


class AgentSchema(Schema):
    id = f.String()
    name = f.String()
    disabled = f.Function(lambda agent: agent.disabled_at is not None,
                          metadata={"type": "boolean"})
    created_at = f.DateTime()
    state = f.String(metadata={"description": "ready or not_ready (R13)"})
    state_reason = f.String(allow_none=True)
    state_changed_at = f.DateTime(allow_none=True)


class LoginSchema(Schema):
    agent_id = name_field(100, required=True)
    password = f.String(required=True, validate=v.Length(min=1, max=200), load_only=True)


class FinesseLoginSchema(Schema):
    agent_id = name_field(100, required=True)
    authorization = f.String(
        required=True, load_only=True,
        # Printable ASCII spelt out: \S differs between Python and JavaScript regexes.
        validate=[v.Length(min=7, max=8000), v.Regexp(r"^(Basic|Bearer) [!-~]+$")],
        metadata={"description": "The Authorization value Finesse accepts (Basic or Bearer)"},
    )


class TokenSchema(Schema):
    token = f.String()
    expires_at = f.DateTime(allow_none=True)


class AuditQueryArgsSchema(Schema):
    entity_type = f.String(validate=v.OneOf(
        ("customer", "request", "activity", "task", "agent", "api_key", "field", "import")))
    entity_id = f.String(validate=v.Length(max=100))
    actor = f.String(validate=v.Length(max=200))


class AuditEntrySchema(Schema):
    id = f.Integer()
    at = f.DateTime()
    actor = f.String()
    entity_type = f.String()
    entity_id = f.String()
    action = f.String()
    version = f.Integer(allow_none=True)
    changes = f.Dict()


# --- messages and webhooks ---------------------------------------------------------------

class MessageCreateSchema(Schema):
    message_id = name_field(250, metadata={
        "description": "The chat or email system's own id (required for customer messages); "
                       "in a reply, the client's id, which makes its retries safe"})
    subject = text(metadata={"description": "Customer messages: an email's subject"})
    # After `subject`: this field's name hides the text() helper in the rest of the class.
    text = f.String(required=True, validate=v.Length(min=1, max=BODY_MAX))
    author = name_field(200, metadata={"description": "Customer messages: the sender's name "
                                                      "(default: the contact's customer name)"})
    sent_at = Instant(metadata={"description": "Customer messages: when it was sent "
                                                       "(default: now)"})


class MessageDeliverySchema(Schema):
    status = f.String(attribute="delivery_status", metadata={
        "description": "pending, delivered, failed, or stored (the connector has no webhook "
                       "and reads replies with GET)"})
    attempts = f.Integer()
    delivered_at = f.DateTime(allow_none=True)
    last_error = f.String(allow_none=True)


class MessageSchema(Schema):
    id = f.Integer()
    message_id = f.String()
    activity_id = f.Integer()
    direction = f.String(metadata={"description": "in (the customer's) or out (a reply)"})
    author = f.String(allow_none=True)
    subject = f.String(allow_none=True)
    text = f.String()
    sent_at = f.DateTime()
    delivery = f.Nested(MessageDeliverySchema, allow_none=True,
                        metadata={"description": "Replies: how far the webhook got"})

    def get_attribute(self, obj, attr, default):
        if attr == "delivery":  # a reply's own delivery columns; customer messages have none
            return obj if obj.direction == "out" else None
        return super().get_attribute(obj, attr, default)


class WebhookSetSchema(Schema):
    url = f.URL(required=True, schemes={"http", "https"}, require_tld=False,
                validate=v.Length(max=2000),
                metadata={"description": "Receives the agents' chat replies (POST)",
                          "format": "uri", "pattern": "^https?://[^\\s/?#]+"})


class WebhookSchema(Schema):
    url = f.String()
    set_at = f.DateTime()


class WebhookCreatedSchema(WebhookSchema):
    secret = f.String(metadata={"description": "Standard Webhooks signing secret (whsec_...), "
                                              "shown this once: verify webhook-signature with "
                                              "any Standard Webhooks library"})
    legacy_secret = f.String(metadata={
        "deprecated": True,
        "description": "Deprecated (one more release): the key of X-CC-Signature, "
                       "v1=hex HMAC-SHA256(legacy_secret, timestamp + '.' + body)"})


# --- export (R18) ------------------------------------------------------------------------

class ExportTaskSchema(Schema):
    id = f.Integer()
    status = f.String()
    queue = f.String()
    agent_id = f.String(allow_none=True)
    queued_at = f.DateTime()
    offered_at = f.DateTime(allow_none=True)
    offers = f.Integer()
    accepted_at = f.DateTime(allow_none=True)
    ended_at = f.DateTime(allow_none=True)


class ExportActivitySchema(JourneyActivitySchema):
    messages = f.List(f.Nested(MessageSchema),
                      metadata={"description": "Chat transcript or email, replies included"})
    task = f.Nested(ExportTaskSchema, allow_none=True,
                    metadata={"description": "How it was routed (Care desktop)"})


class ExportRequestSchema(RequestSchema):
    activities = f.List(f.Nested(ExportActivitySchema))


class ExportSchema(Schema):
    customer = f.Nested(CustomerSchema)
    requests = f.List(f.Nested(ExportRequestSchema))
    audit = f.List(f.Nested(AuditEntrySchema))
