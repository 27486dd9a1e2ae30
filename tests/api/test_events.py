"""POST /api/v1/contact-events: idempotency, caller lookup, the attach rule (R1, R2, R17)."""

import pytest

from context_service.models import Activity, AuditEntry, ContactEvent, OpenEntry, Request
from tests.conftest import create_agent, event

URL = "/api/v1/contact-events"
ANN_PHONE = "+14155550100"


@pytest.fixture
def ann(make_customer):
    return make_customer(first_name="Ann", last_name="Lee", phones=[ANN_PHONE],
                         emails=["Ann.Lee@Example.com"])


def test_first_post_is_201_and_replay_is_200_with_the_same_body(connector, count):
    body = event()
    first = connector.post(URL, json=body)
    assert first.status_code == 201
    tables = (Activity, Request, OpenEntry, AuditEntry, ContactEvent)
    before = [count(model) for model in tables]

    replay = connector.post(URL, json=body)

    assert replay.status_code == 200
    assert replay.json == first.json
    assert [count(model) for model in tables] == before


def test_same_event_id_with_other_content_is_409(connector, count):
    body = event()
    assert connector.post(URL, json=body).status_code == 201

    response = connector.post(URL, json={**body, "contact_id": "call-other"})

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert count(Activity) == 1


def test_same_event_id_from_another_source_is_another_event(connector):
    body = event()
    assert connector.post(URL, json=body).status_code == 201
    assert connector.post(URL, json={**body, "source": "other-pbx"}).status_code == 201


@pytest.mark.parametrize("caller", [
    "+1 (415) 555-0100", "415.555.0100", "4155550100", "tel:+14155550100",
    "sip:+14155550100@pbx", "sips:4155550100@pbx.example.com",
])
def test_caller_is_found_by_phone_in_any_formatting(ann, post_event, caller):
    activity = post_event(**{"from": caller})
    assert activity["customer_id"] == ann["id"]
    assert activity["candidate_ids"] == []


def test_caller_is_found_by_email_in_any_case(ann, post_event):
    activity = post_event(media_type="email", **{"from": "ANN.LEE@example.COM"})
    assert activity["customer_id"] == ann["id"]


def test_accepted_contact_opens_in_the_agents_open_list(ann, agent, post_event):
    activity = post_event()

    opened = agent.get("/api/v1/me/open").json

    assert [(e["customer_id"], e["activity_id"], e["request_id"]) for e in opened] == [
        (ann["id"], activity["id"], activity["request_id"])]
    assert opened[0]["customer"]["display_name"] == "Ann Lee"
    journey = agent.get(f"/api/v1/customers/{ann['id']}/journey").json
    assert journey["requests"][0]["activities"][0]["id"] == activity["id"]
    assert journey["requests"][0]["activities"][0]["state"] == "active"


def test_new_activity_joins_the_latest_open_request(ann, agent, post_event):
    older = agent.post(f"/api/v1/customers/{ann['id']}/requests", json={"title": "old"}).json
    latest = agent.post(f"/api/v1/customers/{ann['id']}/requests", json={"title": "new"}).json

    activity = post_event()

    assert activity["request_id"] == latest["id"] != older["id"]


def test_without_an_open_request_a_new_request_is_started(ann, agent, post_event):
    first = post_event(contact_id="call-1")
    request = agent.get(f"/api/v1/requests/{first['request_id']}")
    closed = agent.patch(f"/api/v1/requests/{first['request_id']}", json={"status": "closed"},
                         headers={"If-Match": request.headers["ETag"]})
    assert closed.status_code == 200

    second = post_event(contact_id="call-2")

    assert second["request_id"] not in (None, first["request_id"])
    assert agent.get(f"/api/v1/requests/{second['request_id']}").json["status"] == "open"


def test_unknown_caller_gets_a_request_that_becomes_the_new_customers(agent, post_event, count):
    activity = post_event(**{"from": "+1 212 555 0199"})
    assert activity["customer_id"] is None and activity["request_id"] is not None
    assert count(Request, Request.customer_id.is_(None)) == 1

    created = agent.post("/api/v1/customers", json={
        "first_name": "Bo", "phones": ["212-555-0199"], "from_activity_id": activity["id"]})

    assert created.status_code == 201, created.json
    customer_id = created.json["id"]
    assert agent.get(f"/api/v1/activities/{activity['id']}").json["customer_id"] == customer_id
    request = agent.get(f"/api/v1/requests/{activity['request_id']}").json
    assert request["customer_id"] == customer_id
    journey = agent.get(f"/api/v1/customers/{customer_id}/journey").json
    assert [r["id"] for r in journey["requests"]] == [activity["request_id"]]
    assert [a["id"] for a in journey["requests"][0]["activities"]] == [activity["id"]]
    assert agent.get("/api/v1/me/open").json[0]["customer_id"] == customer_id


