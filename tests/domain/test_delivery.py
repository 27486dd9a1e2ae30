"""Webhook delivery of chat replies (R16) to a real receiver on 127.0.0.1: signed, retried,
in order, never an attempt twice — in one process and in two gunicorn workers."""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook, WebhookVerificationError

from context_service import background, delivery, models
from tests.conftest import ADMIN_TOKEN, Api, clear_data, create_agent, event
from tests.live import LiveServer, Received, WebhookReceiver

KEYS = "/api/v1/admin/api-keys"
# Short delays, and a timeout long enough that a loaded test machine never hits it by accident.
FAST = {"WEBHOOK_RETRY_SECONDS": 0.05, "WEBHOOK_RETRY_MAX_SECONDS": 0.2,
        "WEBHOOK_TIMEOUT_SECONDS": 1.0}


@pytest.fixture
def receiver():
    server = WebhookReceiver()
    yield server
    server.stop()


def verify(secrets: dict, received: Received) -> None:
    """What a receiver does: check the signature with the Standard Webhooks reference library
    (which also checks the timestamp is recent), and the deprecated one as before."""
    headers = dict(received.headers.items())
    assert Webhook(secrets["secret"]).verify(received.body, headers) == json.loads(received.body)
    timestamp = received.headers["X-CC-Timestamp"]
    expected = hmac.new(secrets["legacy_secret"].encode(), f"{timestamp}.".encode()
                        + received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["X-CC-Signature"], f"v1={expected}")
    assert received.headers["webhook-id"] == received.message_id


def stop_jobs(app):
    background.stop(app)
    for thread in threading.enumerate():
        if thread.name == delivery.JOB:
            thread.join(5)


@pytest.fixture
def desk(committed_app, receiver):
    """Alice in a chat from a connector whose webhook is the receiver."""
    client = committed_app.test_client()
    admin = Api(client, ADMIN_TOKEN)
    alice = create_agent(admin, "alice")
    key = admin.post(KEYS, json={"name": "chat", "role": "connector"}).json
    secret = admin.put(f"{KEYS}/{key['id']}/webhook", json={"url": receiver.url}).json
    connector = Api(client, key["token"])
    chat = connector.post("/api/v1/contact-events",
                          json=event(media_type="chat", contact_id="chat-1")).json["activity"]
    yield SimpleNamespace(admin=admin, alice=alice, key_id=key["id"], secret=secret,
                          url=f"/api/v1/activities/{chat['id']}/messages", chat=chat)
    stop_jobs(committed_app)


def reply(desk, message_id, text=None):
    response = desk.alice.post(desk.url, json={"message_id": message_id,
                                               "text": text or f"Reply {message_id}"})
    assert response.status_code == 201, response.json
    return response.json


def settled(desk, timeout=20.0):
    """The chat's replies once none is pending any more."""
    deadline = time.monotonic() + timeout
    while True:
        replies = [m for m in desk.alice.get(desk.url).json if m["direction"] == "out"]
        if all(m["delivery"]["status"] != "pending" for m in replies):
            return replies
        assert time.monotonic() < deadline, replies
        time.sleep(0.05)


@pytest.mark.parametrize("app_config", [{**FAST, "START_BACKGROUND": True}])
def test_replies_arrive_signed_in_order_through_failures(committed_app, desk, receiver):
    hub = committed_app.extensions["push"]
    hub["bus"].ensure_listening()
    assert not hub["bus"].is_postgres or hub["hub"].listening.wait(5)
    sub_id, frames = hub["hub"].subscribe("someone")
    receiver.script = {"r-1": ["500", "hang", "200"], "r-2": ["drop", "302", "200"]}

    try:
        sent = [reply(desk, "r-1", "Let me check."), reply(desk, "r-2"), reply(desk, "r-3")]
        replies = settled(desk)
    finally:
        hub["hub"].unsubscribe(sub_id)
        hub["bus"].stop()

    assert [(m["message_id"], m["delivery"]["status"], m["delivery"]["attempts"])
            for m in replies] == [("r-1", "delivered", 3), ("r-2", "delivered", 3),
                                  ("r-3", "delivered", 1)]
    assert replies[0]["delivery"]["last_error"] == "The receiver did not answer in time."
    assert replies[1]["delivery"]["last_error"] == "HTTP 302"
    # In order: no reply is sent before the one before it was acknowledged.
    assert [r.message_id for r in receiver.received] == ["r-1"] * 3 + ["r-2"] * 3 + ["r-3"]
    assert {r.path for r in receiver.received} == {"/hook"}  # the redirect was not followed
    for message in sent:
        attempts = receiver.of(message["message_id"])
        assert [r.attempt for r in attempts] == list(range(1, len(attempts) + 1))
        assert len({r.body for r in attempts}) == 1  # a retry is recognisably the same
        for received in attempts:
            verify(desk.secret, received)
        assert json.loads(attempts[0].body) == {
            "id": message["message_id"], "type": "chat.message",
            "activity_id": desk.chat["id"], "source": "pbx", "contact_id": "chat-1",
            "text": message["text"], "author": "alice", "sent_at": message["sent_at"]}
    # Every reply and each change of its delivery was pushed.
    pushed = {}
    for frame, _ in frames.drain():
        if frame["type"].startswith("message."):
            pushed.setdefault(frame["message"]["message_id"], []).append(frame)
    for message in replies:
        kinds = [frame["type"] for frame in pushed[message["message_id"]]]
        assert kinds[0] == "message.added" and kinds[-1] == "message.changed"
        assert pushed[message["message_id"]][-1]["message"] == message


