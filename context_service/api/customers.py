"""Customers: search, create (also from an unknown contact), edit, journey, export, erase."""

from flask.views import MethodView

from ..auth import roles
from ..domain import customers as customers_domain
from ..domain import fields, privacy
from ..domain import requests as requests_domain
from ..extensions import db
from ..models import Customer
from ..schemas import (
    CustomerCreateSchema,
    CustomerPatchSchema,
    CustomerQueryArgsSchema,
    CustomerSchema,
    ExportSchema,
    JourneyQueryArgsSchema,
    JourneySchema,
    RequestCreateSchema,
    RequestSchema,
)
from .common import ID, IF_MATCH_DOC, Blueprint, MoreThan, actor, check_if_match, etag

blp = Blueprint("customers", __name__, url_prefix="/api/v1/customers",
                description="Customers and their journeys")


@blp.route("")
class CustomerViews(MethodView):
    @roles("agent", "admin")
    @blp.arguments(CustomerQueryArgsSchema, location="query")
    @blp.response(200, CustomerSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, args, pagination_parameters):
        """Search customers by name, email or phone (the first 1,000 matches).

        With `field` and `value`, only customers whose custom field has that value.
        """
        where = None
        if "field" in args:
            where = fields.filter_condition(db.session, "customer", Customer.extra,
                                            args["field"], args["value"])
        page, total = customers_domain.search(
            db.session, args.get("q"), pagination_parameters.first_item,
            pagination_parameters.page_size, where)
        pagination_parameters.item_count = total if total is not None else MoreThan(
            pagination_parameters.last_item + 1)
        return page

    @roles("agent", "admin")
    @blp.arguments(CustomerCreateSchema, example={
        "first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@example.com"],
        "phones": ["+1 415 555 0100"], "city": "London", "preferred_language": "en"})
    @blp.response(201, CustomerSchema)
    def post(self, data):
        """Create a customer, optionally from an unknown contact's activity (R7).

        With `from_activity_id`, the activity must have no customer yet (409 otherwise);
        its request becomes the new customer's.
        """
        from_activity_id = data.pop("from_activity_id", None)
        customer = customers_domain.create(db.session, data, actor(), from_activity_id)
        db.session.commit()
        return customer, 201, etag(customer)


@blp.route(f"/<{ID}:customer_id>")
class CustomerByIdViews(MethodView):
    @roles("agent", "admin")
    @blp.response(200, CustomerSchema)
    def get(self, customer_id):
        """Get a customer (with its ETag)."""
        customer = customers_domain.get(db.session, customer_id)
        return customer, 200, etag(customer)

    @roles("agent", "admin")
    @blp.arguments(CustomerPatchSchema, example={"city": "Manchester"})
    @blp.response(200, CustomerSchema)
    @blp.doc(**IF_MATCH_DOC)
    def patch(self, data, customer_id):
        """Change a customer; needs If-Match (R9)."""
        customer = customers_domain.get(db.session, customer_id)
        check_if_match(customer, CustomerSchema())
        customers_domain.update(db.session, customer, data, actor())
        db.session.commit()
        return customer, 200, etag(customer)

    @roles("admin")
    @blp.response(204)
    def delete(self, customer_id):
        """Erase a customer and everything that is theirs (admin)."""
        customer = customers_domain.get(db.session, customer_id)
        privacy.erase(db.session, customer, actor())
        db.session.commit()


@blp.route(f"/<{ID}:customer_id>/journey")
class CustomerJourneyViews(MethodView):
    @roles("agent", "admin")
    @blp.arguments(JourneyQueryArgsSchema, location="query")
    @blp.response(200, JourneySchema)
    def get(self, args, customer_id):
        """The customer's requests with their activities, newest first, a page at a time (R11)."""
        customer = customers_domain.get(db.session, customer_id)
        return customers_domain.journey(db.session, customer, args["limit"], args.get("before"))


@blp.route(f"/<{ID}:customer_id>/export")
class CustomerExportViews(MethodView):
    @roles("admin")
    @blp.response(200, ExportSchema)
    def get(self, customer_id):
        """Everything stored about a customer: journey, messages, tasks, audit (admin)."""
        customer = customers_domain.get(db.session, customer_id)
        return privacy.export(db.session, customer)


@blp.route(f"/<{ID}:customer_id>/requests")
class CustomerRequestViews(MethodView):
    @roles("agent", "admin")
    @blp.arguments(RequestCreateSchema)
    @blp.response(201, RequestSchema)
    def post(self, data, customer_id):
        """Add a request for a new problem (R12)."""
        customer = customers_domain.get(db.session, customer_id)
        request = requests_domain.create(db.session, customer.id, actor(), **data)
        db.session.commit()
        return request, 201, etag(request)
