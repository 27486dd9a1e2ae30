"""What is published, and when: only committed changes, bulk ones included."""

import queue
import time
from datetime import timedelta

import pytest
import sqlalchemy.exc as sa_exc

from context_service import push
from context_service.domain import requests as requests_domain
from context_service.extensions import db
from context_service.models import Agent, utcnow
from tests.conftest import ADMIN_TOKEN, create_agent, event
from tests.conftest import Api as ApiClient


@pytest.fixture
def inbox(committed_app):
    push = committed_app.extensions["push"]
    push["bus"].ensure_listening()
    if push["bus"].is_postgres:
        assert push["hub"].listening.wait(5)
    sub_id, messages = push["hub"].subscribe("alice")
    yield messages
    push["hub"].unsubscribe(sub_id)
    push["bus"].stop()


def frames(messages, kind, timeout=2.0):
    """All frames of this type that arrive within `timeout` seconds."""
    found, deadline = [], time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = messages.get(timeout=left)
        except queue.Empty:
            break
        if message["type"] == kind:
            found.append(message)
    return found


def test_auto_close_is_pushed(committed_app, inbox):
    admin = ApiClient(committed_app.test_client(), ADMIN_TOKEN)
    customer = admin.post("/api/v1/customers", json={"first_name": "Ann"}).json
    request = admin.post(f"/api/v1/customers/{customer['id']}/requests", json={}).json
    frames(inbox, "request.changed", timeout=0.5)  # the creation itself
    with committed_app.app_context():
        later = utcnow() + timedelta(seconds=committed_app.config["REQUEST_AUTOCLOSE_SECONDS"] + 1)
        assert requests_domain.close_stale(db.session, later) == 1
        db.session.commit()
    [frame] = frames(inbox, "request.changed")
    assert (frame["id"], frame["version"], frame["changed_by"]) == (
        request["id"], request["version"] + 1, "system:auto-close")


def test_an_identified_caller_updates_the_open_entry(committed_app, inbox):
    client = committed_app.test_client()
    alice = create_agent(ApiClient(client, ADMIN_TOKEN), "alice")
    activity = alice.post("/api/v1/contact-events", json=event()).json["activity"]
    [added] = frames(inbox, "open.added", timeout=1.0)
    customer = alice.post("/api/v1/customers", json={"first_name": "Ann",
                                                     "from_activity_id": activity["id"]}).json
    [changed] = frames(inbox, "open.changed")
    assert changed["id"] == added["id"] and changed["agent_id"] == "alice"
    assert customer["id"]


def test_a_refused_change_publishes_nothing(committed_app, inbox):
    admin = ApiClient(committed_app.test_client(), ADMIN_TOKEN)
    customer = admin.post("/api/v1/customers", json={"first_name": "Ann"}).json
    frames(inbox, "customer.changed", timeout=0.5)
    response = admin.patch(f"/api/v1/customers/{customer['id']}", json={"first_name": "Bo"},
                           headers={"If-Match": '"99"'})
    assert response.status_code == 412
    assert frames(inbox, "customer.changed", timeout=0.5) == []


def test_a_failed_savepoint_keeps_what_the_transaction_announced_before(committed_app, inbox):
    """A duplicate caught in a savepoint (idempotent inserts do that) drops only its own news."""
    with committed_app.app_context():
        session = db.new_session(committed_app)
        push.emit(session, {"type": "queue.changed", "id": 0})
        session.add(Agent(id="dup", name="Dup"))
        session.flush()
        with pytest.raises(sa_exc.IntegrityError), session.begin_nested():
            push.emit(session, {"type": "customer.changed", "id": 99})
            session.add(Agent(id="dup", name="Dup again"))
        session.commit()
    assert frames(inbox, "queue.changed") != []
    assert frames(inbox, "customer.changed", timeout=0.3) == []


def test_nothing_goes_out_when_a_savepoint_is_released(committed_app, inbox):
    """SQLAlchemy runs its commit hooks for savepoints too; only the real commit publishes."""
    with committed_app.app_context():
        session = db.new_session(committed_app)
        push.emit(session, {"type": "queue.changed", "id": 0})
        with session.begin_nested():
            session.add(Agent(id="saved", name="Saved"))
        assert frames(inbox, "queue.changed", timeout=0.3) == []
        session.commit()
    assert frames(inbox, "queue.changed") != []
