"""Messages (R16) as the domain stores and announces them: text that comes with a contact
event, and push frames that fit PostgreSQL's NOTIFY."""

import json

import pytest

from context_service.domain import messages as messages_domain
from context_service.errors import Conflict
from context_service.extensions import db
from context_service.models import Activity, Message


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session


def test_an_events_text_is_stored_once(session, post_event, count):
    email = session.get(Activity, post_event(media_type="email", contact_id="mail-1",
                                             customer_name="Ann Lee")["id"])

    first = messages_domain.record_contact_text(session, email, message_id="evt-1",
                                                text="Where is my parcel?", subject="Order 1234")
    again = messages_domain.record_contact_text(session, email, message_id="evt-1",
                                                text="Where is my parcel?")
    session.commit()

    assert again is None
    assert (first.direction, first.author, first.subject) == ("in", "Ann Lee", "Order 1234")
    assert count(Message) == 1


def test_calls_carry_no_text(session, post_event):
    call = session.get(Activity, post_event(media_type="voice")["id"])
    with pytest.raises(Conflict):
        messages_domain.record_contact_text(session, call, message_id="evt-1", text="Hello")


def test_a_frame_carries_the_message_as_the_api_shows_it(session, post_event, connector):
    chat = post_event(media_type="chat", contact_id="chat-1")
    shown = connector.post(f"/api/v1/activities/{chat['id']}/messages",
                           json={"message_id": "m-1", "text": "Hello"}).json

    frame = messages_domain.frame(session.get(Message, shown["id"]), "added")

    assert frame == {"type": "message.added", "id": shown["id"], "activity_id": chat["id"],
                     "message": shown}


def test_a_long_message_is_cut_to_fit_a_frame(session, post_event):
    chat = session.get(Activity, post_event(media_type="chat", contact_id="chat-1")["id"])
    text = "ø" * 100_000  # JSON writes each as \u00f8: six bytes
    message = messages_domain.record_contact_text(session, chat, message_id="m-1", text=text,
                                                  subject="s" * 2000, author="Å" * 200)

    frame = messages_domain.frame(message, "changed")

    assert len(json.dumps(frame)) <= messages_domain.FRAME_MAX
    assert frame["truncated"] is True
    assert text.startswith(frame["message"]["text"]) and len(frame["message"]["text"]) > 100
    assert frame["message"]["author"] == "Å" * 200
