"""Faults: a worker killed with SIGKILL in the middle of a stream of events loses nothing
and applies nothing twice (issue 9). The connector retries what was not acknowledged, as a
real one does."""

import os
import signal
import subprocess
import threading
import time
import urllib.error

import pytest
import sqlalchemy as sa

from context_service.models import Activity, ContactEvent
from tests.conftest import ADMIN_TOKEN, clear_data, event
from tests.live import LiveServer

pytestmark = pytest.mark.live
EVENTS = 300
ATTEMPTS = 50  # per event: bounded, with the restart well inside it


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True, check=False).stdout
    return [int(p) for p in out.split()]


def workers(server: LiveServer) -> list[int]:
    """gunicorn's workers: `timeout` runs the master, whose children they are."""
    [master] = children(server.process.pid)
    return children(master)


def test_a_killed_worker_loses_and_doubles_no_event(own_database):
    url, engine = own_database
    processes = 1 if url.startswith("sqlite") else 2
    server = LiveServer(url, ADMIN_TOKEN, workers=processes).start()
    acked, lock = {}, threading.Lock()
    try:
        token = server.connector_token()
        server.agent_token("alice")
        bodies = [event(contact_id=f"kill-{i}", source="kill", event_id=f"kill-{i}")
                  for i in range(EVENTS)]

        def send(share):
            for body in share:
                for _ in range(ATTEMPTS):
                    try:
                        status, answer, _ = server.call("POST", "/api/v1/contact-events", body,
                                                        token=token)
                    except (urllib.error.URLError, ConnectionError, OSError):
                        time.sleep(0.1)  # the worker died under this request: send it again
                        continue
                    if status in (200, 201):
                        with lock:
                            acked.setdefault(body["event_id"], []).append(answer)
                        break
                    time.sleep(0.1)  # 503 while the database recovers, say

        threads = [threading.Thread(target=send, args=(bodies[n::4],)) for n in range(4)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(acked) < EVENTS // 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        victims = workers(server)
        os.kill(victims[0], signal.SIGKILL)  # in the middle of the stream
        for thread in threads:
            thread.join(120)
        assert not any(thread.is_alive() for thread in threads)
        assert victims[0] not in workers(server)  # it really died (and was replaced)

        assert len(acked) == EVENTS  # every event was acknowledged in the end
        for answers in acked.values():  # a retry answered exactly what the first did
            assert all(answer == answers[0] for answer in answers)
        with engine.connect() as conn:
            per_event = dict(conn.execute(
                sa.select(ContactEvent.event_id, sa.func.count())
                .where(ContactEvent.source == "kill").group_by(ContactEvent.event_id)).all())
            per_contact = dict(conn.execute(
                sa.select(Activity.contact_id, sa.func.count())
                .where(Activity.source == "kill").group_by(Activity.contact_id)).all())
        assert per_event == {f"kill-{i}": 1 for i in range(EVENTS)}
        assert per_contact == {f"kill-{i}": 1 for i in range(EVENTS)}
    finally:
        server.stop()
        clear_data(engine)
