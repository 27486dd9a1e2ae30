"""Care desktop mode over the API: agent state, offers, timeouts, room, the queue (R13-R15)."""

from datetime import timedelta
from threading import Event, Thread

import pytest
import sqlalchemy as sa

from context_service import router
from context_service.domain import routing
from context_service.extensions import db
from context_service.models import AuditEntry, Task, utcnow
from tests.conftest import ADMIN_TOKEN, Api, create_agent, create_connector, event

EVENTS = "/api/v1/contact-events"
STATE = "/api/v1/me/state"
ANN_PHONE = "+14155550100"


@pytest.fixture
def app_config():
    return {"CHAT_CAPACITY": 2, "EMAIL_CAPACITY": 2, "OFFER_TIMEOUT_SECONDS": 15}


def queue_contact(connector, contact_id, media="voice", queue="support", **fields):
    """A connector queues a contact; returns the event's answer (activity and task)."""
    body = event("queued", contact_id, media_type=media, queue=queue, agent_id=None, **fields)
    response = connector.post(EVENTS, json=body)
    assert response.status_code == 201, response.json
    return response.json


def go(agent, state, reason=None):
    body = {"state": state, **({"reason": reason} if reason else {})}
    response = agent.put(STATE, json=body)
    assert response.status_code == 200, response.json
    return response.json


def offer_of(agent):
    return agent.get(STATE).json["offer"]


def accept(agent, task_id, status=200):
    response = agent.post(f"/api/v1/tasks/{task_id}/accept")
    assert response.status_code == status, response.json
    return response.json


def expire(app, after_seconds):
    """The router job as it would run `after_seconds` from now."""
    with app.app_context():
        session = db.new_session(app)
        routing.expire_offers(session, utcnow() + timedelta(seconds=after_seconds))
        session.commit()


@pytest.fixture
def ann(make_customer):
    return make_customer(first_name="Ann", last_name="Lee", phones=[ANN_PHONE])


def test_a_queued_contact_waits_with_its_preview(connector, agent, admin, ann):
    request = admin.post(f"/api/v1/customers/{ann['id']}/requests",
                         json={"title": "Broken router"}).json
    answer = queue_contact(connector, "call-1", **{"from": ANN_PHONE})
    assert answer["task"]["status"] == "waiting"
    assert answer["activity"]["state"] == "queued"

    queue = agent.get("/api/v1/queue").json
    assert [task["id"] for task in queue] == [answer["task"]["id"]]
    task = queue[0]
    assert task["customer"]["display_name"] == "Ann Lee"
    assert task["request"]["id"] == request["id"]
    assert (task["contact"]["from"], task["contact"]["media_type"]) == (ANN_PHONE, "voice")
    assert (task["queue"], task["expires_in"]) == ("support", None)
    assert agent.get(STATE).json["state"] == "not_ready"  # nobody is Ready by default


def test_a_ready_agent_is_offered_the_task_and_accepting_makes_it_theirs(
        app, connector, agent, admin, ann):
    request = admin.post(f"/api/v1/customers/{ann['id']}/requests", json={"title": "Old"}).json
    task_id = queue_contact(connector, "call-1", **{"from": ANN_PHONE})["task"]["id"]

    state = go(agent, "ready")

    assert state["offer"]["id"] == task_id
    assert 14 < state["offer"]["expires_in"] <= 15
    assert state["offer"]["customer"]["display_name"] == "Ann Lee"
    assert state["load"]["voice"] == 1
    assert agent.get("/api/v1/queue").json == []  # offered, no longer waiting

    task = accept(agent, task_id)

    assert (task["status"], task["agent_id"], task["expires_in"]) == ("active", "alice", None)
    activity = agent.get(f"/api/v1/activities/{task['activity_id']}").json
    assert (activity["state"], activity["agent_id"]) == ("active", "alice")
    assert activity["request_id"] == request["id"]  # R2: the latest open request
    open_list = agent.get("/api/v1/me/open").json
    assert [entry["customer_id"] for entry in open_list] == [ann["id"]]
    assert [t["id"] for t in agent.get("/api/v1/me/tasks").json] == [task_id]
    assert agent.get("/api/v1/me/tasks").json[0]["open_entry_id"] == open_list[0]["id"]
    assert agent.get(STATE).json["offer"] is None
    assert accept(agent, task_id)["status"] == "active"  # a second click changes nothing


