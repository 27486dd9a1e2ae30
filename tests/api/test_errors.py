"""One error shape everywhere: application/problem+json (RFC 9457), never a 500."""

import pytest
import sqlalchemy.exc as sa_exc

from context_service.domain import customers as customers_domain
from context_service.models import Customer
from tests.conftest import event


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["status"] == status
    assert problem["type"] and problem["title"] and problem["detail"]
    return problem


def test_malformed_json_is_400(agent, count):
    response = agent.post("/api/v1/customers", data='{"first_name": "Ann",',
                          content_type="application/json")
    assert_problem(response, 400)
    assert count(Customer) == 0


@pytest.mark.parametrize("body", ['[{"first_name": "Ann"}]', '"Ann"', "42", "null"])
def test_json_that_is_not_an_object_is_422(agent, count, body):
    response = agent.post("/api/v1/customers", data=body, content_type="application/json")
    assert_problem(response, 422)
    assert count(Customer) == 0


@pytest.mark.parametrize(("data", "content_type", "status"), [
    ("first_name=Ann", "application/x-www-form-urlencoded", 415),
    ('{"first_name": "Ann"}', "text/plain", 415),
    ('{"first_name": "Ann"}', None, 415),
    ("", "application/json", 400),
    ("", None, 400),
])
def test_a_body_that_is_not_json_stores_nothing(agent, count, data, content_type, status):
    response = agent.post("/api/v1/customers", data=data, content_type=content_type)
    problem = assert_problem(response, status)
    assert "JSON" in problem["detail"]
    assert count(Customer) == 0


def test_a_patch_with_a_form_body_changes_nothing(agent, make_customer):
    ann = make_customer(first_name="Ann")
    response = agent.patch(f"/api/v1/customers/{ann['id']}", data="first_name=Bob",
                           content_type="application/x-www-form-urlencoded",
                           headers={"If-Match": "*"})
    assert_problem(response, 415)
    assert agent.get(f"/api/v1/customers/{ann['id']}").json["version"] == ann["version"]


@pytest.mark.parametrize("body", [
    '{"first_name": "a\\ud800b"}',                 # a lone high surrogate
    '{"first_name": "\\udfff"}',                   # a lone low surrogate
    '{"extra": {"k\\udc00": "v"}}',                # in a key
    '{"extra": {"k": "x\\ud800"}}',                # deep in a value
    '{"emails": ["a\\ud83d@example.com"]}',        # in a list
])
def test_lone_surrogates_are_422_and_nothing_is_stored(agent, count, body):
    response = agent.post("/api/v1/customers", data=body, content_type="application/json")
    assert_problem(response, 422)
    assert count(Customer) == 0


def test_a_surrogate_pair_is_one_character_and_fine(agent):
    response = agent.post("/api/v1/customers", data='{"first_name": "Ann \\ud83d\\ude00"}',
                          content_type="application/json")
    assert response.status_code == 201
    assert response.json["first_name"] == "Ann \U0001f600"


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_dates_outside_the_storable_range_are_422(connector, count, when):
    from context_service.models import Activity

    response = connector.post("/api/v1/contact-events", json=event(occurred_at=when))
    problem = assert_problem(response, 422)
    assert "occurred_at" in problem["errors"]
    assert count(Activity) == 0


def test_dates_at_the_edges_of_the_range_are_fine(connector):
    for when in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"):
        assert connector.post("/api/v1/contact-events",
                              json=event(occurred_at=when)).status_code == 201


@pytest.mark.parametrize("url", ["/api/v1/customers", "/api/v1/auth/login"])
def test_deeply_nested_json_is_400(client, agent, url):
    body = '{"first_name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = agent.post(url, data=body, content_type="application/json")
    assert_problem(response, 400)


def test_body_over_one_mebibyte_is_413(connector):
    body = event(customer_name="x" * (1024 * 1024))
    assert_problem(connector.post("/api/v1/contact-events", json=body), 413)


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 2048}])
def test_body_limit_is_configurable(agent):
    assert_problem(agent.post("/api/v1/customers", json={"first_name": "x" * 3000}), 413)
    assert agent.post("/api/v1/customers", json={"first_name": "x" * 1000}).status_code == 201


