"""Issue 14: typed custom fields in the gadget's customer and request forms."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import call_in, customer, get, shown_name, sign_in


def define(server, entity, key, type_, labels, **more):
    return server.admin("POST", "/api/v1/admin/fields", {
        "entity": entity, "key": key, "type": type_, "labels": labels, **more})


def test_customer_fields_render_save_and_say_what_is_wrong(live_server, new_page):
    define(live_server, "customer", "tier", "choice", {"en": "Loyalty tier", "de": "Kundenstufe"},
           options=["bronze", "silver", "gold"])
    define(live_server, "customer", "vip", "boolean", {"nb": "VIP-kunde"})  # no English label
    define(live_server, "customer", "since", "date", {"en": "Customer since"})
    define(live_server, "customer", "visits", "number", {"en": "Visits"})
    define(live_server, "customer", "nickname", "string", {"en": "Nickname"}, required=True,
           max_length=12)
    ada = customer(live_server, first_name="Ada", last_name="Lovelace",
                   extra={"nickname": "Addy", "tier": "silver", "legacy_id": "X-17"})
    page = new_page()
    token = sign_in(page, live_server, "alice")
    live_server.call("POST", "/api/v1/me/open", {"customer_id": ada["id"]}, token=token)
    expect(shown_name(page)).to_have_text("Ada Lovelace")
    shown_name(page).click()
    form = page.get_by_test_id("customer-form")

    # Read-only: each field with its type's control, labelled in the agent's language (or
    # another one it has); keys no field defines show as before.
    tier = form.get_by_test_id("customer-extra-tier")
    expect(tier).to_have_value("silver")
    expect(tier).to_be_disabled()
    expect(form.get_by_label("Loyalty tier")).to_have_value("silver")
    expect(form.get_by_label("VIP-kunde")).to_have_attribute("type", "checkbox")
    expect(form.get_by_label("Customer since")).to_have_attribute("type", "date")
    expect(form.get_by_label("Visits")).to_have_attribute("type", "number")
    nickname = form.get_by_test_id("customer-extra-nickname")
    expect(nickname).to_have_value("Addy")
    expect(nickname).to_have_attribute("maxlength", "12")
    expect(nickname).to_have_attribute("readonly", "")
    expect(form.get_by_test_id("customer-extra")).to_contain_text("legacy_id")
    expect(form.get_by_test_id("customer-extra")).to_contain_text("X-17")
    expect(form.get_by_test_id("customer-extra")).not_to_contain_text("nickname")

    form.locator("[data-action=edit-customer]").click()
    tier.select_option("gold")
    form.get_by_test_id("customer-extra-vip").check()
    form.get_by_test_id("customer-extra-since").fill("2024-05-01")
    form.get_by_test_id("customer-extra-visits").fill("7")
    nickname.fill("")
    form.locator("[data-action=save-customer]").click()

    # Required: the service's 422 names extra.nickname; the message stands under it.
    error = form.locator("[data-error-for='extra.nickname']")
    expect(error).to_have_text("Required: enter a value.")
    expect(nickname).to_have_attribute("aria-invalid", "true")
    expect(nickname).to_be_focused()
    screenshot(page, "custom-fields-error")
    assert get(live_server, f"/api/v1/customers/{ada['id']}")["extra"]["tier"] == "silver"

    nickname.fill("Ada L")
    form.locator("[data-action=save-customer]").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Customer saved")
    assert get(live_server, f"/api/v1/customers/{ada['id']}")["extra"] == {
        "nickname": "Ada L", "tier": "gold", "vip": True, "since": "2024-05-01", "visits": 7,
        "legacy_id": "X-17"}
    expect(error).to_have_count(0)
    expect(form.get_by_test_id("customer-extra-visits")).to_have_value("7")
    expect(form.get_by_test_id("customer-extra-vip")).to_be_checked()


def test_request_fields_render_save_and_say_what_is_wrong(live_server, new_page):
    define(live_server, "request", "order_no", "string",
           {"de": "Bestellnummer", "en": "Order number"}, required=True, max_length=12)
    define(live_server, "request", "urgent", "boolean", {"de": "Dringend", "en": "Urgent"})
    ada = customer(live_server, first_name="Ada", last_name="Lovelace")
    request = live_server.admin("POST", f"/api/v1/customers/{ada['id']}/requests", {
        "title": "Parcel lost", "description": "", "extra": {"order_no": "A-1"}})
    page = new_page(locale="de-DE")
    token = sign_in(page, live_server, "alice")
    live_server.call("POST", "/api/v1/me/open", {"customer_id": ada["id"]}, token=token)
    expect(page.get_by_test_id("request-title")).to_have_value("Parcel lost")

    order = page.get_by_label("Bestellnummer")
    expect(order).to_have_value("A-1")
    page.get_by_label("Dringend").check()
    order.fill("")
    page.locator("[data-action=save-request]").click()
    error = page.locator("[data-error-for='extra.order_no']")
    expect(error).to_have_text("Pflichtfeld: Bitte einen Wert eingeben.")
    expect(order).to_be_focused()
    assert get(live_server, f"/api/v1/requests/{request['id']}")["extra"] == {"order_no": "A-1"}

    order.fill("B-22")
    page.locator("[data-action=save-request]").click()
    expect(page.get_by_test_id("notice")).to_have_attribute("data-kind", "info")
    expect(error).to_have_count(0)
    assert get(live_server, f"/api/v1/requests/{request['id']}")["extra"] == {
        "order_no": "B-22", "urgent": True}
    expect(page.get_by_label("Dringend")).to_be_checked()


def test_a_customer_created_from_a_contact_fills_required_fields(live_server, new_page):
    define(live_server, "customer", "tier", "choice", {"en": "Loyalty tier"}, required=True,
           options=["bronze", "gold"])
    page = new_page()
    sign_in(page, live_server, "alice")
    call_in(live_server, "alice", customer_name="Grace Hopper", **{"from": "+1 202 555 0142"})
    expect(shown_name(page)).to_have_text("Unknown customer")
    page.locator("[data-action=open-create-customer]").click()
    form = page.get_by_test_id("customer-form")
    expect(form.get_by_test_id("customer-last_name")).to_have_value("Hopper")

    form.locator("[data-action=create-customer]").click()
    expect(form.locator("[data-error-for='extra.tier']")).to_have_text("Required: enter a value.")
    assert live_server.admin("GET", "/api/v1/customers?q=Hopper") == []

    form.get_by_label("Loyalty tier").select_option("gold")
    form.locator("[data-action=create-customer]").click()
    expect(shown_name(page)).to_have_text("Grace Hopper")
    [created] = live_server.admin("GET", "/api/v1/customers?q=Hopper")
    assert get(live_server, f"/api/v1/customers/{created['id']}")["extra"] == {"tier": "gold"}


def test_overwrite_after_a_conflict_keeps_the_other_agents_custom_fields(
        live_server, new_page):
    define(live_server, "customer", "tier", "choice", {"en": "Loyalty tier"},
           options=["bronze", "gold"])
    define(live_server, "customer", "vip", "boolean", {"en": "VIP"})
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", extra={"tier": "bronze"})
    pages = {}
    for agent_id in ("alice", "bob"):
        page = pages[agent_id] = new_page()
        token = sign_in(page, live_server, agent_id)
        live_server.call("POST", "/api/v1/me/open", {"customer_id": ada["id"]}, token=token)
        shown_name(page).click()
        page.locator("[data-action=edit-customer]").click()
    alice, bob = pages["alice"], pages["bob"]
    bob.get_by_label("Loyalty tier").select_option("gold")
    alice.get_by_label("VIP").check()
    alice.locator("[data-action=save-customer]").click()
    expect(alice.get_by_test_id("notice")).to_contain_text("Customer saved")

    # Bob is warned field by field; his overwrite sends his custom field over Alice's.
    warning = bob.get_by_test_id("conflict-customer")
    row = bob.get_by_test_id("diff-customer").locator("[data-field=extra]")
    expect(row.locator("[data-side=theirs]")).to_have_text("Loyalty tier: bronze · VIP: Yes")
    expect(row.locator("[data-side=yours]")).to_have_text("Loyalty tier: gold")
    warning.locator("[data-action=conflict-overwrite]").click()
    expect(bob.get_by_test_id("notice")).to_contain_text("Customer saved")
    assert get(live_server, f"/api/v1/customers/{ada['id']}")["extra"] == {
        "tier": "gold", "vip": True}
