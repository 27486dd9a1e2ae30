"""The API keeps the promises of its own OpenAPI document (schemathesis, property-based)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from context_service import create_app
from tests.conftest import ADMIN_TOKEN

# The document only: an app that never touches its (in-memory) database. Each test calls the
# test's own `app`, in its rolled-back transaction.
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json", create_app({"DATABASE_URL": "sqlite://", "AUTOCLOSE_SWEEP_SECONDS": 0}))

# Unknown query parameters are ignored, as HTTP APIs commonly do (cache busters, tracing);
# unknown body fields are rejected, and tests/api/test_errors.py checks that.
schema.config.generation.update(allow_extra_parameters=False)

# Not applicable: schema-valid input may still break a domain rule the document cannot
# express (a phone number that does not parse, an accepted event naming no agent, a NUL
# character), and the API answers those with 422 problem details by design (R17).
schema.config.checks.update(excluded_check_names=["positive_data_acceptance"])
# A PATCH without If-Match is 428 Precondition Required (RFC 6585), the status made for it.
missing_header = schema.config.checks.missing_required_header
missing_header.expected_statuses = [*missing_header.expected_statuses, "428"]


@pytest.fixture
def app_config():
    """Answers uncompressed: the in-process transport hands schemathesis the raw bytes."""
    return {"COMPRESS_REGISTER": False}


@pytest.fixture
def existing(admin, agent, make_customer, post_event):
    """Ids of things that exist, so generated requests reach more than 404s."""
    customer = make_customer(first_name="Ann", phones=["4155550100"], emails=["ann@example.com"])
    activity = post_event()
    agent.post(f"/api/v1/activities/{activity['id']}/tags", json={"name": "vip"})
    agent.post(f"/api/v1/activities/{activity['id']}/notes", json={"text": "Called back"})
    key = admin.post("/api/v1/admin/api-keys", json={"name": "pbx", "role": "connector"}).json
    post_event("queued", "chat-9", media_type="chat", queue="support", agent_id=None)
    return {"customer_id": customer["id"], "request_id": activity["request_id"],
            "activity_id": activity["id"], "entry_id": agent.get("/api/v1/me/open").json[0]["id"],
            "key_id": key["id"], "agent_id": "alice", "name": "vip",
            "task_id": agent.get("/api/v1/queue").json[0]["id"]}


@schema.parametrize()
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_document(case, app, agent, existing):
    if case.meta is None or not case.meta.generation.mode.is_negative:
        for name in case.path_parameters or {}:
            case.path_parameters[name] = existing.get(name, case.path_parameters[name])
        if case.headers and "If-Match" in case.headers:
            case.headers["If-Match"] = "*"
    # The agent's own lists, state and tasks (403 for an admin); the rest as the admin.
    own = case.path.startswith("/api/v1/me/") or case.path.endswith("/accept")
    token = agent.token if own else ADMIN_TOKEN
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"})


def test_the_document_tells_the_errors_and_rules(client):
    """412/428/409/415/429 are declared where they happen; limits and rules are written."""
    doc = client.get("/api/openapi.json").json
    paths = doc["paths"]
    patch = paths["/api/v1/customers/{customer_id}"]["patch"]["responses"]
    assert {"401", "403", "404", "409", "412", "413", "415", "422", "428"} <= set(patch)
    assert {"400", "415", "429"} <= set(paths["/api/v1/auth/login"]["post"]["responses"])
    assert "429" in paths["/api/v1/auth/finesse"]["post"]["responses"]
    assert "401" not in paths["/healthz"]["get"]["responses"]
    # Every secured operation says it can be refused; every id in a path can name nothing.
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if operation.get("security") != []:
                assert {"401", "403"} <= set(operation["responses"]), (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
    tag = doc["components"]["schemas"]["TagCreate"]["properties"]["name"]
    assert tag["maxLength"] == 50 and tag["minLength"] == 1
    assert "NUL" in doc["info"]["description"]
    events = paths["/api/v1/contact-events"]["post"]["description"]
    assert "queued" in events and "transfer" in events
