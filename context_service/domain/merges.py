"""Merging a duplicate customer into another, and undoing the merge (issue 14).

`merge` keeps the survivor's id. Per field the caller picks whose value survives
(`survivor` or `other`; by default the survivor's, or the other's where the survivor has
none). Everything of the other customer moves to the survivor in the caller's
transaction: its requests with their activities (and so their tags, notes, messages and
tasks: the journey shows them among the survivor's in time order), its emails and phones,
its Open/Recent entries and its place in other contacts' candidate lists. The other
customer's row is then deleted. The merge row, like the audit entry that records the
merge, keeps the deleted customer as it was and what moved, which is what `undo` needs.

`undo` is allowed within MERGE_UNDO_SECONDS and while nothing touched what moved: the
survivor still has the version the merge left it (no later edit or merge would be lost),
every moved request and activity is still where the merge put it, and no later contact
joined a moved request. Otherwise it is a 409 saying which.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from .. import push
from ..errors import Conflict, NotFound, Unprocessable
from ..models import (
    Activity,
    ContactPoint,
    Customer,
    CustomerMerge,
    OpenEntry,
    Request,
    utcnow,
)
from . import audit

# Fields the caller picks per field; emails and phones are always the union of both.
MERGEABLE = ("first_name", "last_name", "street", "city", "postal_code", "region", "country",
             "preferred_language", "extra")
SNAPSHOT = (*MERGEABLE, "version", "created_at", "updated_at", "updated_by")


def undo_window() -> timedelta:
    return timedelta(seconds=current_app.config["MERGE_UNDO_SECONDS"])


def get(session, merge_id: int) -> CustomerMerge:
    merge = session.get(CustomerMerge, merge_id)
    if merge is None:
        raise NotFound(f"Merge {merge_id} does not exist.")
    return merge


def merged_into(session, customer_id: int) -> CustomerMerge | None:
    """The merge that took this customer away (not undone), if one did."""
    return session.scalar(sa.select(CustomerMerge).where(
        CustomerMerge.merged_id == customer_id, CustomerMerge.undone_at.is_(None))
        .order_by(CustomerMerge.id.desc()).limit(1))


def of_survivor(session, customer_id: int) -> list[CustomerMerge]:
    return list(session.scalars(sa.select(CustomerMerge).where(
        CustomerMerge.survivor_id == customer_id).order_by(CustomerMerge.id.desc())))


def lock_pair(session, survivor_id: int, other_id: int) -> tuple[Customer, Customer]:
    """Both customers, locked in id order (two merges of the same pair cannot deadlock).

    The other is locked FOR UPDATE, as its row will be deleted: a contact arriving for it
    meanwhile (its insert takes a key-share lock) waits, then finds its addresses on the
    survivor. The survivor is locked FOR NO KEY UPDATE, as every edit does.
    """
    if other_id == survivor_id:
        raise Unprocessable("A customer cannot be merged into itself.",
                            errors={"other_id": ["Same as the survivor."]})
    found = {}
    for customer_id in sorted((survivor_id, other_id)):
        customer = session.get(Customer, customer_id)
        if customer is None:
            if customer_id == survivor_id:
                raise NotFound(f"Customer {customer_id} does not exist.")
            raise Unprocessable(f"Customer {customer_id} does not exist.",
                                errors={"other_id": ["No such customer."]})
        session.refresh(customer, with_for_update=(
            True if customer_id == other_id else {"key_share": True}))
        found[customer_id] = customer
    return found[survivor_id], found[other_id]


def _snapshot(customer: Customer) -> dict:
    return {**{field: getattr(customer, field) for field in SNAPSHOT}, "id": customer.id,
            "contact_points": [{"kind": p.kind, "value": p.value, "key": p.key,
                                "position": p.position} for p in customer.contact_points]}


def _pick(field: str, choice: str | None, survivor: Customer, other: Customer):
    mine, theirs = getattr(survivor, field), getattr(other, field)
    if field == "extra":  # key by key: the chosen side's keys win, the other's fill in
        return {**theirs, **mine} if choice != "other" else {**mine, **theirs}
    if choice == "other":
        return theirs
    if choice == "survivor":
        return mine
    return mine if mine not in (None, "") else theirs


def _point(kind: str, value: str, key: str, position: int) -> ContactPoint:
    from .addresses import phone_digit_forms

    point = ContactPoint(kind=kind, value=value, key=key, position=position)
    if kind == "phone":
        point.national_digits, point.reversed_digits = phone_digit_forms(key)
    return point


def merge(session, survivor: Customer, other: Customer, choices: dict[str, str],
          actor: str) -> CustomerMerge:
    """Merge `other` into `survivor` (both locked by `lock_pair`, versions checked)."""
    snapshot = _snapshot(other)
    survivor_before = {field: getattr(survivor, field) for field in MERGEABLE}
    survivor_before.update(emails=survivor.emails, phones=survivor.phones)
    moved = {
        "request_ids": list(session.scalars(
            sa.select(Request.id).where(Request.customer_id == other.id).order_by(Request.id))),
        "activity_ids": list(session.scalars(
            sa.select(Activity.id).where(Activity.customer_id == other.id)
            .order_by(Activity.id))),
    }
    for model in (Request, Activity):
        session.execute(sa.update(model).where(model.customer_id == other.id)
                        .values(customer_id=survivor.id)
                        .execution_options(synchronize_session="fetch"))
    entries = list(session.scalars(sa.select(OpenEntry).where(OpenEntry.customer_id == other.id)))
    for entry in entries:
        entry.customer = survivor  # pushed to its agent as open.changed
    moved["open_entry_ids"] = [e.id for e in entries]
    moved["candidates"] = _replace_candidate(session, other.id, survivor.id)

    # Emails and phones: the survivor's, then the other's it did not have.
    have = {(p.kind, p.key) for p in survivor.contact_points}
    added = []
    for p in other.contact_points:
        if (p.kind, p.key) not in have:
            have.add((p.kind, p.key))
            position = 1 + max((q.position for q in survivor.contact_points if q.kind == p.kind),
                               default=-1)
            survivor.contact_points.append(_point(p.kind, p.value, p.key, position))
            added.append([p.kind, p.key])
    changes = {}
    for field in MERGEABLE:
        value = _pick(field, choices.get(field), survivor, other)
        if value != getattr(survivor, field):
            changes[field] = [getattr(survivor, field), value]
            setattr(survivor, field, value)
    for kind in ("emails", "phones"):
        if survivor_before[kind] != getattr(survivor, kind):
            changes[kind] = [survivor_before[kind], getattr(survivor, kind)]
    survivor.updated_at, survivor.updated_by = utcnow(), actor
    session.delete(other)
    session.flush()

    undo = {"merged": snapshot, "survivor_before": survivor_before, "added_points": added,
            "moved": moved, "choices": choices, "changes": changes}
    row = CustomerMerge(survivor_id=survivor.id, merged_id=snapshot["id"], merged_by=actor,
                        survivor_version=survivor.version, undo=audit._plain(undo))
    session.add(row)
    session.flush()
    audit.record(session, actor, survivor, "merge", {"merge_id": row.id, **undo})
    audit.add(session, actor, "customer", snapshot["id"], "merged-into", snapshot["version"],
              {"merge_id": row.id, "survivor_id": survivor.id})
    # Replaces the flush's customer.changed (erase) of the merged-away customer: gadgets
    # showing it switch to the survivor.
    push.emit(session, {"type": "customer.merged", "id": snapshot["id"], "into": survivor.id,
                        "merge_id": row.id, "version": survivor.version,
                        "changed_by": actor}, key=("customer", snapshot["id"]))
    return row


def _replace_candidate(session, old: int, new: int | None) -> dict[str, list]:
    """Contacts listing `old` among their possible callers list `new` instead (once);
    returns {activity id: its list before}."""
    before = {}
    text = sa.cast(Activity.candidate_ids, sa.String)
    for activity in session.scalars(sa.select(Activity).where(text.like(f"%{old}%"))):
        if old not in activity.candidate_ids:
            continue
        before[str(activity.id)] = list(activity.candidate_ids)
        ids = [new if i == old else i for i in activity.candidate_ids]
        activity.candidate_ids = list(dict.fromkeys(i for i in ids if i is not None))
    return before


def _unsafe(session, merge: CustomerMerge, survivor: Customer) -> str | None:
    """Why undoing the merge now would lose or misplace something, or None."""
    if survivor.version != merge.survivor_version:
        return (f"Customer {survivor.id} was changed after the merge (by "
                f"{survivor.updated_by or 'someone'} at {survivor.updated_at.isoformat()}); "
                "undoing it would lose that change.")
    if session.get(Customer, merge.merged_id) is not None:
        return f"Customer id {merge.merged_id} has been taken by another customer since."
    moved = merge.undo["moved"]
    requests = dict(session.execute(sa.select(Request.id, Request.customer_id).where(
        Request.id.in_(moved["request_ids"]))).all())
    for request_id in moved["request_ids"]:
        if requests.get(request_id) != survivor.id:
            return f"Request {request_id} was moved or erased since the merge."
    # A moved activity sat in a moved request (an activity's customer is its request's).
    activities = {id_: (customer_id, request_id) for id_, customer_id, request_id in
                  session.execute(sa.select(Activity.id, Activity.customer_id,
                                            Activity.request_id)
                                  .where(Activity.id.in_(moved["activity_ids"])))}
    request_ids = set(moved["request_ids"])
    for activity_id in moved["activity_ids"]:
        customer_id, request_id = activities.get(activity_id, (None, None))
        if customer_id != survivor.id or request_id not in request_ids:
            return f"Activity {activity_id} was moved or erased since the merge."
    newcomer = session.scalar(sa.select(Activity.id).where(
        Activity.request_id.in_(moved["request_ids"]),
        Activity.id.not_in(moved["activity_ids"])).limit(1))
    if newcomer is not None:
        return f"Activity {newcomer} joined a moved request after the merge."
    return None


def undo(session, merge: CustomerMerge, actor: str) -> Customer:
    """Put the merged-away customer back as it was, with everything that moved; the
    survivor gets its values from before the merge. Returns the restored customer."""
    if merge.undone_at is not None:
        raise Conflict(f"Merge {merge.id} was already undone by {merge.undone_by} at "
                       f"{merge.undone_at.isoformat()}.")
    if utcnow() > merge.merged_at + undo_window():
        raise Conflict(f"Merge {merge.id} is older than the undo window "
                       f"({int(undo_window().total_seconds())} seconds, MERGE_UNDO_SECONDS).")
    survivor = session.get(Customer, merge.survivor_id)
    session.refresh(survivor, with_for_update={"key_share": True})
    session.refresh(merge, with_for_update=True)  # two undos of one merge: one wins
    if merge.undone_at is not None:
        raise Conflict(f"Merge {merge.id} was already undone by {merge.undone_by}.")
    reason = _unsafe(session, merge, survivor)
    if reason:
        raise Conflict(f"Merge {merge.id} cannot be undone safely: {reason}")
    data = merge.undo
    snap = data["merged"]
    restored = Customer(id=snap["id"], created_at=_when(snap["created_at"]),
                        updated_by=actor,
                        **{field: snap[field] for field in MERGEABLE})
    restored.contact_points = [_point(p["kind"], p["value"], p["key"], p["position"])
                               for p in snap["contact_points"]]
    restored.updated_at = utcnow()
    session.add(restored)
    session.flush()
    moved = data["moved"]
    for model, ids in ((Request, moved["request_ids"]), (Activity, moved["activity_ids"])):
        if ids:
            session.execute(sa.update(model).where(model.id.in_(ids))
                            .values(customer_id=restored.id)
                            .execution_options(synchronize_session="fetch"))
    for entry in session.scalars(sa.select(OpenEntry).where(
            OpenEntry.id.in_(moved["open_entry_ids"]),
            OpenEntry.customer_id == survivor.id)):
        entry.customer = restored
    for activity in session.scalars(sa.select(Activity).where(
            Activity.id.in_([int(i) for i in moved["candidates"]]))):
        before = moved["candidates"][str(activity.id)]
        if survivor.id not in before and survivor.id in activity.candidate_ids:
            activity.candidate_ids = [restored.id if i == survivor.id else i
                                      for i in activity.candidate_ids]
    added = {tuple(p) for p in data["added_points"]}
    survivor.contact_points = [p for p in survivor.contact_points
                               if (p.kind, p.key) not in added]
    for field in MERGEABLE:
        setattr(survivor, field, data["survivor_before"][field])
    survivor.updated_at, survivor.updated_by = utcnow(), actor
    merge.undone_at, merge.undone_by = utcnow(), actor
    session.flush()
    audit.record(session, actor, survivor, "unmerge", {"merge_id": merge.id,
                                                       "restored_id": restored.id})
    audit.record(session, actor, restored, "restore", {"merge_id": merge.id,
                                                       "survivor_id": survivor.id})
    push.emit(session, {"type": "customer.unmerged", "id": restored.id, "from": survivor.id,
                        "merge_id": merge.id, "version": restored.version,
                        "changed_by": actor}, key=("customer", restored.id))
    return restored


def _when(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text)
