"""Live push: what changed, published when (and only if) the change commits.

Changes are noticed in one place, the session's flush, so no domain function
has to remember to announce itself. Messages travel over a bus:

- PostgreSQL: `pg_notify` inside the same transaction (delivered only on
  commit, to every process LISTENing), so several gunicorn workers and several
  instances on one database all see every change;
- SQLite: in-process, after commit (one worker process, as documented).

Each process fans messages out to its own WebSocket subscribers (`Hub`).
"""

import json
import logging
import queue
import threading
import time
from collections import deque
from itertools import count

import sqlalchemy as sa
import sqlalchemy.orm as so

from .models import Activity, Customer, OpenEntry, Request

log = logging.getLogger(__name__)
CHANNEL = "cc_stream"
# Messages of these kinds go only to the agent they name (`agent_id`); the rest to everyone.
PRIVATE = ("open.", "state.", "task.", "session.")


def _entity_message(obj, action: str) -> dict | None:
    if isinstance(obj, Customer):
        return {"type": "customer.changed", "id": obj.id, "version": obj.version,
                "changed_by": obj.updated_by, "action": action}
    if isinstance(obj, Request):
        return {"type": "request.changed", "id": obj.id, "version": obj.version,
                "changed_by": obj.updated_by, "customer_id": obj.customer_id, "action": action}
    if isinstance(obj, Activity):
        return {"type": "activity.changed", "id": obj.id, "version": obj.version,
                "changed_by": obj.updated_by, "customer_id": obj.customer_id,
                "request_id": obj.request_id, "action": action}
    if isinstance(obj, OpenEntry):
        if action == "erase" or obj.closed_at is not None:
            return {"type": "open.removed", "id": obj.id, "agent_id": obj.agent_id}
        kind = "open.added" if action == "create" else "open.changed"
        return {"type": kind, "id": obj.id, "agent_id": obj.agent_id}
    return None


def _collect(session: so.Session, _context) -> None:
    outbox = session.info.setdefault("outbox", {})
    for objects, action in ((session.new, "create"), (session.dirty, "update"),
                            (session.deleted, "erase")):
        for obj in objects:
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            message = _entity_message(obj, action)
            if message is not None:
                # One message per thing per transaction; the latest state wins.
                key = (message["type"].split(".")[0], message["id"])
                previous = outbox.get(key, {}).get("type")
                if previous == "open.added" and message["type"] == "open.changed":
                    message["type"] = "open.added"  # still new to its subscribers
                outbox[key] = message


def emit(session: so.Session, message: dict, key: tuple | None = None) -> None:
    """Announce a change the flush cannot see (bulk UPDATEs, routing events).

    Messages with the same key replace each other within a transaction; by default that
    is one message per thing, the latest state winning.
    """
    key = key or (message["type"].split(".")[0], message["id"])
    session.info.setdefault("outbox", {})[key] = message


_NOTIFY_ALL = sa.text(
    "SELECT pg_notify(:channel, message) FROM unnest(CAST(:messages AS text[])) "
    "WITH ORDINALITY AS m(message, n) ORDER BY n")


class Bus:
    """Delivers committed messages to every process's hub."""

    def __init__(self, engine: sa.Engine, hub: "Hub"):
        self.engine, self.hub = engine, hub
        self.is_postgres = engine.dialect.name == "postgresql"
        self._listener: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def before_commit(self, session: so.Session) -> None:
        # SQLAlchemy calls the commit hooks when a savepoint is released too: not a commit.
        if not self.is_postgres or session.in_nested_transaction():
            return
        session.flush()  # let the last flush add its messages first
        outbox = session.info.get("outbox", {})  # after_commit tells this process's listeners
        if outbox:
            # One statement for them all: NOTIFY runs in the order of the array.
            session.connection().execute(_NOTIFY_ALL, {
                "channel": CHANNEL,
                "messages": [json.dumps(message) for message in outbox.values()]})

    def after_commit(self, session: so.Session) -> None:
        if session.in_nested_transaction():
            return
        session.info.pop("outbox_marks", None)
        outbox = session.info.pop("outbox", {})
        for message in outbox.values():
            if self.is_postgres:
                # This process's listeners hear it now, not only when LISTEN echoes it back
                # (a process that serves no stream does not listen): a revoked token is
                # forgotten here before the revoking request has even answered.
                self.hub.notify_listeners(message)
            else:
                self.hub.dispatch(message)

    @staticmethod
    def savepoint_begun(session: so.Session, transaction) -> None:
        """Remember what was announced before a savepoint, to go back to if it rolls back."""
        if transaction.nested:
            marks = session.info.setdefault("outbox_marks", {})
            marks[id(transaction)] = dict(session.info.get("outbox", {}))

    @staticmethod
    def after_rollback(session: so.Session, transaction) -> None:
        """A savepoint's rollback forgets only its own messages; the transaction's, all."""
        marks = session.info.get("outbox_marks", {})
        if transaction.nested:
            session.info["outbox"] = marks.pop(id(transaction), {})
        elif transaction.parent is None:
            session.info.pop("outbox", None)
            session.info.pop("outbox_marks", None)
        # else: a failed flush's own subtransaction; what encloses it decides.

    def ensure_listening(self) -> None:
        """Start this process's LISTEN thread on first use (PostgreSQL only)."""
        if not self.is_postgres:
            return
        with self._lock:
            if self._listener is None or not self._listener.is_alive():
                self._listener = threading.Thread(target=self._listen, daemon=True,
                                                  name="push-listener")
                self._listener.start()

    def _listen(self) -> None:
        import psycopg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        backoff = 0.5
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if not first:
                        # Messages may have been missed while we were away: clients resync.
                        self.hub.dispatch({"type": "resync", "id": 0})
                    first, backoff = False, 0.5
                    self.hub.listening.set()
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=1.0):
                            self.hub.dispatch(json.loads(notify.payload))
            except Exception:
                self.hub.listening.clear()
                log.exception("push listener lost its connection; reconnecting")
                time.sleep(backoff)
                backoff = min(backoff * 2, 15)

    def stop(self) -> None:
        self._stop.set()


