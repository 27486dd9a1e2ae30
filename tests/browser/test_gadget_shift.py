"""An agent's shift in the demo desktop (issue 12): the gadget never hides what matters.

The demo desktop sizes the gadget's iframe to the gadget's whole height, as hosts do, so
what the agent sees is the part of the iframe inside the window: dialogs, the offer card
and notices must be there, at 1280x800 and at 400x700.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.gadget import add_request, call_in, sign_in
from tests.browser.test_gadget_live import SOCKET_SWITCH
from tests.conftest import emptied, gadget_server
from tests.live import ROOT

DESKTOP = {"width": 1280, "height": 800}
PANEL = {"width": 400, "height": 700}
SIZES = [pytest.param(DESKTOP, id="1280x800"), pytest.param(PANEL, id="400x700")]


@pytest.fixture(scope="module")
def shift_server(own_database, finesse_standin):
    url, _engine = own_database
    server = gadget_server(url, finesse_standin, OFFER_TIMEOUT_SECONDS=60)
    yield server
    server.stop()


@pytest.fixture
def shift(shift_server, own_database):
    """The server with only the demo data (`make run`'s): agent demo, Ada, Grace and Alan."""
    for server in emptied(own_database[1], shift_server):
        subprocess.run([str(Path(sys.executable).with_name("context-service")), "seed-demo"],
                       env=server.env, cwd=ROOT, check=True, capture_output=True)
        yield server


def demo_desktop(page, server):
    """The demo desktop, signed in; returns the gadget's frame."""
    page.goto(server.url + "/")
    expect(page.get_by_test_id("demo-status")).to_have_text("Signed in as demo")
    gadget = page.frame_locator("[data-testid=demo-gadget]")
    expect(gadget.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    return gadget


def demo_click(page, name):
    """Press a demo button without scrolling the desktop (as if the agent had scrolled back)."""
    page.get_by_role("button", name=name, exact=True).evaluate("button => button.click()")


def entry(gadget, name):
    """The Open entry's button of a customer."""
    return gadget.get_by_test_id("open-entry").filter(has_text=name).locator("button").first


def customer_id(server, name):
    found = server.admin("GET", f"/api/v1/customers?q={name}")
    return found[0]["id"]


def long_history(server, name, count=14):
    """A customer with many requests: the gadget grows far taller than the window."""
    cid = customer_id(server, name)
    for number in range(count):
        add_request(server, cid, f"Earlier request {number + 1}", "Handled on the phone.")
    return cid


def ada_calls_in_the_demo(shift, new_page, viewport, history=14):
    """The demo desktop at `viewport`, Ada (with `history` earlier requests) on a call: the
    gadget far taller than the window. Returns the page and the gadget's frame."""
    long_history(shift, "Ada", history)
    page = new_page(viewport=viewport)
    gadget = demo_desktop(page, shift)
    demo_click(page, "Call from Ada Lovelace")
    return page, gadget


def scroll_to(page, where):
    """Scroll the demo desktop: 'bottom' of the page, or the gadget's 'middle'."""
    page.evaluate("""where => {
      const frame = document.querySelector('[data-testid=demo-gadget]');
      const rect = frame.getBoundingClientRect();
      const y = where === 'bottom' ? document.documentElement.scrollHeight
        : window.scrollY + rect.top + rect.height / 2 - window.innerHeight / 2;
      window.scrollTo(0, y);
    }""", where)
    page.wait_for_timeout(150)  # the demo reports the viewport on the next frame


def assert_in_view(page, locator, viewport):
    box = locator.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (box, viewport)
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (box, viewport)


# --- 1. dialogs and offers where the agent is looking ------------------------------------------


@pytest.mark.parametrize("viewport", SIZES)
def test_the_unsaved_changes_prompt_opens_where_the_agent_looks(shift, new_page, viewport):
    page, gadget = ada_calls_in_the_demo(shift, new_page, viewport)
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Ada Lovelace")
    demo_click(page, "Email from Grace Hopper")
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Grace Hopper")
    expect(gadget.get_by_test_id("journey-request")).to_have_count(1)
    gadget.get_by_test_id("customer-name").click()
    gadget.locator("[data-action=edit-customer]").click()
    gadget.get_by_test_id("customer-city").fill("Washington")
    gadget.get_by_test_id("open-entry").filter(has_text="Ada").click()
    dialog = gadget.get_by_test_id("dialog")
    expect(dialog).to_be_visible()
    assert_in_view(page, dialog, viewport)
    gadget.locator("[data-action=dialog-cancel]").click()

    # Scrolled far down the desktop, then back to the list's entry without scrolling.
    entry(gadget, "Ada").evaluate("e => e.click()")
    expect(dialog).to_be_visible()
    gadget.locator("[data-action=dialog-discard]").click()
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Ada Lovelace")
    expect(gadget.get_by_test_id("journey-request")).to_have_count(15)
    gadget.get_by_test_id("customer-name").click()
    gadget.locator("[data-action=edit-customer]").click()
    gadget.get_by_test_id("customer-city").fill("Paris")
    for where in ("bottom", "middle"):
        scroll_to(page, where)
        entry(gadget, "Grace").evaluate("e => e.click()")
        expect(dialog).to_be_visible()
        assert_in_view(page, dialog, viewport)
        gadget.locator("[data-action=dialog-cancel]").evaluate("e => e.click()")
        expect(dialog).to_be_hidden()


@pytest.mark.parametrize("viewport", SIZES)
def test_the_offer_is_brought_into_view(shift, new_page, viewport):
    page, gadget = ada_calls_in_the_demo(shift, new_page, viewport)
    expect(gadget.get_by_test_id("journey-request")).to_have_count(15)
    gadget.locator("[data-action=go-ready]").click()
    scroll_to(page, "bottom")
    demo_click(page, "Alan Turing chats")
    offer = gadget.get_by_test_id("offer")
    expect(offer).to_be_visible()
    expect(page.get_by_test_id("demo-log")).to_contain_text("cc:bring-into-view")
    page.wait_for_timeout(200)
    assert_in_view(page, gadget.get_by_test_id("offer-accept"), viewport)
    assert_in_view(page, gadget.get_by_test_id("offer-countdown"), viewport)


def test_a_standalone_gadget_opens_the_move_dialog_in_its_window(shift, new_page):
    """At 400x700 on its own page the gadget scrolls itself: the dialog is in the window."""
    page = new_page(viewport=PANEL)
    sign_in(page, shift, "alice")
    long_history(shift, "Ada", 6)
    call_in(shift, "alice", **{"from": "+1 415 555 0100"})
    expect(page.get_by_test_id("journey-request")).to_have_count(7)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.get_by_test_id("customer-name").evaluate("e => e.click()")
    page.locator("[data-action=edit-customer]").evaluate("e => e.click()")
    page.get_by_test_id("customer-city").fill("Paris")
    page.get_by_test_id("close-entry").evaluate("e => e.click()")
    dialog = page.get_by_test_id("dialog")
    expect(dialog).to_be_visible()
    assert_in_view(page, dialog, PANEL)


# --- 2. a customer's message after Close is not lost -------------------------------------------


def accept_alan(page, gadget):
    gadget.locator("[data-action=go-ready]").click()
    demo_click(page, "Alan Turing chats")
    gadget.get_by_test_id("offer-accept").click()
    expect(gadget.get_by_test_id("message")).to_contain_text("Hello! My order has not arrived yet.")


# The Recent list comes late (a slow service): the customer's message must still be known for
# a reopen of the chat just closed (CI once saw the message beat the reload).
SLOW_RECENT = """(() => {
  const fetch = window.fetch;
  window.fetch = (input, init) => (String(input).includes('/api/v1/me/recent')
    ? new Promise((resolve) => { setTimeout(resolve, 1500); }).then(() => fetch(input, init))
    : fetch(input, init));
})();"""


def test_closing_a_live_chat_asks_and_the_next_message_brings_it_back(shift, new_page):
    page = new_page(viewport=DESKTOP)
    page.add_init_script(SLOW_RECENT)
    gadget = demo_desktop(page, shift)
    accept_alan(page, gadget)

    gadget.get_by_test_id("close-entry").click()
    dialog = gadget.get_by_test_id("dialog")
    expect(dialog).to_contain_text("The chat is still going on")
    gadget.locator("[data-action=dialog-cancel]").click()
    expect(gadget.get_by_test_id("open-entry")).to_have_count(1)

    gadget.get_by_test_id("close-entry").click()
    gadget.locator("[data-action=dialog-close]").click()
    expect(gadget.get_by_test_id("open-entry")).to_have_count(0)

    page.get_by_test_id("demo-chat-input").fill("Hello? Are you still there?")
    page.get_by_test_id("demo-chat-input").press("Enter")
    expect(gadget.get_by_test_id("open-entry")).to_have_count(1)
    expect(gadget.get_by_test_id("open-entry")).to_contain_text("Alan Turing")
    expect(gadget.get_by_test_id("notice")).to_contain_text("Alan Turing wrote again")
    expect(gadget.get_by_test_id("message").last).to_contain_text("Are you still there?")


# --- 3. state, offers and notices stay in sight --------------------------------------------------


@pytest.mark.parametrize("viewport", SIZES)
def test_state_notices_and_the_offer_stay_in_sight_when_scrolled(shift, new_page, viewport):
    page, gadget = ada_calls_in_the_demo(shift, new_page, viewport)
    expect(gadget.get_by_test_id("journey-request")).to_have_count(15)
    gadget.locator("[data-action=go-ready]").click()
    scroll_to(page, "bottom")
    assert_in_view(page, gadget.get_by_test_id("connection"), viewport)
    assert_in_view(page, gadget.get_by_test_id("agent-state"), viewport)

    # A failed save is said where the agent looks, not at the top of a scrolled-away gadget.
    page.route("**/api/v1/activities/*/notes", lambda route: route.fulfill(
        status=503, content_type="application/problem+json",
        body='{"title": "Service Unavailable", "status": 503, "detail": "Try again."}')
        if route.request.method == "POST" else route.continue_())
    gadget.get_by_test_id("note-input").evaluate(
        "area => { area.value = 'Called back'; area.form.requestSubmit(); }")
    notice = gadget.get_by_test_id("notice")
    expect(notice).to_be_visible()
    scroll_to(page, "bottom")
    assert_in_view(page, notice, viewport)

    # The offer does not need the host to scroll: it is in the sticky top already.
    page.evaluate("window.scrollBy = () => {}")
    demo_click(page, "Alan Turing chats")
    expect(gadget.get_by_test_id("offer")).to_be_visible()
    assert_in_view(page, gadget.get_by_test_id("offer-countdown"), viewport)
    assert_in_view(page, gadget.get_by_test_id("offer-accept"), viewport)


def test_a_passing_notice_moves_nothing_under_the_pointer(shift, new_page):
    page = new_page(viewport=PANEL)
    sign_in(page, shift, "alice")
    call_in(shift, "alice", **{"from": "+1 415 555 0100"})
    name = page.get_by_test_id("customer-name")
    expect(name).to_have_text("Ada Lovelace")
    name.click()
    page.locator("[data-action=edit-customer]").click()
    page.get_by_test_id("customer-city").fill("Oxford")
    page.locator("[data-action=save-customer]").click()
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("Customer saved")
    page.evaluate("window.scrollTo(0, 0)")  # no scroll anchoring to hide a shift
    before = name.bounding_box()["y"]
    # What lies under the notice's text can still be clicked; the notice's own buttons too.
    box = notice.locator(".cc-notice-text").bounding_box()
    under = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.cc-notice')",
                          [box["x"] + 2, box["y"] + box["height"] / 2])
    assert under is None
    notice.locator("[data-action=dismiss-notice]").click()
    expect(notice).to_have_count(0)
    assert name.bounding_box()["y"] == before


# --- 4. after a dropped connection everything shown is fetched again -----------------------------


def test_after_an_outage_the_customer_is_loaded_again_and_the_error_clears(shift, new_page):
    page = new_page(viewport=PANEL)
    page.add_init_script(SOCKET_SWITCH)
    sign_in(page, shift, "alice")
    call_in(shift, "alice", **{"from": "+1 415 555 0100"})
    expect(page.get_by_test_id("customer-name")).to_have_text("Ada Lovelace")
    call_in(shift, "alice", **{"from": "+1 415 555 0142"})
    expect(page.get_by_test_id("customer-name")).to_have_text("Grace Hopper")

    page.evaluate("window.__socketsDown = true; window.__sockets.forEach((s) => s.close())")
    page.route("**/api/v1/**", lambda route: route.abort("internetdisconnected"))
    expect(page.get_by_test_id("connection")).not_to_have_attribute("data-state", "live")
    entry(page, "Ada").click()
    expect(page.get_by_test_id("notice")).to_have_attribute("data-kind", "error")
    # Not "Unknown customer / No activity yet": it says it could not load them.
    expect(page.get_by_test_id("detail-empty")).to_contain_text("could not be loaded")
    expect(page.get_by_test_id("customer-name")).to_be_hidden()

    page.unroute("**/api/v1/**")
    page.evaluate("window.__socketsDown = false")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live",
                                                                 timeout=20000)
    expect(page.get_by_test_id("customer-name")).to_have_text("Ada Lovelace")
    expect(page.get_by_test_id("journey-request")).to_have_count(1)
    expect(page.get_by_test_id("activity-facts")).to_contain_text("Active")
    expect(page.get_by_test_id("notice")).to_have_count(0)


