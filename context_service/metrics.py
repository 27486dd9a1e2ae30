"""Prometheus metrics at /metrics: what an operator graphs and a wallboard shows.

Counters and histograms (prometheus_client) are written by each process; under gunicorn they
are shared through PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py sets it up), so any worker
answers for all. What lives in the database (waiting tasks, agents' states, webhook
backlog) is read from it when scraped, so every instance tells the same. /metrics needs
`Authorization: Bearer <METRICS_TOKEN>` (or an admin's token when none is set).
"""

import hmac
import os
import time

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from .auth import bearer_token, principal_for_token
from .db import reading
from .errors import Forbidden, Unauthorized
from .extensions import db
from .models import Agent, Message, Task

bp = Blueprint("metrics", __name__)

HTTP_REQUESTS = Counter("cc_http_requests_total", "HTTP requests answered",
                        ["method", "route", "status"])
HTTP_SECONDS = Histogram("cc_http_request_duration_seconds", "Time to answer HTTP requests",
                         ["method", "route"],
                         buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
EVENTS = Counter("cc_contact_events_total", "Contact events received, by type and whether "
                 "they were new or a replay", ["type", "result"])
DELIVERIES = Counter("cc_webhook_deliveries_total", "Webhook delivery attempts by outcome "
                     "(delivered, retry, failed, stored)", ["outcome"])
AUTO_CLOSED = Counter("cc_requests_auto_closed_total", "Requests closed by the sweeper (R4)")
# Routing and the stream (issue 13).
OFFERS = Counter("cc_offers_total", "Tasks offered to agents (R13)", ["media"])
OFFERS_MISSED = Counter("cc_offers_missed_total", "Offers that ran out unaccepted", ["media"])
ACCEPT_SECONDS = Histogram("cc_offer_accept_seconds", "From an offer to its accept",
                           ["media"], buckets=(.25, .5, 1, 2, 3, 5, 8, 10, 15, 20, 30, 60))
STREAMS_OPEN = Gauge("cc_streams_open", "Agents' WebSocket streams open",
                     multiprocess_mode="livesum")
PUSH_SENT = Counter("cc_push_messages_sent_total", "Messages sent on agents' streams")


def event_received(kind: str, first_time: bool) -> None:
    EVENTS.labels(kind, "new" if first_time else "replay").inc()


def delivered(outcome: str, count: int = 1) -> None:
    if count:
        DELIVERIES.labels(outcome).inc(count)


def auto_closed(count: int) -> None:
    if count:
        AUTO_CLOSED.inc(count)


def on_commit(session, record, *args) -> None:
    """Count `record(*args)` when the session's transaction commits (not if it rolls back)."""
    session.info.setdefault("metrics", []).append((record, args))


def _committed(session) -> None:
    if session.in_nested_transaction():
        return
    for record, args in session.info.pop("metrics", ()):
        record(*args)


def _rolled_back(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("metrics", None)


def offered(media: str) -> None:
    OFFERS.labels(media).inc()


def offer_missed(media: str) -> None:
    OFFERS_MISSED.labels(media).inc()


def offer_accepted(media: str, seconds: float) -> None:
    ACCEPT_SECONDS.labels(media).observe(max(0.0, seconds))


class DatabaseCollector:
    """Gauges read from the database at scrape time: the same on every instance."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        waiting = GaugeMetricFamily("cc_tasks_waiting", "Routed tasks waiting for an agent",
                                    labels=["queue", "media"])
        offered = GaugeMetricFamily("cc_tasks_offered", "Tasks offered, not yet accepted",
                                    labels=["queue", "media"])
        agents = GaugeMetricFamily("cc_agents", "Agents by Care desktop state",
                                   labels=["state"])
        backlog = GaugeMetricFamily("cc_webhook_backlog", "Agent replies waiting for delivery")
        with self.app.app_context(), reading(), db.new_session(self.app) as session:
            rows = session.execute(sa.select(Task.status, Task.queue, Task.media_type,
                                             sa.func.count())
                                   .where(Task.status.in_(("waiting", "offered")))
                                   .group_by(Task.status, Task.queue, Task.media_type))
            for status, queue, media, count in rows:
                (waiting if status == "waiting" else offered).add_metric([queue, media], count)
            states = dict(session.execute(
                sa.select(Agent.state, sa.func.count()).where(Agent.disabled_at.is_(None))
                .group_by(Agent.state)).all())
            for state in ("ready", "not_ready"):
                agents.add_metric([state], states.get(state, 0))
            backlog.add_metric([], session.scalar(sa.select(sa.func.count()).select_from(Message)
                                                  .where(Message.delivery_status == "pending")))
        yield from (waiting, offered, agents, backlog)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("metrics_started", None)
    if started is not None and request.endpoint != "metrics.metrics":
        # The route's pattern, not the path: ids would make every customer its own series.
        route = request.url_rule.rule if request.url_rule else "unmatched"
        HTTP_SECONDS.labels(request.method, route).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    return response


def _allowed() -> None:
    token = bearer_token()
    expected = current_app.config["METRICS_TOKEN"]
    if token and expected and hmac.compare_digest(token.encode(), expected.encode()):
        return
    if token and not expected:
        principal = principal_for_token(db.session, token)
        if principal is not None and principal.role == "admin":
            return
        raise Forbidden("Metrics are for METRICS_TOKEN or an admin.")
    raise Unauthorized("Authorization: Bearer <METRICS_TOKEN> is missing or wrong.",
                       headers={"WWW-Authenticate": 'Bearer realm="metrics"'})


@bp.route("/metrics")
def metrics():
    """Prometheus text format: this process's (or all workers') counters, and DB gauges."""
    _allowed()
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry  # noqa: N811 - one process
    body = generate_latest(registry) + generate_latest(current_app.extensions["metrics"])
    return Response(body, content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    database = CollectorRegistry()  # described by scraping only: no query at start-up
    database.register(DatabaseCollector(app))
    app.extensions["metrics"] = database
    factory = app.extensions["database"]["factory"]
    sa.event.listen(factory, "after_commit", _committed)
    sa.event.listen(factory, "after_soft_rollback", _rolled_back)
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.register_blueprint(bp)
