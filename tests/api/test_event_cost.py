"""What one contact event costs the database: its SQL statements and flushes, counted.

An `accepted` call of a known customer with an open request is the commonest event. It is
one short transaction: at most 8 statements (PostgreSQL's NOTIFY of the push messages
included), one flush. The app here commits for real, as in production, so no test
savepoint adds statements; a transaction's BEGIN is not counted (psycopg sends it
without a statement of ours; SQLite's is `BEGIN IMMEDIATE`).
"""

import pytest
import sqlalchemy as sa

from context_service.models import Activity, AuditEntry, OpenEntry
from tests.conftest import ADMIN_TOKEN, Api, create_agent, create_connector, event

URL = "/api/v1/contact-events"


@pytest.fixture
def api(committed_app):
    admin = Api(committed_app.test_client(), ADMIN_TOKEN)
    create_agent(admin, "alice")
    connector = create_connector(admin)
    customer = admin.post("/api/v1/customers", json={
        "first_name": "Ann", "phones": ["+1 415 555 0100"]}).json
    return admin, connector, customer


class Counter:
    """Statements sent to the database and flushes, while `with` is open."""

    def __init__(self, app):
        self.engine = app.extensions["database"]["engine"]
        self.factory = app.extensions["database"]["factory"]
        self.statements, self.flushes = [], 0

    def _statement(self, _conn, _cursor, statement, _params, _context, _executemany):
        if not statement.lstrip().upper().startswith("BEGIN"):
            self.statements.append(" ".join(statement.split())[:160])

    def _flush(self, *_args):
        self.flushes += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._statement)
        sa.event.listen(self.factory, "after_flush", self._flush)
        return self

    def __exit__(self, *_exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._statement)
        sa.event.remove(self.factory, "after_flush", self._flush)


def test_an_accepted_call_of_a_known_customer_is_8_statements_and_one_flush(api,
                                                                          committed_app):
    admin, connector, customer = api
    first = connector.post(URL, json=event("accepted", "call-1"))
    assert first.status_code == 201, first.json  # the request it opened; the key is cached

    with Counter(committed_app) as counter:
        response = connector.post(URL, json=event("accepted", "call-2"))

    assert response.status_code == 201, response.json
    activity = response.json["activity"]
    assert activity["customer_id"] == customer["id"]
    assert activity["request_id"] == first.json["activity"]["request_id"]  # R2
    assert len(counter.statements) <= 8, "\n".join(counter.statements)
    assert counter.flushes == 1
    # Everything the event does is there: the activity, the Open entry, the audit trail.
    trail = admin.get("/api/v1/admin/audit", query_string={
        "entity_type": "activity", "entity_id": activity["id"]}).json
    assert [(e["action"], e["version"]) for e in trail] == [("accept", 1), ("create", 1)]
    assert [e["customer_id"] for e in Api(admin.client, _token(admin, "alice")).get(
        "/api/v1/me/open").json] == [customer["id"], customer["id"]]


def test_a_call_answered_after_it_rang_stays_short_too(api, committed_app):
    _admin, connector, customer = api
    connector.post(URL, json=event("accepted", "call-1"))
    rang = connector.post(URL, json=event("offered", "call-2"))
    assert rang.status_code == 201

    with Counter(committed_app) as counter:
        response = connector.post(URL, json=event("accepted", "call-2"))

    assert response.status_code == 201, response.json
    assert response.json["activity"]["customer_id"] == customer["id"]
    # The contact's row locked, its task and ring looked up, the request found: 10 at most.
    assert len(counter.statements) <= 10, "\n".join(counter.statements)
    assert counter.flushes == 1


def test_replays_read_the_stored_answer_only(api, committed_app):
    _admin, connector, _customer = api
    body = event("accepted", "call-1")
    first = connector.post(URL, json=body)

    with Counter(committed_app) as counter:
        again = connector.post(URL, json=body)

    assert again.status_code == 200 and again.json == first.json
    assert len(counter.statements) == 2, "\n".join(counter.statements)  # claim, stored answer
    assert counter.flushes == 0


def test_an_event_of_a_contact_that_is_created_meanwhile_is_applied_to_it(api, committed_app,
                                                                          engine):
    """Two events of one new contact at once: the second's INSERT of the activity fails on
    the contact's key, and the event is applied again to the activity the first made.
    (SQLite runs one writer at a time: there, the second cannot begin before the first ends.)
    """
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers exist only on PostgreSQL")
    _admin, connector, _customer = api
    factory = committed_app.extensions["database"]["factory"]
    raced = []

    def other_event_first(session, _context, _instances):
        # Just before this flush, another transaction creates the contact and commits.
        if raced or not any(isinstance(o, Activity) for o in session.new):
            return
        raced.append(True)
        with engine.begin() as conn:
            conn.execute(sa.insert(Activity).values(
                source="pbx", contact_id="call-9", media_type="voice", state="offered",
                variables={}, candidate_ids=[], connector_id=connector.key_id))

    sa.event.listen(factory, "before_flush", other_event_first)
    try:
        response = connector.post(URL, json=event("accepted", "call-9"))
    finally:
        sa.event.remove(factory, "before_flush", other_event_first)

    assert raced and response.status_code == 201, response.json
    with engine.connect() as conn:
        [(activity_id, state)] = conn.execute(sa.select(Activity.id, Activity.state)
                                              .where(Activity.contact_id == "call-9")).all()
        assert response.json["activity"]["id"] == activity_id and state == "active"
        assert conn.scalar(sa.select(sa.func.count()).select_from(OpenEntry)
                           .where(OpenEntry.activity_id == activity_id)) == 1
        assert conn.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                           .where(AuditEntry.entity_type == "activity",
                                  AuditEntry.entity_id == str(activity_id),
                                  AuditEntry.action == "create")) == 0


def _token(admin, agent_id):
    return admin.post(f"/api/v1/admin/agents/{agent_id}/tokens").json["token"]