# --- 5. conflicts field by field; Overwrite keeps the other agent's other fields ---------------


def test_overwrite_keeps_the_other_agents_other_fields(shift, new_page):
    ada = customer_id(shift, "Ada")
    pages = {}
    for agent_id in ("alice", "bob"):
        page = new_page(viewport=DESKTOP)
        token = sign_in(page, shift, agent_id)
        shift.call("POST", "/api/v1/me/open", {"customer_id": ada}, token=token)
        expect(page.get_by_test_id("customer-name")).to_have_text("Ada Lovelace")
        page.get_by_test_id("customer-name").click()
        pages[agent_id] = page
    alice, bob = pages["alice"], pages["bob"]
    alice.locator("[data-action=edit-customer]").click()
    alice.get_by_test_id("customer-city").fill("Oxford")

    bob.locator("[data-action=edit-customer]").click()
    bob.get_by_test_id("customer-region").fill("Greater London")
    bob.locator("[data-action=save-customer]").click()
    expect(bob.get_by_test_id("notice")).to_contain_text("Customer saved")

    warning = alice.get_by_test_id("conflict-customer")
    expect(warning).to_contain_text("bob changed this customer")
    region = warning.locator("[data-field=region]")
    expect(region.locator("[data-side=theirs]")).to_have_text("Greater London")
    expect(region.locator("[data-side=yours]")).to_have_text("(not changed by you)")
    expect(warning.locator("[data-field=city] [data-side=yours]")).to_have_text("Oxford")
    warning.locator("[data-action=conflict-overwrite]").click()
    expect(alice.get_by_test_id("notice")).to_contain_text("Customer saved")
    saved = shift.admin("GET", f"/api/v1/customers/{ada}")
    assert (saved["city"], saved["region"]) == ("Oxford", "Greater London")
    expect(alice.get_by_test_id("customer-region")).to_have_value("Greater London")

    # Bob was not editing any more: no Overwrite offered, the view shows Alice's city.
    expect(bob.get_by_test_id("customer-city")).to_have_value("Oxford")
    expect(bob.get_by_test_id("conflict-customer")).to_have_count(0)


