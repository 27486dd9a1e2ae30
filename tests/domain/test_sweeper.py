"""The in-process sweeper closes idle requests on its own (R4)."""

import time

import pytest

from context_service import background, sweeper
from tests.conftest import ADMIN_TOKEN


@pytest.fixture
def app_config():
    return {"REQUEST_AUTOCLOSE_SECONDS": 1, "AUTOCLOSE_SWEEP_SECONDS": 1, "START_BACKGROUND": True}


def test_running_service_closes_idle_requests_by_itself(committed_app):
    client = committed_app.test_client()
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    customer = client.post("/api/v1/customers", json={"first_name": "Idle"}, headers=headers).json
    request = client.post(f"/api/v1/customers/{customer['id']}/requests", json={"title": "t"},
                          headers=headers).json
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        current = client.get(f"/api/v1/requests/{request['id']}", headers=headers).json
        if current["status"] == "closed":
            break
        time.sleep(0.2)
    background.stop(committed_app)
    assert current["status"] == "closed"
    assert current["closed_reason"] == "auto"
    assert current["version"] == request["version"] + 1


def test_a_sweep_with_nothing_to_do_closes_nothing(committed_app):
    background.stop(committed_app)
    assert sweeper.sweep_once(committed_app) == 0


def test_a_failing_background_job_backs_off_instead_of_spinning(caplog):
    """A job that fails (its database is down) is retried ever less often, not at its pace."""
    import threading
    import time

    from flask import Flask

    from context_service import background

    app = Flask(__name__)
    background.init_app(app)
    calls = []

    def broken(_app):
        calls.append(time.monotonic())
        raise RuntimeError("database unreachable")

    caplog.set_level("ERROR", logger="context_service.background")
    background.start(app, "broken-job", broken, 0.01)
    time.sleep(1.5)
    background.stop(app)
    for thread in threading.enumerate():
        if thread.name == "broken-job":
            thread.join(2)
    # At its own pace (0.01 s) that would be about 150 attempts; doubling waits make few.
    assert 3 <= len(calls) <= 8, len(calls)
    gaps = [b - a for a, b in zip(calls, calls[1:], strict=False)]
    assert gaps == sorted(gaps)
