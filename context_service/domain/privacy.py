"""A customer's personal data, whole: the export that shows all of it, the erasure that
leaves none of it (R18).

The export is the journey plus what the journey does not show: every chat and email
message (the customer's and the agents' replies), each contact's routed task, and the
audit trail. The erasure removes the customer, their requests and activities (with notes,
tags, messages and tasks), their Open/Recent entries, the merges into them (which keep
the merged-away duplicates for undo), and unknown contacts from an address
that was theirs alone; it takes their id out of other contacts' candidate lists, turns
stored event answers into `{"erased": true}` (replays are still recognised), and keeps of
the audit trail only who did what kind of thing when.
"""

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..models import (
    Activity,
    AuditEntry,
    ContactEvent,
    ContactPoint,
    Customer,
    CustomerMerge,
    Message,
    OpenEntry,
    Request,
    Task,
)
from . import audit
from .addresses import address_key

ERASED = {"erased": True}


def _audit_of(ids: dict[str, list]) -> sa.ColumnElement:
    return sa.or_(sa.false(), *(
        sa.and_(AuditEntry.entity_type == kind, AuditEntry.entity_id.in_([str(i) for i in ids_]))
        for kind, ids_ in ids.items() if ids_))


def export(session, customer: Customer) -> dict:
    """Everything stored about the customer, oldest facts first within each list."""
    requests = session.scalars(
        sa.select(Request).where(Request.customer_id == customer.id)
        .options(so.selectinload(Request.activities).options(
            so.selectinload(Activity.notes), so.selectinload(Activity.tags)))
        .order_by(Request.created_at.desc(), Request.id.desc())).all()
    activity_ids = [a.id for r in requests for a in r.activities]
    messages, tasks = {}, {}
    for message in session.scalars(sa.select(Message).where(Message.activity_id.in_(
            activity_ids)).order_by(Message.sent_at, Message.id)):
        messages.setdefault(message.activity_id, []).append(message)
    for task in session.scalars(sa.select(Task).where(Task.activity_id.in_(activity_ids))):
        tasks[task.activity_id] = task
    entities = {"customer": [customer.id], "request": [r.id for r in requests],
                "activity": activity_ids, "task": [t.id for t in tasks.values()]}
    return {
        "customer": customer,
        "requests": [{**_columns(r), "activities": [
            {**_columns(a), "tags": a.tags, "notes": a.notes,
             "messages": messages.get(a.id, []), "task": tasks.get(a.id)}
            for a in r.activities]} for r in requests],
        "audit": session.scalars(sa.select(AuditEntry).where(_audit_of(entities))
                                 .order_by(AuditEntry.id)).all(),
    }


def _columns(row) -> dict:
    return {column.key: getattr(row, column.key) for column in sa.inspect(type(row)).column_attrs}


def _sole_owner_contacts(session, customer: Customer) -> list[int]:
    """Unknown contacts from an address only this customer has: theirs, never linked."""
    keys = {(p.kind, p.key) for p in customer.contact_points}
    if not keys:
        return []
    shared = set(session.execute(
        sa.select(ContactPoint.kind, ContactPoint.key).where(
            ContactPoint.customer_id != customer.id,
            sa.tuple_(ContactPoint.kind, ContactPoint.key).in_(list(keys)))).all())
    theirs = keys - shared
    unknown = session.execute(sa.select(Activity.id, Activity.from_address).where(
        Activity.customer_id.is_(None), Activity.from_address.is_not(None)))
    return [id_ for id_, address in unknown if address_key(address) in theirs]


def _forget_candidate(session, customer_id: int) -> None:
    """Other contacts no longer list the customer among their possible callers, nor do
    the answers their events keep."""
    text = sa.cast(Activity.candidate_ids, sa.String)
    rows = session.scalars(sa.select(Activity).where(text.like(f"%{customer_id}%")))
    for activity in rows:
        if customer_id not in activity.candidate_ids:
            continue
        activity.candidate_ids = [i for i in activity.candidate_ids if i != customer_id]
        for event in session.scalars(sa.select(ContactEvent).where(
                ContactEvent.activity_id == activity.id)):
            answer = dict(event.response)
            if "activity" in answer:
                answer["activity"] = {**answer["activity"],
                                      "candidate_ids": activity.candidate_ids}
                event.response = answer


def erase(session, customer: Customer, actor: str) -> None:
    """Remove the customer and everything that is theirs; keep only a bare audit trail."""
    activity_ids = list(session.scalars(sa.select(Activity.id).where(
        Activity.customer_id == customer.id)))
    activity_ids += _sole_owner_contacts(session, customer)
    request_ids = list(session.scalars(sa.select(Request.id).where(sa.or_(
        Request.customer_id == customer.id,
        # an unknown contact's request goes with it when nothing else is in it
        sa.and_(Request.customer_id.is_(None),
                Request.id.in_(sa.select(Activity.request_id).where(
                    Activity.id.in_(activity_ids))),
                ~Request.id.in_(sa.select(Activity.request_id).where(
                    Activity.request_id.is_not(None), ~Activity.id.in_(activity_ids))))))))
    task_ids = list(session.scalars(sa.select(Task.id).where(Task.activity_id.in_(activity_ids))))
    session.execute(sa.update(ContactEvent).where(ContactEvent.activity_id.in_(activity_ids))
                    .values(response=ERASED, activity_id=None))
    session.execute(sa.delete(OpenEntry).where(sa.or_(
        OpenEntry.customer_id == customer.id, OpenEntry.activity_id.in_(activity_ids))))
    # Merges keep the merged-away customers as they were (to undo): they go too, and so
    # does what the audit trail says about those customers.
    merges = sa.or_(CustomerMerge.survivor_id == customer.id,
                    CustomerMerge.merged_id == customer.id)
    merged_ids = list(session.scalars(sa.select(CustomerMerge.merged_id).where(
        CustomerMerge.survivor_id == customer.id, CustomerMerge.undone_at.is_(None))))
    session.execute(sa.delete(CustomerMerge).where(merges))
    session.execute(sa.update(AuditEntry).where(_audit_of({
        "customer": [customer.id, *merged_ids], "request": request_ids, "activity": activity_ids,
        "task": task_ids})).values(changes={}))
    _forget_candidate(session, customer.id)
    for activity in session.scalars(sa.select(Activity).where(Activity.id.in_(activity_ids))):
        session.delete(activity)
    session.flush()
    for request in session.scalars(sa.select(Request).where(Request.id.in_(request_ids))):
        session.delete(request)
    session.flush()
    session.delete(customer)
    session.flush()
    audit.add(session, actor, "customer", customer.id, "erase")
