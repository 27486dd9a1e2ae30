"""Each agent's Open and Recent lists (R1, R10)."""

import sqlalchemy as sa

from ..errors import NotFound
from ..models import Activity, Customer, OpenEntry, utcnow
from . import requests as requests_domain

RECENT_LIMIT = 50


def open_for(session, agent_id: str, activity: Activity) -> OpenEntry:
    """Put the activity's customer (or unknown contact) in the agent's Open list, once."""
    entry = session.scalar(
        sa.select(OpenEntry).where(
            OpenEntry.agent_id == agent_id,
            OpenEntry.activity_id == activity.id,
            OpenEntry.closed_at.is_(None),
        )
    )
    if entry is None:
        entry = OpenEntry(agent_id=agent_id, activity_id=activity.id,
                          customer_id=activity.customer_id, request_id=activity.request_id)
        session.add(entry)
        session.flush()
    return entry


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
