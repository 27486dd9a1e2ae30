"""Finesse sign-in: the agent's own Finesse credentials, checked by Finesse itself.

The gadget sends the Authorization value Finesse gave it (Basic, or Bearer where Finesse
signs agents in with SSO); we ask `{FINESSE_URL}/finesse/api/User/{id}` with it, and issue
our own agent token only when the User Finesse returns is the agent asked for *and* the
one the credentials belong to: Finesse lets administrators and supervisors read other
users, which must not make them those agents here. FINESSE_URL may list several nodes
(primary, secondary); one that cannot be reached is skipped. The credential is never
stored or logged.
"""

import base64
import binascii
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from defusedxml import ElementTree
from flask import current_app

from .errors import Forbidden, Problem, Unauthorized


class FinesseUnavailable(Problem):
    status, title = 502, "Bad gateway"


class FinesseNotConfigured(Problem):
    status, title = 404, "Not found"


class _NodeDown(Exception):
    """This node cannot answer now; another may."""


@dataclass(frozen=True)
class FinesseUser:
    login_id: str
    login_name: str
    name: str

    def is_named(self, name: str) -> bool:
        """Finesse knows a user by loginId, and by loginName in any case."""
        return name == self.login_id or (bool(self.login_name)
                                         and name.casefold() == self.login_name.casefold())


def nodes() -> list[str]:
    raw = current_app.config.get("FINESSE_URL") or ""
    return [url.strip().rstrip("/") for url in raw.split(",") if url.strip()]


def verify_user(agent_id: str, authorization: str) -> FinesseUser:
    """The Finesse user these credentials prove to be `agent_id`, or a Problem."""
    urls = nodes()
    if not urls:
        raise FinesseNotConfigured("Finesse sign-in is not configured (FINESSE_URL).")
    for base in urls:
        try:
            user = _get_user(base, agent_id, authorization)
        except _NodeDown:
            continue
        _check_identity(user, agent_id, authorization)
        return user
    raise FinesseUnavailable("No Finesse server could be reached." if len(urls) == 1 else
                             f"None of the {len(urls)} Finesse servers could be reached.")


def _ssl_context():
    ca_file = current_app.config.get("FINESSE_CA_FILE")
    return ssl.create_default_context(cafile=ca_file) if ca_file else None


def _get_user(base: str, agent_id: str, authorization: str) -> FinesseUser:
    url = f"{base}/finesse/api/User/{urllib.parse.quote(agent_id, safe='')}"
    req = urllib.request.Request(url, headers={"Authorization": authorization,  # noqa: S310
                                               "Accept": "application/xml"})
    timeout = current_app.config["FINESSE_TIMEOUT_SECONDS"]
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=_ssl_context()) as resp:  # noqa: S310
            body = resp.read(256 * 1024)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 404):
            raise Unauthorized("Finesse did not accept these credentials for this agent.") from exc
        if exc.code == 403:
            raise Forbidden(f"These credentials may not act as agent {agent_id!r}.") from exc
        if exc.code >= 500:  # a node out of service (the secondary answers 503 while idle)
            raise _NodeDown from exc
        raise FinesseUnavailable(f"Finesse answered {exc.code}.") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise _NodeDown from exc
    return _parse_user(body)


def _parse_user(body: bytes) -> FinesseUser:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise FinesseUnavailable("Finesse answered something that is not a User.") from exc
    text = {tag: (root.findtext(tag) or "").strip()
            for tag in ("loginId", "loginName", "firstName", "lastName")}
    if root.tag != "User" or not text["loginId"]:
        raise FinesseUnavailable("Finesse answered something that is not a User.")
    name = " ".join(p for p in (text["firstName"], text["lastName"]) if p)
    return FinesseUser(text["loginId"], text["loginName"], name or text["loginId"])


def _basic_user(authorization: str) -> str | None:
    scheme, _, value = authorization.partition(" ")
    if scheme != "Basic":
        return None
    try:
        return base64.b64decode(value, validate=True).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return None


def _check_identity(user: FinesseUser, agent_id: str, authorization: str) -> None:
    """The User read must be the agent asked for, and the one the credentials are.

    Basic credentials name their user, so an administrator's or supervisor's are told
    apart. An SSO token is encrypted by Cisco IdS: there, what Finesse lets it read is
    all we know (see the README).
    """
    if not user.is_named(agent_id):
        raise Unauthorized("Finesse answered for another user.")
    holder = _basic_user(authorization)
    if holder is not None and not user.is_named(holder):
        raise Forbidden(f"These are {holder!r}'s Finesse credentials; sign in as "
                        f"agent {agent_id!r} with that agent's own.")
