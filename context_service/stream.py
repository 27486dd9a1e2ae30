"""The WebSocket stream at /api/v1/stream (flask-sock).

The token never travels in the URL: the first frame is
`{"type": "auth", "token": ...}`. After `ready`, the socket receives the
push messages (see push.py); `open.*`, `state.*` and `task.*` messages go only to
their agent. Open-list and offer messages are sent with the full entry or task,
loaded here from the database when they are sent.
"""

import json
import queue

from flask import Blueprint, current_app
from simple_websocket import ConnectionClosed

from .auth import principal_for_token
from .domain import routing
from .extensions import db, sock
from .models import OpenEntry, Task
from .schemas import OpenEntrySchema, TaskSchema

AUTH_TIMEOUT_SECONDS = 10
CLOSE_UNAUTHORIZED = 4401
_entry_schema = OpenEntrySchema()
_task_schema = TaskSchema()
bp = Blueprint("stream", __name__)


def _authenticate(ws):
    try:
        frame = json.loads(ws.receive(timeout=AUTH_TIMEOUT_SECONDS) or "{}")
    except (ValueError, TypeError, RecursionError):
        frame = {}
    token = frame.get("token") if isinstance(frame, dict) and frame.get("type") == "auth" else None
    principal = None
    if isinstance(token, str) and token:
        with db.new_session() as session:
            principal = principal_for_token(session, token)
    if principal is None or principal.agent_id is None:
        detail = "The first frame must be {type: auth, token} with an agent's token."
        ws.send(json.dumps({"type": "error", "detail": detail}))
        ws.close(CLOSE_UNAUTHORIZED, "unauthorized")
        return None
    return principal


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
    """Push changes to one signed-in agent until the socket closes."""
    principal = _authenticate(ws)
    if principal is None:
        return
    push = current_app.extensions["push"]
    push["bus"].ensure_listening()
    sub_id, inbox = push["hub"].subscribe(principal.agent_id)
    ping_every = current_app.config["WS_PING_SECONDS"]
    try:
        ws.send(json.dumps({"type": "ready", "agent_id": principal.agent_id}))
        while ws.connected:
            try:
                message = inbox.get(timeout=ping_every)
            except queue.Empty:
                message = {"type": "ping"}
            message = _enriched(message)
            if message is not None:
                ws.send(json.dumps(message))
            # Drain anything the client sent (its pings), without blocking.
            while (incoming := ws.receive(timeout=0)) is not None:
                if '"ping"' in incoming:
                    ws.send(json.dumps({"type": "pong"}))
    except ConnectionClosed:
        pass
    finally:
        push["hub"].unsubscribe(sub_id)
