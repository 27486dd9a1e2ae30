"""Liveness and readiness probes: the only API routes that need no credentials."""

import sqlalchemy as sa
from flask_smorest import Blueprint

from ..errors import problem_response
from ..extensions import db

blp = Blueprint("health", __name__, description="Health checks (no credentials)")


@blp.route("/healthz")
@blp.doc(security=[])
def healthz():
    """The process is up."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.doc(security=[])
def readyz():
    """The process can reach its database."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        return problem_response(503, "Service unavailable", "The database is unreachable.")
    return {"status": "ok"}