# --- 6. unread messages are counted where the agent sees them ------------------------------------


def test_unread_messages_are_counted_in_the_lists_and_the_title(shift, new_page):
    page = new_page(viewport=DESKTOP)
    gadget = demo_desktop(page, shift)
    accept_alan(page, gadget)
    demo_click(page, "Call from Ada Lovelace")
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Ada Lovelace")

    for text in ("Hello?", "Anyone there?"):
        page.get_by_test_id("demo-chat-input").fill(text)
        page.get_by_test_id("demo-chat-input").press("Enter")
    alan = gadget.get_by_test_id("open-entry").filter(has_text="Alan Turing")
    expect(alan.locator("[data-role=unread]")).to_have_text("2")
    expect(alan.locator("[data-role=unread]")).to_have_attribute("aria-label", "2 unread")
    task = gadget.get_by_test_id("progress-task").filter(has_text="Alan Turing")
    expect(task.locator("[data-role=unread]")).to_have_text("2")
    expect(gadget.get_by_test_id("open-entry").filter(has_text="Ada").locator(
        "[data-role=unread]")).to_have_count(0)
    expect(page).to_have_title("(2) Demo agent desktop · Customer Context")

    entry(gadget, "Alan Turing").click()
    expect(gadget.get_by_test_id("message").last).to_contain_text("Anyone there?")
    expect(gadget.locator("[data-role=unread]")).to_have_count(0)
    expect(page).to_have_title("Demo agent desktop · Customer Context")


