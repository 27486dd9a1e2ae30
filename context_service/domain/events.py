"""Contact events from connectors and host desktops (R1, R2, R17).

Each `(source, event_id)` is processed once: the event row is inserted first
(the unique constraint makes concurrent retries wait for, then see, the first),
and its stored answer is what every replay gets back.
"""

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite

from ..auth import Principal
from ..errors import Conflict, Forbidden, Unprocessable
from ..models import TASK_STATUSES, Activity, ContactEvent, Request, utcnow
from . import activities as activities_domain
from . import audit, routing, worklists
from . import customers as customers_domain
from . import messages as messages_domain
from . import requests as requests_domain
from .addresses import address_key


def _stored(session, source: str, event_id: str) -> ContactEvent | None:
    return session.scalar(
        sa.select(ContactEvent).where(ContactEvent.source == source,
                                      ContactEvent.event_id == event_id)
    )


def _replay(event: ContactEvent, fingerprint: str, principal: Principal) -> dict:
    """The stored answer, for its reporter only: another client learns nothing from it."""
    if (event.reporter not in (None, principal.identity) and principal.role != "admin"
            and not activities_domain.shares_source(principal, event.source)):
        raise Forbidden(f"Event {event.event_id!r} from {event.source!r} was sent by another "
                        "client.")
    if event.fingerprint != fingerprint:
        raise Conflict(f"Event {event.event_id!r} from {event.source!r} was already received "
                       "with different content.")
    return event.response


def ingest(session, data: dict, principal: Principal) -> tuple[dict, bool]:
    """Apply one event; returns (answer body, first time?).

    A new contact's activity may be created by another of its events at the same moment
    (on PostgreSQL): this transaction's INSERT then fails on the contact's unique key, and
    the event is applied again from the start, finding that activity.
    """
    try:
        return _ingest(session, data, principal)
    except sa_exc.IntegrityError:
        session.rollback()
    return _ingest(session, data, principal)


def _insert(session):
    """The INSERT of this session's database, which has ON CONFLICT DO NOTHING."""
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql"
            else sqlite.insert)


def _claim(session, data: dict, fingerprint: str, principal: Principal) -> int | None:
    """Record the event as received; its id, or None if it was received before.

    A concurrent retry of the same event waits here for the first to commit (the unique
    key), then finds it stored.
    """
    return session.scalar(
        _insert(session)(ContactEvent)
        .values(source=data["source"], event_id=data["event_id"], type=data["type"],
                fingerprint=fingerprint, reporter=principal.identity)
        .on_conflict_do_nothing(index_elements=["source", "event_id"])
        .returning(ContactEvent.id))


def _ingest(session, data: dict, principal: Principal) -> tuple[dict, bool]:
    agent_id = data.get("agent_id") or principal.agent_id
    if data["type"] == "queued":
        if principal.role == "agent":
            raise Forbidden("Queued contacts come from connectors; the service routes them.")
        agent_id = None
    elif principal.role == "agent" and agent_id != principal.agent_id:
        raise Forbidden("An agent may post contact events only for itself.")
    if data["type"] == "accepted" and not agent_id:
        raise Unprocessable("An accepted event names the agent.",
                            errors={"agent_id": ["Required for accepted events."]})
    fingerprint = messages_domain.fingerprint(data)
    event_id = _claim(session, data, fingerprint, principal)
    if event_id is None:
        stored = _stored(session, data["source"], data["event_id"])
        return _replay(stored, fingerprint, principal), False
    # Written together by one flush (routing flushes where it must read its own changes).
    with session.no_autoflush:
        activity, task = _apply(session, data, agent_id, principal)
    session.flush()
    if task is _UNKNOWN:
        task = routing.task_of(session, activity.id, TASK_STATUSES)
    body = {
        "event_id": data["event_id"],
        "source": data["source"],
        "type": data["type"],
        "activity": {
            "id": activity.id,
            "request_id": activity.request_id,
            "customer_id": activity.customer_id,
            "state": activity.state,
            "media_type": activity.media_type,
            "contact_id": activity.contact_id,
            "agent_id": activity.agent_id,
            "candidate_ids": list(activity.candidate_ids),
        },
        "task": {"id": task.id, "status": task.status, "queue": task.queue} if task else None,
    }
    # The stored answer, which every replay gets back.
    session.execute(sa.update(ContactEvent).where(ContactEvent.id == event_id)
                    .values(activity_id=activity.id, response=body))
    return body, True


_UNKNOWN = object()  # the event's task is looked up once the event is applied


