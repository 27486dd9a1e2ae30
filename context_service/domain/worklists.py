"""Each agent's Open and Recent lists (R1, R10)."""

import sqlalchemy as sa

from ..errors import NotFound
from ..models import Activity, Customer, OpenEntry, utcnow
from . import requests as requests_domain

RECENT_LIMIT = 50


def _open_entry(session, agent_id: str, activity: Activity) -> OpenEntry | None:
    return session.scalar(
        sa.select(OpenEntry).where(
            OpenEntry.agent_id == agent_id,
            OpenEntry.activity_id == activity.id,
            OpenEntry.closed_at.is_(None),
        )
    )


def open_for(session, agent_id: str, activity: Activity) -> OpenEntry:
    """Put the activity's customer (or unknown contact) in the agent's Open list, once.

    The agent took the contact: its ring stops, and so does the ring at anyone else.
    """
    stop_ringing(session, activity, except_agent=agent_id)
    entry = _open_entry(session, agent_id, activity)
    if entry is None:
        entry = OpenEntry(agent_id=agent_id, activity_id=activity.id,
                          customer_id=activity.customer_id, request_id=activity.request_id)
        session.add(entry)
        session.flush()
    elif entry.ringing:
        entry.ringing = False
        entry.customer_id, entry.request_id = activity.customer_id, activity.request_id
    return entry


def ring_for(session, agent_id: str, activity: Activity) -> None:
    """The contact rings at the agent: the caller pops up in its Open list before it answers."""
    if _open_entry(session, agent_id, activity) is None:
        session.add(OpenEntry(agent_id=agent_id, activity_id=activity.id, ringing=True,
                              customer_id=activity.customer_id, request_id=activity.request_id))
        session.flush()


def stop_ringing(session, activity: Activity, agent_id: str | None = None,
                 except_agent: str | None = None) -> None:
    """Rings that ended unanswered leave no trace in Open or Recent: nobody handled them."""
    stmt = sa.select(OpenEntry).where(OpenEntry.activity_id == activity.id,
                                      OpenEntry.ringing.is_(True))
    if agent_id is not None:
        stmt = stmt.where(OpenEntry.agent_id == agent_id)
    if except_agent is not None:
        stmt = stmt.where(OpenEntry.agent_id != except_agent)
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
