"""Contact events from connectors and host desktops (R1, R2, R17).

Each `(source, event_id)` is processed once: the event row is inserted first
(the unique constraint makes concurrent retries wait for, then see, the first),
and its stored answer is what every replay gets back.
"""

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from ..auth import Principal
from ..errors import Conflict, Forbidden, Unprocessable
from ..models import TASK_STATUSES, Activity, ContactEvent, utcnow
from . import activities as activities_domain
from . import audit, routing, worklists
from . import customers as customers_domain
from . import messages as messages_domain
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
    """Apply one event; returns (answer body, first time?)."""
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
    existing = _stored(session, data["source"], data["event_id"])
    if existing is not None:
        return _replay(existing, fingerprint, principal), False
    event = ContactEvent(source=data["source"], event_id=data["event_id"], type=data["type"],
                         fingerprint=fingerprint, reporter=principal.identity)
    try:
        with session.begin_nested():
            session.add(event)
    except sa_exc.IntegrityError:
        stored = _stored(session, data["source"], data["event_id"])
        return _replay(stored, fingerprint, principal), False
    activity = _apply(session, data, agent_id, principal)
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
    event.activity_id = activity.id
    event.response = body
    return body, True


def _find_or_create_activity(session, data: dict, principal: Principal) -> tuple[Activity, bool]:
    key = dict(source=data["source"], contact_id=data["contact_id"])
    activity = session.scalar(sa.select(Activity).filter_by(**key))
    if activity is not None:
        activities_domain.require_reporter(activity, principal)
        return activity, False
    if data["type"] == "ended":
        raise Conflict(f"Contact {data['contact_id']!r} is not known; nothing to end.")
    activity = Activity(
        **key,
        media_type=data["media_type"],
        from_address=data.get("from"),
        to_address=data.get("to"),
        customer_name=data.get("customer_name"),
        variables=data.get("variables") or {},
        updated_by=principal.actor,
        connector_id=principal.key_id if principal.role == "connector" else None,
    )
    _match_customer(session, activity)
    try:
        with session.begin_nested():
            session.add(activity)
    except sa_exc.IntegrityError:
        # Another event of the same contact created it meanwhile.
        activity = session.scalar(sa.select(Activity).filter_by(**key))
        if activity is None:
            raise  # not that: a reference gone meanwhile (errors.py answers 409)
        activities_domain.require_reporter(activity, principal)
        return activity, False
    audit.record(session, principal.actor, activity, "create", {"contact_id": data["contact_id"]})
    return activity, True


def _match_customer(session, activity: Activity) -> None:
    """Link the caller by address; with several matches link none and keep candidates."""
    key = address_key(activity.from_address)
    matches = customers_domain.find_by_address(session, *key) if key else []
    if len(matches) == 1:
        activity.customer_id = matches[0].id
    activity.candidate_ids = [c.id for c in matches] if len(matches) > 1 else []


def _ring_only_ends(activity: Activity, agent_id: str | None) -> bool:
    """An agent's `ended` for a contact another agent has: only its ring ended (the call
    rang out there, or was answered on another phone of a shared line), not the contact."""
    return bool(agent_id) and activity.state == "active" and activity.agent_id != agent_id


def _apply(session, data: dict, agent_id: str | None, principal: Principal) -> Activity:
    actor = principal.actor
    activity, created = _find_or_create_activity(session, data, principal)
    at = data.get("occurred_at") or utcnow()
    ends = data["type"] == "ended" and activity.state != "ended"
    if not created:
        # The routing lock first, when the event may change a task (domain/routing.py);
        # then this contact's row, as it is now: its events apply one at a time.
        if data["type"] == "queued":
            routing.lock(session)
        elif ends and not _ring_only_ends(activity, agent_id):
            routing.abandon(session, activity, actor, at)
        session.refresh(activity, with_for_update={"key_share": True})
    if data.get("variables"):
        activity.variables = {**activity.variables, **data["variables"]}
    if data["type"] == "queued":
        routing.enqueue(session, activity, data["queue"], at, actor)
    elif data["type"] == "offered":
        if agent_id and activity.state != "ended" and routing.task_of(session, activity.id) is None:
            worklists.ring_for(session, agent_id, activity)
    elif data["type"] == "accepted":
        if (task := routing.task_of(session, activity.id)) is not None:
            raise Conflict(f"Contact {activity.contact_id!r} is routed by this service (task "
                           f"{task.id}); the agent accepts the task instead.")
        # Connectors and admins speak for the phone system: their word moves a contact.
        activities_domain.accept(session, activity, agent_id, actor, at,
                                 transfer=principal.role != "agent" or data.get("transfer", False))
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
    return activity
