"""Activities: accepting a contact (R1, R2), tags (R5), notes (R6), moving (R11)."""

import unicodedata
from datetime import datetime

from ..errors import Conflict, Forbidden, NotFound, Unprocessable
from ..models import Activity, Customer, Note, Request, Tag, utcnow
from . import audit, worklists
from . import requests as requests_domain

TAG_MAX = 50


def get(session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(f"Activity {activity_id} does not exist.")
    return activity


def shares_source(principal, source: str) -> bool:
    return principal.role == "connector" and source in principal.shared_sources


def require_reporter(activity: Activity, principal) -> None:
    """A contact belongs to whoever reported it: a connector acts only on its own contacts
    (or on every contact of a source an admin lets it share), and a connector's contacts
    take no events from agents' host desktops. Admins may act on any."""
    if principal.role == "admin" or shares_source(principal, activity.source):
        return
    if principal.role == "connector" and activity.connector_id != principal.key_id:
        raise Forbidden(f"Contact {activity.contact_id!r} of {activity.source!r} was reported "
                        "by another connector.")
    if principal.role == "agent" and activity.connector_id is not None:
        raise Forbidden(f"Contact {activity.contact_id!r} of {activity.source!r} is reported by "
                        "a connector: its events come from there.")


def touch(session, activity: Activity, actor: str) -> None:
    """Mark a change: bumps the version and keeps an open request from auto-closing.

    A request that has already expired is closed first (R4), so the change does not revive it.
    """
    requests_domain.close_if_expired(session, activity.request)
    _stamp(activity, actor)


def _stamp(activity: Activity, actor: str) -> None:
    activity.updated_at = utcnow()
    activity.updated_by = actor


def accept(session, activity: Activity, agent_id: str, actor: str, at: datetime,
           transfer: bool = True, request: Request | None = None) -> None:
    """R1, R2: the agent takes the contact; it joins the customer's latest open request (or a
    new one) and the customer enters the agent's Open list.

    `request`: the one R2 picked already (events find a new caller and their request at
    once). A contact another agent holds moves to this one only as a transfer
    (`transfer`), which the audit trail records as such.
    """
    if activity.state == "ended":
        raise Conflict(f"Contact {activity.contact_id!r} has already ended.")
    previous = activity.agent_id if activity.state == "active" else None
    if previous not in (None, agent_id) and not transfer:
        raise Conflict(f"Contact {activity.contact_id!r} is with agent {previous!r}; taking it "
                       "over is a transfer (send transfer: true).")
    activity.state = "active"
    activity.started_at = activity.started_at or at
    activity.agent_id = agent_id
    if activity.request is None:
        # R2 picks an open request that has not expired: no need to ask again.
        activity.request = request or requests_domain.attach_target(
            session, activity.customer_id, actor)
        _stamp(activity, actor)
    else:
        touch(session, activity, actor)
    if previous not in (None, agent_id):
        audit.record(session, actor, activity, "transfer", {"agent_id": [previous, agent_id]})
    else:
        audit.record(session, actor, activity, "accept", {"agent_id": agent_id})
    worklists.open_for(session, agent_id, activity)


def lock_for_append(session, activity: Activity) -> None:
    """Wait for other writers of this activity, then read it as they left it.

    Appends (tags, notes) bump the activity's version without an If-Match: holding the
    row lock first means a concurrent append makes this one wait, never fail as stale.
    """
    session.refresh(activity, with_for_update={"key_share": True})


def tag_name(raw: str) -> str:
    """A tag as stored: whitespace collapsed, composed (NFC) so `Café` is one spelling."""
    return unicodedata.normalize("NFC", " ".join(raw.split()))


def tag_key(name: str) -> str:
    """What makes two tags the same (R5): any case, any Unicode composition."""
    return unicodedata.normalize("NFC", tag_name(name).casefold())


def add_tag(session, activity: Activity, name: str, actor: str) -> Tag:
    name = tag_name(name)
    if not name:
        raise Unprocessable("A tag cannot be blank.", errors={"name": ["Tag is blank."]})
    if len(name) > TAG_MAX:
        raise Unprocessable(f"A tag has at most {TAG_MAX} characters.",
                            errors={"name": [f"Longer than {TAG_MAX} characters."]})
    lock_for_append(session, activity)
    key = tag_key(name)
    if any(tag.key == key for tag in activity.tags):
        raise Conflict(f"The activity already has the tag {name!r}.")
    tag = Tag(name=name, key=key, created_by=actor)
    activity.tags.append(tag)
    touch(session, activity, actor)
    audit.record(session, actor, activity, "tag", {"added": name})
    return tag


def remove_tag(session, activity: Activity, name: str, actor: str) -> None:
    lock_for_append(session, activity)
    key = tag_key(name)
    tag = next((t for t in activity.tags if t.key == key), None)
    if tag is None:
        raise NotFound(f"The activity has no tag {name!r}.")
    activity.tags.remove(tag)
    touch(session, activity, actor)
    audit.record(session, actor, activity, "untag", {"removed": tag.name})


def add_note(session, activity: Activity, text: str, actor: str) -> Note:
    lock_for_append(session, activity)
    note = Note(text=text, author=actor)
    activity.notes.append(note)
    touch(session, activity, actor)
    audit.record(session, actor, activity, "note", {"text": text})
    return note


def assign_customer(session, activity: Activity, customer: Customer, actor: str) -> None:
    """An unknown contact becomes this customer's: its request and open entries follow."""
    request = activity.request
    if request is not None and request.customer_id is None:
        request.customer_id = customer.id
        request.updated_by = actor
        for sibling in request.activities:
            sibling.customer_id = customer.id
    activity.customer_id = customer.id
    activity.candidate_ids = []
    touch(session, activity, actor)
    worklists.follow_activity(session, activity)
    audit.record(session, actor, activity, "assign-customer", {"customer_id": customer.id})


def move(session, activity: Activity, actor: str, *, request_id: int | None = None,
         new_request: bool = False, customer_id: int | None = None) -> Activity:
    """Move to another open request, a new request, or another customer (R11).

    Never to or from a closed request. To another customer without a request
    named, the attach rule (R2) picks the target.
    """
    source = activity.request
    requests_domain.close_if_expired(session, source)
    requests_domain.require_open(source, "The activity's")
    customer = None
    if customer_id is not None:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(f"Customer {customer_id} does not exist.")
    if request_id is not None:
        target = requests_domain.get(session, request_id)
        requests_domain.close_if_expired(session, target)
        requests_domain.require_open(target, "The target")
        if customer is not None and target.customer_id != customer.id:
            raise Conflict(f"Request {target.id} does not belong to customer {customer.id}.")
        customer = session.get(Customer, target.customer_id) if target.customer_id else None
    else:
        customer = customer or (session.get(Customer, activity.customer_id)
                                if activity.customer_id else None)
        if customer is None and not new_request:
            raise Unprocessable("Name a request_id, a customer_id, or new_request: true.",
                                errors={"request_id": ["Missing target."]})
        customer_id = customer.id if customer is not None else None
        target = (requests_domain.create(session, customer_id, actor) if new_request
                  else requests_domain.attach_target(session, customer_id, actor))
    if source is not None and target.id == source.id:
        raise Conflict("The activity is already in that request.")
    activity.request = target
    activity.customer_id = target.customer_id
    activity.candidate_ids = [] if target.customer_id else activity.candidate_ids
    touch(session, activity, actor)
    session.flush()  # a new target's id, for the Open entries and the audit entry
    worklists.follow_activity(session, activity)
    audit.record(session, actor, activity, "move", {
        "request_id": [source.id if source else None, target.id],
        "customer_id": [source.customer_id if source else None, target.customer_id],
    })
    return activity
