"""Requests (cases): create (R12), read, change title, description and status (R3, R9)."""

import pytest

URL = "/api/v1/requests"


@pytest.fixture
def customer(make_customer):
    return make_customer(first_name="Ann", phones=["4155550100"])


@pytest.fixture
def request_(agent, customer):
    response = agent.post(f"/api/v1/customers/{customer['id']}/requests",
                          json={"title": "Broken router", "description": "Blinks red"})
    assert response.status_code == 201
    return response.json


def patch(agent, request_id, **fields):
    return agent.patch(f"{URL}/{request_id}", json=fields, headers={"If-Match": "*"})


def test_create_a_request_for_a_new_problem(agent, customer, request_):
    assert request_["customer_id"] == customer["id"]
    assert request_["status"] == "open"
    assert request_["title"] == "Broken router" and request_["description"] == "Blinks red"
    assert request_["created_at"] and request_["closed_at"] is None
    shown = agent.get(f"{URL}/{request_['id']}")
    assert shown.json == request_
    assert shown.headers["ETag"] == f'"{request_["version"]}"'


def test_create_with_defaults_and_for_unknown_customer(agent, customer):
    empty = agent.post(f"/api/v1/customers/{customer['id']}/requests", json={})
    assert empty.status_code == 201
    assert empty.json["title"] == "" and empty.json["description"] == ""
    assert agent.post("/api/v1/customers/999999/requests", json={}).status_code == 404
    assert agent.get(f"{URL}/999999").status_code == 404


def test_new_request_receives_the_next_activity(agent, request_, post_event):
    assert post_event()["request_id"] == request_["id"]


def test_change_title_and_description(agent, request_):
    url = f"{URL}/{request_['id']}"
    response = agent.patch(url, json={"title": "Router", "description": "Fixed by reboot"},
                           headers={"If-Match": agent.get(url).headers["ETag"]})
    assert response.status_code == 200
    assert response.json["title"] == "Router"
    assert response.json["description"] == "Fixed by reboot"
    assert response.json["version"] == request_["version"] + 1
    assert response.json["updated_by"] == "alice"
    assert agent.get(url).json == response.json


@pytest.mark.parametrize("field", ["title", "description"])
def test_title_and_description_have_at_most_2000_characters(agent, request_, field):
    assert patch(agent, request_["id"], **{field: "x" * 2000}).status_code == 200
    before = agent.get(f"{URL}/{request_['id']}").json

    response = patch(agent, request_["id"], **{field: "x" * 2001})

    assert response.status_code == 422
    assert list(response.json["errors"]) == [field]
    assert agent.get(f"{URL}/{request_['id']}").json == before
    created = agent.post(f"/api/v1/customers/{request_['customer_id']}/requests",
                         json={field: "x" * 2001})
    assert created.status_code == 422


def test_closing_records_when_and_why(agent, request_):
    response = patch(agent, request_["id"], status="closed")
    assert response.status_code == 200
    assert response.json["status"] == "closed"
    assert response.json["closed_at"] is not None
    assert response.json["closed_reason"] == "agent"


def test_reopening_clears_the_closed_date(agent, request_):
    patch(agent, request_["id"], status="closed")
    response = patch(agent, request_["id"], status="open")
    assert response.status_code == 200
    assert response.json["status"] == "open"
    assert response.json["closed_at"] is None and response.json["closed_reason"] is None


def test_a_request_without_customer_cannot_be_reopened(agent, post_event):
    unknown = post_event(**{"from": "+1 212 555 0199"})
    assert patch(agent, unknown["request_id"], status="closed").status_code == 200
    assert patch(agent, unknown["request_id"], status="open").status_code == 409


def test_unknown_status_is_422(agent, request_):
    response = patch(agent, request_["id"], status="pending")
    assert response.status_code == 422
    assert "status" in response.json["errors"]


def test_patch_needs_if_match_and_a_current_etag(agent, agent2, request_):
    url = f"{URL}/{request_['id']}"
    assert agent.patch(url, json={"title": "x"}).status_code == 428
    loaded = agent.get(url).headers["ETag"]
    assert agent2.patch(url, json={"title": "Bob's"}, headers={"If-Match": loaded}).status_code \
        == 200

    stale = agent.patch(url, json={"title": "Alice's"}, headers={"If-Match": loaded})

    assert stale.status_code == 412
    assert stale.json["current"]["title"] == "Bob's"
    assert stale.json["changed_by"] == "bob"
    assert agent.get(url).json["title"] == "Bob's"
