"""Merging duplicate customers, and undoing a merge (issue 14; rules in domain/merges.py)."""

from flask import request
from flask.views import MethodView
from marshmallow import fields as f
from marshmallow import validate as v

from ..auth import roles
from ..domain import customers as customers_domain
from ..domain import merges
from ..errors import PreconditionFailed, PreconditionRequired
from ..extensions import db
from ..schemas import CustomerSchema, Schema, id_field
from .common import ID, IF_MATCH_DOC, Blueprint, actor, check_if_match, etag

blp = Blueprint("merges", __name__, url_prefix="/api/v1/customers",
                description="Merging duplicate customers, with undo")

SIDES = ("survivor", "other")


class MergeFieldsSchema(Schema):
    """Per field, whose value survives. Unnamed fields keep the survivor's value, or take the
    other's where the survivor has none. `extra` goes key by key: the named side's keys win,
    the other side's fill in. Emails and phones are always the union of both."""

    first_name = f.String(validate=v.OneOf(SIDES))
    last_name = f.String(validate=v.OneOf(SIDES))
    street = f.String(validate=v.OneOf(SIDES))
    city = f.String(validate=v.OneOf(SIDES))
    postal_code = f.String(validate=v.OneOf(SIDES))
    region = f.String(validate=v.OneOf(SIDES))
    country = f.String(validate=v.OneOf(SIDES))
    preferred_language = f.String(validate=v.OneOf(SIDES))
    extra = f.String(validate=v.OneOf(SIDES))


class MergeCreateSchema(Schema):
    other_id = id_field(required=True, metadata={
        "description": "The duplicate: merged into the survivor, then gone"})
    other_version = f.Integer(required=True, validate=v.Range(min=1, max=2**31 - 1), metadata={
        "description": "The duplicate's version as you loaded it (its ETag without quotes): "
                       "412 if it changed since. The survivor's goes in If-Match"})
    fields = f.Nested(MergeFieldsSchema, load_default=dict)


class MergedCustomerSchema(Schema):
    """The merged-away customer as it was when merged."""

    id = f.Integer()
    first_name = f.String(allow_none=True)
    last_name = f.String(allow_none=True)
    emails = f.List(f.String())
    phones = f.List(f.String())


class MergeMovedSchema(Schema):
    requests = f.Integer()
    activities = f.Integer()
    open_entries = f.Integer(metadata={"description": "Entries of agents' Open/Recent lists"})
    candidate_lists = f.Integer(metadata={
        "description": "Unknown contacts that listed the duplicate among possible callers"})
    contact_points = f.Integer(metadata={"description": "Emails and phones the survivor gained"})


class MergeSchema(Schema):
    id = f.Integer()
    survivor_id = f.Integer()
    merged_id = f.Integer(metadata={"description": "The merged-away customer's id (404 now, "
                                                   "with `merged_into`; back after an undo)"})
    merged_at = f.DateTime()
    merged_by = f.String()
    undo_until = f.DateTime(metadata={"description": "Undo is refused after this"})
    undone_at = f.DateTime(allow_none=True)
    undone_by = f.String(allow_none=True)
    merged = f.Nested(MergedCustomerSchema)
    moved = f.Nested(MergeMovedSchema)
    changes = f.Dict(metadata={"description": "The survivor's fields the merge changed: "
                                              "{field: [before, after]}"})
    customer = f.Nested(CustomerSchema, metadata={
        "description": "POST answers: the survivor as it is now (also its ETag)"})
    restored = f.Nested(CustomerSchema, metadata={
        "description": "Undo answers: the merged-away customer, back"})


