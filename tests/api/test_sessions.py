"""Admins end agents' sessions: list and revoke tokens, disable or delete an agent (issue 9).
A revoked token is refused at once and the agent's open streams close within seconds."""

import time

import pytest
from simple_websocket import ConnectionClosed

from context_service.models import AuditEntry
from tests.conftest import ADMIN_TOKEN, clear_data, create_agent, event
from tests.live import LiveServer
from tests.push.test_stream import connect

AGENTS = "/api/v1/admin/agents"


@pytest.fixture
def alice(admin):
    return create_agent(admin, "alice", password="alice-password")


def second_token(admin):
    return admin.post(f"{AGENTS}/alice/tokens").json["token"]


def test_admins_list_an_agents_tokens_without_secrets(admin, alice):
    second_token(admin)
    tokens = admin.get(f"{AGENTS}/alice/tokens").json
    assert len(tokens) == 2 and tokens[0]["id"] > tokens[1]["id"]
    assert all(set(t) == {"id", "created_at", "expires_at", "revoked_at"} for t in tokens)
    assert admin.get(f"{AGENTS}/nobody/tokens").status_code == 404


def test_revoking_one_token_ends_that_session_only(admin, alice):
    other = second_token(admin)
    assert alice.get("/api/v1/me").status_code == 200  # remembered by the process now
    first_id = admin.get(f"{AGENTS}/alice/tokens").json[1]["id"]

    assert admin.delete(f"{AGENTS}/alice/tokens/{first_id}").status_code == 204

    assert alice.get("/api/v1/me").status_code == 401
    assert alice.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    assert admin.delete(f"{AGENTS}/alice/tokens/999999").status_code == 404


def test_revoking_all_tokens_ends_every_session(admin, alice, count):
    other = second_token(admin)
    assert admin.delete(f"{AGENTS}/alice/tokens").status_code == 204
    assert alice.get("/api/v1/me").status_code == 401
    assert alice.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    assert count(AuditEntry, AuditEntry.action == "revoke-tokens") == 1


def test_a_disabled_agent_cannot_sign_in_until_enabled(admin, alice, client):
    login = {"agent_id": "alice", "password": "alice-password"}
    answer = admin.patch(f"{AGENTS}/alice", json={"disabled": True})
    assert answer.status_code == 200 and answer.json["disabled"] is True
    assert alice.get("/api/v1/me").status_code == 401
    assert client.post("/api/v1/auth/login", json=login).status_code == 401
    assert admin.post(f"{AGENTS}/alice/tokens").status_code == 403

    assert admin.patch(f"{AGENTS}/alice", json={"disabled": False}).json["disabled"] is False
    assert client.post("/api/v1/auth/login", json=login).status_code == 200


def test_disabling_a_ready_agent_takes_it_out_of_routing(admin, alice):
    assert alice.put("/api/v1/me/state", json={"state": "ready"}).status_code == 200
    admin.patch(f"{AGENTS}/alice", json={"disabled": True})
    [shown] = [a for a in admin.get(AGENTS).json if a["id"] == "alice"]
    assert (shown["state"], shown["state_reason"]) == ("not_ready", "disabled")


def test_admins_rename_and_set_passwords(admin, alice, client):
    answer = admin.patch(f"{AGENTS}/alice", json={"name": "Alice Liddell",
                                                  "password": "new-password-1"})
    assert answer.json["name"] == "Alice Liddell"
    assert client.post("/api/v1/auth/login", json={
        "agent_id": "alice", "password": "new-password-1"}).status_code == 200
    assert admin.patch(f"{AGENTS}/nobody", json={"name": "x"}).status_code == 404


def test_deleting_an_agent_ends_its_sessions(admin, alice):
    assert admin.delete(f"{AGENTS}/alice").status_code == 204
    assert alice.get("/api/v1/me").status_code == 401
    assert admin.get(f"{AGENTS}/alice/tokens").status_code == 404
    assert admin.delete(f"{AGENTS}/alice").status_code == 404


def test_an_agent_handling_routed_tasks_is_not_deleted(admin, alice, connector):
    alice.put("/api/v1/me/state", json={"state": "ready"})
    queued = connector.post("/api/v1/contact-events", json=event(
        "queued", "q-1", agent_id=None, queue="support")).json
    assert alice.post(f"/api/v1/tasks/{queued['task']['id']}/accept").status_code == 200
    refused = admin.delete(f"{AGENTS}/alice")
    assert refused.status_code == 409 and "task" in refused.json["detail"]


def closed_within(ws, seconds):
    """How long the server took to close the socket (frames before that are skipped)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            ws.receive(timeout=0.2)
        except ConnectionClosed as closed:
            assert closed.reason == 4401
            return time.monotonic() - start
    ws.close()
    raise AssertionError(f"the stream was still open after {seconds}s")


@pytest.mark.live
@pytest.mark.parametrize("how", ["revoke", "disable", "delete"])
def test_ending_a_session_closes_the_agents_streams_within_seconds(live_server, how):
    ws = connect(live_server, live_server.agent_token("alice"))
    if how == "revoke":
        live_server.admin("DELETE", f"{AGENTS}/alice/tokens")
    elif how == "disable":
        live_server.admin("PATCH", f"{AGENTS}/alice", {"disabled": True})
    else:
        live_server.admin("DELETE", f"{AGENTS}/alice")
    assert closed_within(ws, 3) < 3


@pytest.mark.live
def test_a_stream_ends_when_its_token_expires(own_database):
    url, engine = own_database
    server = LiveServer(url, ADMIN_TOKEN, AGENT_TOKEN_TTL_SECONDS=2,
                        STREAM_RECHECK_SECONDS=0.5).start()
    try:
        ws = connect(server, server.agent_token("carol"))
        assert closed_within(ws, 5) < 5
    finally:
        server.stop()
        clear_data(engine)  # on PostgreSQL the tables are shared with the other tests


@pytest.mark.live
def test_a_revocation_reaches_every_process(database_url, live_server):  # live_server: empties
    """Two servers that remember tokens: a revocation on one is refused on the other at once."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share one database only on PostgreSQL")
    servers = [LiveServer(database_url, ADMIN_TOKEN, TOKEN_CACHE_SECONDS=60).start()
               for _ in range(2)]
    try:
        first, second = servers
        token = first.agent_token("dave")
        assert second.call("GET", "/api/v1/me", token=token)[0] == 200  # remembered there
        first.admin("DELETE", f"{AGENTS}/dave/tokens")
        deadline = time.monotonic() + 2
        while second.call("GET", "/api/v1/me", token=token)[0] != 401:
            assert time.monotonic() < deadline, "the second process still takes the token"
            time.sleep(0.05)
    finally:
        for server in servers:
            server.stop()