def test_unknown_field_is_422_naming_it(agent, connector):
    problem = assert_problem(agent.post("/api/v1/customers", json={"nickname": "Annie"}), 422)
    assert list(problem["errors"]) == ["nickname"]
    problem = assert_problem(
        connector.post("/api/v1/contact-events", json={**event(), "colour": "red"}), 422)
    assert "colour" in problem["errors"]


def test_missing_required_fields_are_named(connector):
    problem = assert_problem(connector.post("/api/v1/contact-events", json={}), 422)
    assert {"event_id", "source", "contact_id", "media_type", "type"} <= set(problem["errors"])
    assert "contact_id" in problem["detail"]


def test_form_body_instead_of_json_is_415(agent, make_customer, count):
    from context_service.models import Request

    ann = make_customer(first_name="Ann")
    response = agent.post(f"/api/v1/customers/{ann['id']}/requests", data={"title": "x"})
    assert_problem(response, 415)
    assert count(Request) == 0


def test_unknown_url_is_404(agent, client):
    assert_problem(agent.get("/api/v1/nothing-here"), 404)
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_405_with_allow(agent):
    response = agent.delete("/api/v1/me")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("url", [
    "/api/v1/customers/99999999999999999999",
    "/api/v1/requests/2147483648",
    "/api/v1/activities/9223372036854775808/notes",
])
def test_ids_beyond_any_row_are_404(agent, url):
    assert_problem(agent.get(url), 404)


@pytest.mark.parametrize("body", [
    {"customer_id": 2**31}, {"customer_id": 2**64}, {"customer_id": -1}, {"customer_id": 1.5},
    {"customer_id": "1"},
])
def test_ids_in_bodies_are_checked(agent, body):
    response = agent.post("/api/v1/me/open", json=body)
    assert response.status_code in (404, 422)
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("params", [
    {"page": 0}, {"page": "x"}, {"page_size": 0}, {"q": "x" * 201},
])
def test_bad_query_parameters_are_422(agent, params):
    assert_problem(agent.get("/api/v1/customers", query_string=params), 422)


@pytest.mark.parametrize("url", ["/api/v1/customers", "/api/v1/admin/audit"])
@pytest.mark.parametrize("page", [2, 10**20])
def test_a_page_beyond_the_end_is_empty(admin, make_customer, url, page):
    make_customer(first_name="Ann")
    response = admin.get(url, query_string={"page": page})
    assert response.status_code == 200 and response.json == []


@pytest.mark.parametrize("request_", [
    ("POST", "/api/v1/customers", {"first_name": "A\x00nn"}),
    ("GET", "/api/v1/customers?q=a%00b", None),
    ("POST", "/api/v1/admin/agents/a%00b/tokens", None),
    ("DELETE", "/api/v1/activities/1/tags/a%00b", None),
    ("POST", "/api/v1/contact-events", event(contact_id="c\x00")),
])
def test_nul_characters_never_reach_the_database(admin, request_):
    method, url, body = request_
    response = admin(method, url, json=body)
    assert response.status_code in (404, 422)
    assert response.mimetype == "application/problem+json"


def test_if_match_that_is_not_an_etag_is_400(agent, make_customer):
    customer = make_customer(first_name="Ann")
    response = agent.patch(f"/api/v1/customers/{customer['id']}", json={"first_name": "X"},
                           headers={"If-Match": "garbage"})
    assert "If-Match" in assert_problem(response, 400)["detail"]
    assert agent.get(f"/api/v1/customers/{customer['id']}").json["first_name"] == "Ann"


def test_a_busy_database_is_503_to_retry(agent, make_customer, monkeypatch):
    customer = make_customer(first_name="Ann")

    def locked(*_args, **_kwargs):
        raise sa_exc.OperationalError("UPDATE customers", {}, Exception("database is locked"))

    monkeypatch.setattr(customers_domain, "update", locked)
    response = agent.patch(f"/api/v1/customers/{customer['id']}", json={"first_name": "X"},
                           headers={"If-Match": "*"})

    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "1"
