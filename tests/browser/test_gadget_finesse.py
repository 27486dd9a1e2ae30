"""The gadget inside a Cisco Finesse desktop, in the real topology.

The Finesse stand-in (tests/standins/finesse, a process of its own) is the desktop at
http://localhost:<B>: the agent signs in there, it fetches gadget.xml from the service at
http://127.0.0.1:<A> server-side, renders it in an iframe on its own origin and serves
its finesse.js. So every call the gadget makes to the service is cross-origin, with
preflights, as in production. The tests drive the desktop's dialogs over HTTP.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import add_request, customer, get, sign_in_to_finesse
from tests.conftest import FINESSE_USERS, emptied, gadget_server, on_finesse_desktop
from tests.live import free_port
from tests.standins.finesse import FinesseStandIn
from tests.standins.finesse.dialogs import agent_call, leg, task, voice_call

ADA_PHONE = "+14155550100"
AGENT = "fin1001"
EXTENSION = "1001"


@pytest.fixture(scope="module")
def finesse():
    """The desktop's own stand-in: its origin is the one the service is told to allow."""
    with FinesseStandIn(FINESSE_USERS) as standin:
        yield standin


@pytest.fixture(scope="module")
def desktop_service(own_database, finesse):
    url, _engine = own_database
    server = gadget_server(url, finesse, origins=[finesse.desktop_origin])
    yield server
    server.stop()


@pytest.fixture
def service(desktop_service, own_database, finesse):
    """The service, empty, with the desktop showing its gadget and no calls."""
    yield from on_finesse_desktop(desktop_service, own_database[1], finesse)


def answered(dialog: dict) -> dict:
    """The call as Finesse reports it once the agent answered: every leg active."""
    return {"state": "ACTIVE", "participants": [
        {**p, "state": "ACTIVE", "actions": ["HOLD", "DROP"] if p["mediaAddressType"] else []}
        for p in dialog["participants"]]}


def open_entries(service, agent=AGENT):
    _, entries, _ = service.call("GET", "/api/v1/me/open", token=service.agent_token(agent))
    return entries


