"""The calling agent: who am I, my Open and Recent lists (R1, R10)."""

from flask.views import MethodView

from ..auth import current_principal, require_agent, roles
from ..domain import agents as agents_domain
from ..domain import customers as customers_domain
from ..domain import worklists
from ..extensions import db
from ..schemas import MeSchema, OpenEntrySchema, ReopenSchema
from .common import ID, Blueprint

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The calling agent")


@blp.route("")
class MeViews(MethodView):
    @roles("connector", "agent", "admin")
    @blp.response(200, MeSchema)
    def get(self):
        """Who the token belongs to."""
        return agents_domain.describe(db.session, current_principal())


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
        """Close an interaction: it moves from Open to Recent (R8)."""
        entry = worklists.get_open(db.session, require_agent().agent_id, entry_id)
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
