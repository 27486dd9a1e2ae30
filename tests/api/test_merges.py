"""Merging duplicate customers and undoing it (issue 14)."""

from datetime import timedelta

import pytest

from context_service.models import CustomerMerge, utcnow
from tests.conftest import ADMIN_TOKEN, create_agent, event
from tests.conftest import Api as ApiClient

URL = "/api/v1/customers"


def merge(api, survivor, other, fields=None, if_match=None, other_version=None):
    return api.post(f"{URL}/{survivor['id']}/merge", json={
        "other_id": other["id"],
        "other_version": other_version or other["version"],
        **({"fields": fields} if fields is not None else {}),
    }, headers={"If-Match": if_match or f'"{survivor["version"]}"'})


@pytest.fixture
def pair(make_customer, post_event):
    """Ann (survivor, one call) and her duplicate Anna (another phone, one call, later)."""
    ann = make_customer(first_name="Ann", last_name="Lee", phones=["+1 415 555 0100"],
                        emails=["ann@example.com"], extra={"tier": "gold"})
    anna = make_customer(first_name="Anna", last_name="Lee", city="Oslo",
                         phones=["+1 415 555 0199"], emails=["ANN@example.com"],
                         extra={"tier": "silver", "pet": "cat"})
    first = post_event(contact_id="c1", **{"from": "+1 415 555 0100"})
    second = post_event(contact_id="c2", **{"from": "+1 415 555 0199"})
    return ann, anna, first, second


def test_merge_moves_everything_to_the_survivor(agent, pair):
    ann, anna, first, second = pair
    response = merge(agent, ann, anna, {"first_name": "other", "extra": "survivor"})

    assert response.status_code == 201, response.json
    body = response.json
    customer = body["customer"]
    assert response.headers["ETag"] == f'"{customer["version"]}"'
    assert customer["version"] == ann["version"] + 1
    assert customer["first_name"] == "Anna"        # chosen: the other's
    assert customer["city"] == "Oslo"              # survivor had none
    assert customer["extra"] == {"tier": "gold", "pet": "cat"}
    assert customer["phones"] == ["+14155550100", "+14155550199"]
    assert customer["emails"] == ["ann@example.com"]  # the same address once
    assert body["moved"] == {"requests": 1, "activities": 1, "open_entries": 1,
                             "candidate_lists": 0, "contact_points": 1}
    assert body["merged"]["first_name"] == "Anna" and body["merged_id"] == anna["id"]

    gone = agent.get(f"{URL}/{anna['id']}")
    assert gone.status_code == 404
    assert gone.json["merged_into"] == ann["id"] and gone.json["merge_id"] == body["id"]

    journey = agent.get(f"{URL}/{ann['id']}/journey").json
    activities = [a["id"] for r in journey["requests"] for a in r["activities"]]
    assert activities == [second["id"], first["id"]]  # newest first, both customers'
    entries = agent.get("/api/v1/me/open").json
    assert [e["customer_id"] for e in entries] == [ann["id"], ann["id"]]
    assert agent.get(f"/api/v1/activities/{second['id']}").json["customer_id"] == ann["id"]
    # Found by the duplicate's phone now.
    assert [c["id"] for c in agent.get(URL, query_string={"q": "4155550199"}).json] == [ann["id"]]


def test_merge_is_audited_with_what_undo_needs(admin, agent, pair):
    ann, anna, *_ = pair
    merge_id = merge(agent, ann, anna).json["id"]
    [entry] = admin.get("/api/v1/admin/audit", query_string={
        "entity_type": "customer", "entity_id": str(ann["id"])}).json[:1]
    assert entry["action"] == "merge" and entry["actor"] == "alice"
    assert entry["changes"]["merge_id"] == merge_id
    assert entry["changes"]["merged"]["first_name"] == "Anna"
    assert entry["changes"]["moved"]["request_ids"]


