"""Routing under load: two server processes on one PostgreSQL, agents and queued contacts.

Agents accept at random speeds (some too slow, so offers time out and they come back
Ready; some take a break instead), a few pick from the queue instead, and all close their
tasks after a while; the connector posts every contact to either server, some twice, and
some customers hang up early. Afterwards the database must show every task accepted
exactly once (or abandoned before anyone did), no agent over its room at any moment, no
task on offer to two agents at once, and no missed offer expired more than a second late.

`make test` runs a small shift (60 contacts, 12 agents); ROUTING_LOAD=full runs the
contact-center size, 2,000 contacts and 100 agents (several minutes).
"""

import os
import random
import threading
import time
from collections import defaultdict
from datetime import datetime

import pytest
import sqlalchemy as sa

from context_service.models import AuditEntry, Task
from tests.conftest import ADMIN_TOKEN, clear_data
from tests.live import LiveServer

FULL = os.environ.get("ROUTING_LOAD") == "full"
TASKS = 2000 if FULL else 60
AGENTS = 100 if FULL else 12
PICKERS = AGENTS // 5  # of the agents, these pick from the Queue instead of waiting for offers
OFFER_TIMEOUT = 2.0
CAPACITY = {"voice": 1, "chat": 3, "email": 2}
MEDIA = ["voice"] * 5 + ["chat"] * 3 + ["email"] * 2
RUN_SECONDS = 900 if FULL else 180
POST_GAP = 0.01 if FULL else 0.05  # at most this long between two contacts


@pytest.fixture
def servers(database_url, engine):
    if not database_url.startswith("postgresql"):
        pytest.skip("two server processes share one database only on PostgreSQL")
    clear_data(engine)
    env = {"OFFER_TIMEOUT_SECONDS": OFFER_TIMEOUT, "CHAT_CAPACITY": CAPACITY["chat"],
           "EMAIL_CAPACITY": CAPACITY["email"], "GUNICORN_THREADS": 48}
    started = [LiveServer(database_url, ADMIN_TOKEN, **env).start() for _ in range(2)]
    yield started
    for server in started:
        server.stop()
    clear_data(engine)


class Agent(threading.Thread):
    """One agent: polls its state, accepts offers after a random delay (sometimes too late),
    sometimes picks from the queue, and closes each task after handling it for a while."""

    def __init__(self, servers, agent_id, token, stop, rng, picker=False):
        super().__init__(daemon=True, name=agent_id)
        self.servers, self.agent_id, self.token = servers, agent_id, token
        self.stop, self.rng, self.picker = stop, rng, picker
        self.errors = []

    def call(self, method, path, body=None):
        server = self.rng.choice(self.servers)
        return server.call(method, path, body, token=self.token)

    def run(self):
        try:
            self.work()
        except Exception as exc:  # surfaced by the test
            self.errors.append(repr(exc))

    def work(self):
        if self.picker:  # stays Not Ready and takes work from the Queue itself
            while not self.stop.is_set():
                self.pick()
                time.sleep(0.1)
            return
        self.call("PUT", "/api/v1/me/state", {"state": "ready"})
        while not self.stop.is_set():
            status, state, _ = self.call("GET", "/api/v1/me/state")
            assert status == 200, state
            if state["state"] == "not_ready":  # after a miss or a break: back after a pause
                time.sleep(self.rng.uniform(0.2, 0.8))
                self.call("PUT", "/api/v1/me/state", {"state": "ready"})
            elif state["offer"]:
                # Usually in time; one in eight too late; now and then a break instead.
                chance = self.rng.random()
                if chance < 0.05:
                    self.call("PUT", "/api/v1/me/state", {"state": "not_ready", "reason": "break"})
                    continue
                time.sleep(OFFER_TIMEOUT + 0.3 if chance < 0.175 else self.rng.uniform(0, 1.2))
                self.accept(state["offer"]["id"])
            time.sleep(0.15)

    def pick(self):
        status, waiting, _ = self.call("GET", "/api/v1/queue?page_size=5")
        if status == 200 and waiting:
            self.accept(self.rng.choice(waiting)["id"])

    def accept(self, task_id):
        status, task, _ = self.call("POST", f"/api/v1/tasks/{task_id}/accept")
        assert status in (200, 409), (status, task)
        if status == 200:
            threading.Thread(target=self.handle, args=(task,), daemon=True).start()

    def handle(self, task):
        time.sleep(self.rng.uniform(0.2, 2.0))
        status, body, _ = self.call("POST", f"/api/v1/me/open/{task['open_entry_id']}/close")
        assert status == 200, body