def _shown(merge, **more) -> dict:
    data = merge.undo
    snap, moved = data["merged"], data["moved"]
    points = snap["contact_points"]
    return {
        "id": merge.id, "survivor_id": merge.survivor_id, "merged_id": merge.merged_id,
        "merged_at": merge.merged_at, "merged_by": merge.merged_by,
        "undo_until": merge.merged_at + merges.undo_window(),
        "undone_at": merge.undone_at, "undone_by": merge.undone_by,
        "merged": {"id": snap["id"], "first_name": snap["first_name"],
                   "last_name": snap["last_name"],
                   "emails": [p["value"] for p in points if p["kind"] == "email"],
                   "phones": [p["value"] for p in points if p["kind"] == "phone"]},
        "moved": {"requests": len(moved["request_ids"]),
                  "activities": len(moved["activity_ids"]),
                  "open_entries": len(moved["open_entry_ids"]),
                  "candidate_lists": len(moved["candidates"]),
                  "contact_points": len(data["added_points"])},
        "changes": data["changes"], **more}


def _check_version(other, version: int) -> None:
    """The duplicate's version, sent in the body (If-Match holds the survivor's)."""
    if other.version != version:
        raise PreconditionFailed(
            f"Customer {other.id} was changed by {other.updated_by or 'someone'} at "
            f"{other.updated_at.isoformat()}; you have version {version}, it is at "
            f"{other.version}.", current=CustomerSchema().dump(other),
            changed_by=other.updated_by, changed_at=other.updated_at.isoformat())


@blp.route(f"/<{ID}:customer_id>/merge")
class CustomerMergeViews(MethodView):
    @roles("agent", "admin")
    @blp.arguments(MergeCreateSchema, example={
        "other_id": 42, "other_version": 3,
        "fields": {"first_name": "other", "city": "survivor", "extra": "other"}})
    @blp.response(201, MergeSchema)
    @blp.doc(**IF_MATCH_DOC)
    def post(self, data, customer_id):
        """Merge a duplicate customer into this one (the survivor); If-Match is its version.

        Requests with their activities, emails and phones, Open/Recent entries and candidate
        lists move to the survivor in one transaction, and the duplicate is gone. 412 if
        either side changed since it was loaded (`other_version` for the duplicate), 422 if
        `other_id` names nobody or the survivor itself. Every open stream gets
        `customer.merged` (`id`: the duplicate, `into`: the survivor). Undo it with
        `POST /api/v1/customers/merges/{merge_id}/undo`.
        """
        if not request.headers.get("If-Match"):  # before anything else is looked at
            raise PreconditionRequired("Send If-Match with the survivor's ETag (or *).")
        survivor, other = merges.lock_pair(db.session, customer_id, data["other_id"])
        check_if_match(survivor, CustomerSchema())
        _check_version(other, data["other_version"])
        merge = merges.merge(db.session, survivor, other, data["fields"], actor())
        db.session.commit()
        return _shown(merge, customer=survivor), 201, etag(survivor)


@blp.route(f"/<{ID}:customer_id>/merges")
class CustomerMergeListViews(MethodView):
    @roles("agent", "admin")
    @blp.response(200, MergeSchema(many=True))
    def get(self, customer_id):
        """Merges into this customer, newest first (undone ones too)."""
        customers_domain.get(db.session, customer_id)
        return [_shown(m) for m in merges.of_survivor(db.session, customer_id)]


@blp.route(f"/merges/<{ID}:merge_id>")
class MergeByIdViews(MethodView):
    @roles("agent", "admin")
    @blp.response(200, MergeSchema)
    def get(self, merge_id):
        """A merge: who merged whom into whom, what moved, until when it can be undone."""
        return _shown(merges.get(db.session, merge_id))


@blp.route(f"/merges/<{ID}:merge_id>/undo")
class MergeUndoViews(MethodView):
    @roles("agent", "admin")
    @blp.response(200, MergeSchema)
    def post(self, merge_id):
        """Undo a merge: the duplicate comes back with everything that moved.

        409 when it is already undone, older than MERGE_UNDO_SECONDS, or unsafe: the
        survivor changed since (an edit or another merge would be lost), or a moved request
        or activity was moved, erased or joined by a later contact. The detail says which.
        Streams get `customer.unmerged` (`id`: the restored customer, `from`: the survivor).
        """
        merge = merges.get(db.session, merge_id)
        restored = merges.undo(db.session, merge, actor())
        db.session.commit()
        survivor = customers_domain.get(db.session, merge.survivor_id)
        return _shown(merge, customer=survivor, restored=restored)

