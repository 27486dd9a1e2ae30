"""Finesse sign-in against a fake Finesse server on 127.0.0.1."""

import base64

import pytest
import sqlalchemy as sa

from context_service.models import Agent

GOOD = "Basic " + base64.b64encode(b"fin1001:finesse-pass").decode()


@pytest.fixture
def app_config(finesse_standin):
    return {"FINESSE_URL": finesse_standin.url}


def test_finesse_credentials_give_an_agent_token(client, db_connection):
    r = client.post("/api/v1/auth/finesse", json={"agent_id": "fin1001", "authorization": GOOD})
    assert r.status_code == 200, r.json
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json['token']}"})
    assert me.json == {"id": "fin1001", "name": "Fiona Finesse", "role": "agent"}
    name = db_connection.scalar(sa.select(Agent.name).where(Agent.id == "fin1001"))
    assert name == "Fiona Finesse"


@pytest.mark.parametrize("authorization", [
    "Basic " + base64.b64encode(b"fin1001:wrong").decode(),
    "Basic " + base64.b64encode(b"someone:finesse-pass").decode(),
])
def test_wrong_finesse_credentials_are_refused(client, authorization):
    r = client.post("/api/v1/auth/finesse",
                    json={"agent_id": "fin1001", "authorization": authorization})
    assert r.status_code == 401
    assert r.content_type == "application/problem+json"


def test_malformed_authorization_is_422(client):
    r = client.post("/api/v1/auth/finesse", json={"agent_id": "fin1001", "authorization": "x"})
    assert r.status_code == 422
    assert "authorization" in r.json["errors"]


def test_unreachable_finesse_is_502(database_url, engine, db_connection):
    from tests.conftest import make_test_app
    from tests.live import free_port

    app = make_test_app(database_url, engine, TEST_CONNECTION=db_connection,
                        FINESSE_URL=f"http://127.0.0.1:{free_port()}")
    r = app.test_client().post("/api/v1/auth/finesse",
                               json={"agent_id": "fin1001", "authorization": GOOD})
    assert r.status_code == 502


def test_without_finesse_configured_the_route_says_so(database_url, engine, db_connection):
    from tests.conftest import make_test_app

    app = make_test_app(database_url, engine, TEST_CONNECTION=db_connection, FINESSE_URL=None)
    r = app.test_client().post("/api/v1/auth/finesse",
                               json={"agent_id": "fin1001", "authorization": GOOD})
    assert r.status_code == 404
    assert "FINESSE_URL" in r.json["detail"]
