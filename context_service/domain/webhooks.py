"""Connector webhooks (R16): where a connector's agent replies are POSTed, and how they are signed.

The signing key is never stored: it is HMAC-SHA256(SECRET_KEY, "webhook|<key id>|<salt>"),
so the database alone cannot sign, and it is shown once, when the webhook is set. Setting
the webhook again draws a new salt, which is how the secret is rotated.

Deliveries are signed as Standard Webhooks (standardwebhooks.com) specify, with the
reference library: `webhook-id`, `webhook-timestamp`, `webhook-signature`, and the key
shown as `whsec_<base64>`. The older `X-CC-Signature` (hex HMAC of "<timestamp>.<body>" with
the hex key as `legacy_secret`) is sent for one more release, deprecated.
"""

import base64
import hashlib
import hmac
import secrets
import socket
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from standardwebhooks import Webhook

from .. import destinations
from ..errors import Conflict, NotFound, Unprocessable
from ..models import ApiToken, utcnow
from . import audit


def signing_key(secret_key: str, key_id: int, salt: str) -> bytes:
    return hmac.new(secret_key.encode(), f"webhook|{key_id}|{salt}".encode(),
                    hashlib.sha256).digest()


def shown_secrets(key: bytes) -> dict:
    """What the admin is shown once: the Standard Webhooks secret, and the deprecated one."""
    return {"secret": "whsec_" + base64.b64encode(key).decode(), "legacy_secret": key.hex()}


def signed_headers(key: bytes, message_id: str, attempt: int, timestamp: int,
                   body: bytes) -> dict:
    """The headers of one delivery attempt; the timestamp is signed, so a captured request
    goes stale, and the id stays the same across retries, so receivers drop duplicates."""
    standard = Webhook(key).sign(message_id, datetime.fromtimestamp(timestamp, UTC),
                                 body.decode())
    legacy = hmac.new(key.hex().encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": standard,
        "X-CC-Attempt": str(attempt),  # 1, 2...: how many times this id was sent
        # Deprecated, sent for one more release: the earlier names and signature.
        "X-CC-Message-Id": message_id,
        "X-CC-Timestamp": str(timestamp),
        "X-CC-Signature": f"v1={legacy.hexdigest()}",
    }


def _connector_key(session, key_id: int) -> ApiToken:
    key = session.get(ApiToken, key_id)
    if key is None or key.agent_id is not None or key.revoked_at is not None:
        raise NotFound(f"API key {key_id} does not exist or is revoked.")
    if key.role != "connector":
        raise Conflict(f"API key {key_id} is an {key.role} key: only connector keys have "
                       "webhooks.")
    return key


def _shown(url: str) -> str:
    """The URL for the audit trail: without user info, query or fragment, which may hold
    credentials."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def get(session, key_id: int) -> dict:
    key = _connector_key(session, key_id)
    if key.webhook_url is None:
        raise NotFound(f"API key {key_id} has no webhook.")
    return {"url": key.webhook_url, "set_at": key.webhook_set_at}


def check_destination(url: str) -> None:
    """422 for a URL that names or resolves to an internal address (see destinations.py).

    A name that does not resolve now is accepted: delivery checks it again anyway.
    """
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        destinations.resolve(parts.hostname or "", port,
                             current_app.config["WEBHOOK_ALLOWED_NETWORKS"])
    except destinations.BlockedDestination as exc:
        raise Unprocessable(f"Webhooks may not reach internal addresses: {exc}",
                            errors={"url": ["An internal address (loopback, private, "
                                            "link-local, multicast or metadata)."]}) from exc
    except ValueError as exc:
        raise Unprocessable("The webhook URL's host or port is not valid.",
                            errors={"url": ["Not a valid host or port."]}) from exc
    except (socket.gaierror, UnicodeError):
        pass


def put(session, key_id: int, url: str, actor: str) -> dict:
    """Set (or replace) the webhook with a new secret; the answer is the one place it shows."""
    key = _connector_key(session, key_id)
    check_destination(url)
    key.webhook_url, key.webhook_salt, key.webhook_set_at = url, secrets.token_hex(16), utcnow()
    audit.add(session, actor, "api_key", key.id, "set-webhook", changes={"url": _shown(url)})
    key_bytes = signing_key(current_app.config["SECRET_KEY"], key.id, key.webhook_salt)
    return {**get(session, key_id), **shown_secrets(key_bytes)}


def delete(session, key_id: int, actor: str) -> None:
    """Remove the webhook; replies still pending are then kept for the connector to GET."""
    key = _connector_key(session, key_id)
    if key.webhook_url is not None:
        key.webhook_url = key.webhook_salt = key.webhook_set_at = None
        audit.add(session, actor, "api_key", key.id, "remove-webhook")
