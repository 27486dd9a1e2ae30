"""Logs an operator can search (issue 13): request ids on every answer, one JSON object per
line with LOG_FORMAT=json, routine polling quiet at INFO, and never a token or password."""

import json

import pytest

from tests.conftest import ADMIN_TOKEN, clear_data
from tests.live import LiveServer


def test_every_answer_carries_a_request_id(client, agent):
    ids = {client.get("/healthz").headers["X-Request-ID"],
           agent.get("/api/v1/me").headers["X-Request-ID"],
           client.get("/api/v1/me").headers["X-Request-ID"]}  # a 401 too
    assert len(ids) == 3 and all(len(i) == 32 for i in ids)


def test_a_callers_request_id_is_kept_when_plain(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.91"}).headers[
        "X-Request-ID"] == "lb-7f3a.91"
    for odd in ("a b", "<script>", "x" * 129):
        replaced = client.get("/healthz", headers={"X-Request-ID": odd}).headers["X-Request-ID"]
        assert replaced != odd and len(replaced) == 32


@pytest.mark.live
def test_json_logs_name_the_request_and_never_a_secret(own_database, tmp_path):
    url, engine = own_database
    output = tmp_path / "server.log"
    server = LiveServer(url, ADMIN_TOKEN, access_log="-", output=output, LOG_FORMAT="json",
                        LOG_LEVEL="INFO")
    secrets = [ADMIN_TOKEN, "right-password-1", "wrong-password-1"]
    try:
        server.start()
        token = server.agent_token("alice", password="right-password-1")
        connector = server.connector_token()
        secrets += [token, connector]
        server.call("POST", "/api/v1/auth/login", {"agent_id": "alice",
                                                   "password": "wrong-password-1"})
        status, signed, _ = server.call("POST", "/api/v1/auth/login", {
            "agent_id": "alice", "password": "right-password-1"})
        secrets.append(signed["token"])
        chat = server.post_event(connector, agent_id="alice", media_type="chat", body="Hi")
        _, _, headers = server.call("GET", "/api/v1/me/open", token=token,
                                    headers={"X-Request-ID": "trace-42"})
        server.call("GET", "/api/v1/customers/999999", token=token)  # 404, logged
        for _ in range(3):  # the demo's poll: routine, not at INFO
            server.call("GET", f"/api/v1/activities/{chat['activity']['id']}/messages",
                        token=connector)
    finally:
        server.stop()
        clear_data(engine)  # on PostgreSQL the tables are shared with the other tests
    lines = output.read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    traced = [r for r in access if r.get("request_id") == "trace-42"]
    assert traced and traced[0]["principal"] == "alice" and traced[0]["status"] == 200
    assert traced[0]["route"] == "/api/v1/me/open" and traced[0]["duration_ms"] >= 0
    assert any(r["status"] == 404 for r in access)
    assert not any("/messages" in r["message"] for r in access)
    assert any(r["logger"] == "gunicorn.error" for r in records)  # gunicorn's own lines too
    text = output.read_text()
    for secret in secrets:
        assert secret not in text
