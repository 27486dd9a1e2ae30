"""Benchmark: Care desktop routing against a real gunicorn.

    make bench                                   # SQLite (a temporary file), 300 tasks
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench make bench
    BENCH_FULL=1 make bench                      # a burst of 2,000 tasks

40 agents on 2 workers (1 on SQLite), gunicorn.conf.py's settings otherwise.

Queued contacts from known customers are offered over the WebSocket stream to agents who
accept at once and close at once, so what is measured is the service: the queued event,
the time until the offer frame arrives, accept, close (which completes the task), first
one contact at a time, then in a burst (with the whole cycle's throughput), and last the
Queue listing with its previews while contacts wait.
The database named by BENCH_DATABASE_URL is emptied; everything runs on 127.0.0.1.
"""

import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

from simple_websocket import Client, ConnectionClosed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (  # noqa: E402
    CLIENTS,
    CUSTOMERS,
    CpuMeter,
    database,
    loadavg,
    save,
    serve,
    summary,
    timed,
    workers,
)

FULL = os.environ.get("BENCH_FULL") == "1"
TASKS = int(os.environ.get("BENCH_TASKS", "2000" if FULL else "300"))
AGENTS = int(os.environ.get("BENCH_AGENTS", "40"))
WAITING = int(os.environ.get("BENCH_WAITING", "500"))
QUIET = int(os.environ.get("BENCH_QUIET", "50"))
MEDIA = ("voice", "chat", "email")


def attempt(server, *args, **kwargs):
    """(status, body, headers); a request that timed out or failed counts as 599."""
    try:
        return server.call(*args, **kwargs)
    except OSError:
        return 599, None, {}


class Desk(threading.Thread):
    """An agent who accepts every offer as it arrives and closes the task straight away."""

    def __init__(self, server, token, posted, offers, accepts, closes):
        super().__init__(daemon=True)
        self.server, self.token = server, token
        self.posted, self.offers, self.accepts, self.closes = posted, offers, accepts, closes
        self.ws = Client.connect(server.url.replace("http", "ws") + "/api/v1/stream")
        self.ws.send(json.dumps({"type": "auth", "token": token}))
        assert json.loads(self.ws.receive(timeout=10))["type"] == "ready"

    def run(self):
        try:
            while True:
                frame = json.loads(self.ws.receive())
                if frame["type"] == "task.offered":
                    self.take(frame["task"])
        except ConnectionClosed:
            pass

    def take(self, task):
        self.offers.append((time.perf_counter() - self.posted[task["contact"]["contact_id"]])
                           * 1000)
        start = time.perf_counter()
        status, body, _ = attempt(self.server, "POST", f"/api/v1/tasks/{task['id']}/accept",
                                  token=self.token)
        self.accepts.append(((time.perf_counter() - start) * 1000, status))
        if status != 200:
            return
        start = time.perf_counter()
        status, _, _ = attempt(self.server, "POST",
                               f"/api/v1/me/open/{body['open_entry_id']}/close", token=self.token)
        self.closes.append(((time.perf_counter() - start) * 1000, status))


def queued(server, connector, posted, n, queue="support"):
    contact_id = f"{queue}-{n}"
    customer = n % CUSTOMERS + 1
    body = {"event_id": contact_id, "source": "bench", "contact_id": contact_id,
            "media_type": MEDIA[n % 3], "type": "queued", "queue": queue,
            "from": f"c{customer}@example.com" if n % 3 == 2 else f"+1 415 {customer:07d}"}

    def call():
        posted[contact_id] = time.perf_counter()
        return attempt(server, "POST", "/api/v1/contact-events", body, token=connector)[0]

    return call


def wait_for(closes, expected, timeout=300) -> bool:
    deadline = time.monotonic() + timeout
    while len(closes) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(closes) >= expected


