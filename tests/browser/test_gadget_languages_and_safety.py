"""R19 languages, and data that must stay data: names are shown as text, never run."""

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import call_in, customer, shown_name, sign_in

CATALOGUES = Path(__file__).resolve().parents[2] / "gadget" / "i18n"


def test_every_language_has_the_same_messages_once():
    keys = {}
    for path in CATALOGUES.glob("*.json"):
        pairs = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=list)
        names = [name for name, _ in pairs]
        # A key written twice keeps only its last text: one of two features loses its words.
        assert len(names) == len(set(names)), (path.stem, sorted(
            {n for n in names if names.count(n) > 1}))
        keys[path.stem] = set(names)
    assert set(keys) == {"en", "de", "nl", "nb", "sr-Latn"}
    for locale, found in keys.items():
        assert found == keys["en"], (locale, found ^ keys["en"])


def test_a_german_browser_gets_a_german_gadget(live_server, new_page):
    page = new_page(locale="de-DE")
    page.goto(live_server.url + "/gadget/index.html")
    expect(page.get_by_test_id("signin-form")).to_contain_text("Anmelden")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    live_server.agent_token("alice", password="agent-password-1")
    page.get_by_test_id("signin-agent").fill("alice")
    page.get_by_test_id("signin-password").fill("agent-password-1")
    page.locator("[data-action=sign-in]").click()

    expect(page.get_by_test_id("tab-open")).to_have_text("Offen")
    expect(page.get_by_test_id("tab-recent")).to_have_text("Zuletzt")
    expect(page.get_by_test_id("tab-search")).to_have_text("Suche")
    call_in(live_server, "alice", **{"from": "+1 312 555 0123"})
    expect(shown_name(page)).to_have_text("Unbekannter Kunde")
    expect(page.get_by_test_id("close-entry")).to_have_text("Schließen")
    expect(page.get_by_test_id("activity-facts")).to_contain_text("Anruf")
    # Dates in German form (day.month.year).
    expect(page.get_by_test_id("request-created")).to_contain_text("Erstellt am")
    expect(page.get_by_test_id("request-created")).to_have_text(
        re.compile(r"\d{2}\.\d{2}\.\d{4}"))
    screenshot(page, "german")


def test_serbian_latin_and_norwegian_from_the_browser(live_server, new_page):
    for locale, expected in (("sr-RS", "Otvoreni"), ("nb-NO", "Åpne"), ("nl-NL", "Open")):
        page = new_page(locale=locale)
        sign_in(page, live_server, "alice")
        expect(page.get_by_test_id("tab-open")).to_have_text(expected)
    # The last one, Dutch, all the way through.
    expect(page.get_by_test_id("tab-search")).to_have_text("Zoeken")
    expect(page.get_by_test_id("detail-empty")).to_contain_text("Geen klant geselecteerd")


def test_a_customer_named_like_markup_is_shown_as_text(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "alice")
    evil = "<img src=x onerror=alert(1)>"
    customer(live_server, first_name=evil, last_name="<b>Bold</b>",
             phones=["+1 415 555 0166"], city='"><script>alert(2)</script>')
    call_in(live_server, "alice", **{"from": "+14155550166"})

    name = f"{evil} <b>Bold</b>"
    expect(shown_name(page)).to_have_text(name)
    expect(page.get_by_test_id("open-entry")).to_contain_text(name)
    shown_name(page).click()
    expect(page.get_by_test_id("customer-city")).to_have_value('"><script>alert(2)</script>')
    page.get_by_test_id("note-input").fill("<script>alert(3)</script>")
    page.locator("[data-action=add-note]").click()
    expect(page.get_by_test_id("note")).to_contain_text("<script>alert(3)</script>")
    # Nothing became markup: no image, no bold, no extra script; no dialog opened
    # (the new_page fixture fails the test on any dialog or page error).
    assert page.locator("#cc-root img, #cc-root b, #cc-root script").count() == 0
    page.wait_for_timeout(300)
    screenshot(page, "markup-as-text")
