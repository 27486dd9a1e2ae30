"""Issue 14: merging duplicate customers from the gadget, field by field, with Undo; every
open gadget follows the merge."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.gadget import call_in, customer, get, shown_name, sign_in


def status_of(server, path):
    return server.call("GET", path, token=server.admin_token)[0]


def patch_customer(server, customer_id, body):
    current = get(server, f"/api/v1/customers/{customer_id}")
    status, data, _ = server.call("PATCH", f"/api/v1/customers/{customer_id}", body,
                                  token=server.admin_token,
                                  headers={"If-Match": f'"{current["version"]}"'})
    assert status == 200, data
    return data


def showing(page, server, token, customer_id, name):
    server.call("POST", "/api/v1/me/open", {"customer_id": customer_id}, token=token)
    expect(shown_name(page)).to_have_text(name)


def pair(server):
    ann = customer(server, first_name="Ann", last_name="Lee", phones=["+1 415 555 0100"])
    anna = customer(server, first_name="Anna", last_name="Leigh", city="Oslo",
                    phones=["+1 415 555 0199"], extra={"tier": "gold"})
    return ann, anna


def open_merge_dialog(page, duplicate_id, search):
    """From the shown customer's form: Merge duplicate…, search, pick the duplicate."""
    if shown_name(page).get_attribute("aria-expanded") != "true":
        shown_name(page).click()
    page.locator("[data-action=merge-customer]").click()
    page.get_by_test_id("pick-search").fill(search)
    page.locator(f"[data-action=pick-customer][data-customer-id='{duplicate_id}']").click()
    dialog = page.get_by_test_id("merge-dialog")
    expect(dialog).to_be_visible()
    return dialog


def test_merge_with_field_choices_switches_other_gadgets_and_undo_restores(
        live_server, new_page):
    ann, anna = pair(live_server)
    alice = new_page()
    alice_token = sign_in(alice, live_server, "alice")
    showing(alice, live_server, alice_token, ann["id"], "Ann Lee")
    bob = new_page()
    bob_token = sign_in(bob, live_server, "bob")
    showing(bob, live_server, bob_token, anna["id"], "Anna Leigh")

    dialog = open_merge_dialog(alice, anna["id"], "Anna")
    # Both have a first and a last name: a choice each, the survivor's preselected. Only
    # the duplicate has a city: it comes over without a choice.
    expect(dialog.locator("[data-field=first_name] [data-side=other]")).to_contain_text("Anna")
    expect(dialog.get_by_test_id("merge-last_name-survivor")).to_be_checked()
    expect(dialog.locator("[data-field=city] input")).to_have_count(0)
    expect(dialog.locator("[data-field=city] [data-side=other]")).to_have_text("Oslo")
    expect(dialog).to_contain_text("+14155550199")
    dialog.get_by_test_id("merge-first_name-other").check()
    screenshot(alice, "merge-dialog")
    dialog.locator("[data-action=dialog-merge]").click()

    notice = alice.get_by_test_id("notice")
    expect(notice).to_contain_text("Anna Leigh merged into Anna Lee")
    expect(shown_name(alice)).to_have_text("Anna Lee")
    survivor = get(live_server, f"/api/v1/customers/{ann['id']}")
    assert (survivor["first_name"], survivor["last_name"], survivor["city"]) == (
        "Anna", "Lee", "Oslo")
    assert survivor["phones"] == ["+14155550100", "+14155550199"]
    assert survivor["extra"] == {"tier": "gold"}
    assert status_of(live_server, f"/api/v1/customers/{anna['id']}") == 404

    # Bob was showing the duplicate: his gadget follows it to the survivor, and says why.
    expect(shown_name(bob)).to_have_text("Anna Lee")
    expect(bob.get_by_test_id("notice")).to_contain_text("alice merged this customer")
    expect(bob.get_by_test_id("tab-open")).to_be_visible()
    expect(bob.locator("[data-testid=open-list]")).not_to_contain_text("Anna Leigh")

    notice.locator("[data-action=undo]").click()
    expect(notice).to_contain_text("Merge undone: Anna Leigh is back")
    assert get(live_server, f"/api/v1/customers/{anna['id']}")["city"] == "Oslo"
    restored = get(live_server, f"/api/v1/customers/{ann['id']}")
    assert (restored["first_name"], restored["phones"]) == ("Ann", ["+14155550100"])
    expect(shown_name(alice)).to_have_text("Ann Lee")
    # Bob's Open entry went back with the duplicate.
    expect(shown_name(bob)).to_have_text("Anna Leigh")


