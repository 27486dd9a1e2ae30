"""Activities: details, tags (R5), notes (R6), moves (R11) and chat and email messages (R16)."""

from flask.views import MethodView

from ..auth import current_principal, roles
from ..domain import activities as activities_domain
from ..domain import messages as messages_domain
from ..extensions import db
from ..schemas import (
    ActivitySchema,
    MessageCreateSchema,
    MessageSchema,
    MoveSchema,
    NoteCreateSchema,
    NoteSchema,
    TagCreateSchema,
    TagSchema,
)
from .common import ID, Blueprint, actor, etag

blp = Blueprint("activities", __name__, url_prefix="/api/v1/activities",
                description="Activities, their tags, notes and messages")


@blp.route(f"/<{ID}:activity_id>")
class ActivityByIdViews(MethodView):
    @roles("agent", "admin")
    @blp.response(200, ActivitySchema)
    def get(self, activity_id):
        """Get an activity (with its ETag)."""
        activity = activities_domain.get(db.session, activity_id)
        return activity, 200, etag(activity)


@blp.route(f"/<{ID}:activity_id>/tags")
class ActivityTagViews(MethodView):
    @roles("agent", "admin")
    @blp.arguments(TagCreateSchema)
    @blp.response(201, TagSchema)
    def post(self, data, activity_id):
        """Add a tag: at most 50 characters, unique in the activity in any case (R5)."""
        activity = activities_domain.get(db.session, activity_id)
        tag = activities_domain.add_tag(db.session, activity, data["name"], actor())
        db.session.commit()
        return tag, 201, etag(activity)


@blp.route(f"/<{ID}:activity_id>/tags/<string:name>")
class ActivityTagByNameViews(MethodView):
    @roles("agent", "admin")
    @blp.response(204)
    def delete(self, activity_id, name):
        """Remove a tag (any case)."""
        activity = activities_domain.get(db.session, activity_id)
        activities_domain.remove_tag(db.session, activity, name, actor())
        db.session.commit()


@blp.route(f"/<{ID}:activity_id>/notes")
class ActivityNoteViews(MethodView):
    @roles("agent", "admin")
    @blp.response(200, NoteSchema(many=True))
    def get(self, activity_id):
        """The activity's notes, oldest first (R6)."""
        return activities_domain.get(db.session, activity_id).notes

    @roles("agent", "admin")
    @blp.arguments(NoteCreateSchema)
    @blp.response(201, NoteSchema)
    def post(self, data, activity_id):
        """Add a note (R6)."""
        activity = activities_domain.get(db.session, activity_id)
        note = activities_domain.add_note(db.session, activity, data["text"], actor())
        db.session.commit()
        return note, 201, etag(activity)


@blp.route(f"/<{ID}:activity_id>/move")
class ActivityMoveViews(MethodView):
    @roles("agent", "admin")
    @blp.arguments(MoveSchema)
    @blp.response(200, ActivitySchema)
    def post(self, data, activity_id):
        """Move to another open request, a new request, or another customer (R11).

        Name one of `request_id` (an open request; with `customer_id`, it must be that
        customer's), `customer_id` alone (the attach rule picks the request) or
        `new_request: true`. Never to or from a closed request (409).
        """
        activity = activities_domain.get(db.session, activity_id)
        activities_domain.move(db.session, activity, actor(), **data)
        db.session.commit()
        return activity, 200, etag(activity)


@blp.route(f"/<{ID}:activity_id>/messages")
class ActivityMessageViews(MethodView):
    @roles("connector", "agent", "admin")
    @blp.response(200, MessageSchema(many=True))
    def get(self, activity_id):
        """The chat transcript or email thread, oldest first; connectors see their own (R16)."""
        return messages_domain.listing(db.session, activity_id, current_principal())

    @roles("connector", "agent", "admin")
    @blp.arguments(MessageCreateSchema, examples={
        "the customer writes (a connector)": {"value": {
            "message_id": "chat-881-m2", "text": "It is a Model 7 router."}},
        "the agent replies": {"value": {"text": "Thanks! Let me check that model."}}})
    @blp.response(201, MessageSchema)
    @blp.alt_response(200, schema=MessageSchema,
                      description="The same message_id again: the stored message, unchanged")
    def post(self, data, activity_id):
        """Add the customer's message (connectors, admins) or reply to a chat (its agent) (R16).

        A reply goes to the connector's webhook; a retry with the same message_id changes
        nothing.
        """
        message, first_time = messages_domain.post(db.session, activity_id, data,
                                                   current_principal())
        db.session.commit()
        return message, 201 if first_time else 200
