"""The in-process auto-close sweeper (R4).

Each process runs one daemon thread; `close_stale` is safe to run from several
processes at once, so no leader election is needed.
"""

import logging
import threading

from flask import Flask

from .domain import requests as requests_domain
from .extensions import db

log = logging.getLogger(__name__)


def sweep_once(app: Flask) -> int:
    with app.app_context():
        session = db.new_session(app)
        try:
            closed = requests_domain.close_stale(session)
            session.commit()
        except Exception:
            session.rollback()
            raise
        finally:
            session.close()
    if closed:
        log.info("auto-closed %d idle requests", closed)
    return closed


def _loop(app: Flask, interval: int, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            sweep_once(app)
        except Exception:
            log.exception("auto-close sweep failed; will retry")


def init_app(app: Flask) -> None:
    """Start the sweeper when `AUTOCLOSE_SWEEP_SECONDS` > 0 (gunicorn sets it per worker)."""
    interval = app.config["AUTOCLOSE_SWEEP_SECONDS"]
    app.extensions["sweeper_stop"] = stop = threading.Event()
    if interval > 0 and app.config.get("START_SWEEPER", False):
        threading.Thread(target=_loop, args=(app, interval, stop), daemon=True,
                         name="auto-close-sweeper").start()
