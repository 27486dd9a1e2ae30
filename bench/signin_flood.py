"""Benchmark: does a flood of wrong passwords slow everyone else down?

    python bench/signin_flood.py          # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python bench/signin_flood.py

One gunicorn (the Procfile's settings); an agent reads its Open list over and over, first
alone, then while 16 threads send wrong passwords as fast as they can: once with the
sign-in limits as shipped, once with them lifted (what happened before they existed).
Prints p50/p95 of the agent's reads and how many bad sign-ins were answered.
"""

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from context_service.cli import migrate  # noqa: E402
from context_service.db import normalise_url  # noqa: E402
from tests.live import LiveServer  # noqa: E402

ADMIN = "bench-admin-token"
READS = int(os.environ.get("BENCH_READS", "400"))
FLOODERS = 16


def reads(server, token) -> list[float]:
    latencies = []
    for _ in range(READS):
        start = time.perf_counter()
        status, _, _ = server.call("GET", "/api/v1/me/open", token=token)
        assert status == 200, status
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def flooded(server, token) -> tuple[list[float], dict]:
    stop, answers, lock = threading.Event(), {}, threading.Lock()

    def flood(n):
        body = {"agent_id": f"victim-{n % 4}", "password": "wrong-password"}
        while not stop.is_set():
            status, _, _ = server.call("POST", "/api/v1/auth/login", body)
            with lock:
                answers[status] = answers.get(status, 0) + 1

    threads = [threading.Thread(target=flood, args=(n,)) for n in range(FLOODERS)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    try:
        return reads(server, token), answers
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)


def line(name, latencies, answers=None):
    q = statistics.quantiles(latencies, n=100)
    extra = f"  bad sign-ins answered: {answers}" if answers else ""
    print(f"{name:34} p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms{extra}", flush=True)
    return q[49], q[94]


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    url = normalise_url(url) if url else f"sqlite:///{tempfile.mkdtemp()}/flood.db"
    migrate(url)
    print(f"{url.split(':')[0]}; load {Path('/proc/loadavg').read_text().strip()}")
    results = {}
    for name, limits in (("limits as shipped", {}),
                         ("limits lifted (before)", {
                             "SIGNIN_FAILURES_PER_AGENT": "1000000 per minute",
                             "SIGNIN_FAILURES_PER_ADDRESS": "1000000 per minute"})):
        server = LiveServer(url, ADMIN, **limits).start()
        try:
            token = server.agent_token("bench-agent")
            base = line(f"{name}: alone", reads(server, token))
            flood = line(f"{name}: with {FLOODERS} flooders", *flooded(server, token))
            results[name] = flood[0] / base[0]
        finally:
            server.stop()
    for name, ratio in results.items():
        print(f"{name}: p50 with the flood / alone = {ratio:.2f}x")
    print(f"load {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