def _find_activity(session, data: dict, principal: Principal, lock: bool) -> Activity | None:
    """The contact's activity, if known; with `lock`, its row locked as it is now."""
    stmt = sa.select(Activity).filter_by(source=data["source"], contact_id=data["contact_id"])
    if lock:
        stmt = stmt.with_for_update(key_share=True).execution_options(populate_existing=True)
    activity = session.scalar(stmt)
    if activity is not None:
        activities_domain.require_reporter(activity, principal)
    return activity


def _new_activity(session, data: dict, principal: Principal) -> tuple[Activity, Request | None]:
    """The contact's activity, linked to its caller; for an accepted contact, with the request
    R2 picks (None: there is no single caller)."""
    if data["type"] == "ended":
        raise Conflict(f"Contact {data['contact_id']!r} is not known; nothing to end.")
    activity = Activity(
        source=data["source"],
        contact_id=data["contact_id"],
        media_type=data["media_type"],
        from_address=data.get("from"),
        to_address=data.get("to"),
        customer_name=data.get("customer_name"),
        variables=data.get("variables") or {},
        updated_by=principal.actor,
        connector_id=principal.key_id if principal.role == "connector" else None,
    )
    session.add(activity)
    key = address_key(activity.from_address)
    owners = customers_domain.owners_of(*key) if key else None
    request = None
    if data["type"] == "accepted" and owners is not None:
        matches, request = requests_domain.caller_target(session, owners, principal.actor)
    else:
        matches = list(session.scalars(owners)) if owners is not None else []
    # Link the caller by address; with several matches link none and keep candidates.
    activity.customer_id = matches[0] if len(matches) == 1 else None
    activity.candidate_ids = matches if len(matches) > 1 else []
    audit.record(session, principal.actor, activity, "create",
                 {"contact_id": data["contact_id"]})
    return activity, request


def _ring_only_ends(activity: Activity, agent_id: str | None) -> bool:
    """An agent's `ended` for a contact another agent has: only its ring ended (the call
    rang out there, or was answered on another phone of a shared line), not the contact."""
    return bool(agent_id) and activity.state == "active" and activity.agent_id != agent_id


def _apply(session, data: dict, agent_id: str | None, principal: Principal):
    """Apply the event to its contact; returns (activity, its task, or _UNKNOWN)."""
    actor = principal.actor
    kind = data["type"]
    at = data.get("occurred_at") or utcnow()
    # Accepted and offered events change no task: the contact's row can be locked at once.
    activity = _find_activity(session, data, principal, lock=kind in ("accepted", "offered"))
    request, task = None, _UNKNOWN
    if activity is None:
        activity, request = _new_activity(session, data, principal)
        task = None  # a contact new in this transaction has no task, unless queued below
    elif kind in ("accepted", "offered"):
        task = routing.task_of(session, activity.id, TASK_STATUSES)
    else:
        # The contact's task row first, when the event may end it (domain/routing.py
        # locks tasks before activities); then this contact's row, as it is now: its
        # events apply one at a time.
        if kind == "ended" and activity.state != "ended" and not _ring_only_ends(
                activity, agent_id):
            routing.abandon(session, activity, actor, at)
        session.refresh(activity, with_for_update={"key_share": True})
    ends = kind == "ended" and activity.state != "ended"
    open_task = task if task not in (None, _UNKNOWN) and task.status in routing.OPEN else None
    if data.get("variables") and not sa.inspect(activity).pending:
        activity.variables = {**activity.variables, **data["variables"]}
    if kind == "queued":
        task = routing.enqueue(session, activity, data["queue"], at, actor)
    elif kind == "offered":
        if agent_id and activity.state != "ended" and open_task is None:
            worklists.ring_for(session, agent_id, activity)
    elif kind == "accepted":
        if open_task is not None:
            raise Conflict(f"Contact {activity.contact_id!r} is routed by this service (task "
                           f"{open_task.id}); the agent accepts the task instead.")
        # Connectors and admins speak for the phone system: their word moves a contact.
        activities_domain.accept(session, activity, agent_id, actor, at, request=request,
                                 transfer=principal.role != "agent" or data.get("transfer",
                                                                                False))
    elif ends and _ring_only_ends(activity, agent_id):
        worklists.stop_ringing(session, activity, agent_id)
    elif ends:
        activity.state = "ended"
        activity.ended_at = at
        activities_domain.touch(session, activity, actor)
        worklists.stop_ringing(session, activity)
        audit.record(session, actor, activity, "end", {})
    if data.get("body"):
        messages_domain.record_contact_text(
            session, activity, message_id=data["event_id"], text=data["body"],
            subject=data.get("subject"), author=data.get("customer_name"), sent_at=at,
            actor=actor)
    return activity, task
