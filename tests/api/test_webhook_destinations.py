"""Webhook URLs cannot reach inside (server-side request forgery): internal addresses are
refused in every spelling when set, and checked again at delivery (DNS rebinding)."""

import ipaddress
import socket

import pytest

from context_service import delivery, destinations
from tests.live import WebhookReceiver

KEYS = "/api/v1/admin/api-keys"


@pytest.fixture
def app_config():
    return {"WEBHOOK_ALLOWED_NETWORKS": []}  # the default: public addresses only


@pytest.fixture
def key_id(admin):
    return admin.post(KEYS, json={"name": "chat", "role": "connector"}).json["id"]


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://127.1/hook", "http://0x7f000001/hook",
    "http://2130706433/hook", "http://0177.0.0.1/hook", "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook", "http://localhost:8000/hook", "http://api.localhost/",
    "http://0.0.0.0/hook", "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/", "http://metadata/",
    "http://10.1.2.3/hook", "http://172.16.0.1/hook", "http://192.168.1.10/hook",
    "http://100.64.0.1/hook", "https://[fe80::1]/hook", "https://[fc00::1]/hook",
    "http://224.0.0.1/hook", "http://[ff02::1]/hook", "http://240.0.0.1/hook",
])
def test_internal_destinations_are_refused_in_every_spelling(admin, key_id, url):
    response = admin.put(f"{KEYS}/{key_id}/webhook", json={"url": url})
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert "url" in response.json["errors"]
    assert admin.get(f"{KEYS}/{key_id}/webhook").status_code == 404  # nothing was set


@pytest.mark.parametrize("url", ["https://93.184.215.14/hook", "https://[2606:4700::1]/hook",
                                 "https://chat.example.com/cc/replies"])
def test_public_destinations_are_fine(admin, key_id, url):
    assert admin.put(f"{KEYS}/{key_id}/webhook", json={"url": url}).status_code == 200


def test_a_site_may_allow_its_internal_network(database_url, engine, db_connection):
    from tests.conftest import ADMIN_TOKEN, Api, make_test_app

    app = make_test_app(database_url, engine, TEST_CONNECTION=db_connection,
                        WEBHOOK_ALLOWED_NETWORKS=[ipaddress.ip_network("10.20.0.0/16")])
    admin = Api(app.test_client(), ADMIN_TOKEN)
    key = admin.post(KEYS, json={"name": "chat", "role": "connector"}).json["id"]
    assert admin.put(f"{KEYS}/{key}/webhook", json={"url": "http://10.20.3.4/h"}).status_code == 200
    assert admin.put(f"{KEYS}/{key}/webhook", json={"url": "http://10.21.3.4/h"}).status_code == 422
    # Metadata stays out of reach unless its own network is named.
    assert admin.put(f"{KEYS}/{key}/webhook",
                     json={"url": "http://169.254.169.254/"}).status_code == 422


def test_delivery_checks_the_address_again(monkeypatch):
    """A name that passed when it was set but resolves inside now (DNS rebinding): refused,
    and the connector is told so without the internal address."""
    receiver = WebhookReceiver()
    try:
        real = socket.getaddrinfo

        def rebound(host, *args, **kwargs):
            return real("127.0.0.1" if host == "hooks.example.com" else host, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebound)
        port = receiver.url.split(":")[2].split("/")[0]
        attempt = delivery.Attempt(row_id=1, number=1, url=f"http://hooks.example.com:{port}/hook",
                                   key=b"k", message_id="m-1", body=b"{}")
        error = delivery._post(attempt, 2.0, destinations.opener([]))
        assert error == "The webhook's address is internal; webhooks may not reach it."
        assert receiver.received == []
        # Allowed where the site lists the network: the same request gets through.
        allowed = destinations.opener([ipaddress.ip_network("127.0.0.0/8")])
        assert delivery._post(attempt, 2.0, allowed) is None
        assert len(receiver.received) == 1
    finally:
        receiver.stop()


def test_delivery_errors_reveal_no_internal_details():
    """What connectors and agents read about a failed attempt names no address or port."""
    attempt = delivery.Attempt(row_id=1, number=1, url="http://127.0.0.1:9/hook", key=b"k",
                               message_id="m-1", body=b"{}")
    allowed = destinations.opener([ipaddress.ip_network("127.0.0.0/8")])
    error = delivery._post(attempt, 2.0, allowed)
    assert error == "The receiver refused the connection."
    assert "127.0.0.1" not in error and "9" not in error
    unresolvable = delivery.Attempt(row_id=1, number=1, url="http://no-such-host.invalid/h",
                                    key=b"k", message_id="m-1", body=b"{}")
    assert delivery._post(unresolvable, 2.0, allowed) == (
        "The webhook's host name could not be resolved.")
