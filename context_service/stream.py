"""The WebSocket stream at /api/v1/stream (flask-sock).

The token never travels in the URL: the first frame is
`{"type": "auth", "token": ...}`. After `ready`, the socket receives the
push messages (see push.py); `open.*`, `state.*` and `task.*` messages go only to
their agent. Open-list and offer messages are sent with the full entry or task,
loaded here from the database when they are sent.
"""

import json
import logging
import threading
import time

from flask import Blueprint, current_app
from simple_websocket import ConnectionClosed

from . import metrics
from .auth import Principal, hash_token, principal_for_token, usable_digests
from .domain import presence, routing
from .extensions import db, sock
from .models import OpenEntry, Task
from .push import Inbox
from .schemas import OpenEntrySchema, TaskSchema

log = logging.getLogger(__name__)
AUTH_TIMEOUT_SECONDS = 10
CLOSE_UNAUTHORIZED = 4401
_entry_schema = OpenEntrySchema()
_task_schema = TaskSchema()
bp = Blueprint("stream", __name__)


def _agent_of(token) -> Principal | None:
    if not isinstance(token, str) or not token:
        return None
    with db.new_session() as session:
        principal = principal_for_token(session, token)
    return principal if principal is not None and principal.agent_id else None


def _refuse(ws, detail: str) -> None:
    ws.send(json.dumps({"type": "error", "detail": detail}))
    ws.close(CLOSE_UNAUTHORIZED, "unauthorized")


def _authenticate(ws) -> tuple[Principal, str] | None:
    try:
        frame = json.loads(ws.receive(timeout=AUTH_TIMEOUT_SECONDS) or "{}")
    except (ValueError, TypeError, RecursionError):
        frame = {}
    token = frame.get("token") if isinstance(frame, dict) and frame.get("type") == "auth" else None
    principal = _agent_of(token)
    if principal is None:
        _refuse(ws, "The first frame must be {type: auth, token} with an agent's token.")
        return None
    return principal, token


class TokenWatch:
    """This process's open streams' tokens, looked up again together now and then.

    A token can stop working without a message telling its stream: it expired, or it was
    revoked while this process's push listener was reconnecting. One statement every
    STREAM_RECHECK_SECONDS checks them all, and the streams whose token no longer works
    are woken to close: a lookup per stream was 200 a second at 2,000 streams.
    """

    def __init__(self, app):
        self.app = app
        self.every = app.config["STREAM_RECHECK_SECONDS"]
        self._streams: dict[int, tuple[str, threading.Event]] = {}
        self.ended: set[int] = set()
        self._lock = threading.Lock()
        self._running = False

    def watch(self, sub_id: int, token: str, event) -> None:
        with self._lock:
            self._streams[sub_id] = (hash_token(token), event)
            if not self._running:  # it stops when the last stream has gone
                self._running = True
                threading.Thread(target=self._run, daemon=True, name="token-watch").start()

    def forget(self, sub_id: int) -> None:
        with self._lock:
            self._streams.pop(sub_id, None)
            self.ended.discard(sub_id)

    def _run(self) -> None:
        while True:
            time.sleep(self.every)
            with self._lock:
                if not self._streams:
                    self._running = False
                    return
                streams = dict(self._streams)
            try:
                self.check(streams)
            except Exception:  # the database may be away: the next round tries again
                log.exception("could not check the open streams' tokens")

    def check(self, streams: dict[int, tuple[str, threading.Event]]) -> None:
        with self.app.app_context(), db.new_session() as session:
            usable = usable_digests(session, {digest for digest, _ in streams.values()})
        for sub_id, (digest, event) in streams.items():
            if digest not in usable:
                self.ended.add(sub_id)
                event.set()


def _revokes(message: dict, principal: Principal) -> bool:
    return message["type"] == "session.revoked" and (
        message.get("agent_id") == principal.agent_id
        or principal.key_id in (message.get("key_ids") or ()))


def _entry(session, message: dict) -> dict | None:
    """open.added / open.changed carry the whole entry as GET /me/open shows it."""
    entry = session.get(OpenEntry, message["id"])
    if entry is None or entry.closed_at is not None:
        return None
    return {**message, "entry": _entry_schema.dump(entry)}


def _offer(session, message: dict) -> dict | None:
    """task.offered carries the task with its preview, and the seconds left as of now."""
    task = session.get(Task, message["id"])
    if task is None or task.status != "offered" or task.agent_id != message["agent_id"]:
        return None  # taken, missed or withdrawn before it could be sent
    return {**message, "task": _task_schema.dump(routing.with_previews(session, [task])[0])}


_ENRICH = {"open.added": _entry, "open.changed": _entry, "task.offered": _offer}


def _enriched(message: dict) -> dict | None:
    enrich = _ENRICH.get(message["type"])
    if enrich is None:
        return message
    with db.new_session() as session:
        return enrich(session, message)


@sock.route("/api/v1/stream", bp=bp)
def stream(ws):
    """Push changes to one signed-in agent until the socket closes.

    One wait serves everything: the inbox shares the WebSocket's event, which is set by a
    push, by a frame from the client, by the socket closing and by the token watch, so a
    closed socket ends its stream (and frees it) at once, and a quiet one costs nothing
    until its next ping.
    """
    signed_in = _authenticate(ws)
    if signed_in is None:
        return
    principal, token = signed_in
    push = current_app.extensions["push"]
    push["bus"].ensure_listening()
    sub_id, inbox = push["hub"].subscribe(principal.agent_id, Inbox(ws.event))
    watch: TokenWatch = current_app.extensions["token_watch"]
    watch.watch(sub_id, token, ws.event)
    metrics.STREAMS_OPEN.inc()
    ping_every = current_app.config["WS_PING_SECONDS"]
    next_ping = time.monotonic() + ping_every
    try:
        ws.send(json.dumps({"type": "ready", "agent_id": principal.agent_id}))
        while ws.connected:
            ws.event.wait(max(0.0, next_ping - time.monotonic()))
            ws.event.clear()  # before reading: whatever arrives from now on sets it again
            # The client's frames first (its pings). Only when some arrived: receive()
            # with a timeout of 0 still arms a timer and yields to gevent's hub, which at
            # 1,000 streams cost a fifth of a push's fan-out.
            while ws.input_buffer and (incoming := ws.receive(timeout=0)) is not None:
                if '"ping"' in incoming:
                    ws.send(json.dumps({"type": "pong"}))
            if not ws.connected:
                break
            if sub_id in watch.ended:
                _refuse(ws, "This session has ended: sign in again.")
                return
            now = time.monotonic()
            sent = 0
            for message, frame in inbox.drain():
                if _revokes(message, principal):
                    _refuse(ws, "This session was ended by an administrator.")
                    return
                if message["type"].startswith("session."):
                    continue  # for the service, not the agent's screen
                if message["type"] in _ENRICH:
                    enriched = _enriched(message)
                    if enriched is None:
                        continue
                    frame = json.dumps(enriched)
                ws.send(frame)
                sent += 1
            if sent:
                metrics.PUSH_SENT.inc(sent)
                next_ping = now + ping_every
            elif now >= next_ping:
                ws.send(json.dumps({"type": "ping"}))  # quiet for a while: keep the link alive
                next_ping = now + ping_every
    except ConnectionClosed:
        pass
    finally:
        push["hub"].unsubscribe(sub_id)
        watch.forget(sub_id)
        metrics.STREAMS_OPEN.dec()
        presence.stream_closed(principal.agent_id)  # its gadget shows no customer now
