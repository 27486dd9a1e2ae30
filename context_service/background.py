"""Background jobs each process runs in daemon threads: auto-close, offer expiry, webhook delivery.

Every job is safe to run in several processes at once, so no leader is elected. A job
returns how many seconds to wait before its next run; `wake` cuts a wait short (this
process only: other processes notice on their next run).
"""

import logging
import threading

from flask import Flask

log = logging.getLogger(__name__)
# A failing job (the database is down, say) waits longer after each failure, up to this,
# instead of failing and logging at its usual pace.
FAILURE_BACKOFF_MAX_SECONDS = 60.0


def init_app(app: Flask) -> None:
    app.extensions["background"] = {"stop": threading.Event(), "wakers": {}}


def enabled(app: Flask) -> bool:
    """Jobs run in served processes (wsgi.py sets START_BACKGROUND), not in the CLI or tests."""
    return bool(app.config.get("START_BACKGROUND", False))


def start(app: Flask, name: str, job, delay: float) -> None:
    """Run `job(app)` after `delay` seconds, then again after the delay each run returns."""
    state = app.extensions["background"]
    waker = state["wakers"].setdefault(name, threading.Event())

    def loop(delay=delay):
        failures = 0
        while True:
            waker.wait(delay)
            waker.clear()
            if state["stop"].is_set():
                return
            try:
                delay = job(app)
                failures = 0
            except Exception:
                failures += 1
                delay = min(max(delay, 0.1) * 2, FAILURE_BACKOFF_MAX_SECONDS)
                log.exception("background job %s failed %d time(s) in a row; next try in "
                              "%.1f s", name, failures, delay)

    threading.Thread(target=loop, daemon=True, name=name).start()


def wake(app: Flask, name: str) -> None:
    waker = app.extensions["background"]["wakers"].get(name)
    if waker is not None:
        waker.set()


def stop(app: Flask) -> None:
    state = app.extensions["background"]
    state["stop"].set()
    for waker in state["wakers"].values():
        waker.set()