def post_contacts(servers, token, rng) -> list[threading.Thread]:
    """Queue every contact (some twice, to either server); some customers hang up soon."""
    hang_ups = []

    def post(body):
        status, data, _ = rng.choice(servers).call("POST", "/api/v1/contact-events", body,
                                                   token=token)
        assert status in (200, 201), data

    for n in range(TASKS):
        body = {"event_id": f"q-{n}", "source": "load", "contact_id": f"contact-{n}",
                "media_type": rng.choice(MEDIA), "type": "queued", "queue": "support",
                "from": f"+1312555{n:04d}"}
        for _ in range(2 if n % 10 == 0 else 1):
            post(body)
        if n % 20 == 7:
            ended = {**body, "event_id": f"e-{n}", "type": "ended"}
            del ended["queue"]
            hang_ups.append(threading.Timer(rng.uniform(0, 0.5), post, (ended,)))
            hang_ups[-1].start()
        time.sleep(rng.uniform(0, POST_GAP))
    return hang_ups


def max_overlap(intervals) -> int:
    """The most intervals [start, end) open at one instant."""
    points = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals],
                    key=lambda p: (p[0], p[1]))
    best = current = 0
    for _, step in points:
        current += step
        best = max(best, current)
    return best


def test_two_processes_route_tasks_to_agents_correctly(servers, engine):
    rng = random.Random(4)
    a, _ = servers
    tokens = {f"agent{n:02d}": a.agent_token(f"agent{n:02d}") for n in range(AGENTS)}
    stop = threading.Event()
    agents = [Agent(servers, agent_id, token, stop, random.Random(rng.random()), n < PICKERS)
              for n, (agent_id, token) in enumerate(tokens.items())]
    for agent in agents:
        agent.start()
    for hang_up in post_contacts(servers, a.connector_token(), rng):
        hang_up.join()

    deadline = time.monotonic() + RUN_SECONDS
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            done = conn.scalar(sa.select(sa.func.count()).select_from(Task)
                               .where(Task.status.in_(("completed", "abandoned"))))
            conn.rollback()
            if done == TASKS:
                break
            time.sleep(0.5)
    stop.set()
    for agent in agents:
        agent.join(10)
    assert [error for agent in agents for error in agent.errors] == []

    with engine.connect() as conn:
        tasks = conn.execute(sa.select(Task)).all()
        audit = conn.execute(sa.select(AuditEntry).where(AuditEntry.entity_type == "task")
                             .order_by(AuditEntry.id)).all()
    # Every contact became one task (retries included); each was offered until accepted,
    # exactly once, or its customer hung up first.
    assert len(tasks) == TASKS
    by_task = defaultdict(list)
    for entry in audit:
        by_task[int(entry.entity_id)].append(entry)
    accepts = {task.id: [e.action for e in by_task[task.id]].count("accept") for task in tasks}
    assert {(task.status, accepts[task.id]) for task in tasks} <= {
        ("completed", 1), ("abandoned", 0)}
    abandoned = sum(task.status == "abandoned" for task in tasks)

    # No agent above its room at any instant (from the tasks' own accept and end times).
    held = defaultdict(list)
    for task in tasks:
        if task.status == "completed":
            held[(task.agent_id, task.media_type)].append((task.accepted_at, task.ended_at))
    assert all(max_overlap(spans) <= CAPACITY[media] for (_, media), spans in held.items())

    # Offers: one at a time per task and per agent, each resolved, accepted before the
    # deadline, and expired within a second of it when missed.
    late, picked, agent_offers = [], 0, defaultdict(list)
    for task in tasks:
        offer = None
        for entry in by_task[task.id]:
            if entry.action == "offer":
                assert offer is None, f"task {task.id} offered while already on offer"
                offer = entry
            elif entry.action in ("offer-missed", "offer-withdrawn", "accept", "abandon") \
                    and offer:
                agent_offers[offer.changes["agent_id"]].append((offer.at, entry.at))
                if entry.action == "offer-missed":
                    late.append((entry.at - deadline_of(offer)).total_seconds())
                if entry.action == "accept":
                    assert task.accepted_at <= deadline_of(offer)
                offer = None
            elif entry.action == "accept":
                picked += 1
        assert offer is None
    offers = sum(len(spans) for spans in agent_offers.values())
    print(f"\n{TASKS} tasks, {offers} offers, {len(late)} missed (latest "
          f"{max(late, default=0):.3f}s after its deadline), {picked} picked from the queue, "
          f"{abandoned} abandoned")
    assert late, "the run should include offers that timed out"
    assert max(late) <= 1.0, sorted(late)[-5:]
    assert all(max_overlap(spans) <= 1 for spans in agent_offers.values())


def deadline_of(offer) -> datetime:
    return datetime.fromisoformat(offer.changes["deadline"])
