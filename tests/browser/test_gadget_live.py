"""Live updates survive a dropped connection, the journey explains itself on hover and
selection, and the pane works from the keyboard and in a wide column."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import add_request, call_in, customer, shown_name, sign_in

# Lets a test drop the gadget's socket and refuse new ones, as a network outage would.
SOCKET_SWITCH = """
window.__sockets = [];
window.__socketsDown = false;
const RealWebSocket = window.WebSocket;
window.WebSocket = class extends RealWebSocket {
  constructor(...args) {
    if (window.__socketsDown) throw new DOMException('offline', 'NetworkError');
    super(...args);
    window.__sockets.push(this);
  }
};
"""


def test_reconnects_and_resyncs_what_it_missed(live_server, new_page):
    page = new_page()
    page.add_init_script(SOCKET_SWITCH)
    sign_in(page, live_server, "alice")
    bob = live_server.agent_token("bob")
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    request = add_request(live_server, ada["id"], "Billing question")
    call_in(live_server, "alice", **{"from": "+14155550100"})
    expect(page.get_by_test_id("request-title")).to_have_value("Billing question")

    page.evaluate("window.__socketsDown = true; window.__sockets.forEach((s) => s.close())")
    expect(page.get_by_test_id("connection")).not_to_have_attribute("data-state", "live")
    # Meanwhile: a second call, and another agent edits the request on screen.
    call_in(live_server, "alice", **{"from": "+1 312 555 0188"})
    _, current, headers = live_server.call("GET", f"/api/v1/requests/{request['id']}", token=bob)
    live_server.call("PATCH", f"/api/v1/requests/{request['id']}", {"title": "Refund agreed"},
                     token=bob, headers={"If-Match": headers["ETag"]})
    page.wait_for_timeout(700)
    expect(page.get_by_test_id("open-entry")).to_have_count(1)  # nothing arrived

    page.evaluate("window.__socketsDown = false")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live",
                                                                 timeout=20000)
    expect(page.get_by_test_id("open-entry")).to_have_count(2)
    # Alice was not editing it: the change simply shows, and she is told who made it.
    expect(page.get_by_test_id("request-title")).to_have_value("Refund agreed")
    expect(page.get_by_test_id("conflict-request")).to_have_count(0)
    assert current["title"] == "Billing question"


def test_journey_details_on_hover_and_selection(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    add_request(live_server, ada["id"], "Old problem", "Printer jams")
    activity = call_in(live_server, "alice", **{"from": "+14155550100"},
                       variables={"callVariable1": "gold"})
    add_request(live_server, ada["id"], "Newest problem")
    journey = page.get_by_test_id("journey-request")
    expect(journey).to_have_count(2)
    expect(journey.first).to_contain_text("Newest problem")  # newest first

    details = page.get_by_test_id("journey-details")
    expect(details).to_contain_text("callVariable1")  # the current activity by default
    journey.nth(1).locator("[data-action=select-request]").hover()
    expect(details).to_contain_text("Printer jams")
    page.get_by_test_id("tab-open").hover()
    expect(details).to_contain_text("gold")
    journey.first.locator("[data-action=select-request]").click()
    page.get_by_test_id("tab-open").hover()
    expect(details).to_contain_text("Newest problem")
    expect(journey.first.locator("[data-action=select-request]")).to_have_attribute(
        "aria-pressed", "true")
    assert activity["request_id"] != journey.first.get_attribute("data-request-id")


def test_the_pane_works_from_the_keyboard(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    customer(live_server, first_name="Alan", last_name="Turing", phones=["+1 415 555 0199"])
    tab = page.get_by_test_id("tab-open")
    tab.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("tab-recent")).to_be_focused()
    expect(page.get_by_test_id("tab-recent")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("End")
    expect(page.get_by_test_id("tab-search")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("search-input")).to_be_focused()
    page.keyboard.type("Turing")
    expect(page.get_by_test_id("search-result")).to_have_count(1)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the result's Open button
    expect(shown_name(page)).to_have_text("Alan Turing")
    # Every control in the detail has a label.
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        '#cc-root input, #cc-root textarea, #cc-root select')].filter(
        (el) => !el.labels?.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML)""")
    assert unlabelled == []


def test_wide_column_shows_the_lists_beside_the_customer(live_server, new_page):
    page = new_page(viewport={"width": 1100, "height": 900})
    sign_in(page, live_server, "alice")
    customer(live_server, first_name="Grace", last_name="Hopper",
             emails=["grace.hopper@example.com"])
    call_in(live_server, "alice", media_type="email", **{"from": "grace.hopper@example.com"})
    expect(shown_name(page)).to_have_text("Grace Hopper")
    lists = page.locator("[data-region=lists]").bounding_box()
    detail = page.locator("[data-region=detail]").bounding_box()
    assert lists["x"] + lists["width"] <= detail["x"]  # side by side
    screenshot(page, "wide")

    narrow = new_page(viewport={"width": 360, "height": 900})
    sign_in(narrow, live_server, "alice")
    expect(shown_name(narrow)).to_have_text("Grace Hopper")
    lists = narrow.locator("[data-region=lists]").bounding_box()
    detail = narrow.locator("[data-region=detail]").bounding_box()
    assert lists["y"] + lists["height"] <= detail["y"]  # stacked
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    screenshot(narrow, "narrow")
