"""Issue 13: what the gadget costs on the wire, measured from Chromium's network events.

Bytes are Chromium's `encodedDataLength`: headers and compressed bodies as they crossed
the connection. A first visit loads every module, the stylesheet and one catalogue; a
reload finds them in the cache (fresh for a few minutes, then revalidated by ETag).
"""

from playwright.sync_api import expect

FIRST_LOAD_LIMIT = 80_000
RELOAD_LIMIT = 5_000


def load(page, url):
    """Bytes on the wire, and how many requests, to show the sign-in form at `url`."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    sizes, urls = {}, {}
    session.on("Network.requestWillBeSent",
               lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    session.on("Network.loadingFinished",
               lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url) if not sizes and page.url == "about:blank" else page.reload()
    expect(page.get_by_test_id("signin-agent")).to_be_visible()
    page.wait_for_load_state("networkidle")
    session.detach()
    return sum(sizes.values()), sorted(urls[i].rsplit("/", 1)[-1] for i in sizes if i in urls)


def test_a_first_visit_and_a_reload_stay_small(live_server, new_page):
    page = new_page(locale="de-DE")
    first, fetched = load(page, live_server.url + "/gadget/index.html")
    assert any(name.startswith("de.json") for name in fetched), fetched
    assert not any(name.startswith("nl.json") for name in fetched), "one language only"
    print(f"first visit: {first} bytes in {len(fetched)} responses; ", end="")
    again, refetched = load(page, live_server.url + "/gadget/index.html")
    print(f"reload: {again} bytes in {len(refetched)} responses")
    assert first < FIRST_LOAD_LIMIT, (first, fetched)
    assert again < RELOAD_LIMIT, (again, refetched)
