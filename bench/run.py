"""Benchmark: the data path (ingest against the framework ceiling, search, the journey).

    make bench                                                  # SQLite, 20,000 customers
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench make bench
    BENCH_CUSTOMERS=1000000 BENCH_DATABASE_URL=... make bench   # the 1 M figures

One run measures, on the same machine and database:

1. **Ingest against the framework ceiling**: a bare Flask endpoint (bench/bare.py) and the
   service's `POST /contact-events`, each under the same gunicorn settings
   (gunicorn.conf.py; 2 workers on PostgreSQL, 1 on SQLite; BENCH_THREADS threads), in
   BENCH_ROUNDS interleaved rounds of BENCH_EVENTS requests from BENCH_CLIENTS keep-alive
   clients. The events are `accepted` calls of known customers with an open request;
   the ratio of each round and their median are printed. On PostgreSQL the rounds also
   measure the database floor (bench/floor.py): the same event's SQL on a raw psycopg
   connection, as 8 statements and as one, with nothing else, which says how much of
   the ceiling the database work alone leaves.
2. **Search latency per kind** (exact E.164, exact email, email prefix, name prefix, last
   name prefix, phone suffix, phone national prefix): BENCH_SEARCHES requests each, one at
   a time, as an agent typing, over BENCH_CUSTOMERS customers.
3. **The journey's first page** of customers with BENCH_JOURNEY_ACTIVITIES activities.

The data is loaded by `context-service load-synthetic`'s own loader, so every derived
column is what the API writes. Each figure is printed with /proc/loadavg as it was taken:
the machine is shared. The database named by BENCH_DATABASE_URL is emptied (a temporary
SQLite file by default); everything runs on 127.0.0.1 with a fixed number of requests;
results go to bench/results/<backend>.json. To measure again on the data a previous run
loaded (the same sizes), BENCH_REUSE=1; BENCH_PARTS=search,journey picks parts.
"""

import http.client
import json
import os
import pwd
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import phonenumbers
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from context_service import create_app, synthetic  # noqa: E402
from context_service.cli import migrate  # noqa: E402
from context_service.db import make_engine, normalise_url  # noqa: E402
from context_service.domain.addresses import email_key  # noqa: E402
from context_service.extensions import db  # noqa: E402
from context_service.models import Base, ContactPoint, Customer, search_key  # noqa: E402
from tests.live import LiveServer  # noqa: E402

ADMIN = "bench-admin-token"
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "20000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SEARCHES = int(os.environ.get("BENCH_SEARCHES", "200"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
THREADS = int(os.environ.get("BENCH_THREADS", "16"))
TARGETS = int(os.environ.get("BENCH_INGEST_CUSTOMERS", "1000"))  # ingest's callers
JOURNEYS = int(os.environ.get("BENCH_JOURNEYS", "20"))
JOURNEY_ACTIVITIES = int(os.environ.get("BENCH_JOURNEY_ACTIVITIES", "1000"))
PARTS = os.environ.get("BENCH_PARTS", "ingest,search,journey").split(",")
# make run's settings where the tests' differ (LiveServer turns the token cache off).
MAKE_RUN = {"TOKEN_CACHE_SECONDS": 10}


def loadavg() -> str:
    """The machine's load (1, 5, 15 minutes) right now: other work shares the cores."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _processes() -> dict[int, tuple[int, str, float]]:
    """Every process on the machine: pid -> (parent pid, owner's user name, user and system
    CPU seconds used so far), from one read of its /proc/<pid>/stat."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                found[int(entry.name)] = (int(fields[1]),
                                          pwd.getpwuid(entry.stat().st_uid).pw_name,
                                          (int(fields[11]) + int(fields[12])) / tick)
            except (OSError, KeyError):
                continue  # gone meanwhile
    return found


