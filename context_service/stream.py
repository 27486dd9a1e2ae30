"""The WebSocket stream at /api/v1/stream (flask-sock).

The token never travels in the URL: the first frame is
`{"type": "auth", "token": ...}`. After `ready`, the socket receives the
push messages (see push.py); `open.*`, `state.*` and `task.*` messages go only to
their agent. Open-list and offer messages are sent with the full entry or task,
loaded here from the database when they are sent.
"""

import json
import random
import time

from flask import Blueprint, current_app
from simple_websocket import ConnectionClosed

from . import metrics
from .auth import Principal, principal_for_token
from .domain import presence, routing
from .extensions import db, sock
from .models import OpenEntry, Task
from .push import Inbox
from .schemas import OpenEntrySchema, TaskSchema

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
    push, by a frame from the client and by the socket closing, so a closed socket ends
    its stream (and frees it) at once, and a quiet one costs nothing until its next ping.
    """
    signed_in = _authenticate(ws)
    if signed_in is None:
        return
    principal, token = signed_in
    push = current_app.extensions["push"]
    push["bus"].ensure_listening()
    sub_id, inbox = push["hub"].subscribe(principal.agent_id, Inbox(ws.event))
    metrics.STREAMS_OPEN.inc()
    ping_every = current_app.config["WS_PING_SECONDS"]
    # A revocation closes the socket at once (session.revoked); the token is also checked
    # again now and then, which is how an expired one ends the stream. The first check
    # comes at a random point of the interval, so thousands of streams opened together
    # do not all look their tokens up in the same second.
    recheck_every = current_app.config["STREAM_RECHECK_SECONDS"]
    next_check = time.monotonic() + recheck_every * random.uniform(0.5, 1.0)  # noqa: S311
    next_ping = time.monotonic() + ping_every
    try:
        ws.send(json.dumps({"type": "ready", "agent_id": principal.agent_id}))
        while ws.connected:
            ws.event.wait(max(0.0, min(next_ping, next_check) - time.monotonic()))
            ws.event.clear()  # before reading: whatever arrives from now on sets it again
            # The client's frames first (its pings). Only when some arrived: receive()
            # with a timeout of 0 still arms a timer and yields to gevent's hub, which at
            # 1,000 streams cost a fifth of a push's fan-out.
            while ws.input_buffer and (incoming := ws.receive(timeout=0)) is not None:
                if '"ping"' in incoming:
                    ws.send(json.dumps({"type": "pong"}))
            if not ws.connected:
                break
            now = time.monotonic()
            if now >= next_check:
                next_check = now + recheck_every
                if _agent_of(token) is None:
                    _refuse(ws, "This session has ended: sign in again.")
                    return
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
        metrics.STREAMS_OPEN.dec()
        presence.stream_closed(principal.agent_id)  # its gadget shows no customer now
