"""The calling agent: who am I, the Open and Recent lists (R1, R8, R10)."""

import pytest

OPEN = "/api/v1/me/open"
RECENT = "/api/v1/me/recent"


@pytest.fixture
def ann(make_customer):
    return make_customer(first_name="Ann", phones=["4155550100"])


def close(agent, entry_id):
    return agent.post(f"{OPEN}/{entry_id}/close")


def test_me_names_the_caller(agent, connector, admin):
    assert agent.get("/api/v1/me").json == {"id": "alice", "name": "Agent alice", "role": "agent"}
    assert connector.get("/api/v1/me").json == {"id": "pbx", "name": "pbx", "role": "connector"}
    assert admin.get("/api/v1/me").json["role"] == "admin"


def test_open_list_is_newest_first(agent, ann, post_event):
    first = post_event(contact_id="call-1")
    second = post_event(contact_id="call-2", media_type="chat")

    opened = agent.get(OPEN).json

    assert [e["activity_id"] for e in opened] == [second["id"], first["id"]]
    assert opened[0]["activity"]["media_type"] == "chat"
    assert opened[0]["customer"]["display_name"] == "Ann"
    assert all(e["closed_at"] is None for e in opened)


def test_accepting_the_same_contact_again_opens_it_once(agent, ann, post_event):
    post_event()
    post_event()
    assert len(agent.get(OPEN).json) == 1


def test_close_moves_the_entry_to_recent(agent, ann, post_event):
    post_event()
    entry = agent.get(OPEN).json[0]

    response = close(agent, entry["id"])

    assert response.status_code == 200
    assert response.json["closed_at"] is not None
    assert agent.get(OPEN).json == []
    assert [e["id"] for e in agent.get(RECENT).json] == [entry["id"]]
    assert close(agent, entry["id"]).status_code == 404


def test_recent_is_newest_first(agent, ann, make_customer, post_event):
    bo = make_customer(first_name="Bo", phones=["2125550199"])
    post_event(contact_id="call-1")
    post_event(contact_id="call-2", **{"from": "212 555 0199"})
    ann_entry, bo_entry = sorted(agent.get(OPEN).json, key=lambda e: e["activity_id"])
    close(agent, bo_entry["id"])
    close(agent, ann_entry["id"])

    recent = agent.get(RECENT).json

    assert [e["customer_id"] for e in recent] == [ann["id"], bo["id"]]


def test_an_agent_cannot_close_anothers_entry(agent, agent2, ann, post_event):
    post_event()
    entry = agent.get(OPEN).json[0]
    assert close(agent2, entry["id"]).status_code == 404
    assert close(agent, 999999).status_code == 404
    assert len(agent.get(OPEN).json) == 1


def test_reopen_brings_back_the_latest_request_and_newest_activity(agent, ann, post_event):
    older = post_event(contact_id="call-1")
    newer = post_event(contact_id="call-2")
    for entry in agent.get(OPEN).json:
        close(agent, entry["id"])

    response = agent.post(OPEN, json={"customer_id": ann["id"]})

    assert response.status_code == 201
    assert response.json["customer_id"] == ann["id"]
    assert response.json["request_id"] == older["request_id"] == newer["request_id"]
    assert response.json["activity_id"] == newer["id"]
    assert [e["id"] for e in agent.get(OPEN).json] == [response.json["id"]]
    again = agent.post(OPEN, json={"customer_id": ann["id"]})
    assert again.status_code == 200 and again.json["id"] == response.json["id"]


def test_reopen_after_the_request_closed_has_no_request(agent, ann, post_event):
    activity = post_event()
    close(agent, agent.get(OPEN).json[0]["id"])
    agent.patch(f"/api/v1/requests/{activity['request_id']}", json={"status": "closed"},
                headers={"If-Match": "*"})

    response = agent.post(OPEN, json={"customer_id": ann["id"]})

    assert response.status_code == 201
    assert response.json["request_id"] is None
    assert response.json["activity_id"] == activity["id"]


def test_reopen_a_customer_from_search_without_history(agent, ann):
    response = agent.post(OPEN, json={"customer_id": ann["id"]})
    assert response.status_code == 201
    assert response.json["activity_id"] is None and response.json["request_id"] is None


def test_reopen_needs_an_existing_customer(agent):
    assert agent.post(OPEN, json={"customer_id": 999999}).status_code == 404
    response = agent.post(OPEN, json={})
    assert response.status_code == 422
    assert "customer_id" in response.json["errors"]
