"""Chat and email messages (R16): customers' messages from connectors, agents' chat replies."""

import pytest

from context_service.models import AuditEntry, Message
from tests.api.test_concurrency import in_parallel
from tests.conftest import ADMIN_TOKEN, Api, create_agent, event

KEYS = "/api/v1/admin/api-keys"


def url(activity):
    return f"/api/v1/activities/{activity['id']}/messages"


def said(message_id="m-1", text="Hello, my parcel is late.", **fields):
    return {"message_id": message_id, "text": text, **fields}


@pytest.fixture
def chat(agent, post_event):
    """A chat the connector reported and alice accepted."""
    return post_event(media_type="chat", contact_id="chat-1", customer_name="Ann Lee")


@pytest.fixture
def other_connector(admin):
    token = admin.post(KEYS, json={"name": "other-pbx", "role": "connector"}).json["token"]
    return Api(admin.client, token)


def test_a_customer_message_is_201_then_200_unchanged_then_409(connector, chat, count):
    first = connector.post(url(chat), json=said(sent_at="2026-11-22T09:00:00+01:00"))
    assert first.status_code == 201
    assert first.json == {
        "id": first.json["id"], "message_id": "m-1", "activity_id": chat["id"],
        "direction": "in", "author": "Ann Lee", "subject": None,
        "text": "Hello, my parcel is late.", "sent_at": "2026-11-22T08:00:00+00:00",
        "delivery": None,
    }
    before = count(Message), count(AuditEntry)

    replay = connector.post(url(chat), json=said(sent_at="2026-11-22T09:00:00+01:00"))

    assert replay.status_code == 200
    assert replay.json == first.json
    assert (count(Message), count(AuditEntry)) == before
    changed = connector.post(url(chat), json=said(text="Something else"))
    assert changed.status_code == 409
    assert changed.mimetype == "application/problem+json"
    assert count(Message) == 1


def test_an_email_keeps_its_subject_and_author(connector, post_event):
    email = post_event(media_type="email", contact_id="mail-1", **{"from": "ann@example.com"})

    response = connector.post(url(email), json=said(subject="Order 1234", author="Ann L."))

    assert response.status_code == 201
    assert (response.json["subject"], response.json["author"]) == ("Order 1234", "Ann L.")


def test_calls_have_no_messages(connector, post_event):
    call = post_event(media_type="voice")

    response = connector.post(url(call), json=said())

    assert response.status_code == 409
    assert "only chats and emails" in response.json["detail"]


def test_a_connector_reaches_only_the_contacts_it_reported(admin, connector, other_connector,
                                                           chat):
    assert other_connector.post(url(chat), json=said()).status_code == 403
    assert other_connector.get(url(chat)).status_code == 403
    assert connector.post(url({"id": 999999}), json=said()).status_code == 404
    # The admin may post for any contact; the reporting connector sees it.
    assert admin.post(url(chat), json=said("m-admin")).status_code == 201
    listed = connector.get(url(chat))
    assert listed.status_code == 200
    assert [m["message_id"] for m in listed.json] == ["m-admin"]


