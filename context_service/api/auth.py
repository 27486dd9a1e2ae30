"""Agent sign-in: agent id and password for a bearer token."""

from flask.views import MethodView
from flask_smorest import Blueprint

from ..domain import agents as agents_domain
from ..extensions import db
from ..schemas import LoginSchema, TokenSchema

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
