"""The gadget in its hosts: an iframe on another site (postMessage), the demo desktop,
and Cisco Finesse (with a stand-in for Finesse's JavaScript library)."""

import base64
import re
import urllib.request

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import customer, get, shown_name

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


FAKE_FINESSE = """
window.__cc = { titles: [], heights: 0, handlers: null, clientInit: false };
class FakeDialog {
  constructor(id, state, mediaType, from, properties) {
    Object.assign(this, { id, state, mediaType, from, properties, listeners: [] });
  }
  getId() { return this.id; }
  getState() { return this.state; }
  getMediaType() { return this.mediaType; }
  getFromAddress() { return this.from; }
  getToAddress() { return '1001'; }
  getMediaProperties() { return this.properties; }
  addHandler(name, listener) { if (name === 'change') this.listeners.push(listener); }
  change(state) { this.state = state; this.listeners.forEach((listener) => listener(this)); }
}
window.FakeDialog = FakeDialog;
window.finesse = {
  gadget: { Config: { id: 'fin1001', extension: '1001', locale: 'nl_NL',
                      authorization: '%(authorization)s', systemAuthMode: 'NON_SSO' } },
  clientservices: { ClientServices: { init() { window.__cc.clientInit = true; } } },
  restservices: {
    User: function User(options) {
      this.getDialogs = (handlers) => {
        window.__cc.handlers = handlers;
        setTimeout(() => handlers.onLoad({ getCollection: () => ({}) }));
        return {};
      };
      setTimeout(() => options.onLoad(this));
    },
  },
};
window.gadgets = {
  window: {
    adjustHeight() { window.__cc.heights += 1; },
    setTitle(title) { window.__cc.titles.push(title); },
  },
  HubSettings: {},
  Hub: { isConnected: () => true },
};
"""


def test_finesse_follows_the_agents_dialogs(live_server, new_page):
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    page = new_page()
    authorization = base64.b64encode(b"fin1001:finesse-pass").decode()
    page.add_init_script(FAKE_FINESSE % {"authorization": authorization})
    page.goto(live_server.url + "/gadget/index.html")

    # Signed in with the Finesse credentials, in the Finesse locale (nl_NL), no sign-in form.
    expect(page.get_by_test_id("tab-search")).to_have_text("Zoeken")
    expect(page.get_by_test_id("signin-form")).to_have_count(0)
    expect(page.locator("[data-action=sign-out]")).to_have_count(0)
    page.wait_for_function("window.__cc.handlers !== null")
    assert page.evaluate("window.__cc.clientInit")
    assert page.evaluate("window.__cc.titles") == ["Klantcontext"]

    page.evaluate("""() => {
      window.call = new FakeDialog('D-100', 'ALERTING', 'Voice', '+1 415 555 0100',
        { callVariable1: 'VIP', 'user.account': '42', DNIS: '1001', callvariables: {} });
      window.__cc.handlers.onCollectionAdd(window.call);
    }""")
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("open-entry")).to_have_count(0)  # ringing is not accepted

    page.evaluate("window.call.change('ACTIVE')")
    expect(shown_name(page)).to_have_text("Ada Lovelace")
    token = live_server.agent_token("fin1001")
    _, [entry], _ = live_server.call("GET", "/api/v1/me/open", token=token)
    activity = get(live_server, f"/api/v1/activities/{entry['activity_id']}")
    assert (activity["source"], activity["contact_id"], activity["customer_id"]) == (
        "finesse", "D-100", ada["id"])
    assert activity["variables"] == {"callVariable1": "VIP", "user.account": "42"}
    assert page.evaluate("window.__cc.heights") > 0

    page.evaluate("window.__cc.handlers.onCollectionDelete(window.call)")
    expect(page.get_by_test_id("activity-facts").locator("[data-fact=state]")).to_have_text(
        "Beëindigd")
    screenshot(page, "finesse")


def test_gadget_xml_content_runs_in_a_finesse_page(live_server, new_page):
    """gadget.xml's content as Finesse renders it: on the Finesse origin, with finesse.js."""
    customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    with urllib.request.urlopen(live_server.url + "/gadget.xml") as response:
        spec = response.read().decode()
    content = re.search(r"<!\[CDATA\[(.*)\]\]>", spec, re.S).group(1)
    finesse_origin = live_server.url.replace("127.0.0.1", "localhost")
    content = (content.replace("__UP_scheme__", "http").replace("__UP_host__", "localhost")
               .replace("__UP_hostPort__", str(live_server.port)))
    authorization = base64.b64encode(b"fin1001:finesse-pass").decode()
    page = new_page()
    page.route(f"{finesse_origin}/desktop/assets/js/finesse.js", lambda route: route.fulfill(
        body=FAKE_FINESSE % {"authorization": authorization}, content_type="text/javascript"))
    page.route(f"{finesse_origin}/desktop/assets/js/jquery.min.js",
               lambda route: route.fulfill(body="", content_type="text/javascript"))
    page.goto(finesse_origin + "/healthz")
    page.set_content(content)
    expect(page.get_by_test_id("tab-search")).to_have_text("Zoeken")
