"""Agent sign-in: with a password (standalone) or Finesse credentials (Finesse gadget).

Failed sign-ins are limited per agent id and per client address (429 with Retry-After):
guessing stays slow, and a flood of wrong passwords is refused before any password hash
is computed, so it cannot slow everyone else down.
"""

from flask import current_app, request
from flask.views import MethodView
from flask_limiter.util import get_remote_address

from .. import finesse
from ..domain import agents as agents_domain
from ..extensions import db, limiter
from ..schemas import FinesseLoginSchema, LoginSchema, TokenSchema
from .common import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in")


def _agent_key() -> str:
    try:
        body = request.get_json(force=True)
    except (ValueError, RecursionError):  # the view answers the bad body; count the address
        body = None
    agent_id = body.get("agent_id") if isinstance(body, dict) else None
    return f"agent:{agent_id.strip().casefold()}" if isinstance(agent_id, str) else "agent:"


def _failed(response) -> bool:
    return response.status_code in (401, 403)


def signin_limits(view):
    """Count only failed attempts, against the agent id and the client's address."""
    for setting, key in (("SIGNIN_FAILURES_PER_AGENT", _agent_key),
                         ("SIGNIN_FAILURES_PER_ADDRESS", get_remote_address)):
        view = limiter.limit(lambda setting=setting: current_app.config[setting], key_func=key,
                             deduct_when=_failed, scope=f"signin:{setting}")(view)
    return view


@blp.route("/login")
class Login(MethodView):
    @signin_limits
    @blp.arguments(LoginSchema, example={"agent_id": "alice", "password": "s3cret-pass"})
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @blp.doc(security=[])
    def post(self, data):
        """Exchange an agent's id and password for a token."""
        token, expires_at = agents_domain.login(db.session, data["agent_id"], data["password"])
        db.session.commit()
        return {"token": token, "expires_at": expires_at}


@blp.route("/finesse")
class FinesseLogin(MethodView):
    @signin_limits
    @blp.arguments(FinesseLoginSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @blp.alt_response(502, response="BAD_GATEWAY")
    @blp.doc(security=[])
    def post(self, data):
        """Exchange an agent's own Finesse credentials (checked by Finesse) for a token."""
        user = finesse.verify_user(data["agent_id"], data["authorization"])
        # The agent is known here by its loginId, as Finesse's gadget config names it.
        agents_domain.ensure_agent(db.session, user.login_id, user.name)
        token, expires_at = agents_domain.issue_agent_token(db.session, user.login_id)
        db.session.commit()
        return {"token": token, "expires_at": expires_at}
