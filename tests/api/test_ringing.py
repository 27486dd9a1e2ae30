"""A contact offered to a named agent rings there: the caller pops up in its Open list before
it answers, and an unanswered ring leaves nothing behind (R1 with a host that rings)."""

import pytest

from context_service.models import OpenEntry

URL = "/api/v1/contact-events"


@pytest.fixture
def ann(make_customer):
    return make_customer(first_name="Ann", last_name="Lee", phones=["+14155550100"])


def open_list(api):
    response = api.get("/api/v1/me/open")
    assert response.status_code == 200
    return response.json


def test_a_ringing_call_pops_the_caller_before_it_is_answered(ann, agent, post_event):
    offered = post_event("offered")
    [entry] = open_list(agent)
    assert entry["ringing"] is True
    assert (entry["activity_id"], entry["customer_id"]) == (offered["id"], ann["id"])
    assert entry["customer"]["display_name"] == "Ann Lee"
    # The journey is there to read while it rings.
    assert agent.get(f"/api/v1/customers/{ann['id']}/journey").status_code == 200

    accepted = post_event("accepted")

    [answered] = open_list(agent)
    assert answered["id"] == entry["id"]  # the same entry, now answered
    assert answered["ringing"] is False
    assert answered["request_id"] == accepted["request_id"] is not None


def test_a_ring_that_ends_unanswered_leaves_no_entry(agent, post_event, count):
    post_event("offered")
    assert len(open_list(agent)) == 1
    ended = post_event("ended")
    assert ended["state"] == "ended"
    assert open_list(agent) == [] and agent.get("/api/v1/me/recent").json == []
    assert count(OpenEntry) == 0


def test_an_answer_elsewhere_stops_the_ring_at_everyone_else(agent, agent2, post_event):
    post_event("offered", agent_id="alice")
    post_event("offered", agent_id="bob")
    post_event("accepted", agent_id="bob")
    assert open_list(agent) == []
    [entry] = open_list(agent2)
    assert entry["ringing"] is False


def test_one_agents_ring_ending_does_not_end_the_contact_another_answered(
        agent, agent2, post_event):
    post_event("offered", agent_id="alice")
    post_event("accepted", agent_id="alice")
    post_event("offered", agent_id="bob")  # e.g. a transfer rings at Bob, who never answers
    assert open_list(agent2)[0]["ringing"] is True

    still = post_event("ended", agent_id="bob")

    assert still["state"] == "active" and still["agent_id"] == "alice"
    assert open_list(agent2) == []
    assert open_list(agent)[0]["ringing"] is False
    assert post_event("ended", agent_id="alice")["state"] == "ended"


def test_offered_without_an_agent_rings_nowhere(agent, post_event):
    post_event("offered", agent_id=None)
    assert open_list(agent) == []


def test_a_replayed_offer_rings_once(agent, connector):
    from tests.conftest import event

    body = event("offered")
    assert connector.post(URL, json=body).status_code == 201
    assert connector.post(URL, json={**body, "event_id": "again"}).status_code == 201
    assert len(open_list(agent)) == 1


@pytest.mark.parametrize(("caller", "shown"), [
    ("+1 (415) 555-0199", "+1 415-555-0199"),
    ("4155550123", "+1 415-555-0123"),
    ("Lena.Berg@Example.net", "lena.berg@example.net"),
    ("sip:+4722334455@pbx.example.com", "+47 22 33 44 55"),
    ("anonymous", "anonymous"),
])
def test_unknown_callers_show_their_address(agent, post_event, caller, shown):
    post_event("accepted", **{"from": caller})
    [entry] = open_list(agent)
    assert entry["customer"] is None
    assert entry["activity"]["from"] == caller
    assert entry["activity"]["caller"] == shown


def test_two_unknown_callers_never_look_the_same(agent, post_event):
    post_event("accepted", contact_id="call-1", **{"from": "+1 415 555 0111"})
    post_event("accepted", contact_id="call-2", **{"from": "+1 415 555 0122"})
    post_event("accepted", contact_id="call-3", **{"from": None})
    post_event("accepted", contact_id="call-4", **{"from": None})
    entries = open_list(agent)
    looks = {(e["activity"]["caller"], e["activity"]["contact_id"]) for e in entries}
    assert len(looks) == 4
    assert {e["activity"]["caller"] for e in entries} == {
        "+1 415-555-0111", "+1 415-555-0122", None}
    # Recent keeps the address too.
    entry = entries[0]
    assert agent.post(f"/api/v1/me/open/{entry['id']}/close").status_code == 200
    [recent] = agent.get("/api/v1/me/recent").json
    assert recent["activity"]["caller"] == entry["activity"]["caller"]
