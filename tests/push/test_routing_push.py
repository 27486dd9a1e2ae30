"""Care desktop on the stream: offers reach the agent at once, with their preview; a missed
offer turns the agent Not Ready on their own screen; the queue changes for everyone."""

import json
import time

import pytest

from context_service.cli import migrate
from tests.conftest import ADMIN_TOKEN, emptied
from tests.live import LiveServer
from tests.push.test_stream import connect, next_frame

OFFER_SECONDS = 1.5


@pytest.fixture(scope="module")
def routing_server(own_database):
    url, _engine = own_database
    server = LiveServer(url, ADMIN_TOKEN, OFFER_TIMEOUT_SECONDS=OFFER_SECONDS).start()
    yield server
    server.stop()


@pytest.fixture
def server(routing_server, own_database):
    yield from emptied(own_database[1], routing_server)


def queue_contact(server, contact_id, **fields):
    return server.post_event(server.connector_token(), "queued", contact_id=contact_id,
                             queue="support", **fields)


def frames_of(ws, kinds, timeout=1.0) -> dict:
    """The first frame of each kind, in whatever order they come."""
    deadline = time.monotonic() + timeout
    found = {}
    while set(found) != kinds and (left := deadline - time.monotonic()) > 0:
        raw = ws.receive(timeout=left)
        frame = json.loads(raw) if raw else {}
        if frame.get("type") in kinds:
            found.setdefault(frame["type"], frame)
    assert set(found) == kinds, f"missing {kinds - set(found)}"
    return found


def ready(server, token):
    status, body, _ = server.call("PUT", "/api/v1/me/state", {"state": "ready"}, token=token)
    assert status == 200, body


def test_an_offer_reaches_only_its_agent_with_preview_and_time_left(server):
    alice, bob = server.agent_token("alice"), server.agent_token("bob")
    ws_alice, ws_bob = connect(server, alice), connect(server, bob)
    try:
        ready(server, alice)
        queue_contact(server, "call-1", customer_name="<img src=x onerror=alert(1)>",
                      **{"from": "+13125550111"})
        frame = next_frame(ws_alice, "task.offered", timeout=1.0)
        task = frame["task"]
        assert (task["status"], task["agent_id"], task["contact"]["from"]) == (
            "offered", "alice", "+13125550111")
        assert 0 < task["expires_in"] <= OFFER_SECONDS
        assert next_frame(ws_bob, "queue.changed", timeout=1.0)["type"] == "queue.changed"
        with pytest.raises(AssertionError):
            next_frame(ws_bob, "task.offered", timeout=0.3)  # offers are private
    finally:
        ws_alice.close()
        ws_bob.close()


def test_a_missed_offer_ends_on_screen_and_the_agent_is_not_ready(server):
    alice = server.agent_token("alice")
    ws = connect(server, alice)
    try:
        ready(server, alice)
        assert next_frame(ws, "state.changed")["state"] == "ready"
        queue_contact(server, "call-1")
        offered = next_frame(ws, "task.offered")
        ended = next_frame(ws, "task.offer_ended", timeout=OFFER_SECONDS + 1.0)
        assert (ended["id"], ended["reason"]) == (offered["id"], "missed")
        state = next_frame(ws, "state.changed")
        assert (state["state"], state["reason"]) == ("not_ready", "missed_offer")
    finally:
        ws.close()


def test_accepting_tells_the_agent_and_opens_the_customer(server):
    alice = server.agent_token("alice")
    ws = connect(server, alice)
    try:
        ready(server, alice)
        queue_contact(server, "chat-1", media_type="chat")
        task_id = next_frame(ws, "task.offered")["id"]
        status, task, _ = server.call("POST", f"/api/v1/tasks/{task_id}/accept", token=alice)
        assert status == 200, task
        frames = frames_of(ws, {"task.offer_ended", "task.changed", "open.added"})
        assert frames["task.offer_ended"]["reason"] == "accepted"
        assert frames["task.changed"]["status"] == "active"
        assert frames["open.added"]["entry"]["id"] == task["open_entry_id"]
    finally:
        ws.close()


def test_deadlines_hold_across_a_restart(tmp_path):
    """The deadline is in the database: a server started after it passed expires the offer.

    A database of its own, whatever the suite runs on, so no other server's router could.
    """
    database_url = f"sqlite:///{tmp_path / 'restart.db'}"
    migrate(database_url)
    first = LiveServer(database_url, ADMIN_TOKEN, OFFER_TIMEOUT_SECONDS=OFFER_SECONDS).start()
    try:
        alice, bob = first.agent_token("alice"), first.agent_token("bob")
        ready(first, alice)
        queue_contact(first, "call-1")
    finally:
        first.stop()
    time.sleep(OFFER_SECONDS)
    second = LiveServer(database_url, ADMIN_TOKEN, OFFER_TIMEOUT_SECONDS=30).start()
    try:
        ready(second, bob)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            _, state, _ = second.call("GET", "/api/v1/me/state", token=alice)
            if state["state"] == "not_ready":
                break
            time.sleep(0.1)
        assert (state["state"], state["reason"]) == ("not_ready", "missed_offer")
        _, offer, _ = second.call("GET", "/api/v1/me/state", token=bob)
        assert offer["offer"]["contact"]["contact_id"] == "call-1"
    finally:
        second.stop()