def test_a_standalone_gadget_counts_unread_in_its_title(shift, new_page):
    page = new_page(viewport=PANEL)
    sign_in(page, shift, "alice")
    connector = shift.connector_token()
    chat = shift.post_event(connector, "accepted", agent_id="alice", media_type="chat",
                            contact_id="chat-77", customer_name="Sam Okafor",
                            **{"from": "+1 312 555 0177"})["activity"]
    call_in(shift, "alice", **{"from": "+1 415 555 0100"})
    expect(page.get_by_test_id("customer-name")).to_have_text("Ada Lovelace")
    status, _, _ = shift.call("POST", f"/api/v1/activities/{chat['id']}/messages",
                              {"message_id": "m-1", "text": "Are you there?"}, token=connector)
    assert status == 201
    expect(page).to_have_title("(1) Customer Context")
    expect(page.get_by_test_id("open-entry").locator("[data-role=unread]")).to_have_text("1")


# --- 7. the Open list tells entries apart and shows them all --------------------------------------


def test_open_entries_show_media_address_wrap_up_and_duration(shift, new_page):
    page = new_page(viewport=DESKTOP)
    gadget = demo_desktop(page, shift)
    for name in ["Call from Ada Lovelace", "Email from Grace Hopper",
                 *["Call from an unknown number"] * 6, "Chat from an unknown visitor"]:
        demo_click(page, name)
    entries = gadget.get_by_test_id("open-entry")
    expect(entries).to_have_count(9)

    ada = entries.filter(has_text="Ada Lovelace")
    expect(ada.locator("[data-role=media]")).to_have_attribute("data-media", "voice")
    expect(ada.locator("[data-role=entry-contact]")).to_have_text("+1 415-555-0100")
    expect(ada.locator("[data-role=duration]")).to_have_text(re.compile(r"^\d+:\d\d"))
    unknown = entries.filter(has_text="Call from")  # not a name: the caller's address
    assert unknown.count() == 0
    callers = entries.locator("[data-role=entry-contact]").all_inner_texts()
    assert len(set(callers)) == 9, callers  # no two entries look the same
    expect(ada.locator("[data-role=wrapup]")).to_have_count(0)

    page.locator("[data-testid=demo-active] li").filter(has_text="Ada Lovelace").get_by_role(
        "button", name="End").evaluate("button => button.click()")
    expect(ada.locator("[data-role=wrapup]")).to_have_text("Wrap-up")
    duration = ada.locator("[data-role=duration]").inner_text()
    page.wait_for_timeout(1500)
    assert ada.locator("[data-role=duration]").inner_text() == duration  # ended: it stops

    # The list is as tall as its entries (the column scrolls, not a box cutting the last one).
    open_list = gadget.get_by_test_id("open-list")
    assert open_list.evaluate("list => list.scrollHeight - list.clientHeight") <= 1
    last = entries.last
    last.scroll_into_view_if_needed()
    assert_in_view(page, last, DESKTOP)


