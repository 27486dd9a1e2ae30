"""Auto-close (R4): a request closes REQUEST_AUTOCLOSE_SECONDS after the latest update of
itself or any of its activities; `close_stale` and the `close-stale` command do it."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from context_service.cli import close_stale_command
from context_service.domain.requests import close_stale
from context_service.extensions import db
from context_service.models import Activity, Request, utcnow

IDLE = timedelta(seconds=432000)  # the default: 5 days


@pytest.fixture
def backdate(db_connection):
    """Pretend a request (and its activities) were last updated at `when`."""

    def backdate(model, id_, when):
        db_connection.execute(sa.update(model).where(model.id == id_).values(updated_at=when))

    return backdate


@pytest.fixture
def sweep(app):
    """Run `close_stale` as of an instant, in its own unit of work; returns how many closed."""

    def sweep(as_of):
        with app.app_context():
            closed = close_stale(db.session, as_of)
            db.session.commit()
        return closed

    return sweep


@pytest.fixture
def case(admin, make_customer, post_event, backdate):
    """An open request with one activity, both last updated 4 days ago."""
    make_customer(first_name="Ann", phones=["4155550100"])
    activity = post_event()
    last = utcnow() - timedelta(days=4)
    backdate(Request, activity["request_id"], last)
    backdate(Activity, activity["id"], last)
    return {"request_id": activity["request_id"], "activity_id": activity["id"], "last": last}


def status(admin, request_id):
    return admin.get(f"/api/v1/requests/{request_id}").json


def test_nothing_closes_before_the_deadline(admin, case, sweep):
    assert sweep(case["last"] + IDLE - timedelta(seconds=1)) == 0
    assert status(admin, case["request_id"])["status"] == "open"


def test_the_request_closes_at_the_deadline(admin, case, sweep):
    as_of = case["last"] + IDLE + timedelta(seconds=1)
    before = status(admin, case["request_id"])

    assert sweep(as_of) == 1

    after = status(admin, case["request_id"])
    assert after["status"] == "closed" and after["closed_reason"] == "auto"
    assert datetime.fromisoformat(after["closed_at"]) == as_of
    assert after["version"] == before["version"] + 1
    assert sweep(as_of) == 0  # already closed: once only
    trail = admin.get("/api/v1/admin/audit", query_string={
        "entity_type": "request", "entity_id": case["request_id"]}).json
    assert (trail[0]["action"], trail[0]["version"]) == ("auto-close", after["version"])


def test_an_activity_update_extends_the_deadline(admin, case, sweep, backdate):
    backdate(Activity, case["activity_id"], case["last"] + timedelta(days=3))

    assert sweep(case["last"] + IDLE + timedelta(seconds=1)) == 0
    assert sweep(case["last"] + timedelta(days=3) + IDLE + timedelta(seconds=1)) == 1


def test_a_request_update_extends_the_deadline(admin, case, sweep, backdate):
    backdate(Request, case["request_id"], case["last"] + timedelta(days=1))

    assert sweep(case["last"] + IDLE + timedelta(seconds=1)) == 0
    assert sweep(case["last"] + timedelta(days=1) + IDLE + timedelta(seconds=1)) == 1


@pytest.mark.parametrize("change", ["tag", "note", "title"])
def test_agent_work_on_the_request_keeps_it_open(agent, admin, case, sweep, change):
    activity_url = f"/api/v1/activities/{case['activity_id']}"
    if change == "tag":
        agent.post(f"{activity_url}/tags", json={"name": "vip"})
    elif change == "note":
        agent.post(f"{activity_url}/notes", json={"text": "called back"})
    else:
        agent.patch(f"/api/v1/requests/{case['request_id']}", json={"title": "Router"},
                    headers={"If-Match": "*"})

    assert sweep(case["last"] + IDLE + timedelta(seconds=1)) == 0
    assert sweep(utcnow() + IDLE + timedelta(seconds=1)) == 1


def test_closed_requests_are_left_alone(agent, case, sweep):
    agent.patch(f"/api/v1/requests/{case['request_id']}", json={"status": "closed"},
                headers={"If-Match": "*"})
    assert sweep(utcnow() + IDLE * 2) == 0
    assert status(agent, case["request_id"])["closed_reason"] == "agent"


@pytest.mark.parametrize("app_config", [{"REQUEST_AUTOCLOSE_SECONDS": 60}])
def test_the_idle_time_is_configurable(admin, make_customer, sweep):
    customer = make_customer(first_name="Ann")
    request = admin.post(f"/api/v1/customers/{customer['id']}/requests", json={}).json
    updated = datetime.fromisoformat(request["updated_at"])

    assert sweep(updated + timedelta(seconds=59)) == 0
    assert sweep(updated + timedelta(seconds=60)) == 1


def test_close_stale_command(app, admin, case):
    runner = app.test_cli_runner()
    early = (case["last"] + IDLE - timedelta(hours=1)).isoformat()
    late = (case["last"] + IDLE + timedelta(hours=1)).astimezone(UTC).replace(tzinfo=None)

    first = runner.invoke(close_stale_command, ["--as-of", early])
    second = runner.invoke(close_stale_command, ["--as-of", late.isoformat()])  # naive = UTC

    assert (first.exit_code, first.output) == (0, "closed 0 request(s)\n")
    assert (second.exit_code, second.output) == (0, "closed 1 request(s)\n")
    assert status(admin, case["request_id"])["closed_reason"] == "auto"


def test_close_stale_command_rejects_a_bad_instant(app):
    result = app.test_cli_runner().invoke(close_stale_command, ["--as-of", "next tuesday"])
    assert result.exit_code == 2
    assert "--as-of" in result.output and "ISO-8601" in result.output
