"""Presence (issue 14; rules in domain/presence.py): which customer each agent's gadget
shows, so others see who else is looking at the same customer."""

from flask.views import MethodView
from marshmallow import fields as f

from ..auth import require_agent, roles
from ..domain import customers as customers_domain
from ..domain import presence
from ..extensions import db
from ..schemas import Schema, id_field
from .common import ID, Blueprint

blp = Blueprint("presence", __name__, url_prefix="/api/v1",
                description="Presence: who is viewing which customer")


class ViewingSchema(Schema):
    customer_id = id_field(required=True, metadata={"description": "The customer shown now"})


class ViewerSchema(Schema):
    agent_id = f.String()
    name = f.Function(lambda row: row.agent.name if row.agent else row.agent_id,
                      metadata={"description": "The agent's name, to show other agents"})
    since = f.DateTime(metadata={"description": "When the agent opened this customer"})
    seen_at = f.DateTime(metadata={"description": "When the gadget last said so"})


@blp.route("/me/viewing")
class ViewingViews(MethodView):
    @roles("agent")
    @blp.arguments(ViewingSchema, example={"customer_id": 7})
    @blp.response(200, ViewerSchema(many=True))
    def put(self, data):
        """Say which customer my gadget shows; answers everyone viewing it (me too).

        Say it when a customer opens and again at least every PRESENCE_TTL_SECONDS while it
        stays open. Every stream gets `presence.changed` (`customer_id`, `viewers`: agent
        ids) for the customer left and the one opened. My stream closing ends it at once.
        """
        shown = presence.view(db.session, require_agent().agent_id, data["customer_id"])
        db.session.commit()
        return shown

    @roles("agent")
    @blp.response(204)
    def delete(self):
        """My gadget shows no customer now."""
        presence.leave(db.session, require_agent().agent_id)
        db.session.commit()


@blp.route(f"/customers/<{ID}:customer_id>/viewers")
class CustomerViewerViews(MethodView):
    @roles("agent", "admin")
    @blp.response(200, ViewerSchema(many=True))
    def get(self, customer_id):
        """The agents viewing this customer now, longest first."""
        customers_domain.get(db.session, customer_id)
        return presence.viewers(db.session, customer_id)
