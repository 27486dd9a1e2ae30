"""Who is calling: bearer tokens, roles, and the checks routes declare.

Every route under /api answers 401 without a valid token unless it is listed
in PUBLIC_ENDPOINTS; routes then say which roles may call them with `@roles`.
Tokens are random, shown once, and stored only as SHA-256 digests.
"""

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, g, request

from .errors import Forbidden, Unauthorized
from .extensions import db
from .models import ApiToken, utcnow

# Sign-in takes credentials in its body; the stream authenticates with its first frame.
PUBLIC_ENDPOINTS = {
    "health.healthz", "health.readyz", "api-docs.openapi_json",
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


def principal_for_token(session, token: str) -> Principal | None:
    admin_token = current_app.config.get("CONTEXT_ADMIN_TOKEN")
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal(role="admin", name="bootstrap")
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = utcnow()
    row = session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    )
    if row is None:
        return None
    return Principal(role=row.role, name=row.name, agent_id=row.agent_id, key_id=row.id,
                     shared_sources=tuple(row.shared_sources or ()))


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
