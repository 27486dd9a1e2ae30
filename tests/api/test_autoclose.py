"""An expired request is closed for every purpose, even before the sweeper closes it (R2, R4)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from context_service.models import Activity, Request, utcnow

IDLE = timedelta(seconds=432000)


@pytest.fixture
def ann(make_customer):
    return make_customer(first_name="Ann", phones=["4155550100"])


@pytest.fixture
def expire(db_connection):
    """Make a request and its activities idle for longer than the auto-close time."""

    def expire(request_id, idle=IDLE + timedelta(minutes=1)):
        when = utcnow() - idle
        db_connection.execute(sa.update(Request).where(Request.id == request_id)
                              .values(updated_at=when))
        db_connection.execute(sa.update(Activity).where(Activity.request_id == request_id)
                              .values(updated_at=when))

    return expire


def test_a_contact_after_the_deadline_starts_a_new_request(agent, ann, post_event, expire):
    first = post_event(contact_id="call-1")
    expire(first["request_id"])

    second = post_event(contact_id="call-2")

    assert second["request_id"] != first["request_id"]
    old = agent.get(f"/api/v1/requests/{first['request_id']}").json
    assert old["status"] == "closed" and old["closed_reason"] == "auto"
    journey = agent.get(f"/api/v1/customers/{ann['id']}/journey").json
    assert [[a["id"] for a in r["activities"]] for r in journey["requests"]] == [
        [second["id"]], [first["id"]]]


def test_a_contact_just_before_the_deadline_joins_the_request(ann, post_event, expire):
    first = post_event(contact_id="call-1")
    expire(first["request_id"], IDLE - timedelta(minutes=1))

    assert post_event(contact_id="call-2")["request_id"] == first["request_id"]


def test_an_offered_contact_accepted_after_the_deadline_starts_a_new_request(
        ann, post_event, expire):
    first = post_event(contact_id="call-1")
    offered = post_event("offered", contact_id="call-2")
    expire(first["request_id"])

    accepted = post_event("accepted", contact_id="call-2")

    assert accepted["id"] == offered["id"]
    assert accepted["request_id"] not in (None, first["request_id"])


def test_no_move_into_an_expired_request(agent, ann, post_event, expire):
    first = post_event(contact_id="call-1")
    other = agent.post(f"/api/v1/customers/{ann['id']}/requests", json={}).json
    second = post_event(contact_id="call-2")
    assert second["request_id"] == other["id"]
    expire(first["request_id"])

    response = agent.post(f"/api/v1/activities/{second['id']}/move",
                          json={"request_id": first["request_id"]})

    assert response.status_code == 409
    assert agent.get(f"/api/v1/activities/{second['id']}").json["request_id"] == other["id"]


def test_reopening_a_customer_skips_the_expired_request(agent, ann, post_event, expire):
    first = post_event()
    agent.post(f"/api/v1/me/open/{agent.get('/api/v1/me/open').json[0]['id']}/close")
    expire(first["request_id"])

    response = agent.post("/api/v1/me/open", json={"customer_id": ann["id"]})

    assert response.status_code == 201
    assert response.json["request_id"] is None
    assert response.json["activity_id"] == first["id"]


@pytest.mark.parametrize("change", ["tag", "note", "title", "ended"])
def test_a_late_change_does_not_revive_an_expired_request(agent, ann, post_event, expire,
                                                          change):
    activity = post_event()
    expire(activity["request_id"])
    url = f"/api/v1/activities/{activity['id']}"

    if change == "tag":
        assert agent.post(f"{url}/tags", json={"name": "vip"}).status_code == 201
    elif change == "note":
        assert agent.post(f"{url}/notes", json={"text": "late"}).status_code == 201
    elif change == "title":
        assert agent.patch(f"/api/v1/requests/{activity['request_id']}", json={"title": "Late"},
                           headers={"If-Match": "*"}).json["title"] == "Late"
    else:
        assert post_event("ended")["state"] == "ended"

    request = agent.get(f"/api/v1/requests/{activity['request_id']}").json
    assert (request["status"], request["closed_reason"]) == ("closed", "auto")


def test_no_move_out_of_an_expired_request(agent, ann, post_event, expire):
    activity = post_event()
    expire(activity["request_id"])
    response = agent.post(f"/api/v1/activities/{activity['id']}/move", json={"new_request": True})
    assert response.status_code == 409


def test_an_expired_request_can_be_reopened_on_purpose(agent, ann, post_event, expire):
    activity = post_event()
    expire(activity["request_id"])

    response = agent.patch(f"/api/v1/requests/{activity['request_id']}",
                           json={"status": "open"}, headers={"If-Match": "*"})

    assert response.status_code == 200 and response.json["status"] == "open"
    assert post_event(contact_id="call-2")["request_id"] == activity["request_id"]