class CpuMeter:
    """CPU seconds used by the service (a process and its descendants), PostgreSQL's
    processes and this benchmark's own process, between `start()` and `stop()`: where a
    saturated machine's two cores went."""

    def __init__(self, service_pid: int):
        self.service_pid = service_pid

    def _read(self) -> dict[str, float]:
        processes = _processes()
        service, frontier = set(), {self.service_pid}
        while frontier:
            service |= frontier
            frontier = {pid for pid, (ppid, _, _) in processes.items()
                        if ppid in frontier and pid not in service}
        return {"service": sum(processes[pid][2] for pid in service if pid in processes),
                "postgresql": sum(cpu for _, user, cpu in processes.values()
                                  if user == "postgres"),
                "client": processes[os.getpid()][2]}

    def start(self) -> None:
        self.before = self._read()

    def stop(self) -> dict[str, float]:
        after = self._read()
        return {part: after[part] - self.before[part] for part in after}


# --- helpers bench/routing.py shares ------------------------------------------------------

def prepare(url: str) -> None:
    """An empty, migrated database with CUSTOMERS plain customers: +1 415 <n>, c<n>@..."""
    _empty(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.insert(Customer), [
            {"id": i, "first_name": f"First{i}", "last_name": f"Last{i % 5000}", "extra": {},
             "name_key": search_key(f"First{i}", f"Last{i % 5000}"),
             "last_name_key": search_key(f"Last{i % 5000}"), "version": 1}
            for i in range(1, CUSTOMERS + 1)])
        conn.execute(sa.insert(ContactPoint), [
            {"customer_id": i, "kind": "phone", "value": f"+1415{i:07d}", "key": f"+1415{i:07d}",
             "position": 0} for i in range(1, CUSTOMERS + 1)])
        conn.execute(sa.insert(ContactPoint), [
            {"customer_id": i, "kind": "email", "value": f"c{i}@example.com",
             "key": f"c{i}@example.com", "position": 0} for i in range(1, CUSTOMERS + 1)])
    engine.dispose()


def _empty(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    migrate(url)


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


def summary(name, wall, latencies, statuses, load=None):
    q = statistics.quantiles(latencies, n=100)
    row = {"name": name, "requests": len(latencies), "per_second": round(len(latencies) / wall, 1),
           "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1),
           "errors": sum(1 for s in statuses if s >= 400), "loadavg": load or loadavg()}
    print(f"{name:40} {row['per_second']:8}/s  p50 {row['p50_ms']:6} ms  "
          f"p95 {row['p95_ms']:6} ms  p99 {row['p99_ms']:6} ms  errors {row['errors']:3}  "
          f"load {row['loadavg']}", flush=True)
    return row


def database() -> tuple[str, str]:
    """(URL, backend name): BENCH_DATABASE_URL, else a temporary SQLite file."""
    url = os.environ.get("BENCH_DATABASE_URL")
    url = normalise_url(url) if url else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    return url, url.split(":")[0]


def workers(backend: str) -> int:
    return 1 if backend.startswith("sqlite") else 2


def serve(url: str, backend: str, threads: int) -> LiveServer:
    """The plain customers in place, and gunicorn on them."""
    prepare(url)
    return LiveServer(url, ADMIN, workers=workers(backend), GUNICORN_THREADS=threads,
                      **MAKE_RUN).start()


def save(name: str, rows: list) -> None:
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(rows, indent=2))


# --- the data path --------------------------------------------------------------------------

class Client:
    """One keep-alive HTTP connection per thread, as a connector or a gadget keeps one."""

    def __init__(self, url: str):
        self.host, self.port = url.removeprefix("http://").split(":")
        self.local = threading.local()

    def call(self, method: str, path: str, body=None, token=None) -> int:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.host, int(self.port),
                                                                timeout=30)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except (http.client.HTTPException, OSError):
            conn.close()
            self.local.conn = None
            return 599


