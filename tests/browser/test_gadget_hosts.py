"""The gadget in its hosts: an iframe on another site (postMessage) and the demo desktop.
Cisco Finesse, in its real topology, is test_gadget_finesse.py."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import customer, get

HOST_PAGE = """<!DOCTYPE html>
<html><body>
<iframe id="gadget" src="{gadget}" width="420" height="600"></iframe>
<script>
  window.messages = [];
  const frame = document.getElementById('gadget');
  window.addEventListener('message', (event) => {{
    if (event.source === frame.contentWindow) {{
      window.messages.push({{ origin: event.origin, data: event.data }});
    }}
  }});
  window.sendToGadget = (message) => frame.contentWindow.postMessage(message, '{origin}');
</script>
</body></html>"""


def host_page(page, server):
    """A page on http://localhost:<port>: another origin, listed in GADGET_ALLOWED_ORIGINS.

    The page is written into a real response of that origin (Chromium's local network
    checks refuse to frame 127.0.0.1 from a page that has no network address).
    """
    page.goto(server.url.replace("127.0.0.1", "localhost") + "/healthz")
    page.set_content(HOST_PAGE.format(gadget=server.url + "/gadget/index.html",
                                      origin=server.url))
    page.wait_for_function("window.messages.some((m) => m.data.type === 'cc:ready')")
    return page.frame_locator("#gadget")


def messages(page, kind):
    return page.evaluate(f"window.messages.filter((m) => m.data.type === '{kind}')")


def test_a_host_page_signs_the_gadget_in_and_brings_in_contacts(live_server, new_page):
    page = new_page(viewport={"width": 900, "height": 900})
    token = live_server.agent_token("alice")
    gadget = host_page(page, live_server)
    [ready] = messages(page, "cc:ready")
    assert ready["origin"] == live_server.url

    page.evaluate("(token) => sendToGadget({type: 'cc:init', token, locale: 'nl'})", token)
    expect(gadget.get_by_test_id("tab-search")).to_have_text("Zoeken")
    page.wait_for_function("window.messages.some((m) => m.data.type === 'cc:signed-in')")
    assert messages(page, "cc:signed-in")[0]["data"] == {"type": "cc:signed-in",
                                                           "agent_id": "alice"}

    event = {"event_id": "chat-7:accepted", "source": "host-desktop", "contact_id": "chat-7",
             "media_type": "chat", "type": "accepted", "from": "lena@example.net",
             "customer_name": "Lena Berg"}
    page.evaluate("(event) => sendToGadget({type: 'cc:contact', event})", event)
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Onbekende klant")
    expect(gadget.get_by_test_id("contact-line")).to_contain_text("Lena Berg")
    heights = [m["data"]["height"] for m in messages(page, "cc:height")]
    assert heights and all(isinstance(h, int) and h > 0 for h in heights)
    assert all(m["origin"] == live_server.url for m in page.evaluate("window.messages"))
    screenshot(page, "postmessage-host")

    _, [entry], _ = live_server.call("GET", "/api/v1/me/open", token=token)
    activity = get(live_server, f"/api/v1/activities/{entry['activity_id']}")
    assert (activity["source"], activity["contact_id"], activity["agent_id"]) == (
        "host-desktop", "chat-7", "alice")

    ended = {**event, "event_id": "chat-7:ended", "type": "ended"}
    page.evaluate("(event) => sendToGadget({type: 'cc:contact', event})", ended)
    expect(gadget.get_by_test_id("activity-facts").locator("[data-fact=state]")).to_have_text(
        "Beëindigd")

    # A message that does not come from the parent window is ignored.
    stray = {**event, "event_id": "chat-8:accepted", "contact_id": "chat-8"}
    gadget.locator("body").evaluate(
        "(body, event) => window.postMessage({type: 'cc:contact', event}, '*')", stray)
    page.wait_for_timeout(500)
    _, open_list, _ = live_server.call("GET", "/api/v1/me/open", token=token)
    assert len(open_list) == 1


def test_a_host_without_a_token_gets_the_sign_in_form(live_server, new_page):
    page = new_page(viewport={"width": 900, "height": 900})
    live_server.agent_token("alice", password="agent-password-1")
    gadget = host_page(page, live_server)
    page.evaluate("sendToGadget({type: 'cc:init', locale: 'de'})")
    expect(gadget.get_by_test_id("signin-form")).to_contain_text("Anmelden")
    gadget.get_by_test_id("signin-agent").fill("alice")
    gadget.get_by_test_id("signin-password").fill("agent-password-1")
    gadget.locator("[data-action=sign-in]").click()
    expect(gadget.get_by_test_id("tab-open")).to_have_text("Offen")
    page.wait_for_function("window.messages.some((m) => m.data.type === 'cc:signed-in')")


def test_the_demo_desktop(live_server, new_page):
    live_server.agent_token("demo", password="demo-password")
    customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    customer(live_server, first_name="Grace", last_name="Hopper",
             emails=["grace.hopper@example.com"])
    page = new_page(viewport={"width": 1200, "height": 1000})
    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("demo-status")).to_have_text("Signed in as demo")
    gadget = page.frame_locator("[data-testid=demo-gadget]")
    expect(gadget.get_by_test_id("tab-open")).to_be_visible()

    page.get_by_role("button", name="Call from Ada Lovelace").click()
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Ada Lovelace")
    page.get_by_role("button", name="Email from Grace Hopper").click()
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Grace Hopper")
    page.get_by_role("button", name="Call from an unknown number").click()
    expect(gadget.get_by_test_id("customer-name")).to_have_text("Unknown customer")
    expect(gadget.get_by_test_id("open-entry")).to_have_count(3)
    screenshot(page, "demo-desktop")

    active = page.get_by_test_id("demo-active").locator("li")
    expect(active).to_have_count(3)
    active.last.locator("[data-action=end-contact]").click()
    expect(active).to_have_count(2)
    facts = gadget.get_by_test_id("activity-facts")
    expect(facts.locator("[data-fact=state]")).to_have_text("Ended")

