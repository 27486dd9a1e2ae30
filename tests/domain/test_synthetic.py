"""load-synthetic writes what the API writes: searches find loaded customers exactly as
they find the same people created over the API."""

import phonenumbers
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from context_service import synthetic
from context_service.cli import main
from context_service.extensions import db
from context_service.models import (
    Activity,
    ContactPoint,
    Customer,
    Note,
    Request,
    Tag,
)

PEOPLE = range(0, 10)  # every country's phone format and every email domain, twice


@pytest.fixture
def loaded(app):
    with app.app_context():
        counts = synthetic.load(db.session, len(PEOPLE), activities_per_customer=6,
                                activities_per_request=4, first=PEOPLE.start)
    return counts


def columns(conn, customer_id):
    """Every column the API derives, of a customer and its contact points."""
    customer = conn.execute(sa.select(Customer.name_key, Customer.last_name_key)
                            .where(Customer.id == customer_id)).one()
    points = conn.execute(sa.select(ContactPoint.kind, ContactPoint.value, ContactPoint.key,
                                    ContactPoint.national_digits, ContactPoint.reversed_digits,
                                    ContactPoint.position)
                          .where(ContactPoint.customer_id == customer_id)
                          .order_by(ContactPoint.kind)).all()
    return tuple(customer), [tuple(p) for p in points]


def test_loaded_customers_have_the_columns_the_api_writes(loaded, admin, db_connection):
    loaded_ids = db_connection.scalars(sa.select(Customer.id).order_by(Customer.id)).all()
    for i, loaded_id in zip(PEOPLE, loaded_ids, strict=True):
        created = admin.post("/api/v1/customers", json=synthetic.person(i))
        assert created.status_code == 201, created.json
        assert columns(db_connection, loaded_id) == columns(db_connection, created.json["id"])


def test_search_finds_loaded_and_created_alike(loaded, admin, agent, db_connection):
    loaded_ids = db_connection.scalars(sa.select(Customer.id).order_by(Customer.id)).all()
    for i, loaded_id in zip(PEOPLE, loaded_ids, strict=True):
        person = synthetic.person(i)
        created_id = admin.post("/api/v1/customers", json=person).json["id"]
        number = phonenumbers.parse(person["phones"][0], "US")
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        national = phonenumbers.national_significant_number(number)
        for q in (person["phones"][0], e164, e164[-4:], national[:6], person["emails"][0],
                  person["emails"][0][:8], person["first_name"],
                  f"{person['first_name']} {person['last_name'][:2]}",
                  person["last_name"].upper()):
            found = [c["id"] for c in agent.get("/api/v1/customers",
                                                query_string={"q": q, "page_size": 200}).json]
            assert loaded_id in found and created_id in found, (i, q)


def test_histories_are_requests_of_activities_with_the_latest_open(loaded, db_connection):
    assert loaded == {"customers": 10, "contact_points": 20, "requests": 20,
                      "activities": 60, "tags": 20, "notes": 20}
    for model, n in ((Request, 20), (Activity, 60), (Tag, 20), (Note, 20)):
        assert db_connection.scalar(sa.select(sa.func.count()).select_from(model)) == n
    statuses = db_connection.execute(sa.select(Request.customer_id, Request.status)
                                     .order_by(Request.customer_id, Request.created_at)).all()
    assert [s for c, s in statuses if c == statuses[0][0]] == ["closed", "open"]


def test_the_command_says_what_it_loaded(app):
    result = CliRunner().invoke(main, ["load-synthetic", "--customers", "3",
                                       "--activities-per-customer", "2"],
                                obj=_script_info(app))
    assert result.exit_code == 0, result.output
    assert "3 customers, 6 contact_points, 3 requests, 6 activities" in result.output


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)
