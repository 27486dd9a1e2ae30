"""An agent's day in the gadget: contacts arrive, customers are created, requests and
activities are edited, the interaction is closed and reopened (R1, R3, R5-R8, R10-R12)."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import add_request, call_in, customer, get, shown_name, sign_in


def test_a_call_arrives_and_the_customer_appears_in_open(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    expect(page.get_by_test_id("detail-empty")).to_be_visible()
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])

    call_in(live_server, "alice", **{"from": "+1 (415) 555-0100"})

    entry = page.get_by_test_id("open-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Ada Lovelace")
    expect(entry).to_contain_text("Voice")
    expect(shown_name(page)).to_have_text("Ada Lovelace")
    expect(page.get_by_test_id("journey-activity")).to_have_count(1)
    expect(page.get_by_test_id("activity-facts")).to_contain_text("Active")
    assert page.get_by_test_id("open-entry").get_attribute("data-customer-id") == str(ada["id"])
    screenshot(page, "open-call-arrived")


def test_create_a_customer_from_an_unknown_caller(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    activity = call_in(live_server, "alice", customer_name="Jamie Lee Rivera",
                       **{"from": "+1 312 555 0111"})

    expect(shown_name(page)).to_have_text("Unknown customer")
    expect(page.get_by_test_id("open-entry")).to_contain_text("Unknown customer")
    shown_name(page).click()
    form = page.get_by_test_id("customer-form")
    expect(form).to_have_attribute("data-mode", "create")
    # R7: the last word is the last name, the rest the first name; no @, so a phone.
    expect(page.get_by_test_id("customer-first_name")).to_have_value("Jamie Lee")
    expect(page.get_by_test_id("customer-last_name")).to_have_value("Rivera")
    expect(page.get_by_test_id("customer-phones")).to_have_value("+1 312 555 0111")
    expect(page.get_by_test_id("customer-emails")).to_have_value("")
    screenshot(page, "create-from-unknown")
    page.get_by_test_id("customer-city").fill("Chicago")
    form.locator("[data-action=create-customer]").click()

    expect(shown_name(page)).to_have_text("Jamie Lee Rivera")
    expect(page.get_by_test_id("open-entry")).to_contain_text("Jamie Lee Rivera")
    linked = get(live_server, f"/api/v1/activities/{activity['id']}")
    created = get(live_server, f"/api/v1/customers/{linked['customer_id']}")
    assert (created["first_name"], created["last_name"], created["city"]) == (
        "Jamie Lee", "Rivera", "Chicago")
    assert created["phones"] == ["+13125550111"]
    # The journey now shows the contact's request as the customer's.
    expect(page.get_by_test_id("journey-request")).to_have_count(1)


def test_edit_request_title_and_description_within_the_limit(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    customer(live_server, first_name="Grace", last_name="Hopper",
             emails=["grace.hopper@example.com"])
    activity = call_in(live_server, "alice", media_type="email",
                       **{"from": "grace.hopper@example.com"})
    expect(shown_name(page)).to_have_text("Grace Hopper")

    title = page.get_by_test_id("request-title")
    title.fill("Router keeps rebooting")
    expect(page.get_by_test_id("title-counter")).to_have_text("22 / 2,000")
    description = page.get_by_test_id("request-description")
    description.fill("x" * 2001)
    assert description.input_value() == "x" * 2000  # the input does not take more
    expect(page.get_by_test_id("description-counter")).to_have_text("2,000 / 2,000")
    expect(page.get_by_test_id("description-limit")).to_contain_text("At most 2,000 characters")
    screenshot(page, "request-limit")
    description.fill("Firmware 2.1 on the home router.")
    expect(page.get_by_test_id("description-limit")).to_have_text("")
    page.locator("[data-action=save-request]").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Request saved")

    request = get(live_server, f"/api/v1/requests/{activity['request_id']}")
    assert request["title"] == "Router keeps rebooting"
    assert request["description"] == "Firmware 2.1 on the home router."
    status = page.get_by_test_id("request-status")
    expect(status).to_contain_text("Open")
    expect(status).to_contain_text("Created")

    # The request icon also tells when it was closed.
    page.locator("[data-action=close-request]").click()
    expect(status).to_contain_text("Closed")
    expect(page.get_by_test_id("request-closed")).to_be_visible()
    expect(title).to_have_attribute("readonly", "")


def test_add_request_for_a_new_problem(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    call_in(live_server, "alice", **{"from": "+14155550100"})
    expect(page.get_by_test_id("journey-request")).to_have_count(1)

    page.get_by_test_id("add-request").click()
    title = page.get_by_test_id("request-title")
    expect(title).to_be_focused()
    title.fill("Second problem")
    page.locator("[data-action=save-request]").click()
    expect(page.get_by_test_id("journey-request")).to_have_count(2)
    journey = get(live_server, f"/api/v1/customers/{ada['id']}/journey")
    assert [r["title"] for r in journey["requests"]] == ["Second problem", ""]


def test_tags_by_enter_and_tab_refuse_duplicates_and_long_ones(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    activity = call_in(live_server, "alice", **{"from": "+1 312 555 0142"})
    tag_input = page.get_by_test_id("tag-input")
    expect(tag_input).to_be_visible()
    tag_calls = []
    page.on("request", lambda r: r.method == "POST" and "/tags" in r.url and tag_calls.append(r))

    tag_input.fill("billing")
    tag_input.press("Enter")
    expect(page.get_by_test_id("tag")).to_have_count(1)
    tag_input.fill("Refund")
    tag_input.press("Tab")
    expect(page.get_by_test_id("tag")).to_have_count(2)
    expect(tag_input).to_be_focused()  # Tab with text creates the tag and stays
    expect(tag_input).to_have_value("")
    assert len(tag_calls) == 2

    tag_input.fill("BILLING")
    tag_input.press("Enter")
    expect(page.get_by_test_id("tag-message")).to_contain_text("already there")
    tag_input.fill("x" * 51)
    tag_input.press("Tab")
    expect(page.get_by_test_id("tag-message")).to_contain_text("at most 50 characters")
    expect(tag_input).to_be_focused()
    screenshot(page, "tags-refused")
    assert len(tag_calls) == 2  # refused on the spot, the server was not asked
    expect(page.get_by_test_id("tag")).to_have_count(2)

    tag_input.fill("")
    tag_input.press("Tab")  # empty: focus moves on as usual
    expect(tag_input).not_to_be_focused()

    page.locator("[data-testid=tag][data-tag=billing] [data-action=remove-tag]").click()
    expect(page.get_by_test_id("tag")).to_have_count(1)
    tags = get(live_server, f"/api/v1/activities/{activity['id']}")["tags"]
    assert [t["name"] for t in tags] == ["Refund"]


def test_add_a_note(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    activity = call_in(live_server, "alice", **{"from": "+1 312 555 0150"})
    page.get_by_test_id("note-input").fill("Customer asked for a callback tomorrow.")
    page.locator("[data-action=add-note]").click()

    note = page.get_by_test_id("note")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("Customer asked for a callback tomorrow.")
    expect(note).to_contain_text("alice")
    expect(note.locator("time")).to_have_text(re.compile(r"\d"))
    expect(page.get_by_test_id("note-input")).to_have_value("")
    notes = get(live_server, f"/api/v1/activities/{activity['id']}/notes")
    assert [(n["text"], n["author"]) for n in notes] == [
        ("Customer asked for a callback tomorrow.", "alice")]


def test_move_an_activity_with_the_menu_and_by_dragging(live_server, new_page):
    page = new_page(viewport={"width": 1100, "height": 1000})
    sign_in(page, live_server, "alice")
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    first = add_request(live_server, ada["id"], "Billing question")
    activity = call_in(live_server, "alice", **{"from": "+14155550100"})
    assert activity["request_id"] == first["id"]  # R2: the latest open request
    second = add_request(live_server, ada["id"], "Router")
    expect(page.get_by_test_id("journey-request")).to_have_count(2)

    # Keyboard way: the "Move to…" menu of the selected activity.
    row = page.locator(f"[data-testid=journey-activity][data-activity-id='{activity['id']}']")
    row.locator("[data-action=select-activity]").click()
    row.get_by_test_id("move-select").select_option(f"request:{second['id']}")
    row.locator("[data-action=move]").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Activity moved")
    target = page.locator(f"[data-testid=journey-request][data-request-id='{second['id']}']")
    expect(target.get_by_test_id("journey-activity")).to_have_count(1)
    assert get(live_server, f"/api/v1/activities/{activity['id']}")["request_id"] == second["id"]
    # The entry follows its activity: the request shown is now the target.
    expect(page.get_by_test_id("request-title")).to_have_value("Router")

    # Mouse way: drag the handle onto the other request.
    back = page.locator(f"[data-testid=journey-request][data-request-id='{first['id']}']")
    row = page.locator(f"[data-testid=journey-activity][data-activity-id='{activity['id']}']")
    row.get_by_test_id("drag-handle").drag_to(back.locator("[data-action=select-request]"))
    expect(back.get_by_test_id("journey-activity")).to_have_count(1)
    assert get(live_server, f"/api/v1/activities/{activity['id']}")["request_id"] == first["id"]

    # And to a new request.
    row = page.locator(f"[data-testid=journey-activity][data-activity-id='{activity['id']}']")
    row.locator("[data-action=select-activity]").click()
    row.get_by_test_id("move-select").select_option("new")
    row.locator("[data-action=move]").click()
    expect(page.get_by_test_id("journey-request")).to_have_count(3)
    screenshot(page, "journey-moved")


def test_move_an_activity_to_another_customer(live_server, new_page):
    page = new_page()
    token = sign_in(page, live_server, "alice")
    grace = customer(live_server, first_name="Grace", last_name="Hopper",
                     phones=["+1 415 555 0142"])
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    live_server.call("POST", "/api/v1/me/open", {"customer_id": grace["id"]}, token=token)
    activity = call_in(live_server, "alice", **{"from": "+14155550100"})
    expect(shown_name(page)).to_have_text("Ada Lovelace")

    row = page.locator(f"[data-testid=journey-activity][data-activity-id='{activity['id']}']")
    row.locator("[data-action=select-activity]").click()
    row.get_by_test_id("move-select").select_option("customer")
    row.locator("[data-action=move]").click()
    dialog = page.get_by_test_id("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("pick-open")).to_contain_text("Grace Hopper")
    dialog.get_by_test_id("pick-search").fill("Hopper")
    dialog.get_by_test_id("pick-results").get_by_text("Grace Hopper").click()

    expect(shown_name(page)).to_have_text("Grace Hopper")
    moved = get(live_server, f"/api/v1/activities/{activity['id']}")
    assert moved["customer_id"] == grace["id"]
    assert ada["id"] != grace["id"]


def open_for_edit(page, live_server, agent_id):
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", city="London",
                   phones=["+1 415 555 0100"])
    call_in(live_server, agent_id, **{"from": "+14155550100"})
    expect(shown_name(page)).to_have_text("Ada Lovelace")
    shown_name(page).click()
    page.locator("[data-action=edit-customer]").click()
    page.get_by_test_id("customer-city").fill("Cambridge")
    return ada


def test_close_with_unsaved_changes_and_save(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    ada = open_for_edit(page, live_server, "alice")

    page.get_by_test_id("close-entry").click()
    dialog = page.get_by_test_id("dialog")
    expect(dialog).to_contain_text("Unsaved changes")
    screenshot(page, "close-unsaved")
    dialog.locator("[data-action=dialog-save]").click()

    expect(page.get_by_test_id("open-entry")).to_have_count(0)
    assert get(live_server, f"/api/v1/customers/{ada['id']}")["city"] == "Cambridge"
    page.get_by_test_id("tab-recent").click()
    expect(page.get_by_test_id("recent-entry")).to_contain_text("Ada Lovelace")


def test_close_with_unsaved_changes_and_discard(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    ada = open_for_edit(page, live_server, "alice")

    page.get_by_test_id("close-entry").click()
    page.get_by_test_id("dialog").locator("[data-action=dialog-discard]").click()

    expect(page.get_by_test_id("open-entry")).to_have_count(0)
    assert get(live_server, f"/api/v1/customers/{ada['id']}")["city"] == "London"
    page.get_by_test_id("tab-recent").click()
    expect(page.get_by_test_id("recent-entry")).to_have_count(1)


def test_close_an_unknown_contact_asks_create_or_discard(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    call_in(live_server, "alice", customer_name="Sam Okafor", **{"from": "sam@example.net"})
    call_in(live_server, "alice", customer_name="Noor Haddad", **{"from": "+1 312 555 0177"})
    expect(shown_name(page)).to_have_text("Unknown customer")

    page.get_by_test_id("close-entry").click()
    dialog = page.get_by_test_id("dialog")
    expect(dialog).to_contain_text("No customer created")
    dialog.locator("[data-action=dialog-create]").click()
    expect(page.get_by_test_id("open-entry")).to_have_count(1)
    found = live_server.admin("GET", "/api/v1/customers?q=Noor")
    assert [(c["first_name"], c["last_name"], c["phones"]) for c in found] == [
        ("Noor", "Haddad", ["+13125550177"])]

    # The other one (an email contact) is closed without creating anyone.
    expect(shown_name(page)).to_have_text("Unknown customer")
    page.get_by_test_id("close-entry").click()
    page.get_by_test_id("dialog").locator("[data-action=dialog-discard]").click()
    expect(page.get_by_test_id("open-entry")).to_have_count(0)
    assert live_server.admin("GET", "/api/v1/customers?q=sam") == []


def test_recent_and_search_then_reopen(live_server, new_page):
    page = new_page()
    token = sign_in(page, live_server, "alice")
    grace = customer(live_server, first_name="Grace", last_name="Hopper",
                     emails=["grace.hopper@example.com"], phones=["+1 415 555 0142"])
    request = add_request(live_server, grace["id"], "Router keeps rebooting")
    activity = call_in(live_server, "alice", media_type="email",
                       **{"from": "grace.hopper@example.com"})
    expect(shown_name(page)).to_have_text("Grace Hopper")
    page.get_by_test_id("close-entry").click()
    expect(page.get_by_test_id("open-entry")).to_have_count(0)

    page.get_by_test_id("tab-recent").click()
    recent = page.get_by_test_id("recent-entry")
    expect(recent).to_contain_text("Grace Hopper")
    recent.locator("[data-action=reopen]").click()
    expect(page.get_by_test_id("tab-open")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("open-entry")).to_contain_text("Grace Hopper")
    # R10: the latest open request and the most recent activity are editable again.
    expect(page.get_by_test_id("request-title")).to_have_value("Router keeps rebooting")
    page.get_by_test_id("tag-input").fill("follow-up")
    page.get_by_test_id("tag-input").press("Enter")
    expect(page.get_by_test_id("tag")).to_have_count(1)
    assert [t["name"] for t in get(live_server, f"/api/v1/activities/{activity['id']}")["tags"]] \
        == ["follow-up"]
    assert activity["request_id"] == request["id"]

    page.get_by_test_id("close-entry").click()
    expect(page.get_by_test_id("open-entry")).to_have_count(0)
    page.get_by_test_id("tab-search").click()
    page.get_by_test_id("search-input").fill("grace.h")
    result = page.get_by_test_id("search-result")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("grace.hopper@example.com")
    screenshot(page, "search")
    result.locator("[data-action=reopen]").click()
    expect(page.get_by_test_id("open-entry")).to_contain_text("Grace Hopper")
    expect(shown_name(page)).to_have_text("Grace Hopper")
    _, open_list, _ = live_server.call("GET", "/api/v1/me/open", token=token)
    assert [e["customer_id"] for e in open_list] == [grace["id"]]


def test_search_by_phone_digits_as_you_type(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    customer(live_server, first_name="Alan", last_name="Turing", phones=["+1 415 555 0199"])
    customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    page.get_by_test_id("tab-search").click()
    page.get_by_test_id("search-input").press_sequentially("555 0199", delay=30)
    expect(page.get_by_test_id("search-result")).to_have_count(1)
    expect(page.get_by_test_id("search-result")).to_contain_text("Alan Turing")
    page.get_by_test_id("search-input").fill("nobody-like-this")
    expect(page.get_by_test_id("search-status")).to_have_text("No customers found.")


def test_the_session_survives_a_reload_until_sign_out(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    expect(page.get_by_test_id("agent")).to_have_text("alice")
    page.reload()
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    page.locator("[data-action=sign-out]").click()
    expect(page.get_by_test_id("signin-form")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("signin-form")).to_be_visible()

    page.evaluate("sessionStorage.setItem('cc.token', 'cct_not-a-real-token')")
    page.reload()
    expect(page.get_by_test_id("signin-error")).to_have_text(
        "Your session has ended. Please sign in again.")
    page.get_by_test_id("signin-agent").fill("alice")
    page.get_by_test_id("signin-password").fill("wrong password")
    page.locator("[data-action=sign-in]").click()
    expect(page.get_by_test_id("signin-error")).to_have_text(
        "The agent ID or password is not correct.")
