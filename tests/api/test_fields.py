"""Typed custom fields (issue 14): definitions, values checked by them, search, export."""

import pytest

FIELDS = "/api/v1/admin/fields"
URL = "/api/v1/customers"


@pytest.fixture
def defined(admin):
    """tier (choice, required), since (date), score (number), vip (boolean), code (string
    of at most 5) on customers; priority (number) on requests."""
    bodies = [
        {"entity": "customer", "key": "tier", "type": "choice", "required": True,
         "labels": {"en": "Tier", "nb": "Nivå"}, "options": ["bronze", "silver", "gold"]},
        {"entity": "customer", "key": "since", "type": "date"},
        {"entity": "customer", "key": "score", "type": "number"},
        {"entity": "customer", "key": "vip", "type": "boolean"},
        {"entity": "customer", "key": "code", "type": "string", "max_length": 5},
        {"entity": "request", "key": "priority", "type": "number"},
    ]
    made = {}
    for body in bodies:
        response = admin.post(FIELDS, json=body)
        assert response.status_code == 201, response.json
        made[body["key"]] = response.json
    return made


def test_definitions_are_listed_for_agents_too(agent, defined):
    listed = agent.get("/api/v1/fields", query_string={"entity": "customer"}).json
    assert [d["key"] for d in listed] == ["code", "score", "since", "tier", "vip"]
    tier = next(d for d in listed if d["key"] == "tier")
    assert tier["labels"] == {"en": "Tier", "nb": "Nivå"} and tier["required"] is True
    assert agent.get(FIELDS).status_code == 403
    assert agent.post(FIELDS, json={"entity": "customer", "key": "x",
                                    "type": "string"}).status_code == 403


def test_valid_values_are_stored(agent, defined):
    response = agent.post(URL, json={"first_name": "Ann", "extra": {
        "tier": "gold", "since": "2024-02-29", "score": 4.5, "vip": True, "code": "AB1",
        "legacy": "kept untyped"}})
    assert response.status_code == 201, response.json
    assert response.json["extra"]["legacy"] == "kept untyped"


@pytest.mark.parametrize("extra, field", [
    ({"tier": "platinum"}, "extra.tier"),
    ({"tier": None}, "extra.tier"),
    ({}, "extra.tier"),                                   # required
    ({"tier": "gold", "since": "2023-02-29"}, "extra.since"),
    ({"tier": "gold", "since": "29.02.2024"}, "extra.since"),
    ({"tier": "gold", "score": "4"}, "extra.score"),
    ({"tier": "gold", "score": True}, "extra.score"),
    ({"tier": "gold", "vip": "yes"}, "extra.vip"),
    ({"tier": "gold", "code": "ABCDEF"}, "extra.code"),
    ({"tier": "gold", "code": 12}, "extra.code"),
])
def test_invalid_values_are_422_naming_the_field(agent, defined, extra, field):
    response = agent.post(URL, json={"first_name": "Ann", "extra": extra})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert list(response.json["errors"]) == [field]
    assert field in response.json["detail"]


def test_patch_checks_values_and_other_edits_pass(agent, make_customer, defined, admin):
    ann = make_customer(first_name="Ann", extra={"tier": "gold"})
    url = f"{URL}/{ann['id']}"
    bad = agent.patch(url, json={"extra": {"tier": "gold", "score": "many"}},
                      headers={"If-Match": "*"})
    assert bad.status_code == 422 and "extra.score" in bad.json["errors"]
    # A field made required later does not block edits that leave `extra` alone.
    admin.patch(f"{FIELDS}/{defined['since']['id']}", json={"required": True},
                headers={"If-Match": f'"{defined["since"]["version"]}"'})
    assert agent.patch(url, json={"city": "Oslo"}, headers={"If-Match": "*"}).status_code == 200
    assert agent.patch(url, json={"extra": {"tier": "gold"}},
                       headers={"If-Match": "*"}).status_code == 422


def test_request_fields(agent, make_customer, defined):
    ann = make_customer(first_name="Ann", extra={"tier": "gold"})
    bad = agent.post(f"{URL}/{ann['id']}/requests", json={"extra": {"priority": "high"}})
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["extra.priority"]
    made = agent.post(f"{URL}/{ann['id']}/requests", json={"extra": {"priority": 2}})
    assert made.status_code == 201 and made.json["extra"] == {"priority": 2}
    patched = agent.patch(f"/api/v1/requests/{made.json['id']}", json={
        "extra": {"priority": 3}}, headers={"If-Match": made.headers["ETag"]})
    assert patched.status_code == 200 and patched.json["extra"] == {"priority": 3}
    journey = agent.get(f"{URL}/{ann['id']}/journey").json
    assert journey["requests"][0]["extra"] == {"priority": 3}


