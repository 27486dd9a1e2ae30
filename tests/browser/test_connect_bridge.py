"""The Amazon Connect bridge (gadget/bridges/amazon-connect/): Amazon Connect's contact
control panel beside the gadget, with the agent's Connect contacts passed to the gadget by
postMessage v2.

Amazon Connect is played by a stand-in of amazon-connect-streams (tests/standins/connect),
written from the library's documentation, on an origin of its own: the bridge loads it from
there (CONNECT_STREAMS_URL) and frames the stand-in CCP (CONNECT_CCP_URL), so the page's
Content-Security-Policy is tested as deployed."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import PASSWORD, customer, get, shown_name
from tests.conftest import emptied, gadget_server
from tests.standins.connect import ConnectStandIn

BRIDGE = "/gadget/bridges/amazon-connect/"
CONNECTED = "Connected to Amazon Connect."


@pytest.fixture(scope="module")
def connect_standin():
    with ConnectStandIn() as standin:
        yield standin


@pytest.fixture(scope="module")
def bridge_server(own_database, finesse_standin, connect_standin):
    url, _engine = own_database
    server = gadget_server(url, finesse_standin,
                           CONNECT_CCP_URL=f"{connect_standin.url}/ccp-v2/",
                           CONNECT_REGION="eu-central-1",
                           CONNECT_STREAMS_URL=f"{connect_standin.url}/connect-streams-min.js")
    yield server
    server.stop()


@pytest.fixture
def server(bridge_server, own_database):
    yield from emptied(own_database[1], bridge_server)


@pytest.fixture
def bridge(server, new_page):
    """Opens the bridge as agent alice; `contacts`: those Connect already has (a reload)."""
    pages = []

    def open_bridge(*, sign_in=True, contacts=()):
        server.agent_token("alice", password=PASSWORD)
        page = new_page(viewport={"width": 1200, "height": 900})
        violations = []
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)
        pages.append(violations)
        if contacts:
            page.add_init_script(f"window.connectStandInContacts = {json.dumps(list(contacts))};")
        page.goto(server.url + BRIDGE)
        # Connected; contacts Connect already had may be waiting for the gadget's sign-in.
        expect(page.get_by_test_id("bridge-status")).to_have_attribute(
            "data-status", re.compile(r"^bridge\.(connected|gadgetSignIn)$"))
        gadget = page.frame_locator("[data-testid=gadget]")
        if sign_in:
            sign_in_gadget(gadget)
        return page, gadget

    yield open_bridge
    for violations in pages:
        assert violations == []


def sign_in_gadget(gadget):
    gadget.get_by_test_id("signin-agent").fill("alice")
    gadget.get_by_test_id("signin-password").fill(PASSWORD)
    gadget.locator("[data-action=sign-in]").click()
    expect(gadget.get_by_test_id("tab-open")).to_be_visible()


def connect(page, script: str, *args):
    """Amazon Connect does something (window.connectStandIn)."""
    page.evaluate(f"(args) => connectStandIn.{script}(...args)", list(args))


def open_entries(server) -> list[dict]:
    _, entries, _ = server.call("GET", "/api/v1/me/open", token=server.agent_token("alice"))
    return entries


def state_of(gadget):
    return gadget.get_by_test_id("activity-facts").locator("[data-fact=state]")


def test_a_call_rings_pops_the_caller_is_answered_and_ends(server, bridge, connect_standin):
    ada = customer(server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    page, gadget = bridge()
    params = page.evaluate("connectStandIn.initParams")
    assert params["ccpUrl"] == f"{connect_standin.url}/ccp-v2/"
    assert params["region"] == "eu-central-1"
    assert params["softphone"] == {"allowFramedSoftphone": True}
    expect(page.frame_locator("[data-testid=ccp] iframe").get_by_role("heading")).to_have_text(
        "Amazon Connect")

    connect(page, "add", {"contactId": "c-voice-1", "type": "voice",
                          "phoneNumber": "sip:+14155550100@connect.example", "queue": "Support",
                          "systemNumber": "+18005550199", "attributes": {"account": "42"}})
    connect(page, "setState", "c-voice-1", "connecting")
    # It rings: the caller pops up before the agent answers.
    expect(shown_name(gadget)).to_have_text("Ada Lovelace")
    expect(state_of(gadget)).to_have_text("Offered")
    [entry] = open_entries(server)
    assert entry["ringing"] is True and entry["customer_id"] == ada["id"]
    activity = get(server, f"/api/v1/activities/{entry['activity_id']}")
    assert (activity["source"], activity["contact_id"], activity["media_type"]) == (
        "amazon-connect", "c-voice-1", "voice")
    assert (activity["from"], activity["to"]) == ("+14155550100", "+18005550199")
    assert activity["variables"] == {"account": "42", "queueName": "Support"}
    screenshot(page, "connect-bridge-ringing")

    connect(page, "setState", "c-voice-1", "connected")
    expect(state_of(gadget)).to_have_text("Active")
    [entry] = open_entries(server)
    assert entry["ringing"] is False and entry["request_id"] is not None

    connect(page, "setState", "c-voice-1", "ended")
    expect(state_of(gadget)).to_have_text("Ended")
    connect(page, "destroy", "c-voice-1")  # after-call work is over: nothing more to tell
    expect(page.get_by_test_id("bridge-status")).to_have_text(CONNECTED)
    assert get(server, f"/api/v1/activities/{entry['activity_id']}")["state"] == "ended"


def test_an_unknown_caller_and_a_chat_are_told_apart(server, bridge):
    grace = customer(server, first_name="Grace", last_name="Hopper",
                     emails=["grace.hopper@example.com"])
    page, gadget = bridge()
    connect(page, "add", {"contactId": "c-voice-2", "phoneNumber": "+13125550142"})
    connect(page, "setState", "c-voice-2", "connecting")
    expect(shown_name(gadget)).to_have_text("Unknown customer")
    connect(page, "setState", "c-voice-2", "connected")
    expect(state_of(gadget)).to_have_text("Active")

    # A chat names no phone number: the customer's address comes from the contact's attributes.
    connect(page, "add", {"contactId": "c-chat-1", "type": "chat", "queue": "Web chat",
                          "attributes": {"email": "grace.hopper@example.com",
                                         "customerName": "Grace H."}})
    connect(page, "setState", "c-chat-1", "incoming")
    expect(shown_name(gadget)).to_have_text("Grace Hopper")
    connect(page, "setState", "c-chat-1", "connecting")
    connect(page, "setState", "c-chat-1", "connected")
    expect(state_of(gadget)).to_have_text("Active")
    expect(gadget.get_by_test_id("open-entry")).to_have_count(2)
    screenshot(page, "connect-bridge-chat")

    unknown, chat = sorted(open_entries(server), key=lambda entry: entry["activity_id"])
    assert unknown["customer_id"] is None
    assert get(server, f"/api/v1/activities/{unknown['activity_id']}")["from"] == "+13125550142"
    assert chat["customer_id"] == grace["id"]
    activity = get(server, f"/api/v1/activities/{chat['activity_id']}")
    assert (activity["media_type"], activity["from"]) == ("chat", "grace.hopper@example.com")
    assert activity["variables"]["queueName"] == "Web chat"


def test_a_supervisors_listen_in_is_not_a_customer_contact(server, bridge):
    page, gadget = bridge()
    connect(page, "add", {"contactId": "c-monitor", "monitoring": True, "state": "connected"})
    connect(page, "setState", "c-monitor", "connected")
    connect(page, "add", {"contactId": "c-task-1", "type": "task", "queue": "Back office",
                          "attributes": {"phone": "+1 415 555 0177"}})
    connect(page, "setState", "c-task-1", "connecting")
    expect(gadget.get_by_test_id("open-entry")).to_have_count(1)
    [entry] = open_entries(server)
    activity = get(server, f"/api/v1/activities/{entry['activity_id']}")
    assert (activity["contact_id"], activity["media_type"]) == ("c-task-1", "task")


def test_contacts_before_the_gadget_sign_in_are_passed_on_after_it(server, bridge):
    customer(server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    page, gadget = bridge(sign_in=False)
    connect(page, "add", {"contactId": "c-voice-3", "phoneNumber": "+14155550100"})
    connect(page, "setState", "c-voice-3", "connecting")
    connect(page, "setState", "c-voice-3", "connected")
    # The gadget refused them (cc:error 401): the bridge says why and keeps them.
    expect(page.get_by_test_id("bridge-status")).to_have_text(
        "Sign in to Customer Context: your contacts are passed on as soon as you do.")
    assert open_entries(server) == []

    sign_in_gadget(gadget)
    expect(shown_name(gadget)).to_have_text("Ada Lovelace")
    expect(state_of(gadget)).to_have_text("Active")
    expect(page.get_by_test_id("bridge-status")).to_have_text(CONNECTED)


def test_a_refused_event_is_shown_not_lost(server, bridge):
    # The bridge was reloaded during after-call work of a call the service never recorded:
    # its end is refused (cc:error 409), and the bridge says so.
    page, gadget = bridge(contacts=[{"contactId": "c-voice-4", "phoneNumber": "+14155550104",
                                     "state": "ended"}])
    expect(page.get_by_test_id("bridge-status")).to_have_text(
        "Customer Context did not record contact c-voice-4: "
        "Contact 'c-voice-4' is not known; nothing to end.")
    expect(page.get_by_test_id("bridge-status")).to_have_attribute("data-kind", "error")
    expect(gadget.get_by_test_id("notice")).to_contain_text(
        "The contact from the desktop could not be recorded.")
    screenshot(page, "connect-bridge-refused")


def test_a_reload_mid_call_resends_what_connect_already_has(server, bridge):
    customer(server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    page, gadget = bridge()
    connect(page, "add", {"contactId": "c-voice-5", "phoneNumber": "+14155550100"})
    connect(page, "setState", "c-voice-5", "connecting")
    connect(page, "setState", "c-voice-5", "connected")
    expect(state_of(gadget)).to_have_text("Active")
    [entry] = open_entries(server)
    since = page.evaluate("connectStandIn.stateOf('c-voice-5').timestamp.toISOString()")

    # The reloaded page finds the call, connected since then, in Connect's snapshot: the
    # bridge tells the gadget again, and the service knows it already.
    page, gadget = bridge(contacts=[{"contactId": "c-voice-5", "phoneNumber": "+14155550100",
                                     "state": "connected", "since": since}])
    expect(shown_name(gadget)).to_have_text("Ada Lovelace")
    expect(page.get_by_test_id("bridge-status")).to_have_text(CONNECTED)
    expect(gadget.get_by_test_id("notice")).to_have_count(0)
    assert [e["activity_id"] for e in open_entries(server)] == [entry["activity_id"]]
