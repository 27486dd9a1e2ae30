"""Agents, API keys and sign-in. Passwords and tokens are only ever stored hashed."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from .. import push
from ..auth import issue_token, revoked_message
from ..errors import Conflict, Forbidden, NotFound, Unauthorized
from ..models import Agent, ApiToken, Task, utcnow
from . import audit, routing

# Compared against when the agent does not exist, so timing does not reveal which ids exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def describe(session, principal) -> dict:
    """The caller as /me shows it: an agent by the name it was created with."""
    agent = session.get(Agent, principal.agent_id) if principal.agent_id else None
    return {"id": principal.agent_id or principal.name,
            "name": agent.name if agent else principal.name, "role": principal.role}


def list_keys(session) -> list[ApiToken]:
    return list(session.scalars(
        sa.select(ApiToken).where(ApiToken.agent_id.is_(None)).order_by(ApiToken.id)
    ))


def create_key(session, name: str, role: str, actor: str,
               shared_sources: list[str] = ()) -> tuple[ApiToken, str]:
    row, token = issue_token(session, name=name, role=role)
    row.shared_sources = sorted(set(shared_sources))
    audit.add(session, actor, "api_key", row.id, "create",
              changes={"name": name, "role": role, "shared_sources": row.shared_sources})
    return row, token


def share_sources(session, key_id: int, sources: list[str], actor: str) -> ApiToken:
    """Which sources' contacts a connector key may act on besides its own."""
    row = session.get(ApiToken, key_id)
    if row is None or row.agent_id is not None or row.revoked_at is not None:
        raise NotFound(f"API key {key_id} does not exist or is revoked.")
    if row.role != "connector" and sources:
        raise Conflict(f"API key {key_id} is an {row.role} key: only connector keys share "
                       "sources.")
    before, row.shared_sources = row.shared_sources, sorted(set(sources))
    audit.add(session, actor, "api_key", row.id, "share-sources",
              changes={"shared_sources": [before, row.shared_sources]})
    push.emit(session, revoked_message(key_ids=[row.id], kind="changed"))
    return row


def revoke_key(session, key_id: int, actor: str) -> None:
    row = session.get(ApiToken, key_id)
    if row is None or row.agent_id is not None:
        raise NotFound(f"API key {key_id} does not exist.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.add(session, actor, "api_key", row.id, "revoke")
        push.emit(session, revoked_message(key_ids=[row.id]))


# --- an agent's tokens (its signed-in sessions) ----------------------------------------------

def agent_tokens(session, agent_id: str) -> list[ApiToken]:
    """The agent's tokens, newest first, revoked and expired ones too (never their secrets)."""
    get_agent(session, agent_id)
    return list(session.scalars(sa.select(ApiToken).where(ApiToken.agent_id == agent_id)
                                .order_by(ApiToken.id.desc())))


def revoke_agent_tokens(session, agent_id: str, actor: str, token_id: int | None = None) -> int:
    """End the agent's sessions (one, or all): its streams close, its next call is 401."""
    get_agent(session, agent_id)
    stmt = sa.select(ApiToken).where(ApiToken.agent_id == agent_id,
                                     ApiToken.revoked_at.is_(None))
    if token_id is not None:
        if session.scalar(sa.select(ApiToken.id).where(ApiToken.id == token_id,
                                                       ApiToken.agent_id == agent_id)) is None:
            raise NotFound(f"Agent {agent_id!r} has no token {token_id}.")
        stmt = stmt.where(ApiToken.id == token_id)
    rows = list(session.scalars(stmt))
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    if rows:
        ids = [row.id for row in rows]
        audit.add(session, actor, "agent", agent_id, "revoke-tokens", changes={"token_ids": ids})
        push.emit(session, revoked_message(agent_id, ids if token_id is not None else ()))
    return len(rows)


def update_agent(session, agent_id: str, data: dict, actor: str) -> Agent:
    """Rename, set a new password, disable (sessions end, no sign-in) or enable again."""
    agent = get_agent(session, agent_id)
    changes = {}
    if "name" in data and data["name"] != agent.name:
        changes["name"] = [agent.name, data["name"]]
        agent.name = data["name"]
    if "password" in data:
        agent.password_hash = generate_password_hash(data["password"])
        changes["password_changed"] = True
    if "disabled" in data and data["disabled"] != (agent.disabled_at is not None):
        changes["disabled"] = data["disabled"]
        if data["disabled"]:
            agent.disabled_at = utcnow()
            routing.set_state(session, agent.id, "not_ready", "disabled", actor)
            revoke_agent_tokens(session, agent.id, actor)
        else:
            agent.disabled_at = None
    if changes:
        audit.add(session, actor, "agent", agent.id, "update", changes=changes)
    return agent


def delete_agent(session, agent_id: str, actor: str) -> None:
    """Remove the agent and its tokens; its history (activities, audit) keeps its id.

    An agent still handling routed tasks is not removed: they would be nobody's.
    """
    agent = get_agent(session, agent_id)
    active = session.scalar(sa.select(sa.func.count()).select_from(Task).where(
        Task.agent_id == agent_id, Task.status == "active"))
    if active:
        raise Conflict(f"Agent {agent_id!r} is handling {active} task(s); they must be closed "
                       "first.")
    routing.set_state(session, agent.id, "not_ready", "deleted", actor)
    session.delete(agent)
    audit.add(session, actor, "agent", agent_id, "delete")
    push.emit(session, revoked_message(agent_id))


def list_agents(session) -> list[Agent]:
    return list(session.scalars(sa.select(Agent).order_by(Agent.id)))


def create_agent(session, data: dict, actor: str) -> Agent:
    if session.get(Agent, data["id"]) is not None:
        raise Conflict(f"Agent {data['id']!r} already exists.")
    password = data.get("password")
    agent = Agent(id=data["id"], name=data["name"],
                  password_hash=generate_password_hash(password) if password else None)
    session.add(agent)
    session.flush()
    audit.add(session, actor, "agent", agent.id, "create", changes={"name": agent.name})
    return agent


def get_agent(session, agent_id: str) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(f"Agent {agent_id!r} does not exist.")
    return agent


def ensure_agent(session, agent_id: str, name: str | None = None) -> Agent:
    """The agent row, created on first sight (host desktops know their agents)."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        agent = Agent(id=agent_id, name=name or agent_id)
        session.add(agent)
        session.flush()
    return agent


def issue_agent_token(session, agent_id: str, actor: str | None = None):
    agent = get_agent(session, agent_id)
    if agent.disabled_at is not None:
        raise Forbidden(f"Agent {agent_id!r} is disabled.")
    expires_at = utcnow() + timedelta(seconds=current_app.config["AGENT_TOKEN_TTL_SECONDS"])
    row, token = issue_token(session, name=f"agent:{agent.id}", role="agent",
                             agent_id=agent.id, expires_at=expires_at)
    if actor:
        audit.add(session, actor, "agent", agent.id, "issue-token", changes={"token_id": row.id})
    return token, expires_at


def login(session, agent_id: str, password: str):
    agent = session.get(Agent, agent_id)
    stored = agent.password_hash if agent is not None and agent.password_hash else _DUMMY_HASH
    if (not check_password_hash(stored, password) or stored is _DUMMY_HASH
            or agent.disabled_at is not None):  # a disabled agent learns nothing more
        raise Unauthorized("Unknown agent or wrong password.")
    return issue_agent_token(session, agent.id)
