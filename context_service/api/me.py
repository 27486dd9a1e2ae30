"""The calling agent: who am I, my state (R13), my tasks, my Open and Recent lists (R1, R10)."""

from flask.views import MethodView

from ..auth import current_principal, require_agent, roles
from ..domain import agents as agents_domain
from ..domain import customers as customers_domain
from ..domain import routing, worklists
from ..extensions import db
from ..schemas import (
    AgentStateChangeSchema,
    AgentStateSchema,
    MeSchema,
    OpenEntrySchema,
    ReopenSchema,
    TaskSchema,
)
from .common import ID, Blueprint, actor

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The calling agent")


@blp.route("")
class MeViews(MethodView):
    @roles("connector", "agent", "admin")
    @blp.response(200, MeSchema)
    def get(self):
        """Who the token belongs to."""
        return agents_domain.describe(db.session, current_principal())


@blp.route("/state")
class StateViews(MethodView):
    @roles("agent")
    @blp.response(200, AgentStateSchema)
    def get(self):
        """My state, room and pending offer (R13)."""
        agent = routing.get_agent(db.session, require_agent().agent_id)
        return routing.state_view(db.session, agent)

    @roles("agent")
    @blp.arguments(AgentStateChangeSchema, example={"state": "not_ready", "reason": "lunch"})
    @blp.response(200, AgentStateSchema)
    def put(self, data):
        """Go Ready (offers come) or Not Ready, with a reason (R13).

        Only `not_ready` takes a `reason`.
        """
        agent = routing.set_state(db.session, require_agent().agent_id, data["state"],
                                  data.get("reason"), actor())
        db.session.commit()
        return routing.state_view(db.session, agent)


@blp.route("/tasks")
class MyTaskViews(MethodView):
    @roles("agent")
    @blp.response(200, TaskSchema(many=True))
    def get(self):
        """My In Progress list: the tasks I accepted and have not closed."""
        return routing.in_progress(db.session, require_agent().agent_id)


@blp.route("/open")
class OpenViews(MethodView):
    @roles("agent")
    @blp.response(200, OpenEntrySchema(many=True))
    def get(self):
        """My Open list, newest first."""
        return worklists.open_entries(db.session, require_agent().agent_id)

    @roles("agent")
    @blp.arguments(ReopenSchema)
    @blp.response(201, OpenEntrySchema)
    @blp.alt_response(200, schema=OpenEntrySchema, description="Already open")
    def post(self, data):
        """Reopen a customer from Recent or search (R10)."""
        agent_id = require_agent().agent_id
        customer = customers_domain.get(db.session, data["customer_id"])
        entry, created = worklists.reopen(db.session, agent_id, customer)
        db.session.commit()
        return entry, 201 if created else 200


@blp.route(f"/open/<{ID}:entry_id>/close")
class OpenCloseViews(MethodView):
    @roles("agent")
    @blp.response(200, OpenEntrySchema)
    def post(self, entry_id):
        """Close an interaction: it moves from Open to Recent, and its task completes (R8)."""
        agent_id = require_agent().agent_id
        entry = worklists.get_open(db.session, agent_id, entry_id)
        if entry.activity_id:
            routing.complete(db.session, entry.activity_id, agent_id, actor())
        worklists.close(entry)
        db.session.commit()
        return entry


@blp.route("/recent")
class RecentViews(MethodView):
    @roles("agent")
    @blp.response(200, OpenEntrySchema(many=True))
    def get(self):
        """My Recent list, newest first."""
        return worklists.recent_entries(db.session, require_agent().agent_id)
