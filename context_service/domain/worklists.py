"""Each agent's Open and Recent lists (R1, R10)."""

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..errors import NotFound
from ..models import Activity, Customer, OpenEntry, utcnow
from . import requests as requests_domain

RECENT_LIMIT = 50


def _entries(session, activity: Activity, where) -> list[OpenEntry]:
    """Entries of the activity; none when it is new in this transaction (nobody can have it)."""
    if sa.inspect(activity).pending:
        return []
    return list(session.scalars(
        sa.select(OpenEntry).where(OpenEntry.activity_id == activity.id, where)
        .options(so.lazyload(OpenEntry.activity), so.lazyload(OpenEntry.customer))))


def _new_entry(agent_id: str, activity: Activity, ringing: bool = False) -> OpenEntry:
    return OpenEntry(agent_id=agent_id, activity=activity, ringing=ringing,
                     customer_id=activity.customer_id, request=activity.request)


def open_for(session, agent_id: str, activity: Activity) -> OpenEntry:
    """Put the activity's customer (or unknown contact) in the agent's Open list, once.

    The agent took the contact: its ring stops, and so does the ring at anyone else.
    """
    mine = sa.and_(OpenEntry.agent_id == agent_id, OpenEntry.closed_at.is_(None))
    entry = None
    for found in _entries(session, activity, sa.or_(OpenEntry.ringing.is_(True), mine)):
        if found.agent_id == agent_id and found.closed_at is None:
            entry = found
        elif found.ringing:
            session.delete(found)  # rings that ended unanswered leave no trace
    if entry is None:
        entry = _new_entry(agent_id, activity)
        session.add(entry)
    elif entry.ringing:
        entry.ringing = False
        entry.customer_id, entry.request = activity.customer_id, activity.request
    return entry


def ring_for(session, agent_id: str, activity: Activity) -> None:
    """The contact rings at the agent: the caller pops up in its Open list before it answers."""
    mine = sa.and_(OpenEntry.agent_id == agent_id, OpenEntry.closed_at.is_(None))
    if not _entries(session, activity, mine):
        session.add(_new_entry(agent_id, activity, ringing=True))


def stop_ringing(session, activity: Activity, agent_id: str | None = None) -> None:
    """Rings that ended unanswered leave no trace in Open or Recent: nobody handled them."""
    stmt = sa.select(OpenEntry).where(OpenEntry.activity_id == activity.id,
                                      OpenEntry.ringing.is_(True))
    if agent_id is not None:
        stmt = stmt.where(OpenEntry.agent_id == agent_id)
    for entry in session.scalars(stmt):
        session.delete(entry)


def follow_activity(session, activity: Activity) -> None:
    """Entries of a moved or newly identified contact follow it (and are pushed as changed)."""
    for entry in session.scalars(sa.select(OpenEntry).where(OpenEntry.activity_id == activity.id)):
        entry.customer_id = activity.customer_id
        entry.request_id = activity.request_id


def open_entries(session, agent_id: str) -> list[OpenEntry]:
    return list(session.scalars(
        sa.select(OpenEntry)
        .where(OpenEntry.agent_id == agent_id, OpenEntry.closed_at.is_(None))
        .order_by(OpenEntry.opened_at.desc(), OpenEntry.id.desc())
    ))


def recent_entries(session, agent_id: str, limit: int = RECENT_LIMIT) -> list[OpenEntry]:
    return list(session.scalars(
        sa.select(OpenEntry)
        .where(OpenEntry.agent_id == agent_id, OpenEntry.closed_at.is_not(None))
        .order_by(OpenEntry.closed_at.desc(), OpenEntry.id.desc())
        .limit(limit)
    ))


def get_open(session, agent_id: str, entry_id: int) -> OpenEntry:
    entry = session.get(OpenEntry, entry_id)
    if entry is None or entry.agent_id != agent_id or entry.closed_at is not None:
        raise NotFound(f"Entry {entry_id} is not in your Open list.")
    return entry


def close(entry: OpenEntry) -> OpenEntry:
    entry.closed_at = utcnow()
    return entry


def reopen_for_message(session, activity: Activity) -> OpenEntry | None:
    """A customer wrote on a contact nobody has open: it is back in the Open list of the agent
    who closed it last (a chat closed too early, an email answered), so the message is seen.

    Nothing happens while some agent has the contact open, or when no agent ever had it (a
    queued contact: routing offers it). Returns the new entry, or None.
    """
    if _entries(session, activity, OpenEntry.closed_at.is_(None)):
        return None
    last = session.scalar(
        sa.select(OpenEntry)
        .where(OpenEntry.activity_id == activity.id, OpenEntry.closed_at.is_not(None))
        .order_by(OpenEntry.closed_at.desc(), OpenEntry.id.desc())
        .limit(1)
    )
    if last is None:
        return None
    entry = _new_entry(last.agent_id, activity)
    session.add(entry)
    return entry


def reopen(session, agent_id: str, customer: Customer) -> tuple[OpenEntry, bool]:
    """Bring a customer back to Open with their latest open request and newest activity."""
    existing = session.scalar(
        sa.select(OpenEntry).where(
            OpenEntry.agent_id == agent_id,
            OpenEntry.customer_id == customer.id,
            OpenEntry.closed_at.is_(None),
        )
    )
    if existing is not None:
        return existing, False
    request = requests_domain.latest_open(session, customer)
    activity = session.scalar(
        sa.select(Activity)
        .where(Activity.customer_id == customer.id)
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(1)
    )
    entry = OpenEntry(agent_id=agent_id, customer_id=customer.id,
                      activity_id=activity.id if activity else None,
                      request_id=request.id if request else None)
    session.add(entry)
    session.flush()
    return entry, True
