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
