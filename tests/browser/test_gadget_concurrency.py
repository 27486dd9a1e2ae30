"""R9: two agents, each in their own browser, change the same request and customer."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import add_request, call_in, customer, get, shown_name, sign_in


def two_agents_on_one_request(live_server, new_page):
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    request = add_request(live_server, ada["id"], "Billing question", "October invoice")
    pages = {}
    for agent_id in ("alice", "bob"):
        page = new_page()
        token = sign_in(page, live_server, agent_id)
        live_server.call("POST", "/api/v1/me/open", {"customer_id": ada["id"]}, token=token)
        expect(shown_name(page)).to_have_text("Ada Lovelace")
        expect(page.get_by_test_id("request-title")).to_have_value("Billing question")
        pages[agent_id] = page
    return ada, request, pages["alice"], pages["bob"]


def test_load_their_version(live_server, new_page):
    _ada, request, alice, bob = two_agents_on_one_request(live_server, new_page)
    bob.get_by_test_id("request-title").fill("Bob was typing this")

    alice.get_by_test_id("request-title").fill("Invoice corrected")
    alice.locator("[data-action=save-request]").click()
    expect(alice.get_by_test_id("notice")).to_contain_text("Request saved")

    # Bob has unsaved edits: the change arrives by push and warns him, before any save.
    warning = bob.get_by_test_id("conflict-request")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("alice changed this request")
    screenshot(bob, "conflict-warning")
    warning.locator("[data-action=conflict-load]").click()
    expect(warning).to_have_count(0)
    expect(bob.get_by_test_id("request-title")).to_have_value("Invoice corrected")
    assert get(live_server, f"/api/v1/requests/{request['id']}")["title"] == "Invoice corrected"

    # Bob's next save builds on Alice's version: no warning, no lost update.
    bob.get_by_test_id("request-description").fill("October invoice, corrected by Alice")
    bob.locator("[data-action=save-request]").click()
    expect(bob.get_by_test_id("notice")).to_contain_text("Request saved")
    saved = get(live_server, f"/api/v1/requests/{request['id']}")
    assert (saved["title"], saved["description"]) == (
        "Invoice corrected", "October invoice, corrected by Alice")


def test_overwrite_with_mine_after_a_refused_save(live_server, new_page):
    _ada, request, alice, bob = two_agents_on_one_request(live_server, new_page)
    bob.get_by_test_id("request-description").fill("October invoice, refund sent")
    alice.get_by_test_id("request-title").fill("Alice's title")
    alice.locator("[data-action=save-request]").click()
    expect(alice.get_by_test_id("notice")).to_contain_text("Request saved")
    warning = bob.get_by_test_id("conflict-request")
    expect(warning).to_have_attribute("data-source", "push")

    # Bob saves over the stale version anyway: 412, and the warning says who and when.
    bob.locator("[data-action=save-request]").click()
    expect(warning).to_have_attribute("data-source", "save")
    expect(warning).to_contain_text("alice changed this request")
    diff = bob.get_by_test_id("diff-request")
    expect(diff.locator("[data-field=title] [data-side=theirs]")).to_have_text("Alice's title")
    expect(diff.locator("[data-field=title] [data-side=yours]")).to_have_text(
        "(not changed by you)")
    expect(diff.locator("[data-field=description] [data-side=yours]")).to_have_text(
        "October invoice, refund sent")
    assert get(live_server, f"/api/v1/requests/{request['id']}")["title"] == "Alice's title"

    # Overwrite sends Bob's field only: Alice's title survives.
    warning.locator("[data-action=conflict-overwrite]").click()
    expect(warning).to_have_count(0)
    expect(bob.get_by_test_id("notice")).to_contain_text("Request saved")
    saved = get(live_server, f"/api/v1/requests/{request['id']}")
    assert (saved["title"], saved["description"], saved["updated_by"]) == (
        "Alice's title", "October invoice, refund sent", "bob")

    # Alice was not editing: she simply sees Bob's version, and is told who changed it.
    expect(alice.get_by_test_id("request-description")).to_have_value(
        "October invoice, refund sent")
    expect(alice.get_by_test_id("notice")).to_contain_text("bob changed this request")
    expect(alice.get_by_test_id("conflict-request")).to_have_count(0)


def test_customer_changed_elsewhere_while_editing(live_server, new_page):
    ada, _request, alice, bob = two_agents_on_one_request(live_server, new_page)
    shown_name(bob).click()
    bob.locator("[data-action=edit-customer]").click()
    bob.get_by_test_id("customer-city").fill("Cambridge")

    shown_name(alice).click()
    alice.locator("[data-action=edit-customer]").click()
    alice.get_by_test_id("customer-city").fill("Oxford")
    alice.locator("[data-action=save-customer]").click()
    expect(alice.get_by_test_id("notice")).to_contain_text("Customer saved")

    warning = bob.get_by_test_id("conflict-customer")
    expect(warning).to_contain_text("alice changed this customer")
    expect(warning.locator("[data-field=city][data-clash] [data-side=theirs]")).to_have_text(
        "Oxford")
    # Overwrite: Bob's city, over Alice's version.
    warning.locator("[data-action=conflict-overwrite]").click()
    expect(bob.get_by_test_id("notice")).to_contain_text("Customer saved")
    expect(bob.get_by_test_id("customer-city")).to_have_value("Cambridge")
    assert get(live_server, f"/api/v1/customers/{ada['id']}")["city"] == "Cambridge"


def test_activity_changed_by_another_agent(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    bob = live_server.agent_token("bob")
    customer(live_server, first_name="Alan", last_name="Turing", phones=["+1 415 555 0199"])
    activity = call_in(live_server, "alice", **{"from": "+14155550199"})
    expect(page.get_by_test_id("tag-input")).to_be_visible()

    status, _, _ = live_server.call("POST", f"/api/v1/activities/{activity['id']}/tags",
                                    {"name": "escalated"}, token=bob)
    assert status == 201
    # Nothing of it was being edited: it simply shows, and the agent is told who.
    expect(page.locator("[data-testid=tag][data-tag=escalated]")).to_be_visible()
    expect(page.get_by_test_id("notice")).to_contain_text("bob changed this activity")
    expect(page.get_by_test_id("conflict-activity")).to_have_count(0)

    # A connector ending the call is not another agent's edit: it simply shows.
    live_server.post_event(live_server.connector_token(), "ended",
                           contact_id=activity["contact_id"])
    expect(page.get_by_test_id("activity-facts").locator("[data-fact=state]")).to_have_text(
        "Ended")
    expect(page.get_by_test_id("conflict-activity")).to_have_count(0)
