"""Connector webhooks (R16): where a connector's agent replies are POSTed, and how they are signed.

The signing secret is never stored: it is HMAC-SHA256(SECRET_KEY, "webhook|<key id>|<salt>"),
so the database alone cannot sign, and it is shown once, when the webhook is set. Setting
the webhook again draws a new salt, which is how the secret is rotated.
"""

import hashlib
import hmac
import secrets
import socket
from urllib.parse import urlsplit, urlunsplit

from flask import current_app

from .. import destinations
from ..errors import Conflict, NotFound, Unprocessable
from ..models import ApiToken, utcnow
from . import audit


def signing_secret(secret_key: str, key_id: int, salt: str) -> str:
    return hmac.new(secret_key.encode(), f"webhook|{key_id}|{salt}".encode(),
                    hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-CC-Signature value: covers the timestamp, so a captured request goes stale."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={digest.hexdigest()}"


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
    secret = signing_secret(current_app.config["SECRET_KEY"], key.id, key.webhook_salt)
    return {**get(session, key_id), "secret": secret}


def delete(session, key_id: int, actor: str) -> None:
    """Remove the webhook; replies still pending are then kept for the connector to GET."""
    key = _connector_key(session, key_id)
    if key.webhook_url is not None:
        key.webhook_url = key.webhook_salt = key.webhook_set_at = None
        audit.add(session, actor, "api_key", key.id, "remove-webhook")