def test_a_change_meanwhile_is_412_and_nothing_is_merged(live_server, new_page):
    ann, anna = pair(live_server)
    page = new_page()
    token = sign_in(page, live_server, "alice")
    showing(page, live_server, token, ann["id"], "Ann Lee")
    dialog = open_merge_dialog(page, anna["id"], "Anna")
    # Someone edits the duplicate while the dialog is open.
    patch_customer(live_server, anna["id"], {"city": "Bergen"})

    dialog.locator("[data-action=dialog-merge]").click()

    notice = page.get_by_test_id("notice")
    expect(notice).to_have_attribute("data-kind", "error")
    expect(notice).to_contain_text("Someone changed one of these customers meanwhile")
    assert get(live_server, f"/api/v1/customers/{anna['id']}")["city"] == "Bergen"
    assert get(live_server, f"/api/v1/customers/{ann['id']}")["version"] == ann["version"]

    # Loaded again: a second try sees the new city and merges.
    dialog = open_merge_dialog(page, anna["id"], "Anna")
    expect(dialog.locator("[data-field=city] [data-side=other]")).to_have_text("Bergen")
    dialog.locator("[data-action=dialog-merge]").click()
    expect(notice).to_contain_text("Anna Leigh merged into Ann Lee")
    assert status_of(live_server, f"/api/v1/customers/{anna['id']}") == 404


def test_merge_a_contacts_candidates_and_a_refused_undo(live_server, new_page):
    one = customer(live_server, first_name="Uma", last_name="One", phones=["+1 212 555 0101"])
    two = customer(live_server, first_name="Uma", last_name="Two", phones=["+1 212 555 0101"],
                   emails=["uma@example.com"])
    page = new_page(locale="de-DE")
    sign_in(page, live_server, "alice")
    contact = call_in(live_server, "alice", **{"from": "+1 212 555 0101"})
    assert sorted(contact["candidate_ids"]) == sorted([one["id"], two["id"]])
    expect(page.get_by_test_id("candidates")).to_be_visible()

    page.locator("[data-action=merge-candidates]").click()
    dialog = page.get_by_test_id("merge-dialog")
    expect(dialog).to_contain_text("Doppelte Kunden zusammenführen")
    dialog.locator("[data-action=dialog-merge]").click()
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("zusammengeführt")
    survivor_id = contact["candidate_ids"][0]
    other_id = two["id"] if survivor_id == one["id"] else one["id"]
    assert status_of(live_server, f"/api/v1/customers/{other_id}") == 404
    assert get(live_server, f"/api/v1/customers/{survivor_id}")["emails"] == ["uma@example.com"]
    # One possible caller is left: nothing to merge any more.
    expect(page.locator("[data-action=merge-candidates]")).to_have_count(0)

    # The survivor is edited after the merge: undoing would lose that, and is refused.
    patch_customer(live_server, survivor_id, {"city": "Berlin"})
    notice.locator("[data-action=undo]").click()
    expect(notice).to_have_attribute("data-kind", "error")
    expect(notice).to_contain_text("kann nicht mehr rückgängig gemacht werden")
    expect(notice).to_contain_text("was changed after the merge")
    assert status_of(live_server, f"/api/v1/customers/{other_id}") == 404


def test_search_results_follow_a_merge_made_elsewhere(live_server, new_page):
    ann, anna = pair(live_server)
    page = new_page()
    sign_in(page, live_server, "bob")
    page.get_by_test_id("tab-search").click()
    page.get_by_test_id("search-input").fill("Ann")
    results = page.get_by_test_id("search-result")
    expect(results).to_have_count(2)

    status, body, _ = live_server.call(
        "POST", f"/api/v1/customers/{ann['id']}/merge",
        {"other_id": anna["id"], "other_version": anna["version"]},
        token=live_server.admin_token, headers={"If-Match": f'"{ann["version"]}"'})
    assert status == 201, body

    expect(results).to_have_count(1)
    expect(results).to_have_attribute("data-customer-id", str(ann["id"]))
    results.locator("[data-action=reopen]").click()
    expect(shown_name(page)).to_have_text("Ann Lee")
