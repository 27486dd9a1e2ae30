"""Benchmark: contact-event ingestion and customer search against a real gunicorn.

    make bench                                   # SQLite (a temporary file)
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench make bench

The database named by BENCH_DATABASE_URL is emptied. Everything runs on 127.0.0.1,
with a fixed number of requests; results are printed and written to bench/results/.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from context_service.cli import migrate  # noqa: E402
from context_service.db import make_engine, normalise_url  # noqa: E402
from context_service.models import Base, ContactPoint, Customer  # noqa: E402
from tests.live import LiveServer  # noqa: E402

ADMIN = "bench-admin-token"
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "2000"))
SEARCHES = int(os.environ.get("BENCH_SEARCHES", "500"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))


def prepare(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    migrate(url)
    with engine.begin() as conn:
        conn.execute(sa.insert(Customer), [
            {"id": i, "first_name": f"First{i}", "last_name": f"Last{i % 5000}", "extra": {},
             "version": 1} for i in range(1, CUSTOMERS + 1)])
        conn.execute(sa.insert(ContactPoint), [
            {"customer_id": i, "kind": "phone", "value": f"+1415{i:07d}", "key": f"+1415{i:07d}",
             "position": 0} for i in range(1, CUSTOMERS + 1)])
        conn.execute(sa.insert(ContactPoint), [
            {"customer_id": i, "kind": "email", "value": f"c{i}@example.com",
             "key": f"c{i}@example.com", "position": 0} for i in range(1, CUSTOMERS + 1)])
    engine.dispose()


def timed(calls):
    """Run calls on CLIENTS threads; (wall seconds, latencies in ms, statuses)."""
    def one(call):
        start = time.perf_counter()
        status = call()
        return (time.perf_counter() - start) * 1000, status

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(one, calls))
    return time.perf_counter() - start, [r[0] for r in results], [r[1] for r in results]


def summary(name, wall, latencies, statuses):
    q = statistics.quantiles(latencies, n=100)
    row = {"name": name, "requests": len(latencies), "per_second": round(len(latencies) / wall, 1),
           "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1),
           "errors": sum(1 for s in statuses if s >= 400)}
    print(f"{name:28} {row['per_second']:8}/s  p50 {row['p50_ms']:6} ms  "
          f"p95 {row['p95_ms']:6} ms  p99 {row['p99_ms']:6} ms  errors {row['errors']}")
    return row


def database() -> tuple[str, str]:
    """(URL, backend name): BENCH_DATABASE_URL, else a temporary SQLite file."""
    url = os.environ.get("BENCH_DATABASE_URL")
    url = normalise_url(url) if url else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    return url, url.split(":")[0]


def serve(url: str, backend: str, threads: int) -> LiveServer:
    """The customers in place, and gunicorn on them: one worker on SQLite, two on PostgreSQL."""
    prepare(url)
    workers = 1 if backend.startswith("sqlite") else 2
    return LiveServer(url, ADMIN, workers=workers, GUNICORN_THREADS=threads).start()


def save(name: str, rows: list) -> None:
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(rows, indent=2))


def main() -> None:
    url, backend = database()
    print(f"backend {backend}: {CUSTOMERS} customers, {EVENTS} events, {SEARCHES} searches/kind, "
          f"{CLIENTS} client threads")
    server = serve(url, backend, threads=16)
    rows = []
    try:
        connector = server.connector_token()
        server.agent_token("alice")

        def event(i, replay=False):
            body = {"event_id": f"e{i}", "source": "bench", "contact_id": f"c{i}",
                    "media_type": "voice", "type": "accepted", "agent_id": "alice",
                    "from": f"+1 415 {i % CUSTOMERS + 1:07d}"}
            return lambda: server.call("POST", "/api/v1/contact-events", body, token=connector)[0]

        rows.append(summary("contact event (new)", *timed([event(i) for i in range(EVENTS)])))
        rows.append(summary("contact event (replay)", *timed([event(i) for i in range(EVENTS)])))
        token = server.agent_token("alice")

        def search(q):
            return lambda: server.call("GET", f"/api/v1/customers?q={q}&page_size=20",
                                       token=token)[0]

        for name, make in (("search name prefix", lambda i: f"Last{i % 5000}"),
                           ("search phone digits", lambda i: f"415{i:07d}"),
                           ("search email prefix", lambda i: f"c{i}@")):
            rows.append(summary(name, *timed([search(make(i + 1)) for i in range(SEARCHES)])))
        rows.append(summary("journey", *timed([
            (lambda i=i: server.call("GET", f"/api/v1/customers/{i % CUSTOMERS + 1}/journey",
                                     token=token)[0]) for i in range(SEARCHES)])))
    finally:
        server.stop()
    save(backend, rows)


if __name__ == "__main__":
    main()
