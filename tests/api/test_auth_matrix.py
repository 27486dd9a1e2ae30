"""Who may call what: every REST route x {no token, connector, agent, admin} (R17, R18)."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from context_service.models import ApiToken, utcnow
from tests.conftest import Api

C, AG, AD = "connector", "agent", "admin"

# (method, path) -> the roles that get past authorisation. Written out by hand on purpose:
# a new route fails `test_every_route_is_in_the_matrix` until someone decides who may call it.
ALLOWED = {
    ("POST", "/api/v1/contact-events"): {C, AG, AD},
    ("GET", "/api/v1/customers"): {AG, AD},
    ("POST", "/api/v1/customers"): {AG, AD},
    ("GET", "/api/v1/customers/{customer_id}"): {AG, AD},
    ("PATCH", "/api/v1/customers/{customer_id}"): {AG, AD},
    ("DELETE", "/api/v1/customers/{customer_id}"): {AD},
    ("GET", "/api/v1/customers/{customer_id}/journey"): {AG, AD},
    ("GET", "/api/v1/customers/{customer_id}/export"): {AD},
    ("POST", "/api/v1/customers/{customer_id}/requests"): {AG, AD},
    ("GET", "/api/v1/requests/{request_id}"): {AG, AD},
    ("PATCH", "/api/v1/requests/{request_id}"): {AG, AD},
    ("GET", "/api/v1/activities/{activity_id}"): {AG, AD},
    ("POST", "/api/v1/activities/{activity_id}/tags"): {AG, AD},
    ("DELETE", "/api/v1/activities/{activity_id}/tags/{name}"): {AG, AD},
    ("GET", "/api/v1/activities/{activity_id}/notes"): {AG, AD},
    ("POST", "/api/v1/activities/{activity_id}/notes"): {AG, AD},
    ("POST", "/api/v1/activities/{activity_id}/move"): {AG, AD},
    # Connectors post their customers' messages and read the replies (R16).
    ("GET", "/api/v1/activities/{activity_id}/messages"): {C, AG, AD},
    ("POST", "/api/v1/activities/{activity_id}/messages"): {C, AG, AD},
    ("GET", "/api/v1/me"): {C, AG, AD},
    # The Open and Recent lists are an agent's own: keys without an agent have none.
    ("GET", "/api/v1/me/open"): {AG},
    ("POST", "/api/v1/me/open"): {AG},
    ("POST", "/api/v1/me/open/{entry_id}/close"): {AG},
    ("GET", "/api/v1/me/recent"): {AG},
    # Care desktop: an agent's own state and tasks; the queue is for agents and admins to see.
    ("GET", "/api/v1/me/state"): {AG},
    ("PUT", "/api/v1/me/state"): {AG},
    ("GET", "/api/v1/me/tasks"): {AG},
    ("GET", "/api/v1/queue"): {AG, AD},
    ("GET", "/api/v1/tasks/{task_id}"): {AG, AD},
    ("POST", "/api/v1/tasks/{task_id}/accept"): {AG},
    ("GET", "/api/v1/admin/api-keys"): {AD},
    ("POST", "/api/v1/admin/api-keys"): {AD},
    ("PATCH", "/api/v1/admin/api-keys/{key_id}"): {AD},
    ("DELETE", "/api/v1/admin/api-keys/{key_id}"): {AD},
    ("GET", "/api/v1/admin/api-keys/{key_id}/webhook"): {AD},
    ("PUT", "/api/v1/admin/api-keys/{key_id}/webhook"): {AD},
    ("DELETE", "/api/v1/admin/api-keys/{key_id}/webhook"): {AD},
    ("GET", "/api/v1/admin/agents"): {AD},
    ("POST", "/api/v1/admin/agents"): {AD},
    ("PATCH", "/api/v1/admin/agents/{agent_id}"): {AD},
    ("DELETE", "/api/v1/admin/agents/{agent_id}"): {AD},
    ("GET", "/api/v1/admin/agents/{agent_id}/tokens"): {AD},
    ("POST", "/api/v1/admin/agents/{agent_id}/tokens"): {AD},
    ("DELETE", "/api/v1/admin/agents/{agent_id}/tokens"): {AD},
    ("DELETE", "/api/v1/admin/agents/{agent_id}/tokens/{token_id}"): {AD},
    ("GET", "/api/v1/admin/audit"): {AD},
    # Issue 14: agents and admins merge duplicates and undo merges; admins define custom
    # fields, which agents read to show them; bulk import and export are for admins.
    ("POST", "/api/v1/customers/{customer_id}/merge"): {AG, AD},
    ("GET", "/api/v1/customers/{customer_id}/merges"): {AG, AD},
    ("GET", "/api/v1/customers/merges/{merge_id}"): {AG, AD},
    ("POST", "/api/v1/customers/merges/{merge_id}/undo"): {AG, AD},
    ("GET", "/api/v1/fields"): {AG, AD},
    ("GET", "/api/v1/admin/fields"): {AD},
    ("POST", "/api/v1/admin/fields"): {AD},
    ("GET", "/api/v1/admin/fields/{field_id}"): {AD},
    ("PATCH", "/api/v1/admin/fields/{field_id}"): {AD},
    ("DELETE", "/api/v1/admin/fields/{field_id}"): {AD},
    ("POST", "/api/v1/admin/imports"): {AD},
    ("GET", "/api/v1/admin/imports/{import_id}"): {AD},
    ("GET", "/api/v1/admin/exports/customers.csv"): {AD},
    # Presence: what an agent's own gadget shows; who views a customer, for agents and admins.
    ("PUT", "/api/v1/me/viewing"): {AG},
    ("DELETE", "/api/v1/me/viewing"): {AG},
    ("GET", "/api/v1/customers/{customer_id}/viewers"): {AG, AD},
}
# The API's document and its page hold no data: public, like the gadget's files.
PUBLIC = ("/healthz", "/readyz", "/api/openapi.json", "/api/docs", "/api/docs/assets/{name}")
PARAMETER = re.compile(r"<(?:[^<>]+:)?(\w+)>")


def rest_routes(app):
    """(method, path) of every REST route but the public ones, sign-in and WebSockets."""
    routes = set()
    for rule in app.url_map.iter_rules():
        path = PARAMETER.sub(r"{\1}", rule.rule)  # as the OpenAPI document writes it
        if (path in PUBLIC or path.startswith("/api/v1/auth/") or not path.startswith("/api/")
                or getattr(rule, "websocket", False)):
            continue
        routes |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def concrete(path):
    """A URL for the path, naming things that do not exist (so nothing is changed)."""
    return re.sub(r"{(\w+)}", lambda m: {"name": "nothing", "agent_id": "nobody"}.get(
        m[1], "999999"), path)


def test_every_route_is_in_the_matrix(app):
    assert rest_routes(app) == set(ALLOWED)


@pytest.fixture
def callers(client, admin, agent, connector):
    return {None: Api(client, None), C: connector, AG: agent, AD: admin}


@pytest.mark.parametrize("method, path", sorted(ALLOWED))
def test_role_matrix(callers, method, path):
    url = concrete(path)
    body = {} if method in ("POST", "PATCH", "PUT") else None
    headers = {"If-Match": "*"} if method == "PATCH" else None
    for role, api in callers.items():
        response = api(method, url, json=body, headers=headers)
        if role is None:
            expected = {401}
        elif role in ALLOWED[(method, path)]:
            # 415: imports take CSV, not this JSON body; 204: leaving no customer is fine
            expected = {200, 201, 404, 409, 422} | ({415} if path.endswith("/imports") else set())
            expected |= {204} if path == "/api/v1/me/viewing" else set()
        else:
            expected = {403}
        assert response.status_code in expected, (role, response.status_code, response.json)
        assert response.mimetype in ("application/json", "application/problem+json") or (
            path.endswith(".csv") and response.mimetype == "text/csv")
        if response.status_code == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("authorization", [
    "Bearer cct_not-a-real-token", "Bearer wrong", "Basic YWxpY2U6cGFzcw==", "Bearer ",
    "cct_no-scheme",
])
def test_bad_credentials_are_401(client, authorization):
    response = client.get("/api/v1/me", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_expired_agent_token_is_401(agent, db_connection):
    db_connection.execute(sa.update(ApiToken).where(ApiToken.agent_id == "alice")
                          .values(expires_at=utcnow() - timedelta(seconds=1)))

    response = agent.get("/api/v1/me/open")

    assert response.status_code == 401
    assert response.json["detail"] == "A valid bearer token is required."


@pytest.mark.parametrize("app_config", [{"AGENT_TOKEN_TTL_SECONDS": 1}])
def test_a_token_remembered_by_the_process_still_expires_on_time(agent):
    import time

    assert agent.get("/api/v1/me").status_code == 200  # looked up, and remembered
    time.sleep(1.1)
    assert agent.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("app_config", [{"AGENT_TOKEN_TTL_SECONDS": 0}])
def test_agent_tokens_live_as_long_as_configured(agent):
    assert agent.get("/api/v1/me").status_code == 401


def test_public_routes_need_no_token(client):
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json == {"status": "ok"}
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200
