"""Prometheus metrics (issue 13): a scripted shift, then the counters say what happened."""

import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from context_service.cli import migrate
from context_service.db import make_engine
from tests.conftest import ADMIN_TOKEN, clear_data, database_beside
from tests.live import LiveServer, WebhookReceiver
from tests.push.test_stream import connect, next_frame

pytestmark = pytest.mark.live
METRICS_TOKEN = "metrics-scraper-token"


def scrape(server, token=METRICS_TOKEN) -> dict:
    """{(name, frozenset(labels)): value} of one scrape."""
    request = urllib.request.Request(server.url + "/metrics",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0)


@pytest.fixture(scope="module")
def shift(own_database):
    url, engine = own_database
    workers = 1 if url.startswith("sqlite") else 2  # two processes: counts must add up
    receiver = WebhookReceiver()
    server = LiveServer(url, ADMIN_TOKEN, workers=workers, METRICS_TOKEN=METRICS_TOKEN,
                        WEBHOOK_POLL_SECONDS=0.1, WEBHOOK_RETRY_SECONDS=0.1).start()
    try:
        yield server, receiver
    finally:
        server.stop()
        receiver.stop()
        clear_data(engine)


def test_a_shift_in_numbers(shift):
    server, receiver = shift
    before = scrape(server)
    connector = server.connector_token()
    alice = server.agent_token("alice")
    key = server.admin("GET", "/api/v1/admin/api-keys")[0]["id"]
    server.admin("PUT", f"/api/v1/admin/api-keys/{key}/webhook", {"url": receiver.url})
    chat = server.post_event(connector, agent_id="alice", media_type="chat", body="Hi",
                             contact_id="chat-1")
    for n in range(3):
        server.post_event(connector, agent_id="alice", contact_id=f"call-{n}")
    replay = {"event_id": "replayed-1", "source": "pbx", "contact_id": "call-9",
              "media_type": "voice", "type": "accepted", "agent_id": "alice"}
    for _ in range(2):
        server.call("POST", "/api/v1/contact-events", replay, token=connector)
    server.call("PUT", "/api/v1/me/state", {"state": "ready"}, token=alice)
    server.post_event(connector, "queued", media_type="email", queue="billing",
                      contact_id="mail-1")
    # The first attempt fails (503), the retry gets through.
    status, reply, _ = server.call("POST", f"/api/v1/activities/{chat['activity']['id']}"
                                   "/messages", {"text": "Hello!"}, token=alice)
    receiver.script[reply["message_id"]] = ["503"]
    deadline = time.monotonic() + 10
    while len(receiver.of(reply["message_id"])) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.call("GET", "/api/v1/customers/999999", token=alice)

    after = scrape(server)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("cc_contact_events_total", type="accepted", result="new") == 5
    assert grew("cc_contact_events_total", type="accepted", result="replay") == 1
    assert grew("cc_contact_events_total", type="queued", result="new") == 1
    assert grew("cc_webhook_deliveries_total", outcome="retry") == 1
    assert grew("cc_webhook_deliveries_total", outcome="delivered") == 1
    assert grew("cc_http_requests_total", method="GET", route="/api/v1/customers/<int(min=1,"
                "max=2147483647):customer_id>", status="404") == 1
    assert grew("cc_http_request_duration_seconds_count", method="POST",
                route="/api/v1/contact-events") >= 7
    # From the database: the same on every process and instance.
    assert value(after, "cc_agents", state="ready") == 1
    assert (value(after, "cc_tasks_waiting", queue="billing", media="email")
            + value(after, "cc_tasks_offered", queue="billing", media="email")) == 1
    assert value(after, "cc_webhook_backlog") == 0


def test_metrics_need_credentials(shift):
    server, _ = shift
    status, problem, _ = server.call("GET", "/metrics")
    assert status == 401 and problem["status"] == 401
    assert server.call("GET", "/metrics", token="wrong")[0] == 401
    agent = server.agent_token("bob")
    assert server.call("GET", "/metrics", token=agent)[0] == 401


def test_routing_in_numbers(shift, own_database):
    """Queued tasks, offers, a miss and an accept: the routing counters tell them (issue 13).

    Runs last, on a server of its own with short offers (the shift's is stopped first: its
    router would expire offers too, and count them in its own metrics)."""
    shift[0].stop()
    url, engine = own_database
    if not url.startswith("sqlite"):
        # On PostgreSQL the worker's database is shared with the session's live server, whose
        # router would expire erin's offer too and count the miss in its own metrics (CI saw
        # `0 == 1`): this test gets a database nobody else serves.
        url = database_beside(url, "metrics")
        migrate(url)
        engine = make_engine(url)
    clear_data(engine)
    server = LiveServer(url, ADMIN_TOKEN, workers=1 if url.startswith("sqlite") else 2,
                        METRICS_TOKEN=METRICS_TOKEN, OFFER_TIMEOUT_SECONDS=1,
                        ROUTING_TICK_SECONDS=0.1).start()
    try:
        connector = server.connector_token()
        erin, frank = server.agent_token("erin"), server.agent_token("frank")
        ws = connect(server, erin)
        before = scrape(server)
        assert value(before, "cc_streams_open") == 1
        for n in range(3):
            server.post_event(connector, "queued", media_type="chat", queue="support",
                              contact_id=f"wait-{n}")
        # erin is offered the first chat and lets it run out: a miss, and Not Ready.
        server.call("PUT", "/api/v1/me/state", {"state": "ready"}, token=erin)
        offer = next_frame(ws, "task.offered", timeout=5)
        next_frame(ws, "task.offer_ended", timeout=5)
        # frank takes the chat erin missed when it is offered to him.
        server.call("PUT", "/api/v1/me/state", {"state": "ready"}, token=frank)
        deadline = time.monotonic() + 5
        while (state := server.call("GET", "/api/v1/me/state", token=frank)[1])["offer"] is None:
            assert time.monotonic() < deadline, "frank was offered nothing"
            time.sleep(0.05)
        assert state["offer"]["id"] == offer["id"]  # the oldest waiting task comes first
        status, _, _ = server.call("POST", f"/api/v1/tasks/{offer['id']}/accept", token=frank)
        assert status == 200
        server.call("PUT", "/api/v1/me/state", {"state": "not_ready", "reason": "break"},
                    token=frank)
        after = scrape(server)

        def grew(name, **labels):
            return value(after, name, **labels) - value(before, name, **labels)

        # Offers: erin's (missed), frank's (accepted), and frank's next one (handed back
        # when he went on a break).
        assert grew("cc_offers_total", media="chat") == 3
        assert grew("cc_offers_missed_total", media="chat") == 1
        assert grew("cc_offer_accept_seconds_count", media="chat") == 1
        assert 0 < grew("cc_offer_accept_seconds_sum", media="chat") < 1
        assert grew("cc_push_messages_sent_total") >= 3  # erin's offer, its end, her state
        assert value(after, "cc_streams_open") == 1
        ws.close()
        deadline = time.monotonic() + 2
        while value(scrape(server), "cc_streams_open") != 0:
            assert time.monotonic() < deadline, "the closed stream is still counted"
            time.sleep(0.05)
    finally:
        server.stop()
        clear_data(engine)
        if engine is not own_database[1]:
            engine.dispose()
