"""The router job of every process: expires offers past their deadline (R13).

Expiring makes the agent Not Ready and re-offers the task to the next agent. Any process
may do it (domain/routing.py claims each offer's rows), so each looks every
ROUTING_TICK_SECONDS, or sooner when the next deadline is closer; on a tick with nothing
to expire it offers what may have been left waiting beside a free agent.
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
            deadline, idle = routing.router_look(session)
            session.commit()
        if deadline is not None and deadline <= utcnow():
            expired = routing.expire_offers(session)
            session.commit()
            # Again at once: the new offers have deadlines of their own. An offer another
            # transaction held (its accept, say) is looked at again shortly.
            return 0.0 if expired else min(tick, 0.05)
        if idle:
            # Changes settle their own offers; a row that a change outside routing held
            # (an admin renaming a Ready agent, say) is caught here, a tick later.
            routing.dispatch_all(session)
            session.commit()
    if deadline is None:
        return tick
    return min(tick, max(0.0, (deadline - utcnow()).total_seconds()))


def init_app(app: Flask) -> None:
    """Start the router job in served processes."""
    if background.enabled(app):
        background.start(app, "router", run_once, app.config["ROUTING_TICK_SECONDS"])
