"""Administration (R18): API keys, agents, sign-in, erasure, export and the audit trail."""

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from context_service.models import (
    Activity,
    Agent,
    ApiToken,
    ContactEvent,
    ContactPoint,
    Customer,
    Note,
    OpenEntry,
    Request,
    Tag,
)
from tests.conftest import Api, create_agent, event

KEYS = "/api/v1/admin/api-keys"
LOGIN = "/api/v1/auth/login"


def test_api_key_token_is_shown_once(admin):
    created = admin.post(KEYS, json={"name": "pbx-east", "role": "connector"})
    assert created.status_code == 201
    token = created.json["token"]
    assert created.json["name"] == "pbx-east" and created.json["role"] == "connector"

    listed = admin.get(KEYS)

    assert listed.status_code == 200
    assert [k["id"] for k in listed.json] == [created.json["id"]]
    assert all("token" not in key for key in listed.json)
    assert token not in listed.get_data(as_text=True)
    assert Api(admin.client, token).get("/api/v1/me").json["role"] == "connector"


def test_an_admin_key_works_like_the_bootstrap_token(admin):
    token = admin.post(KEYS, json={"name": "ops", "role": "admin"}).json["token"]
    assert Api(admin.client, token).get(KEYS).status_code == 200


def test_revoked_key_is_401(admin, connector):
    key_id = admin.get(KEYS).json[0]["id"]

    assert admin.delete(f"{KEYS}/{key_id}").status_code == 204

    response = connector.post("/api/v1/contact-events", json=event())
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert admin.get(KEYS).json[0]["revoked_at"] is not None
    assert admin.delete(f"{KEYS}/{key_id}").status_code == 204  # already revoked: still gone
    assert admin.delete(f"{KEYS}/999999").status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"name": "x", "role": "root"}, "role"), ({"role": "agent"}, "name"),
    ({"name": "", "role": "agent"}, "name"),
])
def test_api_key_fields_are_checked(admin, body, field):
    response = admin.post(KEYS, json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_tokens_and_passwords_are_stored_hashed(admin, db_connection):
    key_token = admin.post(KEYS, json={"name": "pbx", "role": "connector"}).json["token"]
    agent = create_agent(admin, "alice", password="correct horse battery")
    login_token = admin.post(LOGIN, json={"agent_id": "alice",
                                          "password": "correct horse battery"}).json["token"]

    stored = " ".join(str(v) for row in db_connection.execute(sa.select(ApiToken)).all()
                      for v in row)
    for token in (key_token, agent.token, login_token):
        assert token not in stored
    password_hash = db_connection.scalar(sa.select(Agent.password_hash))
    assert "correct horse" not in password_hash
    assert check_password_hash(password_hash, "correct horse battery")


def test_agents_are_created_once_and_listed(admin):
    body = {"id": "alice", "name": "Alice A.", "password": "s3cret-pass"}
    created = admin.post("/api/v1/admin/agents", json=body)
    assert created.status_code == 201
    assert "password" not in created.json
    assert admin.post("/api/v1/admin/agents", json=body).status_code == 409
    assert [a["id"] for a in admin.get("/api/v1/admin/agents").json] == ["alice"]
    bad = admin.post("/api/v1/admin/agents", json={"id": "a b", "name": "x", "password": "short"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"id", "password"}
    assert admin.post("/api/v1/admin/agents/nobody/tokens").status_code == 404


def test_login_gives_a_working_token(client, admin):
    create_agent(admin, "alice", password="correct horse battery")

    response = client.post(LOGIN, json={"agent_id": "alice", "password": "correct horse battery"})

    assert response.status_code == 200
    assert response.json["expires_at"] is not None
    me = Api(client, response.json["token"]).get("/api/v1/me")
    assert me.json == {"id": "alice", "name": "Agent alice", "role": "agent"}


@pytest.mark.parametrize("agent_id, password", [
    ("alice", "wrong password"), ("nobody", "correct horse battery"), ("bob", "anything"),
])
def test_login_with_wrong_credentials_is_401(client, admin, agent_id, password):
    create_agent(admin, "alice", password="correct horse battery")
    create_agent(admin, "bob")  # no password: cannot sign in

    response = client.post(LOGIN, json={"agent_id": agent_id, "password": password})

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "token" not in response.json


@pytest.fixture
def ann_with_history(agent, make_customer, post_event):
    """A customer with requests, activities, tags, notes and an Open entry."""
    ann = make_customer(first_name="Ann", phones=["4155550100"], emails=["ann@example.com"])
    activity = post_event()
    agent.post(f"/api/v1/activities/{activity['id']}/tags", json={"name": "vip"})
    agent.post(f"/api/v1/activities/{activity['id']}/notes", json={"text": "Prefers email"})
    agent.post(f"/api/v1/customers/{ann['id']}/requests", json={"title": "Second problem"})
    agent.patch(f"/api/v1/customers/{ann['id']}", json={"last_name": "Lee"},
                headers={"If-Match": "*"})
    return ann, activity


def test_export_returns_everything_with_the_audit_trail(admin, ann_with_history):
    ann, activity = ann_with_history

    response = admin.get(f"/api/v1/customers/{ann['id']}/export")

    assert response.status_code == 200
    export = response.json
    assert export["customer"]["last_name"] == "Lee"
    assert export["customer"]["emails"] == ["ann@example.com"]
    assert [r["title"] for r in export["requests"]] == ["Second problem", ""]
    exported = export["requests"][1]["activities"][0]
    assert exported["id"] == activity["id"]
    assert [t["name"] for t in exported["tags"]] == ["vip"]
    assert [n["text"] for n in exported["notes"]] == ["Prefers email"]
    trail = {(a["entity_type"], a["action"]) for a in export["audit"]}
    assert {("customer", "create"), ("customer", "update"), ("request", "create"),
            ("activity", "create"), ("activity", "tag"), ("activity", "note")} <= trail
    assert admin.get("/api/v1/customers/999999/export").status_code == 404


def test_erase_removes_the_customer_and_everything_theirs(admin, agent, ann_with_history,
                                                          count, connector):
    ann, activity = ann_with_history
    request_ids = [r["id"] for r in admin.get(f"/api/v1/customers/{ann['id']}/journey")
                   .json["requests"]]

    response = admin.delete(f"/api/v1/customers/{ann['id']}")

    assert response.status_code == 204
    assert admin.get(f"/api/v1/customers/{ann['id']}").status_code == 404
    assert admin.get(f"/api/v1/activities/{activity['id']}").status_code == 404
    assert all(admin.get(f"/api/v1/requests/{i}").status_code == 404 for i in request_ids)
    for model in (Customer, ContactPoint, Request, Activity, Tag, Note, OpenEntry):
        assert count(model) == 0, model
    assert agent.get("/api/v1/me/open").json == []
    assert count(ContactEvent, ContactEvent.activity_id.is_not(None)) == 0
    # The trail keeps who did what kind of thing when, and nothing of what it was.
    trail = admin.get("/api/v1/admin/audit", query_string={
        "entity_type": "activity", "entity_id": activity["id"]}).json
    assert trail and all(e["changes"] == {} for e in trail)
    erased = admin.get("/api/v1/admin/audit",
                       query_string={"entity_type": "customer", "entity_id": ann["id"]}).json
    assert erased[0]["action"] == "erase"
    assert all(e["changes"] == {} for e in erased)
    assert admin.delete(f"/api/v1/customers/{ann['id']}").status_code == 404


def test_erase_leaves_other_customers_alone(admin, make_customer, post_event, count):
    ann = make_customer(first_name="Ann", phones=["4155550100"])
    bo = make_customer(first_name="Bo", phones=["2125550199"])
    post_event(contact_id="call-1")
    bos = post_event(contact_id="call-2", **{"from": "2125550199"})

    admin.delete(f"/api/v1/customers/{ann['id']}")

    assert admin.get(f"/api/v1/customers/{bo['id']}").status_code == 200
    assert admin.get(f"/api/v1/activities/{bos['id']}").status_code == 200
    assert count(Activity) == 1 and count(Request) == 1


def test_audit_shows_who_changed_what_with_version(admin, agent, agent2, make_customer):
    ann = make_customer(first_name="Ann")
    url = f"/api/v1/customers/{ann['id']}"
    agent.patch(url, json={"first_name": "Anne"}, headers={"If-Match": '"1"'})
    agent2.patch(url, json={"last_name": "Lee"}, headers={"If-Match": '"2"'})

    response = admin.get("/api/v1/admin/audit",
                         query_string={"entity_type": "customer", "entity_id": ann["id"]})

    assert response.status_code == 200
    assert [(e["actor"], e["action"], e["version"], e["changes"]) for e in response.json] == [
        ("bob", "update", 3, {"last_name": [None, "Lee"]}),
        ("alice", "update", 2, {"first_name": ["Ann", "Anne"]}),
        ("admin:bootstrap", "create", 1, {"first_name": [None, "Ann"]}),
    ]
    by_actor = admin.get("/api/v1/admin/audit", query_string={"actor": "bob"}).json
    assert [e["entity_id"] for e in by_actor] == [str(ann["id"])]
    assert "X-Pagination" in response.headers
    assert admin.get("/api/v1/admin/audit",
                     query_string={"entity_type": "planet"}).status_code == 422
