"""Export shows everything stored about a customer; erasure leaves none of it anywhere
(R18, issue 9): messages, replies, tasks, other contacts' candidate lists, unknown
contacts from their own address, stored event answers, search keys, audit details."""

import json

import pytest
import sqlalchemy as sa

from context_service.models import Base
from tests.conftest import event

EVENTS = "/api/v1/contact-events"
SECRETS = ["Ann", "Lindqvist", "ann.lindqvist@example.org", "4155550177", "555-0177",
           "My card ends in 4242", "Your card is blocked", "Refund for order 991",
           "Called about the refund", "vip-lindqvist", "Parcel never arrived"]


@pytest.fixture
def ann(admin, make_customer, agent, connector):
    """A customer with a call, a chat with replies, an email, a routed task, notes, tags."""
    customer = make_customer(first_name="Ann", last_name="Lindqvist",
                             emails=["ann.lindqvist@example.org"], phones=["+1 415 555 0177"])
    call = connector.post(EVENTS, json=event(contact_id="call-1", **{
        "from": "+1 415 555 0177"})).json["activity"]
    agent.post(f"/api/v1/activities/{call['id']}/notes", json={"text": "Called about the refund"})
    agent.post(f"/api/v1/activities/{call['id']}/tags", json={"name": "vip-lindqvist"})
    admin.patch(f"/api/v1/requests/{call['request_id']}", json={"title": "Refund for order 991"},
                headers={"If-Match": "*"})
    chat = connector.post(EVENTS, json=event(contact_id="chat-1", media_type="chat", **{
        "from": "ann.lindqvist@example.org"}, body="My card ends in 4242")).json["activity"]
    agent.post(f"/api/v1/activities/{chat['id']}/messages", json={"text": "Your card is blocked"})
    agent.put("/api/v1/me/state", json={"state": "ready"})
    queued = connector.post(EVENTS, json=event(
        "queued", "mail-1", media_type="email", agent_id=None, queue="support",
        subject="Parcel never arrived", body="Hello, order 991?",
        **{"from": "ann.lindqvist@example.org"})).json
    agent.post(f"/api/v1/tasks/{queued['task']['id']}/accept")
    return customer, call, chat, queued


def test_the_export_has_messages_replies_tasks_tags_notes_and_audit(admin, ann):
    customer, call, chat, queued = ann
    export = admin.get(f"/api/v1/customers/{customer['id']}/export").json
    activities = {a["id"]: a for r in export["requests"] for a in r["activities"]}
    assert set(activities) == {call["id"], chat["id"], queued["activity"]["id"]}
    assert [n["text"] for n in activities[call["id"]]["notes"]] == ["Called about the refund"]
    assert [t["name"] for t in activities[call["id"]]["tags"]] == ["vip-lindqvist"]
    transcript = [(m["direction"], m["text"]) for m in activities[chat["id"]]["messages"]]
    assert transcript == [("in", "My card ends in 4242"), ("out", "Your card is blocked")]
    email = activities[queued["activity"]["id"]]
    assert email["messages"][0]["subject"] == "Parcel never arrived"
    assert email["task"]["status"] == "active" and email["task"]["queue"] == "support"
    assert {e["entity_type"] for e in export["audit"]} >= {"customer", "request", "activity",
                                                           "task"}
    assert any(r["title"] == "Refund for order 991" for r in export["requests"])


def everything(db_connection) -> str:
    """Every row of every table, as text."""
    rows = []
    for table in Base.metadata.sorted_tables:
        rows += [json.dumps(list(row), default=str, ensure_ascii=False)
                 for row in db_connection.execute(sa.select(table))]
    return "\n".join(rows)


def test_erasure_leaves_no_personal_data_anywhere(admin, ann, connector, make_customer,
                                                  db_connection):
    customer, call, _chat, _queued = ann
    # A shared address: a contact that could be Ann or Bo keeps Bo, loses Ann.
    bo = make_customer(first_name="Bo", phones=["+1 212 555 0199"], emails=["shared@example.org"])
    admin.patch(f"/api/v1/customers/{customer['id']}", json={
        "emails": ["ann.lindqvist@example.org", "shared@example.org"]}, headers={"If-Match": "*"})
    both = connector.post(EVENTS, json=event(contact_id="mail-2", media_type="email", **{
        "from": "shared@example.org"})).json["activity"]
    assert sorted(both["candidate_ids"]) == sorted([customer["id"], bo["id"]])
    # Ann called before she was a customer... from her own number: hers alone.
    own = connector.post(EVENTS, json=event(contact_id="call-0", **{
        "from": "+14155550177", "agent_id": "alice"}))
    assert own.status_code == 201
    before = everything(db_connection)
    assert all(secret in before for secret in SECRETS[:3])

    assert admin.delete(f"/api/v1/customers/{customer['id']}").status_code == 204

    after = everything(db_connection)
    for secret in SECRETS:
        assert secret not in after, secret
    left = admin.get(f"/api/v1/activities/{both['id']}").json
    assert left["candidate_ids"] == [bo["id"]]
    replay = connector.post(EVENTS, json=event(contact_id="call-1", **{
        "from": "+1 415 555 0177", "event_id": "evt-replayed"}))
    assert replay.status_code in (201, 409)  # a new contact, or refused: never the old data
    assert admin.get(f"/api/v1/customers/{bo['id']}").status_code == 200


def test_a_replayed_event_of_an_erased_contact_says_erased(admin, connector, make_customer):
    ann = make_customer(first_name="Ann", phones=["+1 415 555 0177"])
    body = event(contact_id="call-9", **{"from": "+1 415 555 0177"})
    assert connector.post(EVENTS, json=body).status_code == 201
    admin.delete(f"/api/v1/customers/{ann['id']}")
    replay = connector.post(EVENTS, json=body)
    assert replay.status_code == 200 and replay.json == {"erased": True}
