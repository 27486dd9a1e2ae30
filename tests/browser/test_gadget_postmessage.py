"""postMessage protocol v2: a host page on another origin (http://localhost:<port>) talks to
the gadget (http://127.0.0.1:<port>) with versioned messages that are always answered, as
the README's table says; v1 hosts hear exactly what they always heard."""

import html
import itertools
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from context_service.auth import hash_token
from context_service.models import ApiToken, utcnow
from tests.browser.conftest import screenshot
from tests.browser.gadget import PASSWORD, customer, get, shown_name
from tests.browser.test_gadget_hosts import HOST_PAGE, host_page, messages

ANSWERS = ("cc:ack", "cc:error")
_ids = itertools.count(1)


def ask(page, message: dict) -> dict:
    """Send a v2 message with a fresh id; return the gadget's answer to it."""
    message = {"version": 2, "id": f"m-{next(_ids)}", **message}
    page.evaluate("(message) => sendToGadget(message)", message)
    page.wait_for_function("([id, kinds]) => window.messages.some("
                           "(m) => kinds.includes(m.data.type) && m.data.id === id)",
                           arg=[message["id"], list(ANSWERS)])
    [answer] = [m for m in page.evaluate("window.messages")
                if m["data"]["type"] in ANSWERS and m["data"]["id"] == message["id"]]
    return answer["data"]


def ack(page, message: dict):
    answer = ask(page, message)
    assert answer["type"] == "cc:ack", answer
    return answer["result"]


def refusal(page, message: dict) -> tuple[int, str]:
    answer = ask(page, message)
    assert answer["type"] == "cc:error", answer
    return answer["status"], answer["detail"]


def signed_in(page, server, token):
    gadget = host_page(page, server)
    assert ack(page, {"type": "cc:init", "token": token}) == {"agent_id": "alice"}
    expect(gadget.get_by_test_id("tab-open")).to_be_visible()
    return gadget


def url_host_page(page, server, query: str):
    """The host page with the gadget started by URL, as Genesys and Amazon Connect do."""
    page.goto(server.url.replace("127.0.0.1", "localhost") + "/healthz")
    page.set_content(HOST_PAGE.format(gadget=html.escape(f"{server.url}/gadget/index.html{query}"),
                                      origin=server.url))
    return page.frame_locator("#gadget")


def expire(engine, token: str) -> None:
    """The token's lifetime is over, as AGENT_TOKEN_TTL_SECONDS later."""
    with engine.begin() as conn:
        conn.execute(sa.update(ApiToken).where(ApiToken.token_hash == hash_token(token))
                     .values(expires_at=utcnow() - timedelta(seconds=1)))


def call_event(contact_id, type_="accepted", **fields):
    return {"event_id": f"{contact_id}:{type_}", "source": "host-desktop",
            "contact_id": contact_id, "media_type": "voice", "type": type_, **fields}


def test_every_v2_message_is_answered_with_an_ack_or_an_error(live_server, new_page):
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    token = live_server.agent_token("alice")
    page = new_page(viewport={"width": 900, "height": 900})
    gadget = host_page(page, live_server)
    [ready] = messages(page, "cc:ready")
    assert ready["data"] == {"type": "cc:ready", "version": 2}

    assert ack(page, {"type": "cc:init", "token": token, "locale": "de"}) == {"agent_id": "alice"}
    expect(gadget.get_by_test_id("tab-search")).to_have_text("Suche")
    [hello] = messages(page, "cc:signed-in")
    assert hello["data"] == {"type": "cc:signed-in", "agent_id": "alice", "version": 2}
    assert all(m["data"]["version"] == 2 for m in messages(page, "cc:height"))

    event = call_event("call-9", **{"from": "+1 415 555 0100"})
    recorded = ack(page, {"type": "cc:contact", "event": event})
    assert recorded["event_id"] == "call-9:accepted"
    assert recorded["activity"]["customer_id"] == ada["id"]
    expect(shown_name(gadget)).to_have_text("Ada Lovelace")
    # The same event again is recorded once and answered alike.
    assert ack(page, {"type": "cc:contact", "event": event}) == recorded

    # Refused by the service: the host hears the status and why, and so does the agent.
    status, detail = refusal(page, {"type": "cc:contact",
                                    "event": {**event, "from": "+1 415 555 0199"}})
    assert status == 409 and "already received" in detail
    expect(gadget.get_by_test_id("notice")).to_contain_text(
        "Der Kontakt vom Desktop konnte nicht erfasst werden.")
    invalid = ask(page, {"type": "cc:contact", "event": call_event("call-10", media_type="fax")})
    assert (invalid["type"], invalid["status"]) == ("cc:error", 422)
    assert "media_type" in invalid["errors"]
    _, activities, _ = live_server.call("GET", "/api/v1/me/open", token=token)
    assert [entry["activity"]["contact_id"] for entry in activities] == ["call-9"]

    # Refused by the gadget: messages it cannot act on.
    assert refusal(page, {"type": "cc:contact", "event": "call-11"})[0] == 400
    assert refusal(page, {"type": "cc:dial", "number": "+1 415 555 0100"}) == (
        400, "Unknown message type cc:dial.")
    assert refusal(page, {"type": "cc:lookup", "version": "2"})[0] == 400
    # Without an id the answer still comes, with id null.
    page.evaluate("sendToGadget({type: 'cc:lookup', version: 2})")
    page.wait_for_function(
        "window.messages.some((m) => m.data.type === 'cc:error' && m.data.id === null)")
    screenshot(page, "postmessage-v2")


