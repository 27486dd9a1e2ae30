"""Agent sign-in: with a password (standalone) or Finesse credentials (Finesse gadget)."""

from flask.views import MethodView
from flask_smorest import Blueprint

from .. import finesse
from ..domain import agents as agents_domain
from ..extensions import db
from ..schemas import FinesseLoginSchema, LoginSchema, TokenSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in")


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    @blp.doc(security=[])
    def post(self, data):
        """Exchange an agent's id and password for a token."""
        token, expires_at = agents_domain.login(db.session, data["agent_id"], data["password"])
        db.session.commit()
        return {"token": token, "expires_at": expires_at}


@blp.route("/finesse")
class FinesseLogin(MethodView):
    @blp.arguments(FinesseLoginSchema)
    @blp.response(200, TokenSchema)
    @blp.doc(security=[])
    def post(self, data):
        """Exchange Finesse credentials (checked by Finesse) for a token."""
        name = finesse.verify_user(data["agent_id"], data["authorization"])
        agents_domain.ensure_agent(db.session, data["agent_id"], name)
        token, expires_at = agents_domain.issue_agent_token(db.session, data["agent_id"])
        db.session.commit()
        return {"token": token, "expires_at": expires_at}