def test_an_agent_takes_a_call_in_the_finesse_desktop(service, finesse, new_page):
    ada = customer(service, first_name="Ada", last_name="Lovelace", phones=[ADA_PHONE])
    add_request(service, ada["id"], "Router keeps rebooting", "Since the storm.")
    page = new_page(viewport={"width": 1000, "height": 1100})
    calls = []  # the gadget's API calls: (the calling page's origin, Authorization sent?)
    page.on("request", lambda r: r.url.startswith(service.url + "/api/") and calls.append(
        (r.frame.url.split("/gadgets/")[0], "authorization" in r.headers)))

    gadget = sign_in_to_finesse(page, finesse)
    # Signed in with the agent's Finesse credentials, checked by Finesse: no form.
    expect(gadget.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    expect(gadget.get_by_test_id("agent")).to_have_text(AGENT)
    expect(gadget.get_by_test_id("signin-form")).to_have_count(0)
    expect(page.locator("[data-role=gadget-title]")).to_have_text("Customer Context")
    # Cross-origin with credentials: each needed (and passed) a CORS preflight.
    assert (finesse.desktop_origin, True) in calls
    assert {origin for origin, _ in calls} == {finesse.desktop_origin}

    # The phone rings: the caller pops up, customer and journey, before the agent answers.
    call = finesse.add_dialog(voice_call("16804377", ADA_PHONE, EXTENSION, variables={
        "callVariable1": "gold", "user.account": "42"}))
    entry = gadget.get_by_test_id("open-entry")
    expect(entry).to_have_attribute("data-ringing", "true")
    expect(entry.locator("[data-role=ringing]")).to_have_text("Ringing")
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Ada Lovelace")
    expect(gadget.get_by_test_id("journey-request")).to_contain_text("Router keeps rebooting")
    [ringing] = open_entries(service)
    assert ringing["ringing"] is True and ringing["customer_id"] == ada["id"]
    screenshot(page, "finesse-ringing")

    finesse.change_dialog(call["id"], **answered(call))
    expect(entry).not_to_have_attribute("data-ringing", "true")
    [taken] = open_entries(service)
    activity = get(service, f"/api/v1/activities/{taken['activity_id']}")
    assert (activity["source"], activity["contact_id"], activity["customer_id"],
            activity["state"]) == ("finesse", "16804377", ada["id"], "active")
    assert activity["variables"] == {"callVariable1": "gold", "user.account": "42",
                                     "queueName": "Support", "DNIS": "8800",
                                     "callType": "ACD_IN"}

    # The agent works on the contact: a note, saved cross-origin.
    gadget.get_by_test_id("note-input").fill("Storm damage; sending a technician.")
    gadget.locator("[data-action=add-note]").click()
    expect(gadget.get_by_test_id("note")).to_contain_text("Storm damage")

    # Hang-up, then wrap-up: the activity ends; the dialog leaves the collection.
    finesse.change_dialog(call["id"], state="DROPPED", participants=[
        leg(ADA_PHONE, "DROPPED"), leg(EXTENSION, "WRAP_UP", agent=True)],
        mediaProperties={"wrapUpReason": "Technician booked"})
    facts = gadget.get_by_test_id("activity-facts")
    expect(facts.locator("[data-fact=state]")).to_have_text("Ended")
    finesse.remove_dialog(call["id"])
    ended = get(service, f"/api/v1/activities/{activity['id']}")
    assert ended["variables"]["wrapUpReason"] == "Technician booked"
    notes = get(service, f"/api/v1/activities/{activity['id']}/notes")
    assert [(n["text"], n["author"]) for n in notes] == [
        ("Storm damage; sending a technician.", AGENT)]
    screenshot(page, "finesse-call-ended")

    # The next call rings while the agent looks at another tab: the gadget's content
    # changes, but a hidden tab's gadget cannot resize (Cisco: adjustHeight works only on
    # the visible tab). Back on Home, ContainerServices' ACTIVE_TAB has it fit again.
    page.get_by_role("tab", name="My Statistics").click()
    finesse.add_dialog(voice_call("16804378", "+14155550177", EXTENSION))
    page.wait_for_function(
        "window.desktopLog.some((e) => e.type === 'resize' && !e.applied)")
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Unknown customer")
    frame = page.locator("#gadget_0")
    stale = frame.evaluate("(f) => f.getBoundingClientRect().height")
    page.get_by_role("tab", name="Home").click()
    page.wait_for_function("window.desktopLog.some((e) => e.type === 'resize' && e.applied"
                           " && e.at > window.desktopLog.find((a) => a.tab === 'home').at)")
    content = gadget.locator("#cc-root").evaluate("(r) => r.getBoundingClientRect().height")
    fitted = frame.evaluate("(f) => f.getBoundingClientRect().height")
    assert abs(stale - content) > 50 and abs(fitted - content) < 40, (stale, fitted, content)

    # The caller hangs up before anyone answers: the ring leaves no trace.
    finesse.remove_dialog("16804378")
    expect(gadget.get_by_test_id("open-entry")).to_have_count(1)
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Ada Lovelace")
    assert [e["activity"]["contact_id"] for e in open_entries(service)] == ["16804377"]


def test_only_customer_contacts_reach_the_gadget(service, finesse, new_page):
    ada = customer(service, first_name="Ada", last_name="Lovelace", phones=[ADA_PHONE])
    grace = customer(service, first_name="Grace", last_name="Hopper",
                     emails=["grace.hopper@example.com"])
    page = new_page(viewport={"width": 1000, "height": 1100})
    gadget = sign_in_to_finesse(page, finesse, locale="de_DE")
    expect(gadget.get_by_test_id("connection")).to_have_attribute("data-state", "live")

    # A consult from a colleague, a supervisor listening in, an agent-to-agent call.
    finesse.add_dialog(agent_call("16804400", ["1002", EXTENSION], "CONSULT"))
    finesse.add_dialog(voice_call("16804401", "+14155550199", EXTENSION,
                                  call_type="SUPERVISOR_MONITOR", state="ACTIVE"))
    finesse.add_dialog(agent_call("16804402", ["1002", EXTENSION], "OTHER_IN"))
    # A chat: no fromAddress, the MRD's name as mediaType, the customer's email in an ECC
    # variable (callVariable1 comes first but is no address).
    chat = finesse.add_dialog(task("5002_88_1", "Cisco_Chat", "5002", AGENT, variables={
        "callVariable1": "order 7781", "user.ece.customer.email": "grace.hopper@example.com"}))
    entry = gadget.get_by_test_id("open-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_have_attribute("data-ringing", "true")
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Grace Hopper")
    finesse.change_dialog(chat["id"], state="ACCEPTED",
                          participants=[{"mediaAddress": AGENT, "state": "ACCEPTED"}])
    expect(entry).not_to_have_attribute("data-ringing", "true")
    [taken] = open_entries(service)
    activity = get(service, f"/api/v1/activities/{taken['activity_id']}")
    assert (activity["media_type"], activity["customer_id"], activity["contact_id"]) == (
        "chat", grace["id"], "5002_88_1")
    assert activity["variables"]["queueName"] == "Chat"

    # A call transferred by a colleague: Finesse names the colleague as the calling line,
    # the caller is still Ada.
    finesse.add_dialog(voice_call("16804403", ADA_PHONE, EXTENSION, call_type="TRANSFER",
                                  from_address="1002", state="ACTIVE"))
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Ada Lovelace")
    expect(entry).to_have_count(2)

    # Two unknown callers, one withholding the number: each recognisable in Open.
    finesse.add_dialog(voice_call("16804404", "+442071838750", EXTENSION, state="ACTIVE"))
    finesse.add_dialog(voice_call("16804405", "", EXTENSION, from_address="", state="ACTIVE"))
    expect(entry).to_have_count(4)
    unknown = entry.filter(has_text="Unbekannter Kunde")
    expect(unknown).to_have_count(2)
    shown = unknown.locator("[data-role=entry-contact]").all_inner_texts()
    assert sorted(shown) == ["+44 20 7183 8750", "Kontakt 16804405"]
    screenshot(page, "finesse-unknown-callers")

    contacts = {e["activity"]["contact_id"]: e["customer_id"] for e in open_entries(service)}
    assert contacts == {"5002_88_1": grace["id"], "16804403": ada["id"],
                        "16804404": None, "16804405": None}

    # Closed without creating a customer, the caller stays recognisable in Recent.
    unknown.filter(has_text="+44 20 7183 8750").locator("[data-action=select-entry]").click()
    expect(gadget.get_by_test_id("contact-line")).to_contain_text("+442071838750")
    gadget.get_by_test_id("close-entry").click()
    gadget.get_by_test_id("dialog").locator("[data-action=dialog-discard]").click()
    expect(entry).to_have_count(3)
    gadget.get_by_test_id("tab-recent").click()
    expect(gadget.get_by_test_id("recent-entry").locator("[data-role=entry-contact]")).to_have_text(
        "+44 20 7183 8750")


def test_a_desktop_the_service_does_not_allow_is_told_why(live_server, finesse_standin,
                                                            new_page):
    """The shared service allows only its own localhost origin, not this desktop's."""
    finesse_standin.set_layout([live_server.url + "/gadget.xml"])
    page = new_page(viewport={"width": 1000, "height": 900})
    gadget = sign_in_to_finesse(page, finesse_standin)
    problem = gadget.get_by_test_id("host-problem")
    expect(problem).to_have_attribute("data-problem", "host.originNotAllowed")
    expect(problem).to_contain_text(f"This desktop ({finesse_standin.desktop_origin})")
    expect(problem).to_contain_text("GADGET_ALLOWED_ORIGINS")
    expect(gadget.get_by_test_id("signin-form")).to_have_count(0)
    screenshot(page, "finesse-origin-refused")
    # Nobody was signed in on the agent's behalf.
    assert live_server.admin("GET", "/api/v1/admin/agents") == []


def test_when_finesse_js_does_not_load_the_gadget_says_so(service, finesse, new_page):
    # The administrator's layout points the gadget's hostPort at nothing.
    finesse.set_layout([{"url": service.url + "/gadget.xml", "prefs": {"hostPort": free_port()}}])
    page = new_page(viewport={"width": 1000, "height": 900})
    gadget = sign_in_to_finesse(page, finesse)
    problem = gadget.get_by_test_id("host-problem")
    expect(problem).to_have_attribute("data-problem", "host.finesseMissing")
    expect(problem).to_contain_text("finesse.js")
    expect(problem).to_contain_text("hostPort")
    expect(gadget.get_by_test_id("signin-form")).to_have_count(0)
    screenshot(page, "finesse-js-missing")



@pytest.fixture(scope="module")
def sso_desktop(own_database):
    """A Finesse desktop signed in with single sign-on: Config.authToken, no password."""
    url, engine = own_database
    with FinesseStandIn(FINESSE_USERS, auth_mode="SSO") as standin:
        server = gadget_server(url, standin, origins=[standin.desktop_origin])
        standin.set_layout([server.url + "/gadget.xml"])
        try:
            yield standin, server
        finally:
            server.stop()


@pytest.fixture
def sso_service(sso_desktop, own_database):
    yield from emptied(own_database[1], sso_desktop)


def test_an_sso_desktop_signs_the_gadget_in_with_its_token(sso_service, new_page):
    finesse_sso, _server = sso_service
    page = new_page(viewport={"width": 1000, "height": 900})
    gadget = sign_in_to_finesse(page, finesse_sso)
    expect(gadget.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    expect(gadget.get_by_test_id("agent")).to_have_text(AGENT)
    # Finesse was asked with the SSO token only (this desktop takes no Basic).
    asked = [r for r in finesse_sso.requests() if r["path"] == f"/finesse/api/User/{AGENT}"]
    assert asked and {(r["scheme"], r["status"]) for r in asked} == {("Bearer", 200)}
    # Its finesse.js follows the dialogs with the token too.
    finesse_sso.add_dialog(voice_call("16804900", "+14155550111", EXTENSION))
    expect(gadget.get_by_test_id("open-entry")).to_have_attribute("data-ringing", "true")