def load_data(url: str, reuse: bool = False) -> dict:
    """The customers, the ingest callers (with an open request), the long journeys; with
    `reuse`, those a previous run of the same sizes loaded (BENCH_REUSE=1)."""
    if not reuse:
        _empty(url)
    app = create_app({"DATABASE_URL": url, "AUTOCLOSE_SWEEP_SECONDS": 0})
    spans, first = {}, 0
    with app.app_context():
        for name, n, per_customer in (("customers", CUSTOMERS, 0), ("callers", TARGETS, 2),
                                      ("journeys", JOURNEYS, JOURNEY_ACTIVITIES)):
            spans[name] = (first, n)
            if not reuse:
                start = time.perf_counter()
                synthetic.load(db.session, n, per_customer, first=first)
                print(f"loaded {n} {name} ({per_customer} activities each) in "
                      f"{time.perf_counter() - start:.1f} s, load {loadavg()}", flush=True)
            first += n
        if url.startswith("postgresql") and not reuse:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        ids = dict(db.session.execute(sa.select(ContactPoint.key, ContactPoint.customer_id)
                                      .where(ContactPoint.kind == "email",
                                             ContactPoint.key.in_([
                                                 email_key(p["emails"][0]) for p in
                                                 synthetic.people(*spans["journeys"])]))).all())
    spans["journey_ids"] = sorted(ids.values())
    assert len(spans["journey_ids"]) == JOURNEYS, "BENCH_REUSE needs a load of the same sizes"
    return spans


def ingest_vs_ceiling(server: LiveServer, bare: LiveServer, spans: dict,
                      floor: LiveServer | None = None) -> list:
    """Interleaved rounds: the bare endpoint, the database floor (PostgreSQL), our ingest."""
    rows = []
    connector = server.connector_token()
    server.agent_token("alice")
    first, n = spans["callers"]
    callers = [p["phones"][0] for p in synthetic.people(first, n)]
    run = int(time.time())  # new contacts in every run, on reused data too
    events = "/api/v1/contact-events"
    # name: (title, client, token, path), in the order each round measures them.
    targets = {"bare": ("bare Flask", Client(bare.url), None, events)}
    if floor is not None:
        targets["floor"] = ("database floor, 8 statements", Client(floor.url), None, events)
        targets["one"] = ("database floor, 1 statement", Client(floor.url), None,
                          "/one/contact-events")
    targets["ingest"] = ("ingest accepted", Client(server.url), connector, events)

    def event(tag, r, i):
        return {"event_id": f"bench-{run}-{tag}-{r}-{i}", "source": "bench",
                "contact_id": f"c-{run}-{tag}-{r}-{i}",
                "media_type": "voice", "type": "accepted", "agent_id": "alice",
                "from": callers[i % len(callers)]}

    def calls(name, r, count):
        _title, client, token, path = targets[name]
        return [lambda i=i: client.call("POST", path, event(name, r, i), token)
                for i in range(count)]

    # Warm each (connections, token caches, prepared statements) before measuring.
    for name in targets:
        timed(calls(name, "w", 50))
    ratios = {name: [] for name in targets if name != "bare"}
    for r in range(ROUNDS):
        measured = {}
        for name, (title, *_rest) in targets.items():
            load = loadavg()
            measured[name] = summary(f"{title} (round {r + 1})",
                                     *timed(calls(name, r, EVENTS)), load=load)
            rows.append(measured[name])
        for name, values in ratios.items():
            values.append(measured[name]["per_second"] / measured["bare"]["per_second"])
        print(f"{'':40} " + "  ".join(f"{name} / ceiling {values[-1]:.3f}"
                                      for name, values in ratios.items()), flush=True)
    for name, values in ratios.items():
        label = f"{targets[name][0]} / ceiling"
        rows.append({"name": f"{label} (median of rounds)",
                     "ratio": round(statistics.median(values), 3),
                     "ratios": [round(x, 3) for x in values]})
        print(f"{label:40} median {statistics.median(values):.3f} "
              f"of {[round(x, 3) for x in values]}", flush=True)
    return rows


