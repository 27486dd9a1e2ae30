"""Bulk import of customers from CSV and the CSV export of every customer (issue 14;
rules in domain/imports.py)."""

from flask import Response, current_app, request, stream_with_context
from flask.views import MethodView
from marshmallow import fields as f
from marshmallow import validate as v

from ..auth import roles
from ..domain import imports
from ..errors import Unprocessable, UnsupportedMediaType
from ..extensions import db
from ..schemas import Schema
from .common import Blueprint, actor

blp = Blueprint("imports", __name__, url_prefix="/api/v1/admin",
                description="Bulk import and export of customers (CSV)")

CSV_EXAMPLE = ("first_name,last_name,emails,phones,city,tier\r\n"
               "Ada,Lovelace,ada@example.com,+44 20 7946 0018,London,gold\r\n"
               "Alan,Turing,alan@example.com;turing@example.org,,Manchester,\r\n")


class ImportQueryArgsSchema(Schema):
    import_id = f.String(validate=v.Regexp(imports.IMPORT_ID.pattern), metadata={
        "description": "Your id for this import (letters, digits, . _ : -); required unless "
                       "dry_run. The same id with the same file again resumes an interrupted "
                       "import, or answers a finished one's result; with another file, 409"})
    dry_run = f.Boolean(load_default=False, metadata={
        "description": "true: write nothing, answer each line's outcome"})


class ImportLineSchema(Schema):
    row = f.Integer(metadata={"description": "Data row: 1 is the line after the header"})
    line = f.Integer(metadata={"description": "The file's line the row starts on"})
    action = f.String(metadata={"description": "created, updated, unchanged or refused"})
    customer_id = f.Integer(allow_none=True, metadata={
        "description": "The customer it matched by email or phone (null: one the file "
                       "creates)"})
    reason = f.String(metadata={"description": "Why it is refused"})


class ImportRefusalSchema(Schema):
    row = f.Integer()
    line = f.Integer()
    reason = f.String()


class ImportSchema(Schema):
    """A dry run's answer (`dry_run: true`, with `lines`), or an import's progress."""

    id = f.String(metadata={"description": "The import id (real runs)"})
    dry_run = f.Boolean()
    status = f.String(metadata={"description": "running, or completed (real runs)"})
    total_lines = f.Integer(metadata={"description": "Data rows in the file"})
    processed_lines = f.Integer(metadata={"description": "Rows done so far (real runs)"})
    percent = f.Float(metadata={"description": "processed_lines of total_lines, in %"})
    created = f.Integer()
    updated = f.Integer()
    unchanged = f.Integer()
    refused = f.Integer()
    refusals = f.List(f.Nested(ImportRefusalSchema), metadata={
        "description": f"Real runs: the first {imports.REFUSALS_KEPT} refused rows and why"})
    lines = f.List(f.Nested(ImportLineSchema), metadata={
        "description": "Dry runs: every row's outcome"})
    started_at = f.DateTime()
    finished_at = f.DateTime(allow_none=True)
    created_by = f.String()


def _progress(row) -> dict:
    shown = {k: getattr(row, k) for k in (
        "id", "status", "total_lines", "processed_lines", "created", "updated", "unchanged",
        "refused", "refusals", "started_at", "finished_at", "created_by")}
    shown["percent"] = round(100 * row.processed_lines / row.total_lines, 1) \
        if row.total_lines else 100.0
    return {"dry_run": False, **shown}


def _csv_body() -> bytes:
    if request.mimetype not in ("text/csv", "application/csv"):
        raise UnsupportedMediaType(
            f"Send the CSV as text/csv, not {request.mimetype or 'untyped'}.")
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
    return request.get_data(cache=False)


CSV_BODY = {"requestBody": {"required": True, "description": "The customers, as CSV with a "
                            "header row (UTF-8)", "content": {"text/csv": {
                                "schema": {"type": "string"}, "example": CSV_EXAMPLE}}}}


@blp.route("/imports")
class ImportViews(MethodView):
    @roles("admin")
    @blp.arguments(ImportQueryArgsSchema, location="query")
    @blp.response(201, ImportSchema)
    @blp.alt_response(200, schema=ImportSchema, description="A dry run's outcome, or a "
                      "finished import's result again (nothing done twice)")
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.doc(**CSV_BODY)
    def post(self, args):
        """Import customers from CSV (admin): a dry run, or the real, resumable run.

        Columns: first_name, last_name, street, city, postal_code, region, country,
        preferred_language, email(s) and phone(s) (several separated by `;`), one column
        per defined customer field (its key), `extra` (a JSON object). Each row matches a
        customer by email or phone: none creates one, one updates it, several refuse the
        row. Refused rows say why; the others go on. The whole file is refused (422) for a
        header with unknown columns or CSV that cannot be read. Follow a real run with
        `GET /api/v1/admin/imports/{import_id}`.
        """
        body = _csv_body()
        parsed = imports.prepare(db.session, body)
        if args["dry_run"]:
            return imports.dry_run(db.session, parsed), 200
        if "import_id" not in args:
            raise Unprocessable("A real import needs an import_id (or dry_run=true).",
                                errors={"import_id": ["Required unless dry_run."]})
        row, to_do = imports.begin(db.session, args["import_id"], body, parsed, actor())
        if not to_do:
            return _progress(row), 200
        row = imports.run(db.session, row, parsed, actor())
        return _progress(row), 201


@blp.route("/imports/<string:import_id>")
class ImportByIdViews(MethodView):
    @roles("admin")
    @blp.response(200, ImportSchema)
    def get(self, import_id):
        """An import's progress: lines done of all, counts, the refused rows (admin)."""
        return _progress(imports.get(db.session, import_id))


@blp.route("/exports/customers.csv")
class CustomerExportCsvViews(MethodView):
    @roles("admin")
    @blp.doc(responses={"200": {
        "description": "Every customer by id, streamed: id, names, emails and phones "
                       "(`; `-separated), address, created_at, updated_at, one column per "
                       "custom field, and `extra` (other values, JSON). Cells a "
                       "spreadsheet would run as a formula start with a quote",
        "content": {"text/csv": {"schema": {"type": "string"}}}}})
    def get(self):
        """Export every customer as CSV (admin); importable again as it is."""
        return Response(stream_with_context(imports.export_csv(db.session)),
                        mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="customers.csv"'})