@pytest.mark.parametrize("body, field", [
    ({"message_id": "m-1"}, "text"),
    (said(text=""), "text"),
    (said(text="x" * 100_001), "text"),
    ({"text": "No id"}, "message_id"),
    (said(message_id=""), "message_id"),
    (said(message_id="m" * 251), "message_id"),
    (said(subject="s" * 2001), "subject"),
    (said(author=""), "author"),
    (said(sent_at="2026-11-22T09:00:00"), "sent_at"),
    (said(text=42), "text"),
    (said(html="<b>hi</b>"), "html"),
])
def test_customer_messages_are_checked(connector, chat, body, field, count):
    response = connector.post(url(chat), json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert count(Message) == 0


def test_the_transcript_is_oldest_first(admin, connector, agent, chat):
    connector.post(url(chat), json=said("m-2", "Second", sent_at="2026-11-22T09:05:00Z"))
    connector.post(url(chat), json=said("m-1", "First", sent_at="2026-11-22T09:00:00Z"))
    agent.post(url(chat), json={"text": "Let me check."})

    for reader in (agent, admin, connector):
        listed = reader.get(url(chat))
        assert listed.status_code == 200
        assert [m["text"] for m in listed.json] == ["First", "Second", "Let me check."]


def test_the_agent_replies_to_its_chat(agent, chat):
    response = agent.post(url(chat), json={"text": "Let me check."})

    assert response.status_code == 201
    reply = response.json
    assert (reply["direction"], reply["author"], reply["text"]) == ("out", "alice",
                                                                    "Let me check.")
    # The connector has no webhook: the reply waits for it to GET.
    assert reply["delivery"] == {"status": "stored", "attempts": 0, "delivered_at": None,
                                 "last_error": None}
    again = agent.post(url(chat), json={"text": "Let me check."})
    assert again.status_code == 201  # no id given: each post is a new reply
    assert again.json["message_id"] != reply["message_id"]


def test_a_reply_with_its_own_id_is_sent_once(agent, chat, post_event, count):
    first = agent.post(url(chat), json={"message_id": "gadget-1", "text": "On its way."})
    assert first.status_code == 201
    # The chat ends before the gadget's retry arrives: the retry still gets its answer.
    post_event("ended", contact_id="chat-1", media_type="chat")

    retry = agent.post(url(chat), json={"message_id": "gadget-1", "text": "On its way."})

    assert retry.status_code == 200
    assert retry.json == first.json
    other = agent.post(url(chat), json={"message_id": "gadget-1", "text": "Other words"})
    assert other.status_code == 409
    assert count(Message) == 1


def test_only_the_handling_agent_replies(agent2, chat):
    response = agent2.post(url(chat), json={"text": "Hi, Bob here."})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_no_reply_after_the_chat_ended(agent, chat, post_event):
    post_event("ended", contact_id="chat-1", media_type="chat")

    response = agent.post(url(chat), json={"text": "Still there?"})

    assert response.status_code == 409
    assert response.json["detail"] == "The chat has ended."


def test_emails_and_calls_are_not_answered_here(agent, post_event):
    email = post_event(media_type="email", contact_id="mail-1")
    call = post_event(media_type="voice", contact_id="call-1")

    response = agent.post(url(email), json={"text": "Dear Ann"})

    assert response.status_code == 409
    assert "email system" in response.json["detail"]
    assert agent.post(url(call), json={"text": "Hello"}).status_code == 409


@pytest.mark.parametrize("body, field", [
    ({"text": "Hi", "subject": "Re: order"}, "subject"),
    ({"text": "Hi", "sent_at": "2026-11-22T09:00:00Z"}, "sent_at"),
    ({"text": "Hi", "message_id": "has space"}, "message_id"),
    ({"text": "Hi", "message_id": "naïve"}, "message_id"),
    ({"text": ""}, "text"),
])
def test_a_reply_is_text_and_an_optional_id(agent, chat, body, field):
    response = agent.post(url(chat), json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_a_reply_waits_for_the_connectors_webhook(admin, agent, chat):
    key_id = admin.get(KEYS).json[0]["id"]
    admin.put(f"{KEYS}/{key_id}/webhook", json={"url": "http://127.0.0.1:9/hook"})

    reply = agent.post(url(chat), json={"text": "Let me check."}).json

    assert reply["delivery"]["status"] == "pending"
    assert agent.get(url(chat)).json[0]["delivery"]["status"] == "pending"


def test_the_audit_trail_names_messages_not_their_text(admin, connector, agent, chat):
    connector.post(url(chat), json=said("m-1", "My card number is 4111"))
    reply = agent.post(url(chat), json={"text": "Thanks, noted"}).json

    audit = admin.get(f"/api/v1/admin/audit?entity_type=activity&entity_id={chat['id']}")

    entries = [(e["action"], e["changes"]) for e in audit.json][:2]
    assert entries == [("reply", {"message_id": reply["message_id"]}),
                       ("message", {"message_id": "m-1"})]
    assert "4111" not in audit.get_data(as_text=True)
    assert "noted" not in audit.get_data(as_text=True)


def test_a_long_message_is_kept_whole(connector, chat):
    text = "é" * 100_000  # far beyond what one push frame carries

    response = connector.post(url(chat), json=said(text=text))

    assert response.status_code == 201
    assert connector.get(url(chat)).json[0]["text"] == text


def test_duplicates_posted_at_once_are_stored_once(committed_app):
    client = committed_app.test_client()
    admin = Api(client, ADMIN_TOKEN)
    create_agent(admin, "alice")
    connector = Api(client, admin.post(KEYS, json={"name": "pbx", "role": "connector"})
                    .json["token"])
    chat = connector.post("/api/v1/contact-events", json=event(media_type="chat")).json
    alice_token = admin.post("/api/v1/admin/agents/alice/tokens").json["token"]
    posts = [(connector.token, said())] * 6 + [(alice_token, {"message_id": "gadget-1",
                                                               "text": "On its way."})] * 6

    def send(post):
        token, body = post
        return Api(committed_app.test_client(), token).post(url(chat["activity"]), json=body)

    answers = in_parallel(8, send, posts)

    assert sorted(a.status_code for a in answers) == [200] * 10 + [201] * 2
    assert len({a.json["id"] for a in answers}) == 2
    assert len(admin.get(url(chat["activity"])).json) == 2


def test_a_message_on_a_closed_chat_brings_it_back_to_open(agent, connector, chat):
    """Issue 12: the agent closed the chat too early; the customer's next message is seen."""
    [entry] = agent.get("/api/v1/me/open").json
    assert agent.post(f"/api/v1/me/open/{entry['id']}/close").status_code == 200
    assert agent.get("/api/v1/me/open").json == []

    assert connector.post(url(chat), json=said()).status_code == 201

    [back] = agent.get("/api/v1/me/open").json
    assert (back["activity_id"], back["customer_id"]) == (chat["id"], chat["customer_id"])
    assert back["id"] != entry["id"]
    # Only once: a second message finds it open.
    assert connector.post(url(chat), json=said("m-2", "Still there?")).status_code == 201
    assert len(agent.get("/api/v1/me/open").json) == 1

