"""The auto-close sweeper (R4), a background job of every process.

`close_stale` is safe to run from several processes at once, so no leader election is needed.
"""

import logging

from flask import Flask

from . import background, metrics
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
        metrics.auto_closed(closed)
    return closed


def init_app(app: Flask) -> None:
    """Sweep every `AUTOCLOSE_SWEEP_SECONDS` (0 disables) in served processes."""
    interval = app.config["AUTOCLOSE_SWEEP_SECONDS"]
    if interval > 0 and background.enabled(app):

        def job(app):
            sweep_once(app)
            return interval

        background.start(app, "auto-close-sweeper", job, interval)