# --- 8. primary actions are visible buttons ----------------------------------------------


def test_create_customer_and_reopen_request_are_visible_buttons(shift, new_page):
    page = new_page(viewport=PANEL)
    sign_in(page, shift, "alice")
    call_in(shift, "alice", customer_name="Noor Haddad", **{"from": "+1 312 555 0123"})
    create = page.get_by_role("button", name="Create customer")
    expect(create).to_be_visible()
    create.click()
    expect(page.get_by_test_id("customer-form")).to_have_attribute("data-mode", "create")
    expect(create).to_have_count(0)
    page.locator("[data-action=create-customer]").click()
    expect(page.get_by_test_id("customer-name")).to_have_text("Noor Haddad")

    close = page.get_by_role("button", name="Close request")
    expect(close).to_be_visible()
    close.click()
    expect(page.get_by_test_id("request-status")).to_contain_text("Closed")
    reopen = page.get_by_role("button", name="Reopen request")
    expect(reopen).to_be_visible()
    reopen.click()
    expect(page.get_by_test_id("request-status")).to_contain_text("Open")


# --- 9. validation errors under their field, in the agent's language, focused ------------------


@pytest.mark.parametrize(("locale", "words"), [
    ("en-US", "Not a valid email address"), ("de-DE", "Keine gültige E-Mail-Adresse")])