RESYNC = {"type": "resync", "id": 0}


class Inbox:
    """One subscriber's messages, each with its frame (the JSON text, made once for all).

    `event` is set whenever a message arrives; a stream passes its WebSocket's own event,
    so one wait wakes it for a push, a frame from its client or the socket closing.
    """

    def __init__(self, event=None, limit: int = 1000):
        self._items: deque = deque()
        self.event = event if event is not None else threading.Event()
        self.limit = limit

    def put(self, message: dict, frame: str) -> None:
        if len(self._items) >= self.limit:
            # A stuck client: tell it to resync rather than grow without bound.
            self._items.clear()
            self._items.append((RESYNC, json.dumps(RESYNC)))
        else:
            self._items.append((message, frame))
        self.event.set()

    def drain(self) -> list[tuple[dict, str]]:
        """Everything that arrived, oldest first (the caller clears `event` before)."""
        items = []
        while self._items:
            items.append(self._items.popleft())
        return items

    def get(self, timeout: float | None = None) -> dict:
        """The next message (for code that reads one at a time); queue.Empty after timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._items:
            left = None if deadline is None else deadline - time.monotonic()
            if (left is not None and left <= 0) or not self.event.wait(left):
                raise queue.Empty
            self.event.clear()
        return self._items.popleft()[0]


class Hub:
    """This process's WebSocket subscribers, each with its own inbox.

    A message is turned into JSON once, however many subscribers get it; private messages
    go straight to their agent's inboxes.
    """

    def __init__(self):
        self._subscribers: dict[int, tuple[str, Inbox]] = {}
        self._by_agent: dict[str, dict[int, Inbox]] = {}
        self._ids = count(1)
        self._lock = threading.Lock()
        self.listening = threading.Event()
        # Called with every message before it fans out (the token cache, say).
        self.listeners: list = []

    def subscribe(self, agent_id: str, inbox: Inbox | None = None) -> tuple[int, Inbox]:
        inbox = inbox if inbox is not None else Inbox()
        with self._lock:
            sub_id = next(self._ids)
            self._subscribers[sub_id] = (agent_id, inbox)
            self._by_agent.setdefault(agent_id, {})[sub_id] = inbox
        return sub_id, inbox

    def unsubscribe(self, sub_id: int) -> None:
        with self._lock:
            agent_id, _ = self._subscribers.pop(sub_id, (None, None))
            own = self._by_agent.get(agent_id)
            if own is not None:
                own.pop(sub_id, None)
                if not own:
                    del self._by_agent[agent_id]

    def __len__(self) -> int:
        return len(self._subscribers)

    def notify_listeners(self, message: dict) -> None:
        for listener in self.listeners:
            listener(message)

    def dispatch(self, message: dict) -> None:
        self.notify_listeners(message)
        private = message["type"].startswith(PRIVATE)
        with self._lock:
            if private:
                inboxes = list(self._by_agent.get(message.get("agent_id"), {}).values())
            else:
                inboxes = [inbox for _, inbox in self._subscribers.values()]
        if not inboxes:
            return
        frame = json.dumps(message)
        for inbox in inboxes:
            inbox.put(message, frame)


def init_app(app) -> None:
    engine = app.extensions["database"]["engine"]
    hub = Hub()
    bus = Bus(engine, hub)
    app.extensions["push"] = {"hub": hub, "bus": bus}
    factory = app.extensions["database"]["factory"]
    sa.event.listen(factory, "after_flush", _collect)
    sa.event.listen(factory, "before_commit", bus.before_commit)
    sa.event.listen(factory, "after_commit", bus.after_commit)
    sa.event.listen(factory, "after_transaction_create", bus.savepoint_begun)
    sa.event.listen(factory, "after_soft_rollback", bus.after_rollback)
    if app.config.get("START_BACKGROUND"):
        bus.ensure_listening()  # served processes hear every change (revocations too)
