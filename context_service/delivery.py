"""Webhook delivery of agents' chat replies (R16), a background job of every process.

A reply waits as `pending`. Each run claims the due ones, leases them (`next_attempt_at`
moves past the longest an attempt can take, `attempts` goes up) and commits; only then is
each POSTed, outside any transaction, and the answer recorded in a new one. So:

- several processes can run this on one PostgreSQL: claiming skips rows another process
  has locked, and a leased reply is not due again until its lease runs out, so no attempt
  is made twice;
- a chat's replies arrive in order: a reply is not claimed while an earlier reply of the
  same chat is still pending;
- a process that dies mid-attempt leaves a lease that runs out, and the reply is sent again
  with the same id and body, which is how receivers recognise the duplicate.

A 2xx answer acknowledges the reply. Anything else (other statuses, redirects, which are
never followed, timeouts, refused connections) is retried with exponential backoff, until
the reply is WEBHOOK_GIVE_UP_SECONDS old; then it is `failed`.
"""

import collections
import json
import logging
import random
import socket
import ssl
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from http.client import HTTPException

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask

from . import background, destinations, metrics, push
from .db import reading
from .domain import messages as messages_domain
from .domain import webhooks
from .extensions import db
from .models import Activity, ApiToken, Message, utcnow

log = logging.getLogger(__name__)
JOB = "webhook-delivery"
BATCH = 16  # replies attempted at once (each of another chat), one thread each
# A lease lasts twice the timeout plus this: urllib's timeout bounds each wait on the socket
# (connecting, then each read), not the attempt as a whole.
LEASE_MARGIN_SECONDS = 30
NO_WEBHOOK = "The connector has no webhook any more; the reply is kept for it to GET."


@dataclass(frozen=True)
class Attempt:
    row_id: int
    number: int
    url: str
    key: bytes = field(repr=False)
    message_id: str
    body: bytes


def _failure(error: BaseException) -> str:
    """What went wrong, as connectors and agents may read it: no internal addresses, ports
    or library messages (those go to the log)."""
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        error = error.reason if isinstance(error.reason, BaseException) else error
    if isinstance(error, destinations.BlockedDestination):
        return "The webhook's address is internal; webhooks may not reach it."
    if isinstance(error, socket.gaierror):
        return "The webhook's host name could not be resolved."
    if isinstance(error, TimeoutError | socket.timeout):
        return "The receiver did not answer in time."
    if isinstance(error, ConnectionRefusedError):
        return "The receiver refused the connection."
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return "The TLS handshake with the receiver failed."
    return "The connection to the receiver failed."


def _body(message: Message, activity: Activity) -> bytes:
    """The JSON body, built from stored values only, so every attempt sends the same bytes."""
    return json.dumps({
        "id": message.message_id,
        "type": "chat.message",
        "activity_id": activity.id,
        "source": activity.source,
        "contact_id": activity.contact_id,
        "text": message.text,
        "author": message.author,
        "sent_at": message.sent_at.astimezone(UTC).isoformat(),
    }, ensure_ascii=False, separators=(",", ":")).encode()


def _due(now) -> list:
    """Pending replies whose time has come, each the oldest pending one of its chat."""
    earlier = so.aliased(Message)
    return [Message.delivery_status == "pending", Message.next_attempt_at <= now,
            ~sa.exists().where(earlier.activity_id == Message.activity_id,
                               earlier.delivery_status == "pending", earlier.id < Message.id)]


def _claim(app: Flask) -> list[Attempt]:
    """Lease the due replies and commit the leases."""
    config = app.config
    now = utcnow()
    # Look first, in a plain read: on SQLite claiming takes the writers' lock.
    with reading(), db.new_session(app) as session:
        if session.scalar(sa.select(Message.id).where(*_due(now)).limit(1)) is None:
            return []
    lease_until = now + timedelta(seconds=2 * config["WEBHOOK_TIMEOUT_SECONDS"]
                                  + LEASE_MARGIN_SECONDS)
    stmt = (
        sa.select(Message, Activity, ApiToken)
        .join(Activity, Activity.id == Message.activity_id)
        .outerjoin(ApiToken, ApiToken.id == Activity.connector_id)
        .where(*_due(now))
        .order_by(Message.next_attempt_at, Message.id)
        .limit(BATCH)
        .with_for_update(of=Message, skip_locked=True)
    )
    attempts, stored = [], 0
    with db.new_session(app) as session, session.begin():
        for message, activity, key in session.execute(stmt).all():
            if key is None or key.revoked_at is not None or not key.webhook_url:
                message.delivery_status, message.next_attempt_at = "stored", None
                message.last_error = NO_WEBHOOK
                push.emit(session, messages_domain.frame(message, "changed"))
                stored += 1
                continue
            message.attempts += 1
            message.next_attempt_at = lease_until
            attempts.append(Attempt(
                row_id=message.id, number=message.attempts, url=key.webhook_url,
                key=webhooks.signing_key(config["SECRET_KEY"], key.id, key.webhook_salt),
                message_id=message.message_id, body=_body(message, activity),
            ))
    metrics.delivered("stored", stored)
    return attempts


