"""Finesse sign-in: the agent's own Finesse credentials, checked by Finesse itself.

The gadget sends the Authorization value Finesse gave it (Basic or SSO
Bearer); we ask `{FINESSE_URL}/finesse/api/User/{id}` with it and, when
Finesse says yes, issue our own agent token. The credential is never stored
or logged.
"""

import ssl
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET  # noqa: N817

from flask import current_app

from .errors import Problem, Unauthorized


class FinesseUnavailable(Problem):
    status, title = 502, "Bad gateway"


class FinesseNotConfigured(Problem):
    status, title = 404, "Not found"


def _ssl_context():
    ca_file = current_app.config.get("FINESSE_CA_FILE")
    return ssl.create_default_context(cafile=ca_file) if ca_file else None


def verify_user(agent_id: str, authorization: str) -> str:
    """Ask Finesse whether these credentials are this agent's; returns the agent's name."""
    base = current_app.config.get("FINESSE_URL")
    if not base:
        raise FinesseNotConfigured("Finesse sign-in is not configured (FINESSE_URL).")
    url = f"{base.rstrip('/')}/finesse/api/User/{urllib.parse.quote(agent_id, safe='')}"
    req = urllib.request.Request(url, headers={"Authorization": authorization,  # noqa: S310
                                               "Accept": "application/xml"})
    try:
        with urllib.request.urlopen(req, timeout=5, context=_ssl_context()) as resp:  # noqa: S310
            body = resp.read(256 * 1024)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403, 404):
            raise Unauthorized("Finesse did not accept these credentials.") from exc
        raise FinesseUnavailable(f"Finesse answered {exc.code}.") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FinesseUnavailable("Finesse could not be reached.") from exc
    return _name_from_user_xml(body) or agent_id


def _name_from_user_xml(body: bytes) -> str | None:
    try:
        root = ET.fromstring(body)  # noqa: S314 - Finesse is a configured, trusted server
    except ET.ParseError:
        return None
    parts = [root.findtext(tag) for tag in ("firstName", "lastName")]
    return " ".join(p for p in parts if p) or None
