"""Connector webhooks (R16): set, shown once, rotated, removed; only for connector keys."""

import re

import pytest
import sqlalchemy as sa

from context_service.models import ApiToken

KEYS = "/api/v1/admin/api-keys"
HOOK = "https://chat.example.com/cc/replies"


@pytest.fixture
def key_id(admin, connector):
    return admin.get(KEYS).json[0]["id"]


def webhook(key_id):
    return f"{KEYS}/{key_id}/webhook"


def test_the_signing_secret_is_shown_once(admin, key_id, db_connection):
    response = admin.put(webhook(key_id), json={"url": HOOK})

    assert response.status_code == 200
    secret, legacy = response.json["secret"], response.json["legacy_secret"]
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret)  # Standard Webhooks' form
    assert re.fullmatch(r"[0-9a-f]{64}", legacy)
    assert response.json["url"] == HOOK and response.json["set_at"]
    shown = admin.get(webhook(key_id))
    assert shown.status_code == 200
    assert shown.json == {"url": HOOK, "set_at": response.json["set_at"]}
    listed = admin.get(KEYS)
    assert listed.json[0]["webhook_url"] == HOOK
    for answer in (shown, listed, admin.get("/api/v1/admin/audit")):
        assert secret not in answer.get_data(as_text=True)
        assert legacy not in answer.get_data(as_text=True)
    stored = " ".join(str(v) for row in db_connection.execute(sa.select(ApiToken)) for v in row)
    assert secret not in stored and legacy not in stored and secret[6:] not in stored


def test_setting_the_webhook_again_rotates_the_secret(admin, key_id):
    first = admin.put(webhook(key_id), json={"url": HOOK}).json
    second = admin.put(webhook(key_id), json={"url": HOOK + "/v2"}).json

    assert second["secret"] != first["secret"]
    assert admin.get(webhook(key_id)).json["url"] == HOOK + "/v2"


def test_a_removed_webhook_is_gone(admin, key_id):
    admin.put(webhook(key_id), json={"url": HOOK})

    assert admin.delete(webhook(key_id)).status_code == 204

    missing = admin.get(webhook(key_id))
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    assert admin.get(KEYS).json[0]["webhook_url"] is None
    assert admin.delete(webhook(key_id)).status_code == 204  # already gone: still gone


def test_webhook_changes_are_audited_without_secrets(admin, key_id):
    secret = admin.put(webhook(key_id),
                       json={"url": "https://user:pw@chat.example.com/hook?token=abc"}).json["secret"]
    admin.delete(webhook(key_id))

    audit = admin.get("/api/v1/admin/audit?entity_type=api_key").json

    assert [(e["action"], e["changes"]) for e in audit][:2] == [
        ("remove-webhook", {}), ("set-webhook", {"url": "https://chat.example.com/hook"})]
    assert all(word not in str(audit) for word in (secret, "pw", "token=abc"))


def test_only_connector_keys_have_webhooks(admin, agent, db_connection):
    ops = admin.post(KEYS, json={"name": "ops", "role": "admin"}).json
    refused = admin.put(webhook(ops["id"]), json={"url": HOOK})
    assert refused.status_code == 409
    assert "only connector keys" in refused.json["detail"]
    revoked = admin.post(KEYS, json={"name": "old-pbx", "role": "connector"}).json
    admin.delete(f"{KEYS}/{revoked['id']}")
    assert admin.put(webhook(revoked["id"]), json={"url": HOOK}).status_code == 404
    assert admin.put(webhook(999999), json={"url": HOOK}).status_code == 404
    # An agent's token is no API key: it is not listed, and has no webhook.
    agent_token = db_connection.scalar(sa.select(ApiToken.id).where(ApiToken.agent_id == "alice"))
    assert admin.put(webhook(agent_token), json={"url": HOOK}).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({}, "url"), ({"url": "ftp://chat.example.com/hook"}, "url"),
    ({"url": "javascript:alert(1)"}, "url"), ({"url": "not a url"}, "url"),
    ({"url": "https://chat.example.com/" + "a" * 2000}, "url"),
    ({"url": HOOK, "secret": "mine"}, "secret"),
])
def test_the_webhook_is_checked(admin, key_id, body, field):
    response = admin.put(webhook(key_id), json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert list(response.json["errors"]) == [field]
