"""Messages of chats and emails (R16): the customer's, and the handling agent's chat replies.

A message is stored once per `(activity, message_id)`, the way contact events are: the row
is inserted in a savepoint (the unique constraint makes a concurrent duplicate wait for,
then see, the first), and a repeat with the same content gets the stored message back while
one with other content is a conflict. A reply to a chat whose connector has a webhook waits
as `pending` for the delivery job (delivery.py); without one it is `stored`, and the
connector reads replies with GET.
"""

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from .. import push
from ..auth import Principal
from ..errors import Conflict, Forbidden, Unprocessable
from ..models import Activity, ApiToken, Message, utcnow
from ..schemas import MessageSchema
from . import activities as activities_domain
from . import audit, worklists

TEXT_MEDIA = ("chat", "email")  # media whose contacts have messages
_NO_TEXT = "A {} contact has no messages: only chats and emails do."
# Session flag: a reply became due, so this process's delivery job runs right after commit.
DELIVERY_DUE = "delivery_due"
# A reply's id travels in the webhook's X-CC-Message-Id header, so it must be header-safe.
REPLY_ID = re.compile(r"[\x21-\x7e]{1,250}")
REPLY_FIELDS = ("message_id", "text")
# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; a frame this big carries a cut
# text (and says so), and clients GET the whole message.
FRAME_MAX = 7000
FRAME_SUBJECT_MAX = 1000

_schema = MessageSchema()


def fingerprint(data: dict) -> str:
    """A digest of a request's content: a retry with the same content has the same one."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# --- who may see and post ---------------------------------------------------------------

def _activity(session, activity_id: int, principal: Principal) -> Activity:
    """The activity, if the caller may see its messages: connectors only their own contacts."""
    activity = activities_domain.get(session, activity_id)
    if principal.role == "connector":
        activities_domain.require_reporter(activity, principal)
    return activity


def _require_media(activity: Activity, media: tuple[str, ...], detail: str) -> None:
    if activity.media_type not in media:
        raise Conflict(detail)


def listing(session, activity_id: int, principal: Principal) -> list[Message]:
    """The activity's messages, oldest first."""
    activity = _activity(session, activity_id, principal)
    return list(session.scalars(
        sa.select(Message).where(Message.activity_id == activity.id)
        .order_by(Message.sent_at, Message.id)
    ))


# --- storing, once ------------------------------------------------------------------------

def _stored(session, activity_id: int, message_id: str) -> Message | None:
    return session.scalar(sa.select(Message).where(Message.activity_id == activity_id,
                                                   Message.message_id == message_id))


def _replay(message: Message, digest: str) -> Message:
    if message.fingerprint != digest:
        raise Conflict(f"Message {message.message_id!r} was already received with different "
                       "content.")
    return message


def _insert(session, message: Message) -> tuple[Message, bool]:
    """Add the message unless its id is taken; returns (the stored message, added now?)."""
    existing = _stored(session, message.activity_id, message.message_id)
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            session.add(message)
    except sa_exc.IntegrityError:
        # A concurrent request stored the same id meanwhile.
        return _stored(session, message.activity_id, message.message_id), False
    push.emit(session, frame(message, "added"))
    return message, True


def _inbound(activity: Activity, fields: dict) -> Message:
    content = {k: v for k, v in fields.items() if v is not None}
    return Message(
        activity_id=activity.id, message_id=content["message_id"], direction="in",
        author=content.get("author") or activity.customer_name, subject=content.get("subject"),
        text=content["text"],
        # In UTC, as it reads back from the database: a replay answers the same body.
        sent_at=content["sent_at"].astimezone(UTC) if "sent_at" in content else utcnow(),
        fingerprint=fingerprint({"direction": "in", **content}),
    )


def record_contact_text(session, activity: Activity, *, message_id: str, text: str,
                        subject: str | None = None, author: str | None = None,
                        sent_at: datetime | None = None, actor: str | None = None
                        ) -> Message | None:
    """Store an email's body or a chat's first message that came with a contact event.

    Nothing happens if the activity already has a message with this id. Returns the new
    message, or None.
    """
    _require_media(activity, TEXT_MEDIA, _NO_TEXT.format(activity.media_type))
    if activity.id is None:
        session.flush()  # a contact new in this transaction: the message names it by id
    message, added = _insert(session, _inbound(activity, dict(
        message_id=message_id, text=text, subject=subject, author=author, sent_at=sent_at)))
    if not added:
        return None
    audit.record(session, actor or activity.updated_by or "system", activity, "message",
                 {"message_id": message_id})
    return message