def test_an_invalid_email_is_said_under_its_field_and_focused(shift, new_page, locale, words):
    page = new_page(locale=locale, viewport=PANEL)
    sign_in(page, shift, "alice")
    call_in(shift, "alice", customer_name="Lena Berg", **{"from": "+1 312 555 0124"})
    page.locator("[data-action=open-create-customer]").click()
    page.get_by_test_id("customer-emails").fill("lena.berg(at)example")
    page.locator("[data-action=create-customer]").click()

    error = page.locator("[data-error-for=emails]")
    expect(error).to_contain_text(words)
    expect(page.get_by_test_id("customer-emails")).to_be_focused()
    expect(page.get_by_test_id("customer-emails")).to_have_attribute("aria-invalid", "true")
    # The hint and the error are lines of their own, below the field.
    field = page.get_by_test_id("customer-emails").bounding_box()
    hint = page.get_by_test_id("customer-emails").locator("xpath=..").locator(".cc-hint")
    hint_box, error_box = hint.bounding_box(), error.bounding_box()
    assert field["y"] + field["height"] <= hint_box["y"] + 1
    assert hint_box["y"] + hint_box["height"] <= error_box["y"] + 1
    notice = page.get_by_test_id("notice")
    expect(notice).to_be_visible()
    assert "emails" not in notice.inner_text()


# --- 10. less clutter: one move menu, undo, whole notes, numbers in one piece -------------


def test_one_move_menu_on_the_selected_activity_with_undo(shift, new_page):
    page = new_page(locale="de-DE", viewport={"width": 360, "height": 800})
    sign_in(page, shift, "alice")
    ada = customer_id(shift, "Ada")
    first = call_in(shift, "alice", **{"from": "+1 415 555 0100"})
    second_request = add_request(shift, ada, "Router")
    expect(page.get_by_test_id("journey-request")).to_have_count(2)
    expect(page.get_by_test_id("move-menu")).to_have_count(0)  # no menu on every activity
    row = page.locator(f"[data-testid=journey-activity][data-activity-id='{first['id']}']")
    row.locator("[data-action=select-activity]").click()
    expect(page.get_by_test_id("move-menu")).to_have_count(1)
    expect(row.locator("[data-action=select-activity]")).to_be_focused()
    row.get_by_test_id("move-select").select_option(f"request:{second_request['id']}")
    row.locator("[data-action=move]").click()
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("verschoben")
    assert shift.admin("GET", f"/api/v1/activities/{first['id']}")["request_id"] == (
        second_request["id"])
    notice.locator("[data-action=undo]").click()
    expect(page.get_by_test_id("notice")).to_contain_text("rückgängig")
    moved_back = shift.admin("GET", f"/api/v1/activities/{first['id']}")
    assert moved_back["request_id"] == first["request_id"]

    # The details show the seeded activity's notes whole, not in a box of their own.
    seeded = page.locator(
        f"[data-testid=journey-activity]:not([data-activity-id='{first['id']}'])")
    seeded.locator("[data-action=select-activity]").click()
    details = page.get_by_test_id("journey-details")
    expect(details).to_contain_text("Explained the pro-rated charge.")
    assert details.evaluate("d => d.scrollHeight - d.clientHeight") <= 1

    # No number breaks across lines, and the German tabs keep their labels on one line.
    for address in page.locator(".cc-nobreak").all():
        box = address.bounding_box()
        if box:
            line = address.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20")
            assert box["height"] < 1.5 * line, address.inner_text()
    for tab in page.locator("[role=tab]").all():
        assert tab.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), tab.inner_text()
        assert tab.evaluate("e => e.getClientRects().length") == 1


# --- the journey loads more on scroll (issue 11) -----------------------------------------