def test_a_contact_before_sign_in_is_refused_then_taken_after_it(live_server, new_page):
    live_server.agent_token("alice", password=PASSWORD)
    page = new_page(viewport={"width": 900, "height": 900})
    gadget = host_page(page, live_server)
    assert ack(page, {"type": "cc:init"}) == {"agent_id": None}
    expect(gadget.get_by_test_id("signin-form")).to_be_visible()

    event = call_event("call-20", **{"from": "+1 415 555 0120"})
    assert refusal(page, {"type": "cc:contact", "event": event}) == (
        401, "The agent is not signed in to the gadget.")
    assert refusal(page, {"type": "cc:lookup", "query": "Ada"})[0] == 401

    gadget.get_by_test_id("signin-agent").fill("alice")
    gadget.get_by_test_id("signin-password").fill(PASSWORD)
    gadget.locator("[data-action=sign-in]").click()
    page.wait_for_function("window.messages.some((m) => m.data.type === 'cc:signed-in')")
    assert ack(page, {"type": "cc:contact", "event": event})["activity"]["state"] == "active"
    expect(shown_name(gadget)).to_have_text("Unknown customer")


def test_contacts_sent_with_the_init_wait_for_the_session_in_order(live_server, new_page):
    token = live_server.agent_token("alice")
    page = new_page()
    host_page(page, live_server)
    offered = call_event("call-30", "offered", **{"from": "+1 415 555 0130"})
    accepted = {**offered, "event_id": "call-30:accepted", "type": "accepted"}
    page.evaluate("""([token, offered, accepted]) => {
      sendToGadget({version: 2, id: 'init', type: 'cc:init', token});
      sendToGadget({version: 2, id: 'rang', type: 'cc:contact', event: offered});
      sendToGadget({version: 2, id: 'took', type: 'cc:contact', event: accepted});
    }""", [token, offered, accepted])
    page.wait_for_function("window.messages.filter((m) => m.data.type === 'cc:ack').length === 3")
    answers = {m["data"]["id"]: m["data"] for m in messages(page, "cc:ack")}
    assert answers["init"]["result"] == {"agent_id": "alice"}
    assert answers["rang"]["result"]["type"] == "offered"
    assert answers["took"]["result"]["activity"]["state"] == "active"
    _, [entry], _ = live_server.call("GET", "/api/v1/me/open", token=token)
    assert entry["ringing"] is False


