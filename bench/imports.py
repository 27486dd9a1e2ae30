"""Benchmark: bulk CSV import of customers over HTTP (issue 14), with its progress.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_ex \
        .venv/bin/python bench/imports.py
    BENCH_IMPORT_ROWS=20000 .venv/bin/python bench/imports.py      # SQLite, a smaller file

The database named by BENCH_DATABASE_URL is emptied and migrated (a temporary SQLite file by
default). A CSV of BENCH_IMPORT_ROWS rows (default 100,000: names, an email, a phone in
national format, a city and a choice field `tier`) is generated, then, against gunicorn on
127.0.0.1 with gunicorn.conf.py's settings:

1. a dry run of the whole file (every line's outcome, nothing written);
2. the real import (every row creates a customer), while another connection reads
   `GET /api/v1/admin/imports/{id}` every second and prints the progress;
3. the same file again under another import id: every row matches a customer by its
   email and phone and is unchanged (the matching path without writes).

Each figure is printed with /proc/loadavg as it was taken: the machine is shared.
"""

import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import _empty, loadavg  # noqa: E402
from context_service.db import normalise_url  # noqa: E402
from tests.live import LiveServer  # noqa: E402

ADMIN = "bench-admin-token"
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
FIRST = ["Ann", "Bo", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kari", "Lea"]
LAST = ["Lee", "Berg", "Okafor", "Nakamura", "Silva", "Novak", "Haddad", "Jensen", "Rossi"]
CITIES = ["Oslo", "London", "Lagos", "Tokyo", "Lima", "Prague", "Beirut", "Aarhus", "Rome"]


def csv_text(rows: int, seed: int = 14) -> str:
    rng = random.Random(seed)
    lines = ["first_name,last_name,email,phone,city,tier"]
    for i in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        # National format, as people type it: the import normalises it to E.164.
        phone = f"(415) {200 + i // 10000:03d}-{i % 10000:04d}"
        lines.append(f"{first}{i},{last},{first.lower()}.{i}@example.com,{phone},"
                     f"{rng.choice(CITIES)},{rng.choice(['bronze', 'silver', 'gold'])}")
    return "\r\n".join(lines) + "\r\n"


def request(server: LiveServer, method: str, path: str, body: bytes | None = None,
            content_type: str = "application/json", timeout: float = 900):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={
            "Authorization": f"Bearer {ADMIN}", "Content-Type": content_type})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def watch(server: LiveServer, import_id: str, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        status, body = request(server, "GET", f"/api/v1/admin/imports/{import_id}", timeout=10)
        if status == 200:
            print(f"  progress: {body['processed_lines']:>7} of {body['total_lines']} "
                  f"({body['percent']}%), load {loadavg()}", flush=True)


def timed_import(server: LiveServer, body: bytes, query: str, import_id: str | None = None):
    stop = threading.Event()
    watcher = None
    if import_id:
        watcher = threading.Thread(target=watch, args=(server, import_id, stop), daemon=True)
        watcher.start()
    start = time.perf_counter()
    status, answer = request(server, "POST", f"/api/v1/admin/imports?{query}", body,
                             "text/csv")
    wall = time.perf_counter() - start
    stop.set()
    if watcher:
        watcher.join()
    return status, answer, wall


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    url = normalise_url(url) if url else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    backend = url.split(":")[0]
    _empty(url)
    text = csv_text(ROWS)
    body = text.encode()
    print(f"{backend}: {ROWS} rows, {len(body) / 1e6:.1f} MB of CSV; load {loadavg()}",
          flush=True)
    server = LiveServer(url, ADMIN, workers=2 if backend.startswith("postgres") else 1,
                        IMPORT_MAX_BYTES=str(256 * 1024 * 1024)).start()
    results = []
    try:
        status, _ = request(server, "POST", "/api/v1/admin/fields", json.dumps({
            "entity": "customer", "key": "tier", "type": "choice",
            "options": ["bronze", "silver", "gold"]}).encode())
        assert status == 201, status
        for name, query, import_id in (
                ("dry run", "dry_run=true", None),
                ("import (creates)", "import_id=bench-1", "bench-1"),
                ("import again (unchanged)", "import_id=bench-2", "bench-2")):
            load_before = loadavg()
            status, answer, wall = timed_import(server, body, query, import_id)
            counts = {k: answer.get(k) for k in ("created", "updated", "unchanged", "refused")}
            row = {"part": name, "rows": ROWS, "seconds": round(wall, 1),
                   "rows_per_second": round(ROWS / wall), "status": status, **counts,
                   "loadavg_before": load_before, "loadavg_after": loadavg()}
            results.append(row)
            print(f"{name}: {wall:.1f} s ({ROWS / wall:,.0f} rows/s), status {status}, "
                  f"{counts}; load before {load_before}, after {row['loadavg_after']}",
                  flush=True)
    finally:
        server.stop()
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"imports-{backend}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