def test_the_journey_loads_earlier_pages_on_scroll_and_keeps_them_on_reload(shift, new_page):
    ada = customer_id(shift, "Ada")
    oldest = add_request(shift, ada, "The very first problem")
    page, gadget = ada_calls_in_the_demo(shift, new_page, DESKTOP, history=58)
    requests = gadget.get_by_test_id("journey-request")
    expect(requests).to_have_count(50)  # the first page of 50 items
    # Every open request is a move target, also those on pages not loaded yet.
    activity = gadget.get_by_test_id("journey-activity").first
    activity.locator("[data-action=select-activity]").click()
    expect(activity.get_by_test_id("move-select").locator(
        f"option[value='request:{oldest['id']}']")).to_have_count(1)

    scroll_to(page, "bottom")
    expect(requests).to_have_count(60)
    expect(gadget.get_by_test_id("journey-more")).to_have_count(0)
    expect(requests.last).to_contain_text("Billing question")

    # A change pushed to the journey reloads both pages, not only the first.
    status, _, _ = shift.call("PATCH", f"/api/v1/requests/{oldest['id']}",
                              {"title": "The first, renamed"}, token=shift.admin_token,
                              headers={"If-Match": "*"})
    assert status == 200
    expect(gadget.get_by_test_id("journey")).to_contain_text("The first, renamed")
    expect(requests).to_have_count(60)


# --- 11. smaller things --------------------------------------------------------------------------


def test_sign_out_with_unsaved_edits_asks_first(shift, new_page):
    page = new_page(viewport=PANEL)
    sign_in(page, shift, "alice")
    call_in(shift, "alice", **{"from": "+1 415 555 0100"})
    page.get_by_test_id("request-title").fill("Something half typed")
    page.locator("[data-action=sign-out]").click()
    expect(page.get_by_test_id("dialog")).to_be_visible()
    page.locator("[data-action=dialog-cancel]").click()
    expect(page.get_by_test_id("request-title")).to_have_value("Something half typed")
    page.locator("[data-action=sign-out]").click()
    page.locator("[data-action=dialog-discard]").click()
    expect(page.get_by_test_id("signin-form")).to_be_visible()


def test_choosing_search_focuses_the_box(shift, new_page):
    page = new_page(viewport=PANEL)
    sign_in(page, shift, "alice")
    page.get_by_test_id("tab-search").click()
    expect(page.get_by_test_id("search-input")).to_be_focused()


def test_service_principals_are_said_in_words(shift, new_page):
    page = new_page(viewport=PANEL)
    sign_in(page, shift, "alice")
    said = page.evaluate("""async () => {
      const { actorName } = await import('/gadget/js/model.js');
      return ['system:auto-close', 'system:router', 'key:7', 'alice'].map(actorName);
    }""")
    assert said == ["automatic close (idle request)", "the routing service",
                    "a connected system", "alice"]


def test_browser_default_switches_the_demo_gadget_back(shift, new_page):
    page = new_page(viewport=DESKTOP)
    gadget = demo_desktop(page, shift)
    page.get_by_test_id("demo-locale").select_option("de")
    expect(gadget.get_by_test_id("tab-open")).to_contain_text("Offen")
    page.get_by_test_id("demo-locale").select_option("")
    expect(gadget.get_by_test_id("tab-open")).to_contain_text("Open")


def test_host_routed_emails_show_their_text_and_the_demo_has_a_second_agent(shift, new_page):
    page = new_page(viewport=DESKTOP)
    gadget = demo_desktop(page, shift)
    demo_click(page, "Email from Grace Hopper")
    expect(gadget.get_by_test_id("email-body")).to_contain_text("my router rebooted three times")
    demo_click(page, "Chat from an unknown visitor")
    expect(gadget.get_by_test_id("message")).to_contain_text("a question about my contract")

    second = new_page(viewport=DESKTOP)
    second.goto(shift.url + "/?agent=demo2")
    expect(second.get_by_test_id("demo-status")).to_have_text("Signed in as demo2")


def test_after_add_request_the_request_and_activity_panes_agree(shift, new_page):
    page = new_page(viewport=PANEL)
    sign_in(page, shift, "alice")
    activity = call_in(shift, "alice", **{"from": "+1 415 555 0100"})
    expect(page.get_by_test_id("request-title")).to_have_value("Billing question")
    page.get_by_test_id("add-request").click()
    expect(page.get_by_test_id("request-title")).to_have_value("")
    link = page.get_by_test_id("activity-request")
    expect(link).to_contain_text(f"belongs to request #{activity['request_id']}")
    link.locator("[data-action=move-to-shown-request]").click()
    expect(link).to_be_empty()
    moved = shift.admin("GET", f"/api/v1/activities/{activity['id']}")
    assert moved["request_id"] != activity["request_id"]
    expect(page.get_by_test_id("request-title")).to_have_value("")
