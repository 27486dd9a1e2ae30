"""Activities: tags (R5), notes (R6) and moving between requests and customers (R11)."""

import pytest

URL = "/api/v1/activities"


@pytest.fixture
def ann(make_customer):
    return make_customer(first_name="Ann", phones=["4155550100"])


@pytest.fixture
def activity(ann, post_event):
    return post_event()


def tag(agent, activity_id, name):
    return agent.post(f"{URL}/{activity_id}/tags", json={"name": name})


def tags_of(agent, activity_id):
    return [t["name"] for t in agent.get(f"{URL}/{activity_id}").json["tags"]]


def close_request(agent, request_id):
    response = agent.patch(f"/api/v1/requests/{request_id}", json={"status": "closed"},
                           headers={"If-Match": "*"})
    assert response.status_code == 200


def move(agent, activity_id, **target):
    return agent.post(f"{URL}/{activity_id}/move", json=target)


def test_get_an_activity(agent, activity):
    response = agent.get(f"{URL}/{activity['id']}")
    assert response.status_code == 200
    assert response.json["contact_id"] == "call-1" and response.json["from"] == "+1 (415) 555-0100"
    assert response.headers["ETag"] == f'"{response.json["version"]}"'
    assert agent.get(f"{URL}/999999").status_code == 404


def test_add_tags(agent, activity):
    response = tag(agent, activity["id"], "Billing")
    assert response.status_code == 201
    assert response.json["name"] == "Billing" and response.json["created_by"] == "alice"
    assert tag(agent, activity["id"], "  vip   customer ").status_code == 201
    assert tags_of(agent, activity["id"]) == ["Billing", "vip customer"]


def test_same_tag_in_another_case_is_409(agent, activity):
    assert tag(agent, activity["id"], "Billing").status_code == 201
    response = tag(agent, activity["id"], "BILLING")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert tags_of(agent, activity["id"]) == ["Billing"]


@pytest.mark.parametrize(("first", "second"), [
    ("Caf\u00e9", "cafe\u0301"),        # composed, then decomposed
    ("STRASSE", "stra\u00dfe"),         # casefolding, not just lower case
    ("\u00c5se", "A\u030ase"),           # Å composed and decomposed, in another case
])
def test_tags_are_the_same_in_any_case_and_unicode_composition(agent, activity, first, second):
    assert tag(agent, activity["id"], first).status_code == 201
    assert tag(agent, activity["id"], second).status_code == 409
    assert agent.delete(f"{URL}/{activity['id']}/tags/{second}").status_code == 204
    assert tags_of(agent, activity["id"]) == []


def test_tags_are_stored_composed(agent, activity):
    assert tag(agent, activity["id"], "cafe\u0301").json["name"] == "caf\u00e9"


def test_same_tag_on_another_activity_is_fine(agent, activity, post_event):
    other = post_event(contact_id="call-2")
    assert tag(agent, activity["id"], "Billing").status_code == 201
    assert tag(agent, other["id"], "billing").status_code == 201


@pytest.mark.parametrize("name", ["x" * 51, "", "   ", "Ø" * 51])
def test_tags_are_not_blank_and_at_most_50_characters(agent, activity, name):
    response = tag(agent, activity["id"], name)
    assert response.status_code == 422
    assert "name" in response.json["errors"]
    assert tags_of(agent, activity["id"]) == []


def test_a_tag_of_50_characters_is_fine(agent, activity):
    assert tag(agent, activity["id"], "Ø" * 50).status_code == 201


def test_remove_a_tag_by_name_in_any_case(agent, activity):
    tag(agent, activity["id"], "Billing")
    tag(agent, activity["id"], "Sales")

    response = agent.delete(f"{URL}/{activity['id']}/tags/billing")

    assert response.status_code == 204
    assert tags_of(agent, activity["id"]) == ["Sales"]
    assert agent.delete(f"{URL}/{activity['id']}/tags/billing").status_code == 404


def test_tagging_a_missing_activity_is_404(agent):
    assert tag(agent, 999999, "Billing").status_code == 404


