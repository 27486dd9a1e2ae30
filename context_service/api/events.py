"""Contact events from CTI connectors and host desktops (R1, R2, R17)."""

from flask.views import MethodView

from .. import metrics
from ..auth import current_principal, roles
from ..domain import events as events_domain
from ..extensions import db
from ..schemas import ContactEventResultSchema, ContactEventSchema
from .common import Blueprint

blp = Blueprint("events", __name__, url_prefix="/api/v1/contact-events",
                description="Contact events: offered, accepted, ended")


@blp.route("")
class ContactEventViews(MethodView):
    @roles("connector", "agent", "admin")
    @blp.arguments(ContactEventSchema, examples={
        "a call answered": {"value": {
            "event_id": "pbx-7781-accepted", "source": "pbx", "contact_id": "7781",
            "media_type": "voice", "type": "accepted", "agent_id": "alice",
            "from": "+1 (415) 555-0100", "to": "1000",
            "variables": {"callVariable1": "gold"}, "occurred_at": "2026-11-22T09:00:00Z"}},
        "a chat queued for the service to route": {"value": {
            "event_id": "chat-881-queued", "source": "webchat", "contact_id": "881",
            "media_type": "chat", "type": "queued", "queue": "support",
            "from": "ada@example.com", "customer_name": "Ada Lovelace",
            "body": "Hi, my router keeps rebooting."}},
        "the call ends": {"value": {
            "event_id": "pbx-7781-ended", "source": "pbx", "contact_id": "7781",
            "media_type": "voice", "type": "ended"}}})
    @blp.response(201, ContactEventResultSchema)
    @blp.alt_response(200, schema=ContactEventResultSchema,
                      description="The same (source, event_id) again: the first answer, unchanged")
    def post(self, data):
        """Post a contact event; a retried event changes nothing.

        Rules across fields: `queued` needs a `queue` and no `agent_id`, media voice, chat
        or email, and comes from connectors; only `queued` names a queue. `accepted` names
        the agent (an agent's own token names itself). `subject` and `body` belong to chats
        and emails. `transfer` belongs to `accepted`: an agent taking a contact another
        agent holds must send it. The same `(source, event_id)` with other content is 409;
        a contact reported by another connector key is 403.
        """
        body, first_time = events_domain.ingest(db.session, data, current_principal())
        db.session.commit()
        metrics.event_received(data["type"], first_time)
        return body, 201 if first_time else 200
