"""Care desktop tasks: the Queue (R14), a task's preview, and accepting it (R13)."""

from flask.views import MethodView

from ..auth import require_agent, roles
from ..domain import routing
from ..extensions import db
from ..schemas import QueueQueryArgsSchema, TaskSchema
from .common import ID, Blueprint, actor

blp = Blueprint("tasks", __name__, url_prefix="/api/v1",
                description="Care desktop: the queue and routed tasks")


@blp.route("/queue")
class QueueViews(MethodView):
    @roles("agent", "admin")
    @blp.arguments(QueueQueryArgsSchema, location="query")
    @blp.response(200, TaskSchema(many=True))
    @blp.paginate(page_size=100, max_page_size=500)
    def get(self, args, pagination_parameters):
        """Waiting tasks, oldest first, each with its customer, request and contact (R14)."""
        page, pagination_parameters.item_count = routing.waiting(
            db.session, pagination_parameters.first_item, pagination_parameters.page_size,
            **args)
        return page


@blp.route(f"/tasks/<{ID}:task_id>")
class TaskByIdViews(MethodView):
    @roles("agent", "admin")
    @blp.response(200, TaskSchema)
    def get(self, task_id):
        """A task with its preview."""
        return routing.with_previews(db.session, [routing.get(db.session, task_id)])[0]


@blp.route(f"/tasks/<{ID}:task_id>/accept")
class TaskAcceptViews(MethodView):
    @roles("agent")
    @blp.response(200, TaskSchema)
    def post(self, task_id):
        """Accept the task offered to me, or a waiting one I have room for (R13-R15)."""
        agent_id = require_agent().agent_id
        task = routing.accept(db.session, task_id, agent_id, actor())
        db.session.commit()
        return routing.with_previews(db.session, [task], agent_id)[0]