@pytest.mark.parametrize("app_config", [
    {**FAST, "START_BACKGROUND": True, "WEBHOOK_GIVE_UP_SECONDS": 1}])
def test_a_reply_nobody_acknowledges_fails_in_the_end(committed_app, desk, receiver):
    receiver.default = "503"
    reply(desk, "r-1")
    reply(desk, "r-2")

    replies = settled(desk)

    assert [m["delivery"]["status"] for m in replies] == ["failed", "failed"]
    first = receiver.of("r-1")
    assert replies[0]["delivery"]["attempts"] == len(first) >= 2
    assert replies[0]["delivery"]["last_error"] == "HTTP 503"
    # The chat's next reply was tried only once the first was given up.
    assert receiver.received[:len(first)] == first and receiver.of("r-2")


@pytest.mark.parametrize("app_config", [FAST])
def test_an_attempt_cut_short_is_made_again_with_the_same_id(committed_app, desk, receiver):
    sent = reply(desk, "r-1")
    engine = committed_app.extensions["database"]["engine"]
    [leased] = delivery._claim(committed_app)  # then this process dies: nothing is POSTed
    delivery.deliver_due(committed_app)
    assert receiver.received == []  # still leased: nobody else makes attempt 1 again
    with engine.begin() as conn:  # the lease runs out
        conn.execute(sa.update(models.Message).values(
            next_attempt_at=models.utcnow() - timedelta(seconds=1)))

    delivery.deliver_due(committed_app)

    [received] = receiver.received
    assert (received.message_id, received.attempt) == ("r-1", 2)
    assert received.body == leased.body
    [stored] = settled(desk)
    assert stored["delivery"]["status"] == "delivered" and stored["delivery"]["attempts"] == 2
    assert stored["message_id"] == sent["message_id"]


@pytest.mark.parametrize("app_config", [FAST])
def test_a_reply_whose_webhook_was_removed_is_kept(committed_app, desk, receiver):
    reply(desk, "r-1")
    desk.admin.delete(f"{KEYS}/{desk.key_id}/webhook")

    delivery.deliver_due(committed_app)

    [stored] = settled(desk)
    assert stored["delivery"]["status"] == "stored"
    assert receiver.received == []


@pytest.mark.live
def test_two_workers_deliver_each_attempt_once_and_in_order(database_url, engine, receiver):
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share one database only on PostgreSQL")
    clear_data(engine)
    server = LiveServer(database_url, ADMIN_TOKEN, workers=2, WEBHOOK_POLL_SECONDS=0.5,
                        **FAST).start()
    try:
        connector = server.connector_token("chat")
        alice = server.agent_token("alice")
        key_id = max(k["id"] for k in server.admin("GET", KEYS))
        secret = server.admin("PUT", f"{KEYS}/{key_id}/webhook", {"url": receiver.url})
        chats = [server.post_event(connector, media_type="chat", agent_id="alice",
                                   contact_id=f"chat-{n}")["activity"]["id"] for n in range(3)]
        # Each reply's first attempt fails, so retries run in whichever worker is free.
        order = {chat: [f"c{chat}-r{n}" for n in range(5)] for chat in chats}
        receiver.script = {message_id: ["500"] for ids in order.values() for message_id in ids}
        for n in range(5):
            for chat in chats:
                status, _, _ = server.call("POST", f"/api/v1/activities/{chat}/messages",
                                           {"message_id": order[chat][n], "text": f"{n}"},
                                           token=alice)
                assert status == 201
        deadline = time.monotonic() + 15
        while len(receiver.received) < 30 or any(
                m["delivery"]["status"] == "pending" for chat in chats
                for m in server.call("GET", f"/api/v1/activities/{chat}/messages",
                                     token=alice)[1]):
            assert time.monotonic() < deadline, len(receiver.received)
            time.sleep(0.1)
    finally:
        server.stop()
        clear_data(engine)

    received = [(r.message_id, r.attempt) for r in receiver.received]
    assert sorted(received) == sorted((message_id, attempt) for message_id in receiver.script
                                      for attempt in (1, 2))
    for ids in order.values():
        in_chat = [r.message_id for r in receiver.received if r.message_id in ids]
        assert in_chat == [message_id for message_id in ids for _ in (1, 2)]
    for r in receiver.received:
        verify(secret, r)


def test_a_tampered_delivery_fails_standard_webhooks_verification(desk, receiver):
    """The reference library tells a forged body or an old replay from the real thing."""
    desk.alice.post(desk.url, json={"text": "Your order ships today"})
    delivery.deliver_due(desk.admin.client.application)
    [received] = receiver.received
    headers = dict(received.headers.items())
    verify(desk.secret, received)
    with pytest.raises(WebhookVerificationError):
        Webhook(desk.secret["secret"]).verify(received.body.replace(b"today", b"never"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(desk.secret["secret"]).verify(received.body, {
            **headers, "webhook-timestamp": str(int(time.time()) - 3600)})