def search_queries(spans: dict, rng: random.Random) -> dict[str, list[str]]:
    """Queries of each kind, for customers picked at random among all loaded."""
    total = spans["customers"][1]
    picks = [synthetic.person(rng.randrange(total)) for _ in range(SEARCHES)]
    kinds = {"exact E.164": [], "exact email": [], "email prefix": [], "name prefix": [],
             "last name prefix": [], "phone suffix (4 digits)": [],
             "phone national prefix (6 digits)": []}
    for p in picks:
        number = phonenumbers.parse(p["phones"][0], "US")
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        local = p["emails"][0].split("@")[0]
        kinds["exact E.164"].append(e164)
        kinds["exact email"].append(p["emails"][0])
        kinds["email prefix"].append(local[:-2])
        kinds["name prefix"].append(f"{p['first_name']} {p['last_name'][:2]}")
        kinds["last name prefix"].append(p["last_name"][:5])
        kinds["phone suffix (4 digits)"].append(e164[-4:])
        kinds["phone national prefix (6 digits)"].append(str(number.national_number)[:6])
    return kinds


def searches(server: LiveServer, spans: dict) -> list:
    token = server.agent_token("alice")
    client = Client(server.url)
    rows = []
    for kind, queries in search_queries(spans, random.Random(7)).items():
        load = loadavg()
        wall, latencies, statuses = _sequential([
            lambda q=q: client.call("GET", f"/api/v1/customers?q={quote(q)}&page_size=20",
                                    token=token) for q in queries])
        rows.append(summary(f"search: {kind}", wall, latencies, statuses, load=load))
    return rows


def journeys(server: LiveServer, spans: dict) -> list:
    token = server.agent_token("alice")
    client = Client(server.url)
    ids = spans["journey_ids"]
    load = loadavg()
    wall, latencies, statuses = _sequential([
        lambda i=i: client.call("GET", f"/api/v1/customers/{ids[i % len(ids)]}/journey",
                                token=token) for i in range(SEARCHES)])
    return [summary(f"journey first page ({JOURNEY_ACTIVITIES} act.)", wall, latencies,
                    statuses, load=load)]


def _sequential(calls):
    """One request at a time (latency, not throughput): a warm-up, then the calls."""
    for call in calls[:5]:
        call()
    latencies, statuses = [], []
    start = time.perf_counter()
    for call in calls:
        t = time.perf_counter()
        statuses.append(call())
        latencies.append((time.perf_counter() - t) * 1000)
    return time.perf_counter() - start, latencies, statuses


def main() -> None:
    url, backend = database()
    print(f"backend {backend}: {CUSTOMERS} customers, {ROUNDS} rounds of {EVENTS} events, "
          f"{SEARCHES} searches/kind, {CLIENTS} clients, {workers(backend)} worker(s) x "
          f"{THREADS} threads; load {loadavg()}", flush=True)
    spans = load_data(url, reuse=os.environ.get("BENCH_REUSE") == "1")
    env = {"GUNICORN_THREADS": THREADS, **MAKE_RUN}
    apps = ["context_service.wsgi:app", "bench.bare:app"]
    if backend.startswith("postgresql") and "ingest" in PARTS:
        apps.append("bench.floor:app")
    servers, rows = [], []
    try:
        for app in apps:  # each stopped below, whichever failed to start
            servers.append(LiveServer(url, ADMIN, workers=workers(backend), app=app, **env))
            servers[-1].start()
        server, bare, floor = (servers + [None])[:3]
        if "ingest" in PARTS:
            rows += ingest_vs_ceiling(server, bare, spans, floor)
        if "search" in PARTS:
            rows += searches(server, spans)
        if "journey" in PARTS:
            rows += journeys(server, spans)
    finally:
        for started in servers:
            started.stop()
    save(f"{backend}-{CUSTOMERS}", rows)


if __name__ == "__main__":
    main()