def post(session, activity_id: int, data: dict, principal: Principal) -> tuple[Message, bool]:
    """A message posted over the API: a chat reply from an agent, else a customer's message.

    Returns (the message, stored now?).
    """
    activity = _activity(session, activity_id, principal)
    if principal.role == "agent":
        return _reply(session, activity, data, principal)
    _require_media(activity, TEXT_MEDIA, _NO_TEXT.format(activity.media_type))
    if "message_id" not in data:
        raise Unprocessable("A customer's message carries the chat or email system's id.",
                            errors={"message_id": ["Required for customer messages."]})
    candidate = _inbound(activity, data)
    message, added = _insert(session, candidate)
    if not added:
        return _replay(message, candidate.fingerprint), False
    audit.record(session, principal.actor, activity, "message",
                 {"message_id": message.message_id})
    worklists.reopen_for_message(session, activity)
    return message, True


def _reply(session, activity: Activity, data: dict, principal: Principal
           ) -> tuple[Message, bool]:
    _require_media(activity, ("chat",), "Only chats are answered here: email replies are sent "
                                        "from the email system.")
    extra = sorted(set(data) - set(REPLY_FIELDS))
    if extra:
        raise Unprocessable("A reply carries only text and, optionally, its message_id.",
                            errors={name: ["Not part of a reply."] for name in extra})
    if "message_id" in data and not REPLY_ID.fullmatch(data["message_id"]):
        raise Unprocessable("A reply's id is printable ASCII without spaces.",
                            errors={"message_id": ["Printable ASCII without spaces only."]})
    digest = fingerprint({"direction": "out", "author": principal.agent_id, **data})
    if "message_id" in data and (existing := _stored(session, activity.id, data["message_id"])):
        return _replay(existing, digest), False  # a retry, even after the chat has ended
    # Lock the chat: its replies get ids in the order they commit, which is the order
    # delivery keeps, and none slips in after the chat ends.
    session.refresh(activity, with_for_update={"key_share": True})
    if activity.agent_id != principal.agent_id:
        raise Forbidden("Only the agent handling this chat may reply to it.")
    if activity.state != "active":
        raise Conflict("The chat has ended." if activity.state == "ended"
                       else "The chat has not been accepted yet.")
    pending = _has_webhook(session, activity)
    message, added = _insert(session, Message(
        activity_id=activity.id, message_id=data.get("message_id") or f"r-{uuid.uuid4()}",
        direction="out", author=principal.agent_id, text=data["text"], sent_at=utcnow(),
        fingerprint=digest, delivery_status="pending" if pending else "stored",
        next_attempt_at=utcnow() if pending else None,
    ))
    if not added:
        return _replay(message, digest), False
    audit.record(session, principal.actor, activity, "reply", {"message_id": message.message_id})
    if pending:
        session.info[DELIVERY_DUE] = True
    return message, True


def _has_webhook(session, activity: Activity) -> bool:
    key = session.get(ApiToken, activity.connector_id) if activity.connector_id else None
    return bool(key and key.revoked_at is None and key.webhook_url)


# --- push -------------------------------------------------------------------------------

def frame(message: Message, kind: str) -> dict:
    """The push frame `message.added` / `message.changed`, with the message as the API shows
    it, cut to fit a PostgreSQL NOTIFY (then `truncated` is true)."""
    shown = _schema.dump(message)
    body = {"type": f"message.{kind}", "id": message.id, "activity_id": message.activity_id,
            "message": shown}
    if len(json.dumps(body)) <= FRAME_MAX:
        return body
    body["truncated"] = True
    shown["subject"] = _cut(shown["subject"], FRAME_SUBJECT_MAX)
    text, shown["text"] = shown["text"], ""
    shown["text"] = _cut(text, FRAME_MAX - len(json.dumps(body)) + len('""'))
    return body


def _cut(value: str | None, limit: int) -> str | None:
    """The longest start of `value` whose JSON form has at most `limit` characters."""
    if value is None or len(json.dumps(value)) <= limit:
        return value
    low, high = 0, len(value)
    while low < high:
        middle = (low + high + 1) // 2
        if len(json.dumps(value[:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    return value[:low]