def test_customer_cannot_be_created_twice_from_one_activity(agent, post_event):
    activity = post_event(**{"from": "+1 212 555 0199"})
    body = {"first_name": "Bo", "from_activity_id": activity["id"]}
    assert agent.post("/api/v1/customers", json=body).status_code == 201
    assert agent.post("/api/v1/customers", json=body).status_code == 409
    missing = agent.post("/api/v1/customers", json={**body, "from_activity_id": 999999})
    assert missing.status_code == 404


def test_shared_address_links_no_customer_and_lists_candidates(make_customer, post_event):
    one = make_customer(first_name="One", phones=["+1 415 555 0123"])
    two = make_customer(first_name="Two", phones=["(415) 555-0123"])

    activity = post_event(**{"from": "415-555-0123"})

    assert activity["customer_id"] is None
    assert sorted(activity["candidate_ids"]) == sorted([one["id"], two["id"]])


def test_ended_event_ends_the_activity(ann, agent, post_event):
    activity = post_event("accepted")

    ended = post_event("ended")

    assert ended["id"] == activity["id"]
    assert ended["state"] == "ended"
    shown = agent.get(f"/api/v1/activities/{activity['id']}").json
    assert shown["state"] == "ended" and shown["ended_at"] is not None


def test_ended_event_for_an_unknown_contact_is_409(connector):
    response = connector.post(URL, json=event("ended", contact_id="never-seen"))
    assert response.status_code == 409


def test_accepting_an_ended_contact_is_409(connector, post_event):
    post_event("offered")
    post_event("ended")
    assert connector.post(URL, json=event("accepted")).status_code == 409


def test_offered_records_the_activity_without_a_request_until_accepted(ann, agent, post_event):
    offered = post_event("offered", agent_id=None)
    assert offered["request_id"] is None and offered["state"] == "offered"
    assert offered["customer_id"] == ann["id"]
    assert agent.get("/api/v1/me/open").json == []

    accepted = post_event("accepted")

    assert accepted["id"] == offered["id"]
    assert accepted["request_id"] is not None and accepted["state"] == "active"
    assert agent.get("/api/v1/me/open").json[0]["activity_id"] == offered["id"]


def test_call_variables_are_kept(agent, post_event):
    activity = post_event(variables={"callVariable1": "order 42", "user.lang": "nb"})
    shown = agent.get(f"/api/v1/activities/{activity['id']}").json
    assert shown["variables"] == {"callVariable1": "order 42", "user.lang": "nb"}


def test_connector_posts_for_any_agent(connector, agent2):
    response = connector.post(URL, json=event(agent_id="bob"))
    assert response.status_code == 201
    assert response.json["activity"]["agent_id"] == "bob"
    assert len(agent2.get("/api/v1/me/open").json) == 1


def test_agent_posts_only_for_itself(agent, agent2):
    own = agent.post(URL, json=event(agent_id="alice"))
    assert own.status_code == 201
    implied = agent.post(URL, json=event(contact_id="call-2", agent_id=None))
    assert implied.status_code == 201
    assert implied.json["activity"]["agent_id"] == "alice"

    other = agent.post(URL, json=event(contact_id="call-3", agent_id="bob"))

    assert other.status_code == 403
    assert agent2.get("/api/v1/me/open").json == []


def test_accepted_event_needs_an_agent(connector):
    response = connector.post(URL, json=event(agent_id=None))
    assert response.status_code == 422
    assert "agent_id" in response.json["errors"]


def test_contact_id_has_at_most_250_characters(connector):
    assert connector.post(URL, json=event(contact_id="c" * 250)).status_code == 201

    response = connector.post(URL, json=event(contact_id="c" * 251))

    assert response.status_code == 422
    assert list(response.json["errors"]) == ["contact_id"]
    assert "contact_id" in response.json["detail"]


@pytest.mark.parametrize("field, value", [
    ("media_type", "fax"), ("type", "ringing"), ("type", None), ("event_id", ""),
    ("occurred_at", "2026-01-01T10:00:00"), ("variables", {"k": 1}),
])
def test_bad_fields_are_422_naming_them(connector, count, field, value):
    body = event()
    body[field] = value
    if value is None:
        del body[field]

    response = connector.post(URL, json=body)

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert count(Activity) == 0


def test_agents_see_only_their_own_open_list(connector, agent, admin):
    carol = create_agent(admin, "carol")
    connector.post(URL, json=event(agent_id="carol"))
    assert agent.get("/api/v1/me/open").json == []
    assert len(carol.get("/api/v1/me/open").json) == 1