def test_the_host_refreshes_the_token_and_renews_an_expired_one(live_server, new_page, engine):
    customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    first = live_server.agent_token("alice")
    page = new_page(viewport={"width": 900, "height": 900})
    gadget = signed_in(page, live_server, first)
    ack(page, {"type": "cc:contact", "event": call_event("call-40", **{"from": "+14155550100"})})
    expect(shown_name(gadget)).to_have_text("Ada Lovelace")
    gadget.get_by_test_id("request-title").fill("Router keeps rebooting")

    # A refresh before the token runs out: nothing on screen changes.
    second = live_server.agent_token("alice")
    assert ack(page, {"type": "cc:token", "token": second}) == {"agent_id": "alice"}
    expire(engine, first)
    [found] = ack(page, {"type": "cc:lookup", "query": "Ada"})["customers"]
    assert found["display_name"] == "Ada Lovelace"
    assert refusal(page, {"type": "cc:token", "token": "cct_not-a-token"})[0] == 401
    assert refusal(page, {"type": "cc:token"})[0] == 400
    assert refusal(page, {"type": "cc:token", "token": live_server.connector_token()})[0] == 403
    expect(gadget.get_by_test_id("request-title")).to_have_value("Router keeps rebooting")
    assert messages(page, "cc:token-expired") == []

    # The token runs out: the host is asked for a new one instead of the agent for a password.
    expire(engine, second)
    assert refusal(page, {"type": "cc:lookup", "query": "Ada"})[0] == 401
    page.wait_for_function("window.messages.some((m) => m.data.type === 'cc:token-expired')")
    [asked] = messages(page, "cc:token-expired")
    assert asked["data"] == {"type": "cc:token-expired", "agent_id": "alice", "version": 2}
    expect(gadget.get_by_test_id("notice")).to_have_text(
        "Your session expired. Waiting for the desktop to renew it…")
    expect(gadget.get_by_test_id("signin-form")).to_be_hidden()
    screenshot(page, "postmessage-token-renewal")

    third = live_server.agent_token("alice")
    assert ack(page, {"type": "cc:token", "token": third}) == {"agent_id": "alice"}
    expect(gadget.get_by_test_id("notice")).to_have_count(0)
    expect(gadget.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    expect(gadget.get_by_test_id("request-title")).to_have_value("Router keeps rebooting")
    assert len(ack(page, {"type": "cc:lookup", "query": "Ada"})["customers"]) == 1
    assert len(messages(page, "cc:signed-in")) == 1


def test_an_init_token_the_service_refuses_makes_the_gadget_ask_for_another(
        live_server, new_page, engine):
    stale = live_server.agent_token("alice")
    expire(engine, stale)
    page = new_page()
    gadget = host_page(page, live_server)
    assert refusal(page, {"type": "cc:init", "token": stale}) == (
        401, "The service did not accept the token.")
    [asked] = messages(page, "cc:token-expired")
    assert asked["data"]["agent_id"] is None
    expect(gadget.get_by_test_id("notice")).to_be_visible()
    expect(gadget.get_by_test_id("signin-form")).to_be_hidden()

    fresh = live_server.agent_token("alice")
    assert ack(page, {"type": "cc:token", "token": fresh}) == {"agent_id": "alice"}
    expect(gadget.get_by_test_id("tab-open")).to_be_visible()


def test_without_a_new_token_the_agent_signs_in_after_a_while(live_server, new_page, engine):
    token = live_server.agent_token("alice")
    page = new_page()
    page.clock.install()
    gadget = signed_in(page, live_server, token)
    expire(engine, token)
    assert refusal(page, {"type": "cc:lookup", "query": "Ada"})[0] == 401
    expect(gadget.get_by_test_id("notice")).to_be_visible()
    page.clock.run_for(21_000)  # HOST_TOKEN_WAIT_MS
    expect(gadget.get_by_test_id("signin-error")).to_have_text(
        "Your session has ended. Please sign in again.")


def test_the_host_shows_a_customer_and_looks_customers_up(live_server, new_page):
    ada = customer(live_server, first_name="Ada", last_name="Lovelace", phones=["+1 415 555 0100"])
    grace = customer(live_server, first_name="Grace", last_name="Hopper",
                     emails=["grace.hopper@example.com"])
    token = live_server.agent_token("alice")
    page = new_page(viewport={"width": 900, "height": 900})
    gadget = signed_in(page, live_server, token)

    as_found = {key: ada[key] for key in
                ("id", "display_name", "first_name", "last_name", "emails", "phones")}
    assert ack(page, {"type": "cc:lookup", "query": "ada"}) == {"customers": [as_found]}
    assert [c["id"] for c in ack(page, {"type": "cc:lookup", "query": "415 555 0100"})[
        "customers"]] == [ada["id"]]
    assert [c["id"] for c in ack(page, {"type": "cc:lookup", "query": "grace.hopper@example.com"})[
        "customers"]] == [grace["id"]]
    assert ack(page, {"type": "cc:lookup", "query": "nobody"}) == {"customers": []}
    assert refusal(page, {"type": "cc:lookup", "query": "  "})[0] == 400

    shown = ack(page, {"type": "cc:show-customer", "customer_id": grace["id"]})
    assert shown["customer_id"] == grace["id"]
    expect(shown_name(gadget)).to_have_text("Grace Hopper")
    expect(gadget.get_by_test_id("open-entry")).to_have_attribute(
        "data-customer-id", str(grace["id"]))
    _, [entry], _ = live_server.call("GET", "/api/v1/me/open", token=token)
    assert entry["id"] == shown["entry_id"]

    # Ids as strings are fine; a customer that does not exist is not.
    assert ack(page, {"type": "cc:show-customer", "customer_id": str(ada["id"])})[
        "customer_id"] == ada["id"]
    expect(shown_name(gadget)).to_have_text("Ada Lovelace")
    assert refusal(page, {"type": "cc:show-customer", "customer_id": 999_999})[0] == 404
    assert refusal(page, {"type": "cc:show-customer", "customer_id": "ada"})[0] == 400
    screenshot(page, "postmessage-show-customer")


def test_url_parameters_start_the_gadget_for_one_host(live_server, new_page):
    token = live_server.agent_token("alice")
    host_origin = live_server.url.replace("127.0.0.1", "localhost")
    page = new_page(viewport={"width": 900, "height": 900})
    gadget = url_host_page(page, live_server,
                           f"?host=postmessage&origin={host_origin}&locale=nl")
    page.wait_for_function("window.messages.some((m) => m.data.type === 'cc:height')")
    [ready] = messages(page, "cc:ready")
    assert (ready["origin"], ready["data"]) == (live_server.url, {"type": "cc:ready", "version": 2})
    # Started by URL, the gadget speaks v2 before the host said anything.
    assert all(m["data"]["version"] == 2 for m in page.evaluate("window.messages"))

    assert ack(page, {"type": "cc:init", "token": token}) == {"agent_id": "alice"}
    expect(gadget.get_by_test_id("tab-search")).to_have_text("Zoeken")


def test_with_an_origin_in_the_url_no_other_origin_is_heard(live_server, new_page):
    token = live_server.agent_token("alice")
    page = new_page()
    # The host page is on localhost; the URL names the service's own origin instead.
    gadget = url_host_page(page, live_server, f"?host=postmessage&origin={live_server.url}")
    page.evaluate("(token) => sendToGadget({version: 2, id: 'init', type: 'cc:init', token})",
                  token)
    page.evaluate("(token) => sendToGadget({type: 'cc:init', token})", token)
    # Nothing was heard: after its wait for an init, the gadget shows the sign-in form.
    expect(gadget.get_by_test_id("signin-form")).to_be_visible()
    assert page.evaluate("window.messages") == []


def test_an_origin_the_service_does_not_allow_is_refused_with_a_reason(live_server, new_page):
    page = new_page()
    gadget = url_host_page(page, live_server,
                           "?host=postmessage&origin=https://elsewhere.example")
    expect(gadget.get_by_test_id("signin-error")).to_contain_text("GADGET_ALLOWED_ORIGINS")
    assert page.evaluate("window.messages") == []


def test_a_v1_host_hears_no_answers_and_no_versions(live_server, new_page):
    token = live_server.agent_token("alice")
    page = new_page(viewport={"width": 900, "height": 900})
    gadget = host_page(page, live_server)
    page.evaluate("(token) => sendToGadget({type: 'cc:init', token, id: 'x'})", token)
    expect(gadget.get_by_test_id("tab-open")).to_be_visible()
    event = call_event("call-50", media_type="fax")
    page.evaluate("(event) => sendToGadget({type: 'cc:contact', event, id: 'y'})", event)
    expect(gadget.get_by_test_id("notice")).to_contain_text(
        "The contact from the desktop could not be recorded.")
    sent = [m["data"] for m in page.evaluate("window.messages")]
    assert not [m for m in sent if m["type"] in ANSWERS]
    assert all("version" not in m for m in sent if m["type"] != "cc:ready")
    # A v1 host may ask in v2 when it wants an answer.
    activity = ack(page, {"type": "cc:contact", "event": call_event("call-51")})["activity"]
    assert get(live_server, f"/api/v1/activities/{activity['id']}")["agent_id"] == "alice"
