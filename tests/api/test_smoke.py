from tests.conftest import event


def test_unknown_caller_then_create(client, connector, agent):
    r = connector.post("/api/v1/contact-events", json=event())
    assert r.status_code == 201, r.json
    act = r.json["activity"]
    assert act["customer_id"] is None and act["request_id"]
    r = agent.post("/api/v1/customers", json={"first_name": "Ann", "last_name": "Lee",
                                              "phones": ["+1 415 555 0100"],
                                              "from_activity_id": act["id"]})
    assert r.status_code == 201, r.json
    cust = r.json
    assert cust["phones"] == ["+14155550100"]
    j = agent.get(f"/api/v1/customers/{cust['id']}/journey").json
    assert j["requests"][0]["id"] == act["request_id"]
    assert j["requests"][0]["activities"][0]["id"] == act["id"]
    second = event(contact_id="call-2", **{"from": "4155550100"})
    r = connector.post("/api/v1/contact-events", json=second)
    assert r.json["activity"]["customer_id"] == cust["id"]
    assert r.json["activity"]["request_id"] == act["request_id"]
    opened = agent.get("/api/v1/me/open").json
    assert len(opened) == 2