def _post(attempt: Attempt, timeout: float, opener) -> str | None:
    """POST one attempt; None when acknowledged, else what went wrong (no URL, no secret)."""
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "customer-context-webhook/1",
        **webhooks.signed_headers(attempt.key, attempt.message_id, attempt.number, timestamp,
                                  attempt.body),
    }
    # The URL's scheme was checked (http or https) when the webhook was set.
    request = urllib.request.Request(attempt.url, attempt.body, headers,  # noqa: S310
                                     method="POST")
    try:
        with opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        error.close()
        return f"HTTP {error.code}"
    except (urllib.error.URLError, destinations.BlockedDestination, OSError, HTTPException,
            ValueError) as error:  # timeouts, dropped connections, a URL http.client cannot use
        log.info("webhook attempt %d of %s failed: %r", attempt.number, attempt.message_id,
                 error)
        return _failure(error)
    return None if 200 <= status < 300 else f"HTTP {status}"


def _backoff(config, attempts: int) -> float:
    """Seconds before the next attempt: doubling from the first delay up to the longest,
    the later half of it random, so receivers coming back are not hit all at once."""
    delay = min(config["WEBHOOK_RETRY_SECONDS"] * 2 ** min(attempts - 1, 32),
                config["WEBHOOK_RETRY_MAX_SECONDS"])
    return delay / 2 + random.uniform(0, delay / 2)


def _record(app: Flask, results: list[tuple[Attempt, str | None]]) -> float:
    """Store the answers; returns the seconds until the soonest retry this scheduled (0 when
    a reply was settled, as the next reply of its chat is due now)."""
    config = app.config
    now = utcnow()
    give_up = timedelta(seconds=config["WEBHOOK_GIVE_UP_SECONDS"])
    by_id = {attempt.row_id: (attempt, error) for attempt, error in results}
    soonest = config["WEBHOOK_POLL_SECONDS"]
    outcomes = collections.Counter()
    with db.new_session(app) as session, session.begin():
        rows = session.scalars(sa.select(Message).where(Message.id.in_(by_id))
                               .order_by(Message.id).with_for_update())
        for message in rows:
            attempt, error = by_id[message.id]
            if error is None:
                if message.delivery_status == "delivered":
                    continue
                message.delivery_status, message.delivered_at = "delivered", now
                message.next_attempt_at = None
                outcomes["delivered"] += 1
            elif message.delivery_status != "pending" or message.attempts != attempt.number:
                continue  # the lease ran out and a later attempt owns the reply now
            else:
                message.last_error = error
                deadline = message.sent_at + give_up
                if now >= deadline:
                    message.delivery_status, message.next_attempt_at = "failed", None
                    outcomes["failed"] += 1
                    log.warning("reply %d not delivered after %d attempts, giving up: %s",
                                message.id, attempt.number, error)
                else:
                    message.next_attempt_at = min(
                        now + timedelta(seconds=_backoff(config, attempt.number)), deadline)
                    outcomes["retry"] += 1
                    log.info("webhook attempt %d of reply %d failed: %s", attempt.number,
                             message.id, error)
            push.emit(session, messages_domain.frame(message, "changed"))
            if message.next_attempt_at is None:  # settled: the chat's next reply is due now
                soonest = 0
            else:
                soonest = min(soonest, (message.next_attempt_at - now).total_seconds())
    for outcome, count in outcomes.items():
        metrics.delivered(outcome, count)
    return soonest


def deliver_due(app: Flask) -> float:
    """One run: claim, POST (each in its own thread), record. Returns the seconds until the
    next run is worth making."""
    attempts = _claim(app)
    if not attempts:
        return app.config["WEBHOOK_POLL_SECONDS"]
    timeout = app.config["WEBHOOK_TIMEOUT_SECONDS"]
    opener = destinations.opener(app.config["WEBHOOK_ALLOWED_NETWORKS"])
    with ThreadPoolExecutor(len(attempts), thread_name_prefix=JOB) as pool:
        errors = list(pool.map(lambda attempt: _post(attempt, timeout, opener), attempts))
    soonest = _record(app, list(zip(attempts, errors, strict=True)))
    return 0 if len(attempts) == BATCH else soonest  # a full batch may have left more due


def _wake_after_commit(app: Flask):
    def after_commit(session: so.Session) -> None:
        if session.info.pop(messages_domain.DELIVERY_DUE, False):
            background.wake(app, JOB)

    return after_commit


def _forget_on_rollback(session: so.Session, previous) -> None:
    # Only the transaction's own rollback: a savepoint's, or a failed flush's, leaves the
    # reply in the transaction.
    if previous.parent is None:
        session.info.pop(messages_domain.DELIVERY_DUE, None)


def init_app(app: Flask) -> None:
    """Wake the job when this process commits a due reply; run it in served processes."""
    factory = app.extensions["database"]["factory"]
    sa.event.listen(factory, "after_commit", _wake_after_commit(app))
    sa.event.listen(factory, "after_soft_rollback", _forget_on_rollback)
    # Every WEBHOOK_POLL_SECONDS the job notices replies committed by other processes.
    poll = app.config["WEBHOOK_POLL_SECONDS"]
    if poll > 0 and background.enabled(app):
        background.start(app, JOB, deliver_due, poll)
