"""A request closed by the sweeper (R4) shows as closed in the gadgets that have it open
(issue 12, point 11), with the sweeper named in words, not as system:auto-close."""

import pytest
from playwright.sync_api import expect

from tests.browser.gadget import add_request, call_in, customer, sign_in
from tests.conftest import emptied, gadget_server

IDLE_SECONDS = 4


@pytest.fixture(scope="module")
def sweeping_server(own_database, finesse_standin):
    url, _engine = own_database
    server = gadget_server(url, finesse_standin, REQUEST_AUTOCLOSE_SECONDS=IDLE_SECONDS,
                           AUTOCLOSE_SWEEP_SECONDS=1)
    yield server
    server.stop()


@pytest.fixture
def sweeping(sweeping_server, own_database):
    yield from emptied(own_database[1], sweeping_server)


def test_an_auto_closed_request_updates_the_open_gadget(sweeping, new_page):
    page = new_page()
    sign_in(page, sweeping, "alice")
    ada = customer(sweeping, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    old = add_request(sweeping, ada["id"], "Forgotten problem")
    call_in(sweeping, "alice", **{"from": "+1 415 555 0100"})
    expect(page.get_by_test_id("request-title")).to_have_value("Forgotten problem")

    status = page.get_by_test_id("request-status")
    expect(status).to_contain_text("Closed", timeout=(IDLE_SECONDS + 8) * 1000)
    status.click()
    expect(page.get_by_test_id("request-info")).to_contain_text("automatic close (idle request)")
    assert "system:" not in page.get_by_test_id("request-info").inner_text()
    expect(page.locator(f"[data-testid=journey-request][data-request-id='{old['id']}']")
           ).to_have_attribute("data-status", "closed")
