"""Helpers shared by routes: ETags and If-Match (R9), the acting principal."""

import http
import re

import flask_smorest
import marshmallow as ma
from flask import request
from flask_smorest.pagination import PaginationMetadataSchema
from webargs.flaskparser import FlaskParser, is_json_request

from ..auth import current_principal
from ..errors import PreconditionFailed, PreconditionRequired, Problem, UnsupportedMediaType
from ..extensions import db
from ..models import ID_MAX

# The converter of id path segments: an id no row can have is a 404, not a database error.
ID = f"int(min=1,max={ID_MAX})"


class JsonBodyParser(FlaskParser):
    """A JSON endpoint takes JSON. webargs reads a form, an untyped or an empty body as no
    arguments at all, which made `POST /customers` with a form create an empty customer."""

    def load_json(self, req, schema):
        if not req.get_data(cache=True):
            raise Problem("This request needs a JSON body (an object); it had none.")
        if not is_json_request(req):
            raise UnsupportedMediaType(
                f"Send the body as JSON (application/json), not {req.mimetype or 'untyped'}.")
        try:
            return super().load_json(req, schema)
        except RecursionError:
            raise Problem("The JSON body is nested too deeply.") from None


class MoreThan(int):
    """An item count that is only a lower bound: more items follow the page (searches do
    not count their matches)."""


class PageMetadataSchema(PaginationMetadataSchema):
    more = ma.fields.Boolean(metadata={
        "description": "Pages follow this one. Searches give `total`, `total_pages` and "
                       "`last_page` only on the page where they see their last match"})


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint: JSON bodies must be JSON (documented as 400/415), and
    X-Pagination documented as the JSON text it carries.

    flask-smorest gives the header an object `schema`, which OpenAPI reads as the `simple`
    style (`total,3,page,1`); a JSON value is described with `content` instead.
    """

    ARGUMENTS_PARSER = JsonBodyParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._document_problems)

    def add_url_rule(self, rule, endpoint=None, view_func=None, provide_automatic_options=None,
                     **kwargs):
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **kwargs)
        # CustomerByIdViews.patch -> patchCustomerById: unique, as view names are.
        resource = view_func.__name__.removesuffix("Views")
        resource = resource[:1].upper() + resource[1:]
        for method, method_doc in self._docs[self._endpoints[-1]].items():
            if not isinstance(method_doc, dict):
                continue
            method_doc.setdefault("manual_doc", {}).setdefault("operationId", method + resource)
            if "<" in rule:  # an id in the path: it may name nothing
                method_doc.setdefault("problems", []).append(404)

    @staticmethod
    def _document_problems(doc, doc_info, *, method, **_kwargs):
        """The errors every operation of its kind can answer, in one place: 401/403 without
        the right credentials, 404 for an id that names nothing, 409 for any write that
        meets a conflicting one, 412/428 where If-Match guards an edit, 413 for a body over
        MAX_CONTENT_LENGTH. Others (429, 502...) are declared by their routes."""
        manual = doc_info.get("manual_doc", {})
        statuses = set(doc_info.get("problems", ()))
        if manual.get("security") != []:
            statuses |= {401, 403}
        if method in ("post", "put", "patch", "delete"):
            statuses.add(409)
        if any(p.get("name") == "If-Match" for p in manual.get("parameters", ())):
            statuses |= {412, 428}
        if "requestBody" in doc:
            statuses.add(413)
        responses = doc.setdefault("responses", {})
        for status in sorted(statuses):
            responses.setdefault(str(status), http.HTTPStatus(status).name)
        return doc

    def arguments(self, schema, *, location="json", **kwargs):
        if location == "json" and kwargs.get("required") is False:
            raise ValueError("JSON bodies are required (JsonBodyParser refuses none)")
        parse = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return parse

        def decorate(func):
            func = self.alt_response(400, response="BAD_REQUEST")(parse(func))
            return self.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")(func)

        return decorate

    def _document_pagination_metadata(self, spec, resp_doc):
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = {
            "description": "Pagination metadata",
            "content": {"application/json": {"schema": PageMetadataSchema}},
        }

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        if isinstance(item_count, MoreThan):
            metadata = {"page": page, "first_page": 1, "next_page": page + 1, "more": True}
            if page > 1:
                metadata["previous_page"] = page - 1
            return PageMetadataSchema().dump(metadata)
        metadata = flask_smorest.Blueprint._make_pagination_metadata(page, page_size, item_count)
        return {**metadata, "more": "next_page" in metadata}


def etag(entity) -> dict:
    """Response headers carrying the entity's version as a strong ETag."""
    return {"ETag": f'"{entity.version}"'}


# What If-Match may hold (RFC 9110): `*`, or a list of entity tags.
IF_MATCH_PATTERN = r'^(\*|(W/)?"[^"]*"( *, *(W/)?"[^"]*")*)$'


def check_if_match(entity, schema) -> None:
    """PATCH needs If-Match: the version the client saw, or `*` to overwrite on purpose."""
    if_match = request.if_match
    raw = request.headers.get("If-Match", "")
    if not raw:
        raise PreconditionRequired("Send If-Match with the ETag you loaded (or * to overwrite).")
    if not re.fullmatch(IF_MATCH_PATTERN, raw):
        raise Problem('If-Match holds ETags in quotes ("3") or *.')
    # Lock the row and read its latest version: of two writers holding the same ETag the
    # second waits for the first, then gets this 412 with the first one's version.
    db.session.refresh(entity, with_for_update={"key_share": True})
    if if_match.star_tag or if_match.contains(str(entity.version)):
        return
    raise PreconditionFailed(
        f"{type(entity).__name__} {entity.id} was changed by {entity.updated_by or 'someone'} "
        f"at {entity.updated_at.isoformat()}; you have an older version.",
        headers=etag(entity),
        current=schema.dump(entity),
        changed_by=entity.updated_by,
        changed_at=entity.updated_at.isoformat(),
    )


def actor() -> str:
    return current_principal().actor


IF_MATCH_DOC = {
    "parameters": [{"in": "header", "name": "If-Match", "required": True,
                    "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
                    "description": "The ETag you loaded, or * to overwrite on purpose "
                                   "(412 if it is not the current version)"}],
}
