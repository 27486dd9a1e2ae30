"""The WebSocket stream: first-frame auth, live Open-list pushes, several processes."""

import json
import time

import pytest
from simple_websocket import Client, ConnectionClosed

from tests.conftest import ADMIN_TOKEN
from tests.live import LiveServer


def connect(server, token, timeout=5):
    ws = Client.connect(server.url.replace("http", "ws") + "/api/v1/stream")
    ws.send(json.dumps({"type": "auth", "token": token}))
    ready = json.loads(ws.receive(timeout=timeout))
    assert ready["type"] == "ready", ready
    return ws


def next_frame(ws, kind, timeout=1.0):
    """The first frame of this type to arrive within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        raw = ws.receive(timeout=left)
        if raw is None:
            break
        frame = json.loads(raw)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame within {timeout}s")


def test_accepted_contact_reaches_the_agent_within_a_second(live_server):
    token = live_server.agent_token("alice")
    other = live_server.agent_token("bob")
    ws, ws_other = connect(live_server, token), connect(live_server, other)
    try:
        live_server.post_event(live_server.connector_token(), agent_id="alice",
                               **{"from": "+14155550123"})
        frame = next_frame(ws, "open.added", timeout=1.0)
        assert frame["entry"]["activity"]["state"] == "active"
        assert frame["entry"]["customer"] is None  # unknown caller
        # Open-list frames are private to their agent.
        with pytest.raises(AssertionError):
            next_frame(ws_other, "open.added", timeout=0.5)
    finally:
        ws.close()
        ws_other.close()


def test_a_client_ping_is_answered_at_once_and_between_pushes(live_server):
    """The stream reads its client's frames only when some arrived (no timer per look):
    a ping is still answered straight away, alone or beside a push."""
    ws = connect(live_server, live_server.agent_token("alice"))
    try:
        ws.send(json.dumps({"type": "ping"}))
        next_frame(ws, "pong", timeout=1.0)
        live_server.post_event(live_server.connector_token(), agent_id="alice")
        ws.send(json.dumps({"type": "ping"}))
        next_frame(ws, "pong", timeout=1.0)
    finally:
        ws.close()


def test_changes_reach_every_agent_with_version_and_author(live_server):
    alice, bob = live_server.agent_token("alice"), live_server.agent_token("bob")
    status, customer, headers = live_server.call(
        "POST", "/api/v1/customers", {"first_name": "Ann"}, token=alice)
    assert status == 201
    ws = connect(live_server, bob)
    try:
        status, _, _ = live_server.call("PATCH", f"/api/v1/customers/{customer['id']}",
                                        {"last_name": "Lee"}, token=alice,
                                        headers={"If-Match": headers["ETag"]})
        assert status == 200
        frame = next_frame(ws, "customer.changed")
        assert (frame["id"], frame["version"], frame["changed_by"]) == (customer["id"], 2, "alice")
    finally:
        ws.close()


@pytest.mark.parametrize("first_frame", [
    "not json", json.dumps({"type": "hello"}), json.dumps({"type": "auth", "token": "nope"}),
    json.dumps({"type": "auth", "token": ADMIN_TOKEN}),  # not an agent: no Open list
])
def test_socket_without_a_valid_first_frame_is_refused(live_server, first_frame):
    ws = Client.connect(live_server.url.replace("http", "ws") + "/api/v1/stream")
    ws.send(first_frame)
    assert json.loads(ws.receive(timeout=5))["type"] == "error"
    with pytest.raises(ConnectionClosed):
        for _ in range(3):
            ws.receive(timeout=5)


def test_token_in_url_is_not_accepted(live_server):
    token = live_server.agent_token("alice")
    ws = Client.connect(live_server.url.replace("http", "ws") + f"/api/v1/stream?token={token}")
    ws.send("{}")
    assert json.loads(ws.receive(timeout=5))["type"] == "error"


def test_dropped_socket_misses_nothing_after_resync(live_server):
    token = live_server.agent_token("alice")
    ws = connect(live_server, token)
    ws.close()
    live_server.post_event(live_server.connector_token(), agent_id="alice", contact_id="while-away")
    ws = connect(live_server, token)
    try:
        status, open_list, _ = live_server.call("GET", "/api/v1/me/open", token=token)
        assert status == 200
        assert [e["activity"]["contact_id"] for e in open_list] == ["while-away"]
    finally:
        ws.close()


def test_event_on_one_process_reaches_a_socket_on_another(database_url, live_server):
    """Two gunicorn processes on one PostgreSQL: LISTEN/NOTIFY carries the push."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share pushes only on PostgreSQL")
    second = LiveServer(database_url, ADMIN_TOKEN, workers=2).start()
    try:
        token = live_server.agent_token("alice")
        ws = connect(second, token)
        try:
            time.sleep(0.3)  # the second process's LISTEN is set up on first subscription
            live_server.post_event(live_server.connector_token(), agent_id="alice")
            frame = next_frame(ws, "open.added", timeout=1.0)
            assert frame["entry"]["activity"]["state"] == "active"
        finally:
            ws.close()
    finally:
        second.stop()
