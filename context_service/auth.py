"""Who is calling: bearer tokens, roles, and the checks routes declare.

Every route under /api answers 401 without a valid token unless it is listed
in PUBLIC_ENDPOINTS; routes then say which roles may call them with `@roles`.
Tokens are random, shown once, and stored only as SHA-256 digests.
"""

import functools
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, g, request

from .errors import Forbidden, Unauthorized
from .extensions import db
from .models import ApiToken, utcnow

# Sign-in takes credentials in its body; the stream authenticates with its first frame.
PUBLIC_ENDPOINTS = {
    "health.healthz", "health.readyz", "api-docs.openapi_json", "api-docs.openapi_swagger_ui",
    "docs.asset",
    "auth.Login", "auth.FinesseLogin", "stream.stream",
}
TOKEN_PREFIX = "cct_"  # noqa: S105 - a public marker, not a secret


@dataclass(frozen=True)
class Principal:
    role: str
    name: str
    agent_id: str | None = None
    key_id: int | None = None  # the ApiToken row (None for the bootstrap admin)
    # Connector keys: sources whose contacts it may act on whoever reported them.
    shared_sources: tuple[str, ...] = ()

    @property
    def actor(self) -> str:
        """The label written to audit entries and `updated_by`."""
        return self.agent_id or f"{self.role}:{self.name}"

    @property
    def identity(self) -> str:
        """Who this is across tokens: an agent by its id, a key by its row."""
        if self.agent_id:
            return f"agent:{self.agent_id}"
        return f"key:{self.key_id}" if self.key_id else f"{self.role}:{self.name}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session, *, name: str, role: str, agent_id: str | None = None,
                expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token row; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, role=role, agent_id=agent_id, token_hash=hash_token(token),
                   expires_at=expires_at)
    session.add(row)
    session.flush()
    return row, token


class TokenCache:
    """This process's recently seen tokens, so a request does not look its token up.

    Entries live TOKEN_CACHE_SECONDS at most (never past the token's expiry), and go at
    once when a `session.revoked` message says their agent or key lost its tokens: that
    message reaches every process (push.py), so a revocation holds everywhere.
    """

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]

    def put(self, digest: str, principal: Principal, expires_at: datetime | None) -> None:
        lifetime = self.ttl
        if expires_at is not None:
            lifetime = min(lifetime, (expires_at - utcnow()).total_seconds())
        if lifetime > 0:
            with self._lock:
                self._entries[digest] = (principal, time.monotonic() + lifetime)

    def on_message(self, message: dict) -> None:
        """Push hub listener: forget the tokens a revocation or a key's change names."""
        if message.get("type") not in ("session.revoked", "session.changed"):
            return
        agent_id, key_ids = message.get("agent_id"), set(message.get("key_ids") or ())
        with self._lock:
            for digest, (principal, _until) in list(self._entries.items()):
                if (agent_id and principal.agent_id == agent_id) or principal.key_id in key_ids:
                    del self._entries[digest]


def init_app(app) -> None:
    cache = TokenCache(app.config["TOKEN_CACHE_SECONDS"])
    app.extensions["tokens"] = cache
    app.extensions["push"]["hub"].listeners.append(cache.on_message)


def revoked_message(agent_id: str | None = None, key_ids=(), kind="revoked") -> dict:
    """What a revocation announces: every process forgets the tokens, streams close.

    `kind="changed"`: a key's rights changed; processes look it up again, nothing closes.
    """
    return {"type": f"session.{kind}", "id": agent_id or f"keys:{sorted(key_ids)}",
            "agent_id": agent_id, "key_ids": sorted(key_ids)}


def principal_for_token(session, token: str) -> Principal | None:
    admin_token = current_app.config.get("CONTEXT_ADMIN_TOKEN")
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal(role="admin", name="bootstrap")
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(token)
    cache: TokenCache = current_app.extensions["tokens"]
    if (principal := cache.get(digest)) is not None:
        return principal
    now = utcnow()
    row = session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == digest,
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    )
    if row is None:
        return None
    principal = Principal(role=row.role, name=row.name, agent_id=row.agent_id, key_id=row.id,
                          shared_sources=tuple(row.shared_sources or ()))
    cache.put(digest, principal, row.expires_at)
    return principal


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def answer_preflight():
    """before_request hook: a CORS preflight of a known route is 204, never 401."""
    if (request.method == "OPTIONS" and request.endpoint is not None
            and "Access-Control-Request-Method" in request.headers):
        return current_app.response_class(status=204)
    return None


def authenticate() -> None:
    """before_request hook: resolve the caller of every non-public /api route."""
    g.principal = None
    if not request.path.startswith("/api/") or request.endpoint in PUBLIC_ENDPOINTS:
        return
    if request.endpoint is None:
        return  # unknown URL: let routing answer 404
    token = bearer_token()
    principal = token and principal_for_token(db.session, token)
    if not principal:
        detail = ("A valid bearer token is required." if token
                  else "Authorization: Bearer <token> is missing.")
        raise Unauthorized(
            detail,
            headers={"WWW-Authenticate": 'Bearer realm="customer-context"'},
        )
    g.principal = principal


def current_principal() -> Principal:
    return g.principal


def roles(*allowed: str):
    """Allow only these roles to call the decorated view method."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            principal = g.get("principal")
            if principal is None:
                raise Unauthorized("Authorization: Bearer <token> is missing.")
            if principal.role not in allowed:
                raise Forbidden(f"The {principal.role} role may not do this.")
            return view(*args, **kwargs)

        wrapper.allowed_roles = allowed
        return wrapper

    return decorate


def require_agent() -> Principal:
    """The caller must act as a named agent (agent tokens always do)."""
    principal = current_principal()
    if principal.agent_id is None:
        raise Forbidden("This needs an agent's token: it works on that agent's own lists.")
    return principal