def cpu_per_cycle(used: dict, wall: float, cycles: int, service_workers: int) -> dict:
    """The burst's CPU per full cycle, by who used it, and the rate that CPU allows at most:
    the machine's cores shared by all of it, each worker process on one core at a time."""
    per_cycle = {part: round(seconds * 1000 / max(cycles, 1), 1) for part, seconds in used.items()}
    cores = len(os.sched_getaffinity(0))
    total = sum(per_cycle.values())
    bound = min(cores * 1000 / total, service_workers * 1000 / per_cycle["service"]) \
        if per_cycle["service"] else None
    row = {"name": "cpu per cycle", "ms": per_cycle, "total_ms": round(total, 1),
           "busy_cores": round(sum(used.values()) / wall, 2), "cores": cores,
           "workers": service_workers, "bound_per_second": bound and round(bound, 1),
           "loadavg": loadavg()}
    parts = ", ".join(f"{part} {ms} ms" for part, ms in per_cycle.items())
    print(f"{'cpu per cycle':28} {total:8.1f} ms  ({parts}; {row['busy_cores']} of {cores} "
          f"cores busy; this CPU allows at most {row['bound_per_second']}/s with "
          f"{service_workers} worker(s))  load {row['loadavg']}", flush=True)
    return row


def main() -> None:
    url, backend = database()
    print(f"backend {backend}: {TASKS} queued contacts, {AGENTS} agents, {CLIENTS} client "
          f"threads, {WAITING} waiting for the Queue listing")
    server = serve(url, backend, threads=48)
    rows, posted, offers, accepts, closes = [], {}, [], [], []
    try:
        connector = server.connector_token()
        tokens = [server.agent_token(f"agent{n}") for n in range(AGENTS)]
        desks = [Desk(server, token, posted, offers, accepts, closes) for token in tokens]
        for desk in desks:
            desk.start()
        for token in tokens:
            server.call("PUT", "/api/v1/me/state", {"state": "ready"}, token=token)

        # One contact at a time: what an agent waits for on a quiet system.
        start = time.perf_counter()
        for n in range(QUIET):
            queued(server, connector, posted, n, "quiet")()
            wait_for(closes, n + 1)
        wall = time.perf_counter() - start
        rows.append(summary("one by one: queued -> offer", wall, offers, [200] * len(offers)))
        rows.append(summary("one by one: accept", wall, *zip(*accepts, strict=True)))
        rows.append(summary("one by one: close", wall, *zip(*closes, strict=True)))
        for measured in (offers, accepts, closes):
            measured.clear()

        # A burst: CLIENTS threads queue TASKS contacts as fast as they are answered.
        cpu = CpuMeter(server.process.pid)
        cpu.start()
        start = time.perf_counter()
        rows.append(summary("queued event", *timed(
            [queued(server, connector, posted, n) for n in range(TASKS)])))
        done = wait_for(closes, TASKS)
        wall = time.perf_counter() - start
        used = cpu.stop()
        for desk in desks:
            desk.ws.close()
        time.sleep(0.5)
        rows.append(summary("queued -> offer frame", wall, offers, [200] * len(offers)))
        rows.append(summary("accept", wall, *zip(*accepts, strict=True)))
        rows.append(summary("close (completes task)", wall, *zip(*closes, strict=True)))
        cycle = {"name": "whole cycle", "tasks": TASKS, "completed": done,
                 "per_second": round(len(closes) / wall, 1)}
        cycle["loadavg"] = loadavg()
        print(f"{'whole cycle':28} {cycle['per_second']:8}/s  ({len(closes)} tasks queued, "
              f"offered, accepted and closed in {wall:.1f} s)  load {cycle['loadavg']}")
        rows.append(cycle)
        rows.append(cpu_per_cycle(used, wall, len(closes), workers(backend)))

        for token in tokens:
            server.call("PUT", "/api/v1/me/state", {"state": "not_ready"}, token=token)
        timed([queued(server, connector, posted, n, "backlog") for n in range(WAITING)])
        agent = tokens[0]
        rows.append(summary(f"queue listing ({WAITING} wait)", *timed([
            (lambda: server.call("GET", "/api/v1/queue?page_size=100", token=agent)[0])
            for _ in range(200)])))
        print(f"{'':28} median offer wait {statistics.median(offers):.0f} ms")
    finally:
        server.stop()
    save(f"routing-{backend}", rows)


if __name__ == "__main__":
    main()
