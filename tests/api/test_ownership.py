"""Contacts belong to the connector that reported them (issue 9): another connector cannot
add to them, reassign, end or read them, unless an admin lets it share the source; an agent
takes over another agent's contact only as an audited transfer."""

import pytest

from context_service.models import Activity, AuditEntry, Message
from tests.conftest import Api, event

URL = "/api/v1/contact-events"


@pytest.fixture
def intruder(admin):
    response = admin.post("/api/v1/admin/api-keys", json={"name": "other", "role": "connector"})
    return Api(admin.client, response.json["token"]), response.json["id"]


@pytest.fixture
def chat(connector, agent, agent2):
    body = event("accepted", "chat-1", media_type="chat", agent_id="alice",
                 **{"from": "ada@example.com"}, body="Hello", variables={"queue": "gold"})
    response = connector.post(URL, json=body)
    assert response.status_code == 201
    return body, response.json["activity"]


@pytest.mark.parametrize("change", [
    {"type": "accepted", "agent_id": "bob"},                      # reassign
    {"type": "accepted", "agent_id": "alice", "variables": {"queue": "fraud"}},
    {"type": "offered", "agent_id": "bob", "body": "injected text"},
    {"type": "ended"},
])
def test_another_connector_cannot_touch_a_contact(intruder, chat, change, admin, count):
    body, activity = chat
    before = admin.get(f"/api/v1/activities/{activity['id']}").json
    response = intruder[0].post(URL, json=event(contact_id="chat-1", media_type="chat",
                                                **{"agent_id": None, **change}))
    assert response.status_code == 403, response.json
    assert response.mimetype == "application/problem+json"
    after = admin.get(f"/api/v1/activities/{activity['id']}").json
    assert after == before
    assert count(Message) == 1


def test_another_connector_cannot_read_stored_answers_by_replaying(intruder, chat):
    body, _activity = chat
    response = intruder[0].post(URL, json=body)
    assert response.status_code == 403
    assert "activity" not in response.json


def test_another_connector_cannot_post_or_read_messages(intruder, chat):
    _body, activity = chat
    url = f"/api/v1/activities/{activity['id']}/messages"
    assert intruder[0].get(url).status_code == 403
    assert intruder[0].post(url, json={"message_id": "m-2", "text": "hi"}).status_code == 403


def test_a_key_allowed_to_share_the_source_may_act(admin, intruder, chat, connector):
    api, key_id = intruder
    response = admin.patch(f"/api/v1/admin/api-keys/{key_id}", json={"shared_sources": ["pbx"]})
    assert response.status_code == 200 and response.json["shared_sources"] == ["pbx"]
    body, activity = chat
    assert api.post(URL, json=body).status_code == 200  # a standby connector resending
    ended = api.post(URL, json=event("ended", "chat-1", media_type="chat", agent_id=None))
    assert ended.status_code == 201 and ended.json["activity"]["state"] == "ended"
    audit = admin.get("/api/v1/admin/audit", query_string={"entity_type": "api_key"}).json
    assert audit[0]["action"] == "share-sources"
    # Sharing another source gives nothing here.
    admin.patch(f"/api/v1/admin/api-keys/{key_id}", json={"shared_sources": ["other-pbx"]})
    assert api.post(URL, json=body).status_code == 403


def test_only_connector_keys_share_sources(admin):
    created = admin.post("/api/v1/admin/api-keys",
                         json={"name": "ops", "role": "admin", "shared_sources": ["pbx"]})
    assert created.status_code == 422 and "shared_sources" in created.json["errors"]
    key = admin.post("/api/v1/admin/api-keys", json={"name": "ops", "role": "admin"}).json
    patch = admin.patch(f"/api/v1/admin/api-keys/{key['id']}", json={"shared_sources": ["pbx"]})
    assert patch.status_code == 409


def test_agents_post_no_events_for_a_connectors_contact(agent, chat):
    response = agent.post(URL, json=event("ended", "chat-1", media_type="chat"))
    assert response.status_code == 403


def test_an_agent_takes_over_anothers_contact_only_as_a_transfer(agent, agent2, admin):
    first = agent.post(URL, json=event("accepted", "desk-1", source="desk"))
    assert first.status_code == 201
    taken = agent2.post(URL, json=event("accepted", "desk-1", source="desk", agent_id="bob"))
    assert taken.status_code == 409
    assert "transfer" in taken.json["detail"]

    moved = agent2.post(URL, json=event("accepted", "desk-1", source="desk", agent_id="bob",
                                        transfer=True))

    assert moved.status_code == 201, moved.json
    assert moved.json["activity"]["agent_id"] == "bob"
    activity_id = moved.json["activity"]["id"]
    [entry] = admin.get("/api/v1/admin/audit", query_string={
        "entity_type": "activity", "entity_id": str(activity_id)}).json[:1]
    assert entry["action"] == "transfer" and entry["actor"] == "bob"
    assert entry["changes"] == {"agent_id": ["alice", "bob"]}
    assert [e["activity_id"] for e in agent2.get("/api/v1/me/open").json] == [activity_id]


def test_a_connector_transfers_its_own_contact(connector, agent, agent2, count):
    connector.post(URL, json=event("accepted", "call-7", agent_id="alice"))
    moved = connector.post(URL, json=event("accepted", "call-7", agent_id="bob"))
    assert moved.status_code == 201 and moved.json["activity"]["agent_id"] == "bob"
    assert count(AuditEntry, AuditEntry.action == "transfer") == 1


def test_transfer_belongs_to_accepted_events(connector):
    response = connector.post(URL, json=event("ended", transfer=True))
    assert response.status_code == 422 and "transfer" in response.json["errors"]


def test_an_agents_own_replay_still_answers(agent, count):
    body = event("accepted", "desk-2", source="desk")
    assert agent.post(URL, json=body).status_code == 201
    assert agent.post(URL, json=body).status_code == 200
    assert count(Activity) == 1
