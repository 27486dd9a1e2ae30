"""The journey a page at a time (R11): newest requests first, a page size and a cursor."""

import pytest
import sqlalchemy as sa

from context_service import synthetic
from context_service.extensions import db
from context_service.models import Customer

URL = "/api/v1/customers"


@pytest.fixture
def history(app, agent):
    """A customer with 10 activities in requests of 4 (4, 4, 2), and an empty request."""
    with app.app_context():
        synthetic.load(db.session, 1, activities_per_customer=10, activities_per_request=4,
                       first=0)
        customer_id = db.session.scalar(sa.select(Customer.id))
    empty = agent.post(f"{URL}/{customer_id}/requests", json={"title": "New problem"}).json
    return customer_id, empty["id"]


def items(page):
    """(request id, activity id) of each item, in order; (request id, None): no activity."""
    return [(r["id"], a["id"] if a else None) for r in page["requests"]
            for a in (r["activities"] or [None])]


def walk(agent, customer_id, limit):
    """Every page from the first, following `next`."""
    pages, before = [], None
    while True:
        query = {"limit": limit, **({"before": before} if before else {})}
        response = agent.get(f"{URL}/{customer_id}/journey", query_string=query)
        assert response.status_code == 200, response.json
        pages.append(response.json)
        before = response.json["next"]
        if before is None:
            return pages
        assert len(pages) < 50


def test_pages_follow_each_other_without_gaps_or_repeats(agent, history):
    customer_id, empty_id = history
    whole = agent.get(f"{URL}/{customer_id}/journey", query_string={"limit": 200}).json
    assert whole["next"] is None
    assert [len(r["activities"]) for r in whole["requests"]] == [0, 2, 4, 4]
    assert whole["requests"][0]["id"] == empty_id  # newest first

    pages = walk(agent, customer_id, limit=3)

    # 11 items (10 activities and the empty request), 3 a page.
    assert [sum(max(1, len(r["activities"])) for r in page["requests"]) for page in pages] == [
        3, 3, 3, 2]
    assert [item for page in pages for item in items(page)] == items(whole)


def test_a_request_cut_by_a_page_comes_again_with_the_rest(agent, history):
    customer_id, _empty_id = history
    first, second = walk(agent, customer_id, limit=3)[:2]

    # The empty request, then the newest request's 2 activities; then the next request,
    # whose 4 activities are cut after 3 and go on at the top of the third page.
    assert [len(r["activities"]) for r in first["requests"]] == [0, 2]
    assert [len(r["activities"]) for r in second["requests"]] == [3]
    third = agent.get(f"{URL}/{customer_id}/journey",
                      query_string={"limit": 3, "before": second["next"]}).json
    assert third["requests"][0]["id"] == second["requests"][0]["id"]
    assert len(third["requests"][0]["activities"]) == 1
    ids = [a["id"] for a in second["requests"][0]["activities"] +
           third["requests"][0]["activities"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4


def test_every_page_names_the_open_requests(agent, history):
    customer_id, empty_id = history
    last = walk(agent, customer_id, limit=3)[-1]

    assert {r["id"] for r in last["open_requests"]} >= {empty_id}
    assert all(r["status"] == "open" for r in last["open_requests"])
    assert empty_id not in [r["id"] for r in last["requests"]]


def test_without_parameters_the_first_page_of_50(agent, app):
    with app.app_context():
        synthetic.load(db.session, 1, activities_per_customer=60, first=0)
        customer_id = db.session.scalar(sa.select(Customer.id))

    page = agent.get(f"{URL}/{customer_id}/journey").json

    assert sum(len(r["activities"]) for r in page["requests"]) == 50
    assert page["next"] is not None
    rest = agent.get(f"{URL}/{customer_id}/journey", query_string={"before": page["next"]})
    assert sum(len(r["activities"]) for r in rest.json["requests"]) == 10
    assert rest.json["next"] is None


def test_notes_and_tags_come_with_the_activities(agent, history):
    customer_id, _empty_id = history
    page = agent.get(f"{URL}/{customer_id}/journey").json
    activities = [a for r in page["requests"] for a in r["activities"]]
    assert any(a["notes"] for a in activities) and any(a["tags"] for a in activities)


@pytest.mark.parametrize("query", [
    {"limit": 0}, {"limit": 201}, {"limit": "x"}, {"before": "nonsense"},
    {"before": "W10"}, {"before": "WyJ4IiwgMSwgMV0"},  # [] and ["x", 1, 1]
    {"before": "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgLTEsIG51bGxd"},  # a negative id
])
def test_bad_paging_is_a_clear_422(agent, history, query):
    customer_id, _empty_id = history
    response = agent.get(f"{URL}/{customer_id}/journey", query_string=query)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert set(response.json["errors"]) <= {"limit", "before"}
