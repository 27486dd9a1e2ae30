"""Failed sign-ins are limited per agent id and per client address (429 with Retry-After)."""

import uuid

import pytest

from tests.conftest import ADMIN_TOKEN, make_test_app
from tests.live import LiveServer

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def app_config():
    return {"SIGNIN_FAILURES_PER_AGENT": "3 per minute",
            "SIGNIN_FAILURES_PER_ADDRESS": "5 per minute"}


@pytest.fixture
def alice(admin):
    body = {"id": "alice", "name": "Alice", "password": "right-password"}
    assert admin.post("/api/v1/admin/agents", json=body).status_code == 201


def login(client, agent_id="alice", password="wrong-password", address="10.0.0.1"):
    return client.post(LOGIN, json={"agent_id": agent_id, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_repeated_wrong_passwords_for_one_agent_are_refused_with_429(client, alice):
    assert [login(client).status_code for _ in range(3)] == [401, 401, 401]
    refused = login(client, address="10.0.0.2")  # from elsewhere too: it is the agent's limit
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert "try again in" in refused.json["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 61  # the rest of the minute's window
    # Even the right password waits: guessing must not be rewarded.
    assert login(client, password="right-password").status_code == 429


def test_successful_sign_ins_do_not_count(client, alice):
    for _ in range(6):
        assert login(client, password="right-password").status_code == 200


def test_other_agents_are_not_locked_out_by_one_agents_failures(client, admin, alice):
    admin.post("/api/v1/admin/agents", json={"id": "bob", "name": "Bob", "password": "bob-pass-1"})
    for _ in range(3):
        login(client)
    assert login(client, "bob", "bob-pass-1", address="10.0.0.9").status_code == 200


def test_one_address_trying_many_agents_is_refused(client, alice):
    statuses = [login(client, agent_id=f"agent-{n}").status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]
    assert login(client, agent_id="agent-9", address="10.0.0.50").status_code == 401


def test_finesse_sign_in_is_limited_too(database_url, engine, db_connection, finesse_standin):
    app = make_test_app(database_url, engine, TEST_CONNECTION=db_connection,
                        FINESSE_URL=finesse_standin.url, SIGNIN_FAILURES_PER_AGENT="2 per minute")
    client = app.test_client()
    body = {"agent_id": "fin1001", "authorization": "Basic Zmluc2UxMDAxOm5vcGU="}
    statuses = [client.post("/api/v1/auth/finesse", json=body).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


@pytest.mark.live
def test_limits_are_shared_by_processes_through_redis(own_database):
    """With RATELIMIT_STORAGE_URI=redis://, every process counts against the same limit."""
    url, _engine = own_database
    prefix = f"cc-test-{uuid.uuid4().hex}"
    servers = [LiveServer(url, ADMIN_TOKEN, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
                          RATELIMIT_KEY_PREFIX=prefix, SIGNIN_FAILURES_PER_AGENT="2 per minute")
               for _ in range(2)]
    try:
        first, second = (server.start() for server in servers)
        body = {"agent_id": "carol", "password": "wrong-password"}
        assert first.call("POST", LOGIN, body)[0] == 401
        assert second.call("POST", LOGIN, body)[0] == 401
        status, problem, headers = first.call("POST", LOGIN, body)
        assert status == 429, problem
        assert int(headers["Retry-After"]) > 0
    finally:
        for server in servers:
            server.stop()


def test_answers_below_the_limit_carry_no_retry_after(client, alice):
    assert "Retry-After" not in login(client).headers
    assert "Retry-After" not in login(client, password="right-password").headers
