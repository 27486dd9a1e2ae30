"""Races against a live server (two worker processes on PostgreSQL): no update lost, no
append refused because someone else appended, no event applied twice."""

import random
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from tests.conftest import ADMIN_TOKEN, emptied, event
from tests.live import LiveServer

pytestmark = pytest.mark.live
PARALLEL = 20


@pytest.fixture(scope="module")
def race_server(own_database):
    url, _engine = own_database
    workers = 1 if url.startswith("sqlite") else 2  # SQLite: one process, as documented
    server = LiveServer(url, ADMIN_TOKEN, workers=workers).start()
    yield server
    server.stop()


@pytest.fixture
def server(race_server, own_database):
    """The race server, with empty tables for this test (on PostgreSQL they are shared)."""
    yield from emptied(own_database[1], race_server)


def together(count, fn):
    """fn(i) for i in range(count), all released at once from their own threads."""
    start = Barrier(count)

    def run(i):
        start.wait(timeout=30)
        return fn(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture
def activity(server):
    token = server.connector_token()
    server.agent_token("alice")
    return server.post_event(token, agent_id="alice", **{"from": "+1 415 555 0100"})["activity"]


def test_one_of_twenty_edits_with_the_same_etag_wins(server, activity):
    url = f"/api/v1/requests/{activity['request_id']}"
    _, _, headers = server.call("GET", url, token=ADMIN_TOKEN)
    answers = together(PARALLEL, lambda i: server.call(
        "PATCH", url, {"title": f"title {i}"}, token=ADMIN_TOKEN,
        headers={"If-Match": headers["ETag"]}))
    assert sorted(status for status, _, _ in answers) == [200] + [412] * (PARALLEL - 1)


@pytest.mark.parametrize("append", ["notes", "tags"])
def test_twenty_appends_at_once_all_succeed(server, activity, append):
    url = f"/api/v1/activities/{activity['id']}/{append}"
    body = (lambda i: {"text": f"note {i}"}) if append == "notes" else (lambda i: {"name": f"t{i}"})
    answers = together(PARALLEL, lambda i: server.call("POST", url, body(i), token=ADMIN_TOKEN))
    assert [status for status, _, _ in answers] == [201] * PARALLEL, answers
    _, shown, _ = server.call("GET", f"/api/v1/activities/{activity['id']}", token=ADMIN_TOKEN)
    if append == "notes":
        _, notes, _ = server.call("GET", url, token=ADMIN_TOKEN)
        assert len(notes) == PARALLEL
    else:
        assert len(shown["tags"]) == PARALLEL
    assert shown["version"] > PARALLEL  # every append bumped it, none was lost


def test_a_hundred_events_each_sent_three_times_make_a_hundred_activities(server):
    token = server.connector_token()
    server.agent_token("alice")
    events = [event(contact_id=f"race-{i}", source="race") for i in range(100)]
    posts = events * 3
    random.Random(11).shuffle(posts)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(
            lambda body: server.call("POST", "/api/v1/contact-events", body, token=token), posts))
    assert {status for status, _, _ in answers} <= {200, 201}
    first = {}
    for body, (status, answer, _) in zip(posts, answers, strict=True):
        first.setdefault(body["event_id"], []).append((status, answer))
    for replies in first.values():
        assert sorted(status for status, _ in replies) == [200, 200, 201]
        assert all(answer == replies[0][1] for _, answer in replies)
    ids = {answer["activity"]["id"] for _, answer, _ in answers}
    assert len(ids) == 100