def test_notes_with_author_and_time(agent, agent2, activity):
    first = agent.post(f"{URL}/{activity['id']}/notes", json={"text": "Called back"})
    second = agent2.post(f"{URL}/{activity['id']}/notes", json={"text": "Sent the manual"})
    assert first.status_code == 201 and second.status_code == 201

    notes = agent.get(f"{URL}/{activity['id']}/notes").json

    assert [(n["text"], n["author"]) for n in notes] == [
        ("Called back", "alice"), ("Sent the manual", "bob")]
    assert all(n["created_at"] and n["activity_id"] == activity["id"] for n in notes)


@pytest.mark.parametrize("text", ["", "x" * 2001])
def test_notes_are_not_empty_and_at_most_2000_characters(agent, activity, text):
    response = agent.post(f"{URL}/{activity['id']}/notes", json={"text": text})
    assert response.status_code == 422
    assert "text" in response.json["errors"]
    assert agent.get(f"{URL}/{activity['id']}/notes").json == []


def test_move_to_another_open_request(agent, ann, activity):
    other = agent.post(f"/api/v1/customers/{ann['id']}/requests", json={"title": "Other"}).json

    response = move(agent, activity["id"], request_id=other["id"])

    assert response.status_code == 200
    assert response.json["request_id"] == other["id"]
    journey = agent.get(f"/api/v1/customers/{ann['id']}/journey").json
    by_request = {r["id"]: [a["id"] for a in r["activities"]] for r in journey["requests"]}
    assert by_request == {other["id"]: [activity["id"]], activity["request_id"]: []}
    assert agent.get("/api/v1/me/open").json[0]["request_id"] == other["id"]


def test_move_to_a_new_request(agent, activity):
    response = move(agent, activity["id"], new_request=True)
    assert response.status_code == 200
    new_id = response.json["request_id"]
    assert new_id != activity["request_id"]
    request = agent.get(f"/api/v1/requests/{new_id}").json
    assert request["status"] == "open" and request["customer_id"] == activity["customer_id"]


def test_move_to_another_customer(agent, make_customer, activity):
    bo = make_customer(first_name="Bo")

    response = move(agent, activity["id"], customer_id=bo["id"])

    assert response.status_code == 200
    assert response.json["customer_id"] == bo["id"]
    journey = agent.get(f"/api/v1/customers/{bo['id']}/journey").json
    assert [a["id"] for a in journey["requests"][0]["activities"]] == [activity["id"]]
    assert agent.get("/api/v1/me/open").json[0]["customer_id"] == bo["id"]


def test_move_to_a_closed_request_is_409(agent, ann, activity):
    other = agent.post(f"/api/v1/customers/{ann['id']}/requests", json={}).json
    close_request(agent, other["id"])

    response = move(agent, activity["id"], request_id=other["id"])

    assert response.status_code == 409
    assert agent.get(f"{URL}/{activity['id']}").json["request_id"] == activity["request_id"]


def test_move_from_a_closed_request_is_409(agent, ann, activity):
    other = agent.post(f"/api/v1/customers/{ann['id']}/requests", json={}).json
    close_request(agent, activity["request_id"])

    assert move(agent, activity["id"], request_id=other["id"]).status_code == 409
    assert move(agent, activity["id"], new_request=True).status_code == 409


def test_move_to_the_same_request_is_409(agent, activity):
    assert move(agent, activity["id"], request_id=activity["request_id"]).status_code == 409


def test_move_to_another_customers_request_must_match(agent, make_customer, ann, activity):
    bo = make_customer(first_name="Bo")
    bos = agent.post(f"/api/v1/customers/{bo['id']}/requests", json={}).json
    response = move(agent, activity["id"], request_id=bos["id"], customer_id=ann["id"])
    assert response.status_code == 409


@pytest.mark.parametrize("target", [{"request_id": 999999}, {"customer_id": 999999}])
def test_move_to_something_missing_is_404(agent, activity, target):
    assert move(agent, activity["id"], **target).status_code == 404


def test_move_needs_a_target(agent, post_event):
    unknown = post_event(**{"from": "+1 212 555 0199"})
    response = move(agent, unknown["id"])
    assert response.status_code == 422
    assert "request_id" in response.json["errors"]
