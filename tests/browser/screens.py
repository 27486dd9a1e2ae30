"""Screenshots of the agent's shift in every language at 360 px and 1280 px (issue 12).

Each state of the gadget is shot under test-artifacts/screenshots/shift-<state>-<lang>-<width>.png
and checked to hold its layout: nothing wider than the window. It takes a few minutes, so the
suite does not collect it (the name is not test_*): `pytest tests/browser/screens.py` shoots.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import call_in, sign_in
from tests.browser.test_gadget_shift import customer_id, entry, shift, shift_server  # noqa: F401

LOCALES = {"en": "en-US", "de": "de-DE", "nl": "nl-NL", "nb": "nb-NO", "sr-Latn": "sr-Latn-RS"}
WIDTHS = {360: {"width": 360, "height": 800}, 1280: {"width": 1280, "height": 800}}


def shoot(page, state, lang, width):
    # From the top: a full-page shot draws the sticky header where the scroll left it.
    page.evaluate("window.scrollTo(0, 0)")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, (state, lang, width, overflow)
    screenshot(page, f"shift-{state}-{lang}-{width}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LOCALES)
def test_every_state_in_every_language(shift, new_page, lang, width):  # noqa: F811
    page = new_page(locale=LOCALES[lang], viewport=WIDTHS[width])
    page.goto(shift.url + "/gadget/index.html")
    expect(page.get_by_test_id("signin-form")).to_be_visible()
    shoot(page, "signin", lang, width)
    sign_in(page, shift, "alice")
    shoot(page, "empty", lang, width)

    call_in(shift, "alice", customer_name="Jamie Lee Rivera", **{"from": "+1 312 555 0111"})
    expect(page.locator("[data-action=open-create-customer]")).to_be_visible()
    shoot(page, "unknown-contact", lang, width)
    page.locator("[data-action=open-create-customer]").click()
    page.get_by_test_id("customer-emails").fill("jamie(at)example")
    page.locator("[data-action=create-customer]").click()
    expect(page.locator("[data-error-for=emails]")).to_be_visible()
    shoot(page, "validation", lang, width)

    connector = shift.connector_token()
    ada = call_in(shift, "alice", **{"from": "+1 415 555 0100"})
    expect(page.get_by_test_id("open-entry")).to_have_count(2)
    entry(page, "Ada").click()
    expect(page.get_by_test_id("journey-request")).to_have_count(1)
    shift.post_event(connector, "ended", contact_id=ada["contact_id"])
    expect(page.locator("[data-role=wrapup]")).to_have_count(1)
    row = page.get_by_test_id("journey-activity").first
    row.locator("[data-action=select-activity]").click()
    expect(page.get_by_test_id("move-menu")).to_be_visible()
    shoot(page, "customer-journey", lang, width)

    page.get_by_test_id("request-title").fill("Invoice")
    entry(page, "Jamie").click()
    expect(page.get_by_test_id("dialog")).to_be_visible()
    shoot(page, "dialog-unsaved", lang, width)
    page.locator("[data-action=dialog-cancel]").click()
    page.locator("[data-action=revert-request]").click()

    page.get_by_test_id("customer-name").click()
    page.locator("[data-action=edit-customer]").click()
    bob = shift.agent_token("bob")
    ada_id = customer_id(shift, "Ada")
    shift.call("PUT", "/api/v1/me/viewing", {"customer_id": ada_id}, token=bob)
    expect(page.get_by_test_id("presence-warning")).to_be_visible()
    shoot(page, "presence", lang, width)
    page.get_by_test_id("customer-city").fill("Cambridge")
    shift.call("PATCH", f"/api/v1/customers/{ada_id}", {"city": "Oxford", "region": "Oxon"},
               token=bob, headers={"If-Match": "*"})
    expect(page.get_by_test_id("diff-customer")).to_be_visible()
    shoot(page, "conflict", lang, width)
    page.locator("[data-action=conflict-load]").click()

    page.locator("[data-action=go-ready]").click()
    chat = shift.post_event(connector, "queued", media_type="chat", queue="support",
                            contact_id=f"chat-{lang}-{width}", customer_name="Sam Okafor",
                            body="Hello, my parcel is late.", **{"from": "+1 312 555 0177"})
    expect(page.get_by_test_id("offer")).to_be_visible()
    shoot(page, "offer", lang, width)
    page.get_by_test_id("offer-accept").click()
    expect(page.get_by_test_id("message")).to_contain_text("my parcel is late")
    shoot(page, "chat", lang, width)
    entry(page, "Ada").click()
    shift.call("POST", f"/api/v1/activities/{chat['activity']['id']}/messages",
               {"message_id": "m-2", "text": "Still there?"}, token=connector)
    expect(page.get_by_test_id("open-entry").locator("[data-role=unread]")).to_have_text("1")
    shoot(page, "unread", lang, width)

    page.route("**/api/v1/**", lambda route: route.abort("internetdisconnected"))
    entry(page, "Jamie").click()
    expect(page.get_by_test_id("detail-empty")).to_be_visible()
    shoot(page, "load-failed", lang, width)
    page.unroute("**/api/v1/**")
