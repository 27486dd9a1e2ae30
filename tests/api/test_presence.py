"""Presence (issue 14): who is viewing which customer, pushed to every stream."""

from datetime import timedelta

from context_service.models import Presence, utcnow
from tests.push.test_stream import connect, next_frame

VIEWING = "/api/v1/me/viewing"


def viewers(api, customer_id):
    response = api.get(f"/api/v1/customers/{customer_id}/viewers")
    assert response.status_code == 200, response.json
    return [v["agent_id"] for v in response.json]


def test_agents_say_what_they_view(agent, agent2, make_customer):
    ann, bo = make_customer(first_name="Ann"), make_customer(first_name="Bo")
    shown = agent.put(VIEWING, json={"customer_id": ann["id"]})
    assert shown.status_code == 200 and [v["agent_id"] for v in shown.json] == ["alice"]
    both = agent2.put(VIEWING, json={"customer_id": ann["id"]})
    assert [v["agent_id"] for v in both.json] == ["alice", "bob"]
    # Other agents show the name, not the sign-in id.
    assert [v["name"] for v in both.json] == ["Agent alice", "Agent bob"]
    assert agent.put(VIEWING, json={"customer_id": bo["id"]}).status_code == 200
    assert viewers(agent, ann["id"]) == ["bob"] and viewers(agent, bo["id"]) == ["alice"]
    assert agent2.delete(VIEWING).status_code == 204
    assert viewers(agent, ann["id"]) == []
    assert agent2.delete(VIEWING).status_code == 204  # nothing to leave: still fine


def test_viewing_nobody_or_as_admin_is_refused(admin, agent, make_customer):
    assert agent.put(VIEWING, json={"customer_id": 999999}).status_code == 404
    assert agent.put(VIEWING, json={"customer_id": "7"}).status_code == 422
    ann = make_customer(first_name="Ann")
    assert admin.put(VIEWING, json={"customer_id": ann["id"]}).status_code == 403


def test_presence_not_said_again_within_the_ttl_is_not_shown(app, agent, make_customer):
    ann = make_customer(first_name="Ann")
    agent.put(VIEWING, json={"customer_id": ann["id"]})
    with app.app_context():
        from context_service.extensions import db

        row = db.session.get(Presence, "alice")
        row.seen_at = utcnow() - timedelta(seconds=app.config["PRESENCE_TTL_SECONDS"] + 1)
        db.session.commit()
    assert viewers(agent, ann["id"]) == []
    agent.put(VIEWING, json={"customer_id": ann["id"]})  # said again
    assert viewers(agent, ann["id"]) == ["alice"]


def test_presence_is_pushed_and_ends_when_the_stream_closes(live_server):
    alice, bob = live_server.agent_token("alice"), live_server.agent_token("bob")
    _, ann, _ = live_server.call("POST", "/api/v1/customers", {"first_name": "Ann"},
                                 token=alice)
    ws_alice, ws_bob = connect(live_server, alice), connect(live_server, bob)
    try:
        status, _, _ = live_server.call("PUT", VIEWING, {"customer_id": ann["id"]}, token=alice)
        assert status == 200
        frame = next_frame(ws_bob, "presence.changed", timeout=2)
        assert (frame["customer_id"], frame["viewers"]) == (ann["id"], ["alice"])
        ws_alice.close()
        # The stream notices the closed socket at its next wake-up (a message, a ping or
        # STREAM_RECHECK_SECONDS, 10 s by default) and clears the agent's presence.
        frame = next_frame(ws_bob, "presence.changed", timeout=15)
        assert (frame["customer_id"], frame["viewers"]) == (ann["id"], [])
        status, shown, _ = live_server.call("GET", f"/api/v1/customers/{ann['id']}/viewers",
                                            token=bob)
        assert (status, shown) == (200, [])
    finally:
        ws_bob.close()
