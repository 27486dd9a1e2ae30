"""Benchmark: agents' streams held open on one instance, as `make run` serves them.

    make bench                                  # 200 streams (SQLite, a temporary file)
    BENCH_FULL=1 make bench                     # 2,000 streams, push latency at 1,000 too
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench make bench
                                                # PostgreSQL: also across two instances

One gunicorn instance with the defaults of `make run` (gunicorn.conf.py: one gevent
worker, TOKEN_CACHE_SECONDS 10) is measured with no stream open, then with N open:

1. **REST latency**: BENCH_REST requests one after another (an agent's GET /me/state and a
   customer's GET), p50/p99, without streams and with N streams open;
2. **POST → frame**: a customer is changed BENCH_PUSHES times (PATCH, one at a time); the
   time from sending the PATCH to the `customer.changed` frame on every open stream, p50
   and p99 over all streams and changes (the client runs on the same machine);
3. **memory per stream**: the worker's resident memory with N streams open, less without,
   divided by N;
4. **closed-stream release**: BENCH_CLOSE streams are closed by their clients at once; the
   time until the server's `cc_streams_open` gauge (/metrics) has let go of all of them.

On PostgreSQL a second instance serves half the streams and POST → frame is measured
across instances too (the PATCH goes to the first, frames come from the second). The
client side is one process with gevent (a greenlet per socket). Each figure is printed
with /proc/loadavg; results go to bench/results/sockets-<backend>.json.
"""

from gevent import monkey

monkey.patch_all()  # the client: thousands of sockets in one process, a greenlet each

import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from gevent.pool import Pool  # noqa: E402
from simple_websocket import Client, ConnectionClosed  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import ADMIN, MAKE_RUN, _empty, database, loadavg, save  # noqa: E402
from tests.live import LiveServer  # noqa: E402

FULL = os.environ.get("BENCH_FULL") == "1"
STREAMS = [int(n) for n in os.environ.get(
    "BENCH_STREAMS", "1000,2000" if FULL else "200").split(",")]
REST = int(os.environ.get("BENCH_REST", "300"))
PUSHES = int(os.environ.get("BENCH_PUSHES", "30"))
CLOSE = int(os.environ.get("BENCH_CLOSE", "100"))
METRICS = "bench-metrics-token"
DEFAULTS = {**MAKE_RUN, "METRICS_TOKEN": METRICS}


def quantiles(values) -> dict:
    q = statistics.quantiles(values, n=100)
    return {"n": len(values), "p50_ms": round(q[49], 1), "p99_ms": round(q[98], 1)}


def report(name: str, row: dict) -> dict:
    row = {"name": name, **row, "loadavg": loadavg()}
    figures = "  ".join(f"{k} {v}" for k, v in row.items() if k not in ("name", "loadavg"))
    print(f"{name:44} {figures}  load {row['loadavg']}", flush=True)
    return row


class Stream:
    """One agent's open stream; notes when each customer.changed frame arrives."""

    def __init__(self, server: LiveServer, token: str, arrivals: dict):
        self.ws = Client.connect(server.url.replace("http", "ws") + "/api/v1/stream")
        self.ws.send(json.dumps({"type": "auth", "token": token}))
        frame = json.loads(self.ws.receive(timeout=30))
        assert frame["type"] == "ready", frame
        self.arrivals = arrivals
        self.reader = gevent.spawn(self.read)

    def read(self):
        try:
            while True:
                raw = self.ws.receive()
                if raw is None:
                    return
                at = time.perf_counter()
                if '"customer.changed"' in raw:
                    self.arrivals.setdefault(json.loads(raw)["version"], []).append(at)
        except ConnectionClosed:
            pass

    def close(self):
        self.reader.kill()
        with contextlib.suppress(ConnectionClosed):
            self.ws.close()