def test_search_filters_by_a_field(agent, make_customer, defined):
    make_customer(first_name="Ann", extra={"tier": "gold", "score": 3, "vip": True},
                  emails=["ann@example.com"])
    make_customer(first_name="Anna", extra={"tier": "silver", "score": 3.5, "vip": False})
    make_customer(first_name="Bob", extra={"tier": "gold", "since": "2020-01-01"})

    def names(**params):
        response = agent.get(URL, query_string=params)
        assert response.status_code == 200, response.json
        return [c["first_name"] for c in response.json]

    assert names(field="tier", value="gold") == ["Ann", "Bob"]
    assert names(q="ann", field="tier", value="gold") == ["Ann"]
    assert names(q="ann@example.com", field="tier", value="silver") == []
    assert names(field="score", value="3.5") == ["Anna"]
    assert names(field="score", value="3") == ["Ann"]
    assert names(field="vip", value="false") == ["Anna"]
    assert names(field="since", value="2020-01-01") == ["Bob"]
    for params, field in (({"field": "nope", "value": "x"}, "field"),
                          ({"field": "score", "value": "many"}, "value"),
                          ({"field": "tier", "value": "platinum"}, "value"),
                          ({"field": "tier"}, "value")):
        response = agent.get(URL, query_string=params)
        assert response.status_code == 422 and field in response.json["errors"], params


@pytest.mark.parametrize("body, field", [
    ({"entity": "customer", "key": "Tier", "type": "string"}, "key"),
    ({"entity": "customer", "key": "tier", "type": "choice"}, "options"),
    ({"entity": "customer", "key": "tier", "type": "string", "options": ["a"]}, "options"),
    ({"entity": "customer", "key": "tier", "type": "number", "max_length": 3}, "max_length"),
    ({"entity": "customer", "key": "tier", "type": "choice", "options": ["a", "a"]},
     "options"),
    ({"entity": "agent", "key": "tier", "type": "string"}, "entity"),
    ({"entity": "customer", "key": "tier", "type": "money"}, "type"),
])
def test_bad_definitions_are_422(admin, body, field):
    response = admin.post(FIELDS, json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_definition_edits_need_if_match_and_keys_are_unique(admin, defined):
    tier = defined["tier"]
    url = f"{FIELDS}/{tier['id']}"
    assert admin.patch(url, json={"required": False}).status_code == 428
    assert admin.patch(url, json={"required": False},
                       headers={"If-Match": '"99"'}).status_code == 412
    ok = admin.patch(url, json={"options": ["gold"]}, headers={"If-Match": f'"{tier["version"]}"'})
    assert ok.status_code == 200 and ok.json["options"] == ["gold"]
    empty = admin.patch(url, json={"options": []}, headers={"If-Match": "*"})
    assert empty.status_code == 422
    again = admin.post(FIELDS, json={"entity": "customer", "key": "tier", "type": "string"})
    assert again.status_code == 409
    # The same key on requests is another field.
    assert admin.post(FIELDS, json={"entity": "request", "key": "tier",
                                    "type": "string"}).status_code == 201


def test_deleting_a_definition_leaves_values_untyped(admin, agent, make_customer, defined):
    ann = make_customer(first_name="Ann", extra={"tier": "gold", "score": 1})
    assert admin.delete(f"{FIELDS}/{defined['score']['id']}").status_code == 204
    assert agent.get(f"{URL}/{ann['id']}").json["extra"] == {"tier": "gold", "score": 1}
    patched = agent.patch(f"{URL}/{ann['id']}", json={"extra": {"tier": "gold", "score": "x"}},
                          headers={"If-Match": "*"})
    assert patched.status_code == 200


def test_export_includes_custom_fields(admin, make_customer, defined):
    ann = make_customer(first_name="Ann", extra={"tier": "gold"})
    admin.post(f"{URL}/{ann['id']}/requests", json={"extra": {"priority": 1}})
    export = admin.get(f"{URL}/{ann['id']}/export").json
    assert export["customer"]["extra"] == {"tier": "gold"}
    assert export["requests"][0]["extra"] == {"priority": 1}
