"""Concurrent writers, committing for real: no update lost (R9), no event applied twice (R17)."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from context_service.models import Activity, Request
from tests.conftest import ADMIN_TOKEN, event

HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def call(committed_app):
    """Send a request with this thread's own test client, as the bootstrap admin."""
    local = threading.local()

    def call(method, url, json=None, headers=None):
        if not hasattr(local, "client"):
            local.client = committed_app.test_client()
        return local.client.open(url, method=method, json=json,
                                 headers={**HEADERS, **(headers or {})})

    return call


def in_parallel(threads, fn, items):
    """fn(item) for every item on `threads` threads that start together; answers in order."""
    ready = threading.Barrier(threads)
    local = threading.local()

    def run(item):
        if not getattr(local, "started", False):
            local.started = True
            ready.wait(timeout=30)
        return fn(item)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, items))


def rows(engine, model):
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model))


def test_one_of_twenty_patches_with_the_same_etag_wins(call):
    customer = call("POST", "/api/v1/customers", json={"first_name": "Ann"}).json
    request = call("POST", f"/api/v1/customers/{customer['id']}/requests", json={}).json
    url = f"/api/v1/requests/{request['id']}"
    etag = call("GET", url).headers["ETag"]

    answers = in_parallel(20, lambda i: call("PATCH", url, json={"title": f"title {i}"},
                                             headers={"If-Match": etag}), range(20))

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [412] * 19, statuses
    winner = next(a.json for a in answers if a.status_code == 200)
    current = call("GET", url).json
    assert current["title"] == winner["title"]
    assert current["version"] == request["version"] + 1
    for loser in (a for a in answers if a.status_code == 412):
        assert loser.mimetype == "application/problem+json"
        assert loser.json["current"] == current  # what R9's "Load" shows
        assert loser.headers["ETag"] == f'"{current["version"]}"'


def test_replayed_events_in_parallel_are_applied_once(committed_app, call):
    ann = call("POST", "/api/v1/customers", json={"first_name": "Ann", "phones": ["4155550100"]})
    assert ann.status_code == 201
    events = [event(contact_id=f"call-{i}", media_type=random.choice(["voice", "chat"]))
              for i in range(100)]
    posts = events * 3
    random.Random(7).shuffle(posts)

    answers = in_parallel(8, lambda body: call("POST", "/api/v1/contact-events", json=body),
                          posts)

    by_event = {}
    for body, answer in zip(posts, answers, strict=True):
        assert answer.status_code in (200, 201), answer.json
        by_event.setdefault(body["event_id"], []).append((answer.status_code, answer.json))
    for replies in by_event.values():
        assert sorted(status for status, _ in replies) == [200, 200, 201]
        assert all(body == replies[0][1] for _, body in replies)
    engine = committed_app.extensions["database"]["engine"]
    assert rows(engine, Activity) == 100
    # R2 holds under load as well: one customer, one open request for all their contacts.
    assert rows(engine, Request) == 1
    open_list = call("GET", f"/api/v1/customers/{ann.json['id']}/journey?limit=200").json
    assert len(open_list["requests"][0]["activities"]) == 100
