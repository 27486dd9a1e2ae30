"""Demo data for `make run`: a demo agent, a demo connector key, customers with some history.

The demo credentials are fixed and published (README, demo page), like any demo login:
`seed-demo` is for a local trial, never for a production database.
"""

from datetime import timedelta

import sqlalchemy as sa

from .auth import hash_token
from .domain import activities, agents, customers, requests
from .models import Activity, Agent, ApiToken, utcnow

DEMO_AGENT = ("demo", "Demo Agent", "demo-password")
# A second agent, to try concurrent edits: the demo desktop at /?agent=demo2 in another window.
SECOND_AGENT = ("demo2", "Second Demo Agent", "demo2-password")
# The demo desktop queues contacts and chats as the customer with this connector key.
DEMO_CONNECTOR_TOKEN = "cct_demo-connector-token"  # noqa: S105 - a published demo credential
SEED = "seed"

CUSTOMERS = [
    {"first_name": "Ada", "last_name": "Lovelace", "phones": ["+1 415 555 0100"],
     "emails": ["ada@example.com"], "city": "London", "preferred_language": "en",
     "history": [("Billing question", "Asked about the October invoice.", "voice",
                  ["billing"], "Explained the pro-rated charge.")]},
    {"first_name": "Grace", "last_name": "Hopper", "emails": ["grace.hopper@example.com"],
     "phones": ["+1 415 555 0142"], "city": "Arlington", "preferred_language": "en",
     "history": [("Router keeps rebooting", "Firmware 2.1 on the home router.", "email",
                  ["hardware", "router"], "Sent the firmware 2.2 link.")]},
    {"first_name": "Alan", "last_name": "Turing", "phones": ["+1 415 555 0199"],
     "city": "Manchester", "preferred_language": "en", "history": []},
]


def seed(session) -> bool:
    """Create the demo agent, connector and customers once; False if they already exist."""
    _seed_connector(session)
    if session.get(Agent, SECOND_AGENT[0]) is None:
        agent_id, name, password = SECOND_AGENT
        agents.create_agent(session, {"id": agent_id, "name": name, "password": password}, SEED)
    if session.get(Agent, DEMO_AGENT[0]) is not None:
        return False
    agent_id, name, password = DEMO_AGENT
    agents.create_agent(session, {"id": agent_id, "name": name, "password": password}, SEED)
    for number, spec in enumerate(CUSTOMERS):
        data = {k: v for k, v in spec.items() if k != "history"}
        customer = customers.create(session, data, SEED)
        for title, description, media, tags, note in spec["history"]:
            request = requests.create(session, customer.id, SEED, title, description)
            session.flush()
            when = utcnow() - timedelta(days=1 + number)
            activity = Activity(
                request_id=request.id, customer_id=customer.id, source="demo-seed",
                contact_id=f"seed-{customer.id}-{request.id}", media_type=media,
                state="ended", agent_id=agent_id, started_at=when,
                ended_at=when + timedelta(minutes=7), updated_by=SEED,
                from_address=(customer.phones or customer.emails)[0],
            )
            session.add(activity)
            session.flush()
            for tag in tags:
                activities.add_tag(session, activity, tag, agent_id)
            activities.add_note(session, activity, note, agent_id)
    return True


def _seed_connector(session) -> None:
    digest = hash_token(DEMO_CONNECTOR_TOKEN)
    if session.scalar(sa.select(ApiToken.id).where(ApiToken.token_hash == digest)) is None:
        session.add(ApiToken(name="demo-desktop", role="connector", token_hash=digest))
        session.flush()