def test_undo_puts_everything_back(agent, pair):
    ann, anna, first, second = pair
    body = merge(agent, ann, anna, {"first_name": "other"}).json

    response = agent.post(f"{URL}/merges/{body['id']}/undo")

    assert response.status_code == 200, response.json
    restored, survivor = response.json["restored"], response.json["customer"]
    assert response.json["undone_by"] == "alice"
    assert restored["id"] == anna["id"] and restored["first_name"] == "Anna"
    assert restored["phones"] == ["+14155550199"] and restored["city"] == "Oslo"
    assert restored["extra"] == {"tier": "silver", "pet": "cat"}
    assert survivor["first_name"] == "Ann" and survivor["city"] is None
    assert survivor["phones"] == ["+14155550100"]
    assert agent.get(f"/api/v1/activities/{second['id']}").json["customer_id"] == anna["id"]
    assert agent.get(f"/api/v1/activities/{first['id']}").json["customer_id"] == ann["id"]
    journey = agent.get(f"{URL}/{anna['id']}/journey").json
    assert [a["id"] for r in journey["requests"] for a in r["activities"]] == [second["id"]]
    entries = agent.get("/api/v1/me/open").json
    assert {e["activity_id"]: e["customer_id"] for e in entries} == {
        first["id"]: ann["id"], second["id"]: anna["id"]}
    # Once only.
    again = agent.post(f"{URL}/merges/{body['id']}/undo")
    assert again.status_code == 409 and "already undone" in again.json["detail"]


def test_undo_is_refused_after_a_later_edit_of_the_survivor(agent, pair):
    ann, anna, *_ = pair
    body = merge(agent, ann, anna).json
    edited = agent.patch(f"{URL}/{ann['id']}", json={"city": "Bergen"},
                         headers={"If-Match": f'"{body["customer"]["version"]}"'})
    assert edited.status_code == 200

    response = agent.post(f"{URL}/merges/{body['id']}/undo")

    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert f"Customer {ann['id']} was changed after the merge" in response.json["detail"]
    assert agent.get(f"{URL}/{anna['id']}").status_code == 404  # nothing half-done


def test_undo_is_refused_when_a_later_contact_joined_a_moved_request(agent, pair, post_event):
    ann, anna, *_ = pair
    body = merge(agent, ann, anna).json
    # A new call from the duplicate's number joins the survivor's latest open request,
    # which is the one that came from the duplicate.
    later = post_event(contact_id="c3", **{"from": "+1 415 555 0199"})
    assert later["customer_id"] == ann["id"]

    response = agent.post(f"{URL}/merges/{body['id']}/undo")

    assert response.status_code == 409
    assert f"Activity {later['id']} joined a moved request" in response.json["detail"]


def test_undo_is_refused_after_a_moved_activity_moved_on(agent, pair):
    ann, anna, first, second = pair
    body = merge(agent, ann, anna).json
    moved = agent.post(f"/api/v1/activities/{second['id']}/move", json={"new_request": True},
                       headers={"If-Match": "*"})
    assert moved.status_code == 200, moved.json

    response = agent.post(f"{URL}/merges/{body['id']}/undo")

    assert response.status_code == 409
    assert "moved or erased since the merge" in response.json["detail"]


def test_undo_is_refused_past_the_window(app, agent, pair):
    ann, anna, *_ = pair
    body = merge(agent, ann, anna).json
    with app.app_context():
        from context_service.extensions import db

        row = db.session.get(CustomerMerge, body["id"])
        row.merged_at = utcnow() - timedelta(seconds=app.config["MERGE_UNDO_SECONDS"] + 1)
        db.session.commit()

    response = agent.post(f"{URL}/merges/{body['id']}/undo")

    assert response.status_code == 409
    assert "MERGE_UNDO_SECONDS" in response.json["detail"]


