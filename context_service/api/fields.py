"""Typed custom fields of customers and requests (issue 14; rules in domain/fields.py):
admins define them, agents read them to show and edit `extra` values."""

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields as f
from marshmallow import validate as v

from ..auth import roles
from ..domain import fields
from ..extensions import db
from ..models import FIELD_ENTITIES, FIELD_TYPES
from ..schemas import Flag, Schema, mapping
from .common import ID, IF_MATCH_DOC, Blueprint, actor, check_if_match, etag

blp = Blueprint("fields", __name__, url_prefix="/api/v1",
                description="Custom fields of customers and requests")

LABEL_LANGUAGE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$"


def labels_field(**kwargs):
    return mapping(f.String(validate=v.Length(min=1, max=200)), 20, metadata={
        "description": "Label per language tag (en, nb, de, fr, es...)",
        "example": {"en": "Loyalty tier", "nb": "Kundenivå"}}, **kwargs)


def options_field(**kwargs):
    return f.List(f.String(validate=v.Length(min=1, max=200)), validate=v.Length(max=100),
                  metadata={"description": "choice fields: the values allowed, in the order "
                                           "shown"}, **kwargs)


def max_length_field(**kwargs):
    return f.Integer(validate=v.Range(min=1, max=fields.TEXT_MAX), allow_none=True, metadata={
        "description": f"string fields: the longest value (default {fields.TEXT_MAX})"},
        **kwargs)


class FieldCreateSchema(Schema):
    entity = f.String(required=True, validate=v.OneOf(FIELD_ENTITIES))
    key = f.String(required=True, validate=v.Regexp(fields.KEY_PATTERN), metadata={
        "description": "The key of `extra` the values live under: lower case letters, digits "
                       "and _, starting with a letter"})
    labels = labels_field(load_default=dict)
    type = f.String(required=True, validate=v.OneOf(FIELD_TYPES), metadata={
        "description": "string, number (JSON number), date (\"YYYY-MM-DD\"), boolean, or "
                       "choice (one of `options`)"})
    options = options_field()
    required = Flag(load_default=False, metadata={
        "description": "Customers and requests people create (or whose `extra` they write) "
                       "must have a value"})
    max_length = max_length_field()

    @ma.validates_schema
    def _options_fit_the_type(self, data, **_kwargs):
        errors = fields._shape_errors(data.get("type"), data.get("options"),
                                      data.get("max_length"))
        if errors:
            raise ma.ValidationError(errors)


class FieldPatchSchema(Schema):
    labels = labels_field()
    options = options_field()
    required = Flag()
    max_length = max_length_field()


class FieldSchema(Schema):
    id = f.Integer()
    version = f.Integer()
    entity = f.String()
    key = f.String()
    labels = f.Dict(keys=f.String(), values=f.String())
    type = f.String()
    options = f.List(f.String())
    required = f.Boolean()
    max_length = f.Integer(allow_none=True)
    created_at = f.DateTime()
    updated_at = f.DateTime()
    updated_by = f.String(allow_none=True)


class FieldQueryArgsSchema(Schema):
    entity = f.String(validate=v.OneOf(FIELD_ENTITIES))


@blp.route("/fields")
class FieldReadViews(MethodView):
    @roles("agent", "admin")
    @blp.arguments(FieldQueryArgsSchema, location="query")
    @blp.response(200, FieldSchema(many=True))
    def get(self, args):
        """The custom field definitions, to show and edit `extra` values (agents too)."""
        return fields.definitions(db.session, args.get("entity"))


@blp.route("/admin/fields")
class FieldViews(MethodView):
    @roles("admin")
    @blp.arguments(FieldQueryArgsSchema, location="query")
    @blp.response(200, FieldSchema(many=True))
    def get(self, args):
        """List custom field definitions (admin)."""
        return fields.definitions(db.session, args.get("entity"))

    @roles("admin")
    @blp.arguments(FieldCreateSchema, example={
        "entity": "customer", "key": "tier", "type": "choice",
        "labels": {"en": "Loyalty tier", "nb": "Kundenivå"},
        "options": ["bronze", "silver", "gold"], "required": False})
    @blp.response(201, FieldSchema)
    def post(self, data):
        """Define a custom field of customers or requests (409 if the key is taken)."""
        definition = fields.create(db.session, data, actor())
        db.session.commit()
        return definition, 201, etag(definition)


@blp.route(f"/admin/fields/<{ID}:field_id>")
class FieldByIdViews(MethodView):
    @roles("admin")
    @blp.response(200, FieldSchema)
    def get(self, field_id):
        """A custom field definition (with its ETag)."""
        definition = fields.get(db.session, field_id)
        return definition, 200, etag(definition)

    @roles("admin")
    @blp.arguments(FieldPatchSchema, example={"labels": {"en": "Tier"}, "required": True})
    @blp.response(200, FieldSchema)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, data, field_id):
        """Change labels, options, required or max_length; needs If-Match. Entity, key and
        type stay: stored values were checked against them. Values stored before stay as
        they are; they are checked again when next written."""
        definition = fields.get(db.session, field_id)
        check_if_match(definition, FieldSchema())
        fields.update(db.session, definition, data, actor())
        db.session.commit()
        return definition, 200, etag(definition)

    @roles("admin")
    @blp.response(204)
    def delete(self, field_id):
        """Remove a definition; its stored values stay, untyped."""
        fields.delete(db.session, fields.get(db.session, field_id), actor())
        db.session.commit()
