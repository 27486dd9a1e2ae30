"""Requests (cases): read and change title, description and status (R3)."""

from flask.views import MethodView

from ..auth import roles
from ..domain import requests as requests_domain
from ..extensions import db
from ..schemas import RequestPatchSchema, RequestSchema
from .common import ID, IF_MATCH_DOC, Blueprint, actor, check_if_match, etag

blp = Blueprint("requests", __name__, url_prefix="/api/v1/requests", description="Requests")


@blp.route(f"/<{ID}:request_id>")
class RequestByIdViews(MethodView):
    @roles("agent", "admin")
    @blp.response(200, RequestSchema)
    def get(self, request_id):
        """Get a request (with its ETag)."""
        request = requests_domain.get(db.session, request_id)
        return request, 200, etag(request)

    @roles("agent", "admin")
    @blp.arguments(RequestPatchSchema)
    @blp.response(200, RequestSchema)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, data, request_id):
        """Change title, description or status; needs If-Match (R9)."""
        request = requests_domain.get(db.session, request_id)
        check_if_match(request, RequestSchema())
        requests_domain.update(db.session, request, data, actor())
        db.session.commit()
        return request, 200, etag(request)
