"""Liveness and readiness probes: the only API routes that need no credentials."""

import sqlalchemy as sa

from ..errors import problem_response
from ..extensions import db
from ..schemas import StatusSchema
from .common import Blueprint

blp = Blueprint("health", __name__, description="Health checks (no credentials)")


@blp.route("/healthz")
@blp.response(200, StatusSchema)
@blp.doc(security=[])
def healthz():
    """The process is up."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, StatusSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
@blp.doc(security=[])
def readyz():
    """The process can reach its database."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        return problem_response(503, "Service unavailable", "The database is unreachable.")
    return {"status": "ok"}