def test_an_unanswered_offer_makes_the_agent_not_ready_and_goes_to_the_next(
        app, admin, connector, agent, agent2, count):
    go(agent, "ready")
    go(agent2, "ready")
    task_id = queue_contact(connector, "call-1")["task"]["id"]
    assert offer_of(agent)["id"] == task_id  # alice has been Ready longest

    expire(app, 16)

    state = agent.get(STATE).json
    assert (state["state"], state["reason"], state["offer"]) == ("not_ready", "missed_offer", None)
    assert offer_of(agent2)["id"] == task_id
    assert agent.post(f"/api/v1/tasks/{task_id}/accept").status_code == 409
    assert accept(agent2, task_id)["agent_id"] == "bob"
    missed = admin.get("/api/v1/admin/audit?entity_type=task&actor=system:router").json
    assert [entry["action"] for entry in missed] == ["offer", "offer-missed", "offer"]
    assert count(Task, Task.status == "active") == 1


def test_an_accept_after_the_deadline_is_refused_before_the_router_runs(app, connector, agent):
    go(agent, "ready")
    task_id = queue_contact(connector, "call-1")["task"]["id"]
    with app.app_context():
        session = db.new_session(app)
        session.get(Task, task_id).offer_deadline = utcnow() - timedelta(seconds=1)
        session.commit()

    response = agent.post(f"/api/v1/tasks/{task_id}/accept")

    assert response.status_code == 409
    assert "expired" in response.json["detail"]


@pytest.mark.parametrize("app_config", [{"OFFER_TIMEOUT_SECONDS": 0.2}])
def test_the_router_job_expires_offers_by_the_clock(app, connector, agent, agent2):
    go(agent, "ready")
    task_id = queue_contact(connector, "call-1")["task"]["id"]
    assert router.run_once(app) <= 0.2  # it comes back by the deadline
    assert offer_of(agent)["id"] == task_id
    go(agent2, "ready")
    deadline = utcnow() + timedelta(seconds=2)
    while agent.get(STATE).json["state"] == "ready" and utcnow() < deadline:
        router.run_once(app)
    assert agent.get(STATE).json["reason"] == "missed_offer"
    assert offer_of(agent2)["id"] == task_id


def test_offers_go_to_the_longest_idle_agent_one_at_a_time(app, connector, agent, agent2, admin):
    carol = create_agent(admin, "carol")
    go(agent2, "ready")  # bob first
    go(agent, "ready")
    go(carol, "ready")
    first = queue_contact(connector, "call-1")["task"]["id"]
    second = queue_contact(connector, "call-2")["task"]["id"]
    assert offer_of(agent2)["id"] == first
    assert offer_of(agent)["id"] == second  # bob already holds an offer
    assert offer_of(carol) is None

    accept(agent2, first)  # bob is busy now, and no longer idle longest
    third = queue_contact(connector, "chat-3", media="chat")["task"]["id"]
    assert offer_of(carol)["id"] == third


def test_a_second_voice_task_waits_while_one_is_active(app, connector, agent):
    go(agent, "ready")
    first = queue_contact(connector, "call-1")["task"]["id"]
    accept(agent, first)
    second = queue_contact(connector, "call-2")["task"]["id"]

    assert offer_of(agent) is None
    response = agent.post(f"/api/v1/tasks/{second}/accept")
    assert response.status_code == 409
    assert "One voice task at a time" in response.json["detail"]
    chat = queue_contact(connector, "chat-1", media="chat")["task"]["id"]
    assert offer_of(agent)["id"] == chat  # other media still have room

    accept(agent, chat)
    entry = next(e for e in agent.get("/api/v1/me/open").json
                 if e["activity"]["media_type"] == "voice")
    assert agent.post(f"/api/v1/me/open/{entry['id']}/close").status_code == 200  # R8 completes it
    assert offer_of(agent)["id"] == second
    assert [t["media_type"] for t in agent.get("/api/v1/me/tasks").json] == ["chat"]


