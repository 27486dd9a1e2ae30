"""Presence (issue 14): which customer each agent's gadget is showing, so others see
"Bob is viewing" on the same customer.

A gadget says so with `PUT /api/v1/me/viewing` whenever it shows a customer (and again at
least every PRESENCE_TTL_SECONDS while it does), and `DELETE` when it leaves it. Its stream
closing ends it at once (stream.py calls `stream_closed`), so a closed tab or a lost
connection clears within the seconds the stream takes to notice. A row not said again
within the TTL (a process that died with its streams) is not shown.

Every change pushes `presence.changed` to every stream with the customer's whole list of
viewers, so a gadget never has to add up differences.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from .. import push
from ..db import _read_only
from ..extensions import db
from ..models import Presence, utcnow
from . import customers as customers_domain

log = logging.getLogger(__name__)


def _ttl() -> timedelta:
    return timedelta(seconds=current_app.config["PRESENCE_TTL_SECONDS"])


def viewers(session, customer_id: int) -> list[Presence]:
    """Agents viewing the customer now, longest first."""
    return list(session.scalars(sa.select(Presence).where(
        Presence.customer_id == customer_id, Presence.seen_at > utcnow() - _ttl())
        .order_by(Presence.since, Presence.agent_id)))


def _announce(session, customer_id: int) -> None:
    session.flush()
    push.emit(session, {"type": "presence.changed", "id": customer_id,
                        "customer_id": customer_id,
                        "viewers": [p.agent_id for p in viewers(session, customer_id)]},
              key=("presence", customer_id))


def view(session, agent_id: str, customer_id: int) -> list[Presence]:
    """The agent shows this customer now (404 for one that does not exist)."""
    customers_domain.get(session, customer_id)
    row = session.get(Presence, agent_id, with_for_update=True)
    now = utcnow()
    before = row.customer_id if row is not None else None
    if row is None:
        row = Presence(agent_id=agent_id, customer_id=customer_id, since=now, seen_at=now)
        session.add(row)
    elif before != customer_id:
        row.customer_id, row.since, row.seen_at = customer_id, now, now
    else:
        row.seen_at = now  # said again: still there, nobody needs telling
        return viewers(session, customer_id)
    if before is not None:
        _announce(session, before)
    _announce(session, customer_id)
    return viewers(session, customer_id)


def leave(session, agent_id: str) -> None:
    """The agent shows no customer any more."""
    row = session.get(Presence, agent_id, with_for_update=True)
    if row is not None:
        customer_id = row.customer_id
        session.delete(row)
        _announce(session, customer_id)


def stream_closed(agent_id: str) -> None:
    """stream.py's hook: the agent's stream closed, so its gadget shows nothing now. (An
    agent with a second gadget open says `viewing` again from there within the TTL.)"""
    token = _read_only.set(False)  # the stream began as a GET: this one writes
    try:
        with db.new_session() as session:
            if session.get(Presence, agent_id) is not None:
                leave(session, agent_id)
                session.commit()
    except Exception:  # the stream's own cleanup must go on
        log.exception("presence: could not clear %s", agent_id)
    finally:
        _read_only.reset(token)
