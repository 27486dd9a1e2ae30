"""Issue 14: agents on the same customer see each other live, and an edit warns first."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import PASSWORD, add_request, customer, get, shown_name, sign_in

# The agent's own time format: 24 h in German, AM/PM in American English.
TIME_DE, TIME_US = r"\d{2}:\d{2}", r"\d{1,2}:\d{2}\s[AP]M"


def open_customer(server, page, token, ada):
    server.call("POST", "/api/v1/me/open", {"customer_id": ada["id"]}, token=token)
    expect(shown_name(page)).to_have_text("Ada Lovelace")


def test_agents_see_who_else_views_and_the_line_clears_when_one_leaves(live_server, new_page):
    ada = customer(live_server, first_name="Ada", last_name="Lovelace")
    # Names are data: markup in one stays text.
    live_server.agent_token("alice", name="Alice Archer", password=PASSWORD)
    live_server.agent_token("bob", name="Bob <b>Builder</b>", password=PASSWORD)
    alice, bob = new_page(), new_page(locale="de-DE")
    alice_token, bob_token = sign_in(alice, live_server, "alice"), sign_in(bob, live_server, "bob")

    open_customer(live_server, alice, alice_token, ada)
    expect(alice.get_by_test_id("presence")).to_be_hidden()  # only herself: nothing said

    open_customer(live_server, bob, bob_token, ada)
    # Bob reads it in German, with the time Alice opened Ada; Alice hears of Bob live.
    expect(bob.get_by_test_id("presence")).to_have_text(
        re.compile(rf"^Ebenfalls geöffnet von: Alice Archer \(seit {TIME_DE}\)$"))
    line = alice.get_by_test_id("presence")
    expect(line).to_have_text(
        re.compile(rf"^Also viewing: Bob <b>Builder</b> \(since {TIME_US}\)$"))
    assert alice.locator(".cc-presence b").count() == 0

    # Alice edits: the form warns that Bob is there too.
    shown_name(alice).click()
    alice.locator("[data-action=edit-customer]").click()
    warning = alice.get_by_test_id("presence-warning")
    expect(warning).to_have_text(
        "Bob <b>Builder</b> is also viewing this customer – your changes could overlap.")
    screenshot(alice, "presence-warning")

    # Bob closes his gadget: his socket closes, and Alice's line and warning go within seconds.
    bob.close()
    expect(line).to_be_hidden(timeout=5_000)
    expect(warning).to_be_hidden()
    assert get(live_server, f"/api/v1/customers/{ada['id']}/viewers")[0]["agent_id"] == "alice"


def test_a_save_while_another_views_asks_before_overwriting(live_server, new_page):
    ada = customer(live_server, first_name="Ada", last_name="Lovelace")
    request = add_request(live_server, ada["id"], "Billing question", "October invoice")
    alice, bob = new_page(), new_page()
    alice_token, bob_token = sign_in(alice, live_server, "alice"), sign_in(bob, live_server, "bob")
    open_customer(live_server, alice, alice_token, ada)
    open_customer(live_server, bob, bob_token, ada)
    expect(alice.get_by_test_id("presence")).to_contain_text("Agent bob")

    shown_name(alice).click()
    alice.locator("[data-action=edit-customer]").click()
    expect(alice.get_by_test_id("presence-warning")).to_be_visible()
    alice.get_by_test_id("customer-first_name").fill("Augusta Ada")
    # Bob saves another field meanwhile (over the API: what his gadget would send).
    status, _, _ = live_server.call("PATCH", f"/api/v1/customers/{ada['id']}",
                                    {"last_name": "King"}, token=bob_token,
                                    headers={"If-Match": f'"{ada["version"]}"'})
    assert status == 200

    patches = []
    alice.on("request", lambda r: r.method == "PATCH" and patches.append(r.url))
    alice.locator("[data-action=save-customer]").click()
    conflict = alice.get_by_test_id("conflict-customer")
    expect(conflict).to_have_attribute("data-source", "save")
    expect(conflict).to_contain_text("bob changed this customer")
    assert patches == []  # asked first: no save went out to be refused
    assert get(live_server, f"/api/v1/customers/{ada['id']}")["first_name"] == "Ada"

    # Overwrite sends Alice's field only, over Bob's version: both changes stay.
    conflict.locator("[data-action=conflict-overwrite]").click()
    expect(conflict).to_have_count(0)
    expect(alice.get_by_test_id("notice")).to_contain_text("saved")
    saved = get(live_server, f"/api/v1/customers/{ada['id']}")
    assert (saved["first_name"], saved["last_name"]) == ("Augusta Ada", "King")
    assert len(patches) == 1

    # The request form does the same.
    alice.get_by_test_id("request-description").fill("Refund sent")
    status, _, _ = live_server.call("PATCH", f"/api/v1/requests/{request['id']}",
                                    {"title": "Invoice corrected"}, token=bob_token,
                                    headers={"If-Match": f'"{request["version"]}"'})
    assert status == 200
    alice.locator("[data-action=save-request]").click()
    expect(alice.get_by_test_id("conflict-request")).to_have_attribute("data-source", "save")
    assert len(patches) == 1