def test_chat_capacity_is_respected(app, connector, agent):
    go(agent, "ready")
    for n in range(3):
        queue_contact(connector, f"chat-{n}", media="chat")
    for _ in range(2):
        accept(agent, offer_of(agent)["id"])
    assert offer_of(agent) is None  # CHAT_CAPACITY is 2 here
    waiting = agent.get("/api/v1/queue").json
    assert [task["contact"]["contact_id"] for task in waiting] == ["chat-2"]
    assert agent.post(f"/api/v1/tasks/{waiting[0]['id']}/accept").status_code == 409
    assert agent.get(STATE).json["load"] == {"voice": 0, "chat": 2, "email": 0}


def test_an_agent_picks_a_task_from_the_queue(connector, agent, ann):
    queue_contact(connector, "mail-1", media="email", queue="billing",
                  subject="Invoice 42", body="Why was I charged twice?",
                  **{"from": "ann@example.com"})
    task = agent.get("/api/v1/queue?queue=billing&media_type=email").json[0]
    assert task["subject"] == "Invoice 42"

    taken = accept(agent, task["id"])  # Not Ready agents may pick work themselves

    assert taken["status"] == "active"
    assert agent.get("/api/v1/queue").json == []
    assert agent.get("/api/v1/me/open").json[0]["activity_id"] == task["activity_id"]


def test_a_task_offered_to_another_agent_cannot_be_taken(connector, agent, agent2):
    go(agent, "ready")
    task_id = queue_contact(connector, "call-1")["task"]["id"]
    response = agent2.post(f"/api/v1/tasks/{task_id}/accept")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"


def test_going_not_ready_hands_the_offer_to_the_next_agent(connector, agent, agent2):
    go(agent, "ready")
    go(agent2, "ready")
    task_id = queue_contact(connector, "call-1")["task"]["id"]
    assert offer_of(agent)["id"] == task_id

    state = go(agent, "not_ready", "lunch")

    assert (state["state"], state["reason"], state["offer"]) == ("not_ready", "lunch", None)
    assert offer_of(agent2)["id"] == task_id


def test_a_contact_that_ends_before_anyone_accepts_is_abandoned(connector, agent, count):
    queue_contact(connector, "call-1")
    go(agent, "ready")
    assert offer_of(agent) is not None

    response = connector.post(EVENTS, json=event("ended", "call-1", agent_id=None))

    assert response.status_code == 201
    assert response.json["task"]["status"] == "abandoned"
    assert response.json["activity"]["state"] == "ended"
    assert offer_of(agent) is None
    assert agent.get(STATE).json["state"] == "ready"  # not the agent's fault
    assert count(Task, Task.status == "abandoned") == 1
    queue_contact(connector, "call-2")
    assert offer_of(agent)["contact"]["contact_id"] == "call-2"


def test_a_queued_event_is_idempotent(connector, count):
    body = event("queued", "call-1", queue="support", agent_id=None)
    first = connector.post(EVENTS, json=body)
    replay = connector.post(EVENTS, json=body)
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json == first.json
    assert count(Task) == 1
    again = connector.post(EVENTS, json={**body, "event_id": "another"})
    assert again.status_code == 409  # the contact is queued already
    assert count(Task) == 1