def worker_rss_kb(server: LiveServer) -> int:
    """Resident memory of the instance's gunicorn worker(s), in kB."""
    total = 0
    master = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True,
                            text=True).stdout.split()
    for pid in subprocess.run(["pgrep", "-P", *master], capture_output=True,
                              text=True).stdout.split():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def open_streams(server: LiveServer) -> float:
    """The instance's cc_streams_open gauge, as Prometheus would scrape it."""
    request = urllib.request.Request(server.url + "/metrics",
                                     headers={"Authorization": f"Bearer {METRICS}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("cc_streams_open "):
                return float(line.split()[1])
    return 0.0


def rest(server: LiveServer, token: str, customer_id: int) -> list[float]:
    paths = ["/api/v1/me/state", f"/api/v1/customers/{customer_id}"]
    for n in range(20):  # warm
        server.call("GET", paths[n % 2], token=token)
    latencies = []
    for n in range(REST):
        start = time.perf_counter()
        status, _, _ = server.call("GET", paths[n % 2], token=token)
        latencies.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    return latencies


def push_latency(origin: LiveServer, token: str, customer_id: int, arrivals: dict,
                 expected: int) -> tuple[list[float], int]:
    """PATCH the customer PUSHES times, after one unmeasured PATCH that warms the path (the
    first request of a kind pays for its SQL compilation); (latencies of every frame,
    frames missing)."""
    arrivals.clear()
    sent = {}
    _, customer, headers = origin.call("GET", f"/api/v1/customers/{customer_id}", token=token)
    etag = headers["ETag"]
    for n in range(-1, PUSHES):
        start = time.perf_counter()
        status, body, headers = origin.call(
            "PATCH", f"/api/v1/customers/{customer_id}", {"last_name": f"Push{n}"},
            token=token, headers={"If-Match": etag})
        assert status == 200, body
        etag = headers["ETag"]
        if n >= 0:
            sent[body["version"]] = start
        deadline = time.monotonic() + 10
        while len(arrivals.get(body["version"], ())) < expected and time.monotonic() < deadline:
            gevent.sleep(0.005)
        gevent.sleep(0.05)
    latencies = [(at - sent[version]) * 1000 for version, ats in arrivals.items()
                 if version in sent for at in ats]
    return latencies, PUSHES * expected - len(latencies)


def main() -> None:
    url, backend = database()
    two = backend.startswith("postgresql")
    print(f"backend {backend}: streams {STREAMS}, {REST} REST calls, {PUSHES} pushes, "
          f"{'two instances' if two else 'one instance'}; load {loadavg()}", flush=True)
    _empty(url)
    servers = [LiveServer(url, ADMIN, **DEFAULTS).start()]
    if two:
        servers.append(LiveServer(url, ADMIN, **DEFAULTS).start())
    first = servers[0]
    rows = []
    try:
        agent = first.agent_token("bench-rest")
        _, customer, _ = first.call("POST", "/api/v1/customers", {"first_name": "Push",
                                                                 "last_name": "Target"},
                                    token=agent)
        most = max(STREAMS)
        pool = Pool(20)
        tokens = pool.map(lambda n: first.agent_token(f"s{n:05d}"), range(most))
        rss_before = worker_rss_kb(first)
        rows.append(report("REST, no stream open", quantiles(rest(first, agent, customer["id"]))))
        arrivals: dict = {}
        streams: list[Stream] = []
        for n in sorted(STREAMS):
            # Open up to n streams on the first instance, 20 at a time.
            streams += pool.map(lambda token: Stream(first, token, arrivals),
                                tokens[len(streams):n])
            gevent.sleep(1)
            rows.append(report(f"REST, {n} streams open", quantiles(
                rest(first, agent, customer["id"]))))
            latencies, missing = push_latency(first, agent, customer["id"], arrivals, n)
            rows.append(report(f"POST -> frame, {n} streams", {
                **quantiles(latencies), "missing": missing}))
            rss = worker_rss_kb(first)
            rows.append(report(f"memory, {n} streams", {
                "worker_rss_mb": round(rss / 1024, 1),
                "per_stream_kb": round((rss - rss_before) / n, 1)}))
        # Closing: the server lets go of each closed stream (its gauge) within ...
        before = open_streams(first)
        closing, streams = streams[:CLOSE], streams[CLOSE:]
        start = time.perf_counter()
        for stream in closing:
            stream.close()
        released = None
        while time.perf_counter() - start < 30:
            if open_streams(first) <= before - len(closing):
                released = time.perf_counter() - start
                break
            gevent.sleep(0.05)
        rows.append(report(f"release of {len(closing)} closed streams", {
            "seconds": round(released, 2) if released is not None else "over 30"}))
        if two:
            second = servers[1]
            for stream in streams:
                stream.close()
            n = min(STREAMS)
            streams = pool.map(lambda token: Stream(second, token, arrivals), tokens[:n])
            gevent.sleep(1)
            latencies, missing = push_latency(first, agent, customer["id"], arrivals, n)
            rows.append(report(f"POST -> frame across instances, {n} streams", {
                **quantiles(latencies), "missing": missing}))
        for stream in streams:
            stream.close()
    finally:
        for server in servers:
            server.stop()
    save(f"sockets-{backend}", rows)


if __name__ == "__main__":
    main()
