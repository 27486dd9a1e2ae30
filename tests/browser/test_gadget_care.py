"""Care desktop in the gadget (R13-R16): Ready / Not Ready, offers with their countdown, the
Queue and In Progress, and the communication panel of calls, chats and emails.

These tests run against their own server with short offers (OFFER_SECONDS), so a missed
offer takes seconds. On SQLite it also has its own database: push frames only reach the
process that committed them there, and another server's router job must not expire (and
announce) this server's offers. On PostgreSQL, NOTIFY carries frames to every process.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import add_request, customer, get, shown_name, sign_in, sign_in_to_finesse
from tests.browser.test_gadget_hosts import host_page, messages
from tests.conftest import emptied, gadget_server
from tests.live import ROOT, WebhookReceiver
from tests.standins.finesse.dialogs import voice_call

OFFER_SECONDS = 5
MISSED_WAIT_MS = (OFFER_SECONDS + 5) * 1000
ADA_PHONE = "+1 415 555 0100"
NARROW = {"width": 360, "height": 900}  # a Finesse side panel
WIDE = {"width": 1100, "height": 900}
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def care_server(own_database, finesse_standin):
    url, _engine = own_database
    server = gadget_server(url, finesse_standin, origins=[finesse_standin.desktop_origin],
                           OFFER_TIMEOUT_SECONDS=OFFER_SECONDS,
                           WEBHOOK_POLL_SECONDS=0.2, WEBHOOK_RETRY_SECONDS=0.2)
    yield server
    server.stop()


@pytest.fixture
def care(care_server, own_database):
    """The Care desktop server, with an empty database for this test."""
    yield from emptied(own_database[1], care_server)


@pytest.fixture
def webhook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


def queue_contact(server, token, media="voice", queue="support", **fields):
    """A connector queues a contact for the service to route; returns activity and task."""
    return server.post_event(token, "queued", media_type=media, queue=queue, **fields)


def go_ready(page):
    page.locator("[data-action=go-ready]").click()
    expect(page.get_by_test_id("agent-state")).to_have_attribute("data-state", "ready")


def seconds_shown(locator) -> int:
    return int(re.search(r"\d+", locator.inner_text()).group())


def test_go_ready_accept_an_offer_then_close_it(care, new_page):
    page = new_page(viewport=NARROW)
    token = sign_in(page, care, "alice")
    state = page.get_by_test_id("agent-state")
    expect(state).to_have_attribute("data-state", "not_ready")
    expect(page.get_by_test_id("agent-state-label")).to_have_text("Not Ready")
    ada = customer(care, first_name="Ada", last_name="Lovelace", phones=[ADA_PHONE])
    add_request(care, ada["id"], "Billing question")

    go_ready(page)
    expect(page.get_by_test_id("agent-state-label")).to_have_text("Ready")
    answer = queue_contact(care, care.connector_token(), **{"from": ADA_PHONE, "to": "1000"},
                           variables={"callVariable1": "gold"})

    offer = page.get_by_test_id("offer")
    expect(offer).to_be_visible()
    expect(offer).to_have_attribute("data-task-id", str(answer["task"]["id"]))
    expect(offer).to_contain_text("Incoming call")
    expect(offer).to_contain_text("Queue: support")
    expect(page.get_by_test_id("offer-customer")).to_have_text("Ada Lovelace")
    expect(page.get_by_test_id("offer-contact")).to_have_text(ADA_PHONE)
    expect(page.get_by_test_id("offer-facts")).to_contain_text("Request: Billing question")
    expect(page.get_by_test_id("announce")).to_contain_text("Incoming call from Ada Lovelace")
    expect(page).to_have_title(re.compile(r"^Offer \d+ s – Customer Context$"))
    # The countdown shows the seconds left and goes down, and so does the bar.
    countdown = page.get_by_test_id("offer-countdown")
    first = seconds_shown(countdown)
    assert 1 <= first <= OFFER_SECONDS
    expect(countdown).not_to_have_text(countdown.inner_text())
    assert seconds_shown(countdown) < first
    progress = page.get_by_test_id("offer-progress")
    assert 0 < float(progress.evaluate("(bar) => bar.value")) < float(progress.get_attribute("max"))
    screenshot(page, "care-offer-narrow")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]

    page.get_by_test_id("offer-accept").click()
    expect(offer).to_have_count(0)
    expect(page).to_have_title("Customer Context")
    expect(page.get_by_test_id("open-entry")).to_contain_text("Ada Lovelace")
    expect(shown_name(page)).to_have_text("Ada Lovelace")
    expect(page.get_by_test_id("tab-progress")).to_have_text("In Progress1")
    page.get_by_test_id("tab-progress").click()
    expect(page.get_by_test_id("progress-task")).to_contain_text("Ada Lovelace")
    task = get(care, f"/api/v1/tasks/{answer['task']['id']}")
    assert (task["status"], task["agent_id"]) == ("active", "alice")

    # Close completes the task: it leaves In Progress.
    page.get_by_test_id("close-entry").click()
    expect(page.get_by_test_id("open-entry")).to_have_count(0)
    expect(page.get_by_test_id("progress-task")).to_have_count(0)
    assert get(care, f"/api/v1/tasks/{answer['task']['id']}")["status"] == "completed"
    _, me, _ = care.call("GET", "/api/v1/me/state", token=token)
    assert me["load"]["voice"] == 0


def test_an_ignored_offer_turns_the_agent_not_ready_and_goes_to_the_next(care, new_page):
    alice, bob = new_page(), new_page()
    sign_in(alice, care, "alice")
    sign_in(bob, care, "bob")
    go_ready(alice)
    go_ready(bob)  # Ready later: idle for less long, so second in line
    answer = queue_contact(care, care.connector_token(), "chat", customer_name="Sam Okafor",
                           **{"from": "sam@example.net"}, body="Hello?")
    task_id = str(answer["task"]["id"])
    expect(alice.get_by_test_id("offer")).to_have_attribute("data-task-id", task_id)
    expect(bob.get_by_test_id("offer")).to_have_count(0)

    # Alice does nothing: the card goes, she is Not Ready, and Bob is offered the task.
    expect(alice.get_by_test_id("offer")).to_have_count(0, timeout=MISSED_WAIT_MS)
    expect(alice.get_by_test_id("agent-state")).to_have_attribute("data-state", "not_ready")
    expect(alice.get_by_test_id("agent-state-label")).to_have_text("Not Ready – Missed offer")
    expect(alice.get_by_test_id("notice")).to_contain_text("Offer missed – you are now Not Ready.")
    expect(alice).to_have_title("Customer Context")
    expect(bob.get_by_test_id("offer")).to_have_attribute("data-task-id", task_id)
    expect(bob.get_by_test_id("offer-customer")).to_have_text("Unknown customer")
    expect(bob.get_by_test_id("offer-contact")).to_have_text("Sam Okafor · sam@example.net")
    screenshot(alice, "care-missed-offer")

    # Bob goes Not Ready with a reason: the offer is handed back to the queue.
    bob.get_by_test_id("state-reason").select_option("lunch")
    bob.locator("[data-action=go-not-ready]").click()
    expect(bob.get_by_test_id("agent-state-label")).to_have_text("Not Ready – Lunch")
    expect(bob.get_by_test_id("offer")).to_have_count(0)
    expect(bob.get_by_test_id("queue-task")).to_have_attribute("data-task-id", task_id)
    expect(alice.get_by_test_id("queue-task")).to_have_attribute("data-task-id", task_id)


def test_the_customer_leaves_while_the_offer_waits(care, new_page):
    page = new_page()
    sign_in(page, care, "alice")
    go_ready(page)
    connector = care.connector_token()
    answer = queue_contact(care, connector, **{"from": "+1 312 555 0142"})
    expect(page.get_by_test_id("offer")).to_be_visible()
    care.post_event(connector, "ended", contact_id=answer["activity"]["contact_id"])
    expect(page.get_by_test_id("offer")).to_have_count(0)
    expect(page.get_by_test_id("notice")).to_have_text("The customer left before you accepted.")
    expect(page.get_by_test_id("agent-state")).to_have_attribute("data-state", "ready")
    assert get(care, f"/api/v1/tasks/{answer['task']['id']}")["status"] == "abandoned"


def test_pick_from_the_queue_with_a_preview_one_call_at_a_time(care, new_page):
    page = new_page(viewport=NARROW)
    sign_in(page, care, "alice")
    ada = customer(care, first_name="Ada", last_name="Lovelace", phones=[ADA_PHONE],
                   emails=["ada@example.com"])
    add_request(care, ada["id"], "Billing question", "The October invoice is too high.")
    connector = care.connector_token()
    first = queue_contact(care, connector, **{"from": ADA_PHONE, "to": "1000"},
                          variables={"callVariable1": "gold", "user.account": "42"})
    queue_contact(care, connector, customer_name="Jamie Rivera", **{"from": "+1 312 555 0111"})
    customer(care, first_name="Grace", last_name="Hopper", emails=["grace.hopper@example.com"])
    queue_contact(care, connector, "email", queue="billing", subject="Invoice copy",
                  **{"from": "grace.hopper@example.com"}, body="Please send it again.")

    expect(page.get_by_test_id("tab-queue")).to_have_text("Queue3")
    items = page.get_by_test_id("queue-task")
    expect(items).to_have_count(3)
    ada_item = items.first  # oldest first
    expect(ada_item).to_contain_text("Ada Lovelace")
    expect(ada_item).to_contain_text("Request: Billing question")
    expect(items.nth(1)).to_contain_text("Unknown customer")
    expect(items.nth(1)).to_contain_text("Jamie Rivera · +1 312 555 0111")
    expect(items.nth(2)).to_contain_text("Subject: Invoice copy")
    expect(items.nth(2)).to_contain_text("billing")
    expect(ada_item.get_by_test_id("queue-wait")).to_have_text(re.compile(r"^\d\d:\d\d$"))

    # R14: the preview before accepting.
    toggle = ada_item.locator("[data-action=preview-task]")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    preview = ada_item.get_by_test_id("task-preview")
    expect(preview.locator("[data-fact=phones]")).to_have_text("+14155550100")
    expect(preview.locator("[data-fact=emails]")).to_have_text("ada@example.com")
    expect(preview.locator("[data-fact=request]")).to_have_text("Billing question")
    expect(preview.locator("[data-fact=description]")).to_have_text(
        "The October invoice is too high.")
    expect(preview.locator("[data-variable='user.account']")).to_have_text("42")
    screenshot(page, "care-queue-narrow")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]

    ada_item.locator("[data-action=accept-task]").click()
    expect(shown_name(page)).to_have_text("Ada Lovelace")
    expect(items).to_have_count(2)
    expect(page.get_by_test_id("tab-progress")).to_contain_text("1")
    # R15: another call has to wait; the email does not.
    call_item = items.first
    expect(call_item.locator("[data-action=accept-task]")).to_be_disabled()
    expect(call_item.get_by_test_id("no-room")).to_have_text(
        "You already have a call: one call at a time.")
    expect(items.nth(1).locator("[data-action=accept-task]")).to_be_enabled()
    assert get(care, f"/api/v1/tasks/{first['task']['id']}")["status"] == "active"

    # R16: the call's panel: from, to, a running duration and the call variables.
    panel = page.get_by_test_id("comm-panel")
    expect(panel).to_have_attribute("data-media", "voice")
    expect(panel.locator("[data-fact=from]")).to_have_text(ADA_PHONE)
    expect(panel.locator("[data-fact=to]")).to_have_text("1000")
    expect(panel.locator("[data-variable=callVariable1]")).to_have_text("gold")
    duration = page.get_by_test_id("call-duration")
    expect(duration).to_have_text(re.compile(r"^\d\d:\d\d$"))
    ticked = duration.inner_text()
    expect(duration).not_to_have_text(ticked)  # it runs

    # In Progress takes the agent back to a task's customer.
    items.nth(1).locator("[data-action=accept-task]").click()
    expect(shown_name(page)).to_have_text("Grace Hopper")
    page.get_by_test_id("tab-progress").click()
    expect(page.get_by_test_id("progress-task")).to_have_count(2)
    page.get_by_test_id("progress-task").filter(has_text="Ada Lovelace").click()
    expect(shown_name(page)).to_have_text("Ada Lovelace")
    expect(page.get_by_test_id("comm-panel")).to_have_attribute("data-media", "voice")

    page.set_viewport_size(WIDE)
    screenshot(page, "care-call-wide")
    page.get_by_test_id("tab-queue").click()
    screenshot(page, "care-queue-wide")


def test_a_chat_live_both_ways(care, new_page, webhook):
    key = care.admin("POST", "/api/v1/admin/api-keys", {"name": "web-chat", "role": "connector"})
    care.admin("PUT", f"/api/v1/admin/api-keys/{key['id']}/webhook", {"url": webhook.url})
    connector = key["token"]
    customer(care, first_name="Alan", last_name="Turing", phones=["+1 415 555 0199"])
    page = new_page(viewport=NARROW)
    token = sign_in(page, care, "alice")
    answer = queue_contact(care, connector, "chat", **{"from": "+1 415 555 0199"},
                           body="Hello! My order has not arrived.")
    activity_id = answer["activity"]["id"]
    page.get_by_test_id("queue-task").locator("[data-action=accept-task]").click()

    panel = page.get_by_test_id("comm-panel")
    expect(panel).to_have_attribute("data-media", "chat")
    chat = page.get_by_test_id("message")
    expect(chat).to_have_count(1)
    expect(chat.first).to_have_attribute("data-direction", "in")
    expect(chat.first).to_contain_text("Hello! My order has not arrived.")

    # The customer writes (the connector posts it): it appears at once.
    status, _, _ = care.call("POST", f"/api/v1/activities/{activity_id}/messages",
                             {"message_id": "wc-2", "text": "It was order 4711."},
                             token=connector)
    assert status == 201
    expect(chat).to_have_count(2)
    expect(chat.nth(1)).to_contain_text("It was order 4711.")

    # The agent replies: Shift+Enter is a new line, Enter sends.
    reply = page.get_by_test_id("reply-input")
    reply.click()
    reply.type("Let me check.")
    reply.press("Shift+Enter")
    reply.type("One moment, please.")
    reply.press("Enter")
    expect(reply).to_have_value("")
    expect(chat).to_have_count(3)
    mine = chat.nth(2)
    expect(mine).to_have_attribute("data-direction", "out")
    expect(mine.locator("[data-role=text]")).to_have_text("Let me check.\nOne moment, please.")
    expect(mine).to_contain_text("You")
    expect(mine.get_by_test_id("delivery")).to_have_text("Delivered")
    [received] = webhook.received
    body = json.loads(received.body)
    assert body["text"] == "Let me check.\nOne moment, please."
    assert (body["activity_id"], body["author"]) == (activity_id, "alice")
    _, stored, _ = care.call("GET", f"/api/v1/activities/{activity_id}/messages", token=connector)
    assert [(m["direction"], m["text"]) for m in stored] == [
        ("in", "Hello! My order has not arrived."), ("in", "It was order 4711."),
        ("out", "Let me check.\nOne moment, please.")]
    assert received.message_id == stored[2]["message_id"]
    screenshot(page, "care-chat-narrow")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    page.set_viewport_size(WIDE)
    screenshot(page, "care-chat-wide")

    # A reply being typed stays while the agent looks at another customer.
    reply.fill("And your address is")
    ada = customer(care, first_name="Ada", last_name="Lovelace", phones=[ADA_PHONE])
    care.call("POST", "/api/v1/me/open", {"customer_id": ada["id"]}, token=token)
    entries = page.get_by_test_id("open-entry")
    expect(entries).to_have_count(2)
    expect(shown_name(page)).to_have_text("Alan Turing")  # typing: not switched away
    entries.filter(has_text="Ada Lovelace").locator("[data-action=select-entry]").click()
    expect(shown_name(page)).to_have_text("Ada Lovelace")
    expect(page.get_by_test_id("comm-panel")).to_have_count(0)  # no interaction of hers shown
    entries.filter(has_text="Alan Turing").locator("[data-action=select-entry]").click()
    expect(reply).to_have_value("And your address is")

    # The customer leaves: no more replies, and the box says why.
    care.post_event(connector, "ended", contact_id=answer["activity"]["contact_id"],
                    media_type="chat")
    expect(reply).to_be_disabled()
    expect(page.get_by_test_id("reply-hint")).to_have_text("The chat has ended.")


def test_a_reply_that_was_not_sent_is_retried_and_stored_once(care, new_page):
    connector = care.connector_token()
    page = new_page()
    sign_in(page, care, "alice")
    answer = queue_contact(care, connector, "chat", customer_name="Noor Haddad",
                           **{"from": "noor@example.net"}, body="Hi")
    page.get_by_test_id("queue-task").locator("[data-action=accept-task]").click()
    expect(page.get_by_test_id("message")).to_have_count(1)

    # The first attempt does not get through: the reply says so and offers Retry.
    attempts = []

    def fail_first(route):
        if route.request.method == "POST":
            attempts.append(route.request.post_data_json)
            if len(attempts) == 1:
                route.abort()
                return
        route.continue_()

    page.route("**/api/v1/activities/*/messages", fail_first)
    page.get_by_test_id("reply-input").fill("Thanks, looking into it.")
    page.get_by_test_id("reply-input").press("Enter")
    mine = page.locator("[data-testid=message][data-direction=out]")
    expect(mine.get_by_test_id("delivery")).to_contain_text("Not sent")
    expect(page.get_by_test_id("notice")).to_have_attribute("data-kind", "error")
    mine.locator("[data-action=retry-reply]").click()
    expect(mine.get_by_test_id("delivery")).to_have_text("Sent")
    expect(mine).to_have_count(1)
    # The same id both times: had the first one arrived after all, nothing would double.
    assert len(attempts) == 2 and attempts[0] == attempts[1]
    _, stored, _ = care.call("GET", f"/api/v1/activities/{answer['activity']['id']}/messages",
                             token=connector)
    assert [(m["text"], m["message_id"]) for m in stored if m["direction"] == "out"] == [
        ("Thanks, looking into it.", attempts[0]["message_id"])]


def test_an_email_shows_subject_and_body(care, new_page):
    page = new_page(viewport=WIDE)
    sign_in(page, care, "alice")
    customer(care, first_name="Grace", last_name="Hopper", emails=["grace.hopper@example.com"])
    queue_contact(care, care.connector_token(), "email", subject="Router keeps rebooting",
                  body="Hello,\n\nit rebooted three times today.\n\nGrace",
                  **{"from": "grace.hopper@example.com", "to": "support@example.com"})
    item = page.get_by_test_id("queue-task")
    expect(item).to_contain_text("Subject: Router keeps rebooting")
    go_ready(page)
    expect(page.get_by_test_id("offer-facts")).to_contain_text("Subject: Router keeps rebooting")
    expect(item).to_have_count(0)  # on offer, no longer waiting
    screenshot(page, "care-offer-wide")
    page.keyboard.press("Alt+Shift+A")  # the shortcut accepts, wherever the focus is

    panel = page.get_by_test_id("comm-panel")
    expect(panel).to_have_attribute("data-media", "email")
    expect(panel.locator("[data-fact=from]")).to_have_text("grace.hopper@example.com")
    expect(panel.locator("[data-fact=to]")).to_have_text("support@example.com")
    expect(panel.locator("[data-fact=subject]")).to_have_text("Router keeps rebooting")
    body = page.get_by_test_id("email-body")
    expect(body).to_have_text("Hello,\n\nit rebooted three times today.\n\nGrace")
    assert body.inner_text().count("\n") == 4  # line breaks are kept on screen
    expect(page.get_by_test_id("reply-input")).to_have_count(0)  # emails are answered elsewhere
    screenshot(page, "care-email-wide")


def test_markup_in_names_and_messages_stays_text(care, new_page):
    page = new_page()
    sign_in(page, care, "alice")
    customer(care, first_name=EVIL, last_name="<b>Bold</b>", phones=["+1 415 555 0166"])
    connector = care.connector_token()
    for n in (1, 2):
        queue_contact(care, connector, "chat", **{"from": "+1 415 555 0166"},
                      body=f"<script>alert({n})</script>")
    name = f"{EVIL} <b>Bold</b>"
    expect(page.get_by_test_id("queue-task")).to_have_count(2)
    expect(page.get_by_test_id("queue-task").first).to_contain_text(name)

    go_ready(page)
    expect(page.get_by_test_id("offer-customer")).to_have_text(name)
    expect(page.get_by_test_id("queue-task")).to_have_count(1)  # the other one is on offer
    expect(page.get_by_test_id("queue-task")).to_contain_text(name)
    page.get_by_test_id("offer-accept").click()
    expect(page.get_by_test_id("message")).to_contain_text("<script>alert(1)</script>")
    page.get_by_test_id("reply-input").fill("<img src=y onerror=alert(3)>")
    page.get_by_test_id("reply-input").press("Enter")
    expect(page.get_by_test_id("message")).to_have_count(2)
    expect(page.get_by_test_id("message").nth(1)).to_contain_text("<img src=y onerror=alert(3)>")
    assert page.locator("#cc-root img, #cc-root b, #cc-root script").count() == 0
    screenshot(page, "care-markup-as-text")


CATALOGUE_KEY = re.compile(r"\b(?:state|offer|tasks?|preview|comm|delivery)\.[a-zA-Z]")


def test_the_care_desktop_in_german(care, new_page):
    page = new_page(locale="de-DE")
    sign_in(page, care, "alice")
    expect(page.get_by_test_id("agent-state-label")).to_have_text("Nicht bereit")
    expect(page.get_by_test_id("tab-queue")).to_have_text("Warteschlange")
    expect(page.get_by_test_id("tab-progress")).to_have_text("In Bearbeitung")
    connector = care.connector_token()
    queue_contact(care, connector, "chat", customer_name="Lena Berg",
                  **{"from": "lena@example.net"}, body="Guten Tag!")
    queue_contact(care, connector, **{"from": "+1 312 555 0123"}, variables={"callVariable1": "x"})
    expect(page.get_by_test_id("queue-task")).to_have_count(2)
    page.get_by_test_id("queue-task").first.locator("[data-action=preview-task]").click()
    expect(page.get_by_test_id("queue-task").first).to_contain_text("wartet")
    go_ready(page)
    expect(page.get_by_test_id("agent-state-label")).to_have_text("Bereit")
    offer = page.get_by_test_id("offer")
    expect(offer).to_contain_text("Eingehender Chat")
    expect(page.get_by_test_id("offer-accept")).to_have_text("Annehmen")
    expect(page).to_have_title(re.compile(r"^Angebot \d+ s – Kundenkontext$"))
    screenshot(page, "care-german-offer")
    page.get_by_test_id("offer-accept").click()
    expect(page.get_by_test_id("reply-hint")).to_contain_text("Enter sendet")
    page.get_by_test_id("reply-input").fill("Hallo!")
    page.get_by_test_id("reply-input").press("Enter")
    expect(page.get_by_test_id("delivery")).to_have_text("Gesendet")
    expect(page.get_by_test_id("comm-panel")).to_contain_text("Antwort")
    expect(page.get_by_test_id("transcript")).to_have_attribute("aria-label", "Chatverlauf")

    # No catalogue key anywhere: not in the text, nor in labels and titles.
    shown = page.evaluate("""() => [document.getElementById('cc-root').innerText,
        ...[...document.querySelectorAll('#cc-root [aria-label], #cc-root [title]')]
          .flatMap((el) => [el.getAttribute('aria-label'), el.getAttribute('title')])]
        .filter(Boolean).join('\\n')""")
    assert not CATALOGUE_KEY.search(shown), CATALOGUE_KEY.search(shown)
    screenshot(page, "care-german-chat")


def test_the_care_desktop_is_hidden_where_finesse_routes(care, finesse_standin, new_page):
    finesse_standin.remove_dialogs()
    finesse_standin.set_layout([care.url + "/gadget.xml"])
    page = new_page()
    gadget = sign_in_to_finesse(page, finesse_standin, locale="nl_NL")
    expect(gadget.get_by_test_id("tab-search")).to_have_text("Zoeken")
    expect(gadget.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    token = care.agent_token("fin1001")
    care.call("PUT", "/api/v1/me/state", {"state": "ready"}, token=token)
    queue_contact(care, care.connector_token(), **{"from": "+1 312 555 0177"})
    finesse_standin.add_dialog(voice_call("16807001", "+14155550100", "1001", state="ACTIVE",
                                          variables={"callVariable1": "VIP"}))
    # The communication panel shows in every host...
    expect(gadget.get_by_test_id("comm-panel")).to_have_attribute("data-media", "voice")
    expect(gadget.locator("[data-variable=callVariable1]")).to_have_text("VIP")
    # ...the Care desktop does not: Finesse routes the contacts.
    expect(gadget.get_by_test_id("agent-state")).to_have_count(0)
    expect(gadget.locator("[data-region=tasks]")).to_be_hidden()
    expect(gadget.get_by_test_id("offer")).to_have_count(0)
    expect(page.locator("[data-role=gadget-title]")).to_have_text("Klantcontext")
    finesse_standin.remove_dialogs()


def test_a_host_page_hears_of_offers_and_can_keep_the_care_desktop_hidden(care, new_page):
    page = new_page(viewport={"width": 900, "height": 900})
    token = care.agent_token("alice")
    gadget = host_page(page, care)
    page.evaluate("(token) => sendToGadget({type: 'cc:init', token})", token)
    expect(gadget.get_by_test_id("agent-state")).to_be_visible()
    gadget.locator("[data-action=go-ready]").click()
    answer = queue_contact(care, care.connector_token(), **{"from": ADA_PHONE})
    task_id = answer["task"]["id"]
    page.wait_for_function("window.messages.some((m) => m.data.type === 'cc:offer')")
    [offer] = [m["data"] for m in messages(page, "cc:offer")]
    assert (offer["task_id"], offer["media_type"], offer["queue"]) == (task_id, "voice", "support")
    assert 0 < offer["expires_in"] <= OFFER_SECONDS
    gadget.get_by_test_id("offer-accept").click()
    page.wait_for_function("window.messages.some((m) => m.data.type === 'cc:offer-ended')")
    assert [m["data"] for m in messages(page, "cc:offer-ended")] == [
        {"type": "cc:offer-ended", "task_id": task_id, "reason": "accepted"}]

    # A host that routes contacts itself says so: the Care desktop goes.
    page.evaluate("(token) => sendToGadget({type: 'cc:init', token, routing: 'host'})", token)
    expect(gadget.get_by_test_id("agent-state")).to_have_count(0)
    expect(gadget.locator("[data-region=tasks]")).to_be_hidden()
    expect(gadget.get_by_test_id("comm-panel")).to_have_attribute("data-media", "voice")


def test_sign_out_goes_not_ready_first(care, new_page):
    page = new_page()
    token = sign_in(page, care, "alice")
    go_ready(page)
    page.locator("[data-action=sign-out]").click()
    expect(page.get_by_test_id("signin-form")).to_be_visible()
    _, me, _ = care.call("GET", "/api/v1/me/state", token=token)
    assert me["state"] == "not_ready"


def test_the_demo_desktop_queues_a_chat_and_chats_as_the_customer(care, new_page):
    # What `make run` does: the demo agent, customers and the published connector key.
    subprocess.run([str(Path(sys.executable).with_name("context-service")), "seed-demo"],
                   env=care.env, cwd=ROOT, check=True, capture_output=True)
    page = new_page(viewport={"width": 1200, "height": 1000})
    page.goto(care.url + "/")
    expect(page.get_by_test_id("demo-status")).to_have_text("Signed in as demo")
    gadget = page.frame_locator("[data-testid=demo-gadget]")
    gadget.locator("[data-action=go-ready]").click()
    expect(gadget.get_by_test_id("agent-state")).to_have_attribute("data-state", "ready")

    page.get_by_role("button", name="Alan Turing chats").click()
    expect(gadget.get_by_test_id("offer-customer")).to_have_text("Alan Turing")
    gadget.get_by_test_id("offer-accept").click()
    chat = gadget.get_by_test_id("message")
    expect(chat).to_contain_text("Hello! My order has not arrived yet.")

    page.get_by_test_id("demo-chat-input").fill("Is anyone there?")
    page.get_by_test_id("demo-chat-input").press("Enter")
    expect(chat).to_have_count(2)
    expect(chat.nth(1)).to_contain_text("Is anyone there?")
    gadget.get_by_test_id("reply-input").fill("Yes, I am looking at your order.")
    gadget.get_by_test_id("reply-input").press("Enter")
    log = page.get_by_test_id("demo-chat-log")
    expect(log.locator("li")).to_have_count(3)
    expect(log.locator("li").last).to_have_text("Agent demo: Yes, I am looking at your order.")
    expect(page.get_by_test_id("demo-log")).to_contain_text("cc:offer-ended")
    screenshot(page, "care-demo-desktop")

    page.get_by_test_id("demo-queued").locator("[data-action=end-queued]").click()
    expect(gadget.get_by_test_id("reply-hint")).to_have_text("The chat has ended.")
    expect(page.get_by_test_id("demo-queued").locator("li")).to_have_count(0)

