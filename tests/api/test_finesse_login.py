"""Finesse sign-in against the Finesse stand-in: a token only for the agent whose own
credentials Finesse accepts; several Finesse nodes; SSO bearer tokens."""

import base64

import pytest
import sqlalchemy as sa

from context_service.models import Agent
from tests.conftest import FINESSE_USERS, make_test_app
from tests.live import free_port
from tests.standins.finesse import FinesseStandIn

FINESSE = "/api/v1/auth/finesse"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


GOOD = basic("fin1001", "finesse-pass")


@pytest.fixture
def app_config(finesse_standin):
    return {"FINESSE_URL": finesse_standin.url}


def sign_in(client, agent_id="fin1001", authorization=GOOD):
    return client.post(FINESSE, json={"agent_id": agent_id, "authorization": authorization})


def test_finesse_credentials_give_an_agent_token(client, db_connection):
    r = sign_in(client)
    assert r.status_code == 200, r.json
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json['token']}"})
    assert me.json == {"id": "fin1001", "name": "Fiona Finesse", "role": "agent"}
    name = db_connection.scalar(sa.select(Agent.name).where(Agent.id == "fin1001"))
    assert name == "Fiona Finesse"


def test_the_login_name_signs_in_the_same_agent(client):
    """Finesse knows users by loginId and loginName; here the agent is its loginId."""
    r = sign_in(client, "FIONA", basic("fiona", "finesse-pass"))
    assert r.status_code == 200, r.json
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json['token']}"})
    assert me.json["id"] == "fin1001"


@pytest.mark.parametrize("authorization", [
    basic("fin1001", "wrong"),
    basic("someone", "finesse-pass"),
])
def test_wrong_finesse_credentials_are_refused(client, authorization):
    r = sign_in(client, authorization=authorization)
    assert r.status_code == 401
    assert r.content_type == "application/problem+json"


@pytest.mark.parametrize("authorization", [
    basic("admin", "admin-pass"),      # a Finesse administrator may read every user
    basic("sup2001", "super-pass"),    # a supervisor may read the users of its team
    basic("fin1002", "oscar-pass"),    # another agent may not (Finesse says 403)
])
def test_someone_elses_credentials_do_not_make_them_the_agent(client, authorization, count):
    r = sign_in(client, authorization=authorization)
    assert r.status_code == 403, r.json
    assert "fin1001" in r.json["detail"]
    assert count(Agent) == 0


def test_an_administrator_signs_in_as_itself_only_if_it_is_an_agent_here(client):
    """The administrator's own User: it is who it says, so Finesse's word stands."""
    assert sign_in(client, "admin", basic("admin", "admin-pass")).status_code == 200


def test_malformed_authorization_is_422(client):
    r = sign_in(client, authorization="x")
    assert r.status_code == 422
    assert "authorization" in r.json["errors"]


def test_sign_in_fails_over_to_the_next_finesse_node(database_url, engine, db_connection,
                                                     finesse_standin):
    down = f"http://127.0.0.1:{free_port()}"  # nobody listens: connection refused
    app = make_test_app(database_url, engine, TEST_CONNECTION=db_connection,
                        FINESSE_URL=f"{down}, {finesse_standin.url}")
    r = sign_in(app.test_client())
    assert r.status_code == 200, r.json


def test_a_refusal_from_the_first_node_is_final(database_url, engine, db_connection,
                                                finesse_standin):
    """Wrong credentials are wrong on every node: no second try, no second guess."""
    with FinesseStandIn(FINESSE_USERS) as second:
        app = make_test_app(database_url, engine, TEST_CONNECTION=db_connection,
                            FINESSE_URL=f"{finesse_standin.url},{second.url}")
        r = sign_in(app.test_client(), authorization=basic("fin1001", "wrong"))
        assert r.status_code == 401
        assert second.requests() == []


def test_unreachable_finesse_is_502(database_url, engine, db_connection):
    nodes = f"http://127.0.0.1:{free_port()},http://127.0.0.1:{free_port()}"
    app = make_test_app(database_url, engine, TEST_CONNECTION=db_connection, FINESSE_URL=nodes)
    r = sign_in(app.test_client())
    assert r.status_code == 502
    assert "2 Finesse servers" in r.json["detail"]


def test_without_finesse_configured_the_route_says_so(database_url, engine, db_connection):
    app = make_test_app(database_url, engine, TEST_CONNECTION=db_connection, FINESSE_URL=None)
    r = sign_in(app.test_client())
    assert r.status_code == 404
    assert "FINESSE_URL" in r.json["detail"]


@pytest.fixture(scope="module")
def sso_finesse():
    with FinesseStandIn(FINESSE_USERS, auth_mode="SSO") as finesse:
        yield finesse


def test_sso_sign_in_passes_the_bearer_token_to_finesse(database_url, engine, db_connection,
                                                        sso_finesse):
    app = make_test_app(database_url, engine, TEST_CONNECTION=db_connection,
                        FINESSE_URL=sso_finesse.url)
    client = app.test_client()
    assert sign_in(client, authorization="Bearer sso-token-fiona").status_code == 200
    assert sso_finesse.requests()[-1]["scheme"] == "Bearer"
    assert sign_in(client, authorization="Bearer not-a-token").status_code == 401
    # Basic credentials mean nothing to an SSO-only Finesse.
    assert sign_in(client).status_code == 401
    # Another agent's token: Finesse does not let it read this agent.
    assert sign_in(client, authorization="Bearer sso-token-oscar").status_code == 403