@pytest.mark.parametrize("fields, field", [
    ({"queue": None}, "queue"),
    ({"agent_id": "alice"}, "agent_id"),
    ({"media_type": "video"}, "media_type"),
    ({"queue": ""}, "queue"),
])
def test_a_bad_queued_event_is_422(connector, count, fields, field):
    body = {**event("queued", "call-1", queue="support", agent_id=None), **fields}
    response = connector.post(EVENTS, json={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert count(Task) == 0


def test_only_connectors_queue_contacts(agent):
    body = event("queued", "call-1", queue="support", agent_id=None)
    assert agent.post(EVENTS, json=body).status_code == 403


def test_a_host_cannot_accept_a_contact_the_service_routes(connector):
    queue_contact(connector, "call-1")
    response = connector.post(EVENTS, json=event("accepted", "call-1"))
    assert response.status_code == 409
    assert "accepts the task" in response.json["detail"]


def test_bad_state_changes_are_422(agent):
    assert agent.put(STATE, json={"state": "busy"}).status_code == 422
    assert agent.put(STATE, json={"state": "ready", "reason": "lunch"}).status_code == 422
    assert agent.put(STATE, json={}).status_code == 422
    assert agent.get(STATE).json["state"] == "not_ready"


def test_admins_see_every_agents_state(admin, agent, agent2):
    go(agent, "ready")
    go(agent2, "not_ready", "training")
    states = {a["id"]: (a["state"], a["state_reason"]) for a in admin.get(
        "/api/v1/admin/agents").json}
    assert states == {"alice": ("ready", None), "bob": ("not_ready", "training")}
    changes = admin.get("/api/v1/admin/audit?entity_type=agent&entity_id=bob").json
    assert changes[0]["changes"]["reason"] == [None, "training"]


def test_the_state_view_offers_the_configured_reasons(agent):
    state = agent.get(STATE).json
    assert state["reasons"] == ["break", "lunch", "meeting", "training"]
    assert state["capacity"] == {"voice": 1, "chat": 2, "email": 2}


def test_routing_changes_are_audited(admin, connector, agent, count):
    go(agent, "ready")
    task_id = queue_contact(connector, "call-1")["task"]["id"]
    accept(agent, task_id)
    entries = admin.get(f"/api/v1/admin/audit?entity_type=task&entity_id={task_id}").json
    actions = [entry["action"] for entry in reversed(entries)]
    assert actions == ["queue", "offer", "accept"]
    assert count(AuditEntry, AuditEntry.entity_type == "task") == 3


def test_an_accept_that_waited_for_a_close_starts_after_it_ended(committed_app, engine):
    """The agent's close holds its row while the accept of its next call waits for it: the
    accept's time is taken once the row is its own, so the stored spans never overlap (the
    routing load test checks room from them). PostgreSQL: SQLite runs one writer at a time,
    from its first statement."""
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers exist only on PostgreSQL")
    admin = Api(committed_app.test_client(), ADMIN_TOKEN)
    alice, connector = create_agent(admin, "alice"), create_connector(admin)
    first, second = queue_contact(connector, "call-1"), queue_contact(connector, "call-2")
    taken = alice.post(f"/api/v1/tasks/{first['task']['id']}/accept")
    assert taken.status_code == 200, taken.json

    factory = committed_app.extensions["database"]["factory"]
    claiming, closed, accepted = Event(), Event(), {}

    def hold_before_claiming(_conn, _cursor, statement, *_args):
        # The accept has begun; the close takes the agent's row before the accept asks.
        if statement.lstrip().startswith("SELECT agents") and "FOR NO KEY UPDATE" in statement \
                and not claiming.is_set():
            claiming.set()
            closed.wait(10)

    def accept():
        with committed_app.app_context():
            session = factory()
            sa.event.listen(session.connection(), "before_cursor_execute", hold_before_claiming)
            task = routing.accept(session, second["task"]["id"], "alice", "alice")
            accepted["at"] = task.accepted_at
            session.commit()
            session.close()

    waiting = Thread(target=accept)
    waiting.start()
    assert claiming.wait(10)
    with committed_app.app_context():
        session = factory()
        done = routing.complete(session, first["activity"]["id"], "alice", "alice")
        closed.set()  # the accept now waits for this transaction's lock on the agent
        waiting.join(0.3)
        assert waiting.is_alive()
        ended_at = done.ended_at
        session.commit()
        session.close()
    waiting.join(10)
    assert accepted["at"] >= ended_at