def test_both_versions_are_checked(agent, pair):
    ann, anna, *_ = pair
    stale_survivor = merge(agent, ann, anna, if_match='"99"')
    assert stale_survivor.status_code == 412
    assert stale_survivor.json["current"]["id"] == ann["id"]
    stale_other = merge(agent, ann, anna, other_version=anna["version"] + 1)
    assert stale_other.status_code == 412
    assert stale_other.json["current"]["id"] == anna["id"]
    missing = agent.post(f"{URL}/{ann['id']}/merge",
                         json={"other_id": anna["id"], "other_version": 1})
    assert missing.status_code == 428
    nobody = agent.post(f"{URL}/{ann['id']}/merge", json={"other_id": 999999,
                                                          "other_version": 1})
    assert nobody.status_code == 428  # the header is asked for before the body is read
    assert agent.get(f"{URL}/{anna['id']}").status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"other_version": 1}, "other_id"),
    ({"other_id": 1}, "other_version"),
    ({"other_id": 1, "other_version": 1, "fields": {"first_name": "mine"}}, "fields"),
    ({"other_id": 1, "other_version": 1, "fields": {"emails": "other"}}, "fields"),
])
def test_bad_merge_bodies_are_422(agent, pair, body, field):
    ann, *_ = pair
    response = agent.post(f"{URL}/{ann['id']}/merge", json=body, headers={"If-Match": "*"})
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_merging_into_itself_or_nobody_is_422(agent, pair):
    ann, *_ = pair
    itself = merge(agent, ann, ann)
    assert itself.status_code == 422 and "other_id" in itself.json["errors"]
    nobody = merge(agent, ann, {"id": 999999, "version": 1})
    assert nobody.status_code == 422 and "other_id" in nobody.json["errors"]


def test_candidate_lists_name_the_survivor(agent, make_customer, post_event):
    one = make_customer(first_name="One", phones=["+1 212 555 0101"])
    two = make_customer(first_name="Two", phones=["+1 212 555 0101"])
    three = make_customer(first_name="Three", phones=["+1 212 555 0199"])
    unknown = post_event(contact_id="shared", **{"from": "+1 212 555 0101"})
    assert sorted(unknown["candidate_ids"]) == sorted([one["id"], two["id"]])

    body = merge(agent, three, two).json
    assert body["moved"]["candidate_lists"] == 1
    shown = agent.get(f"/api/v1/activities/{unknown['id']}").json
    assert sorted(shown["candidate_ids"]) == sorted([one["id"], three["id"]])

    agent.post(f"{URL}/merges/{body['id']}/undo")
    shown = agent.get(f"/api/v1/activities/{unknown['id']}").json
    assert sorted(shown["candidate_ids"]) == sorted([one["id"], two["id"]])


def test_connectors_may_not_merge(connector, pair):
    ann, anna, *_ = pair
    assert merge(connector, ann, anna).status_code == 403


def test_erasing_the_survivor_erases_the_merge(admin, agent, pair):
    ann, anna, *_ = pair
    body = merge(agent, ann, anna).json
    assert admin.delete(f"{URL}/{ann['id']}").status_code == 204

    assert agent.get(f"{URL}/merges/{body['id']}").status_code == 404
    entries = admin.get("/api/v1/admin/audit", query_string={
        "entity_type": "customer", "entity_id": str(anna["id"])}).json
    assert entries and all(e["changes"] == {} for e in entries)


def test_merge_is_pushed_to_every_stream(committed_app):
    push = committed_app.extensions["push"]
    push["bus"].ensure_listening()
    if push["bus"].is_postgres:
        assert push["hub"].listening.wait(5)
    sub_id, inbox = push["hub"].subscribe("bob")  # not the agent who merges
    try:
        client = committed_app.test_client()
        alice = create_agent(ApiClient(client, ADMIN_TOKEN), "alice")
        ann = alice.post(URL, json={"first_name": "Ann"}).json
        anna = alice.post(URL, json={"first_name": "Anna"}).json
        assert alice.post("/api/v1/contact-events", json=event(
            agent_id="alice")).status_code in (200, 201)
        body = merge(alice, ann, anna).json
        seen = []
        import queue
        import time

        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                seen.append(inbox.get(timeout=0.2))
            except queue.Empty:
                if any(m["type"] == "customer.merged" for m in seen):
                    break
        merged = [m for m in seen if m["type"] == "customer.merged"]
        assert merged == [{"type": "customer.merged", "id": anna["id"], "into": ann["id"],
                           "merge_id": body["id"], "version": body["customer"]["version"],
                           "changed_by": "alice"}]
        assert not [m for m in seen if m["type"] == "customer.changed"
                    and m["id"] == anna["id"] and m["action"] == "erase"]
    finally:
        push["hub"].unsubscribe(sub_id)
        push["bus"].stop()
