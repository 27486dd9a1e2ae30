"""The router job of every process: expires offers past their deadline (R13).

Expiring makes the agent Not Ready and re-offers the task to the next agent. Any process
may do it (domain/routing.py serialises them), so each looks every ROUTING_TICK_SECONDS,
or sooner when the next deadline is closer.
"""

from flask import Flask

from . import background
from .db import reading
from .domain import routing
from .extensions import db
from .models import utcnow


def run_once(app: Flask) -> float:
    """Expire what is overdue; returns the seconds until the next look."""
    tick = app.config["ROUTING_TICK_SECONDS"]
    with app.app_context(), db.new_session(app) as session:
        with reading():
            deadline = routing.next_deadline(session)
            session.commit()
        if deadline is not None and deadline <= utcnow():
            routing.expire_offers(session)
            session.commit()
            return 0.0  # look again at once: the new offers have deadlines of their own
    if deadline is None:
        return tick
    return min(tick, max(0.0, (deadline - utcnow()).total_seconds()))


def init_app(app: Flask) -> None:
    """Start the router job in served processes."""
    if background.enabled(app):
        background.start(app, "router", run_once, app.config["ROUTING_TICK_SECONDS"])
