"""Helpers for the gadget's browser tests: sign in as an agent, set up data over the API.

Data that is not what the test is about (customers, requests, contacts) is
made over the REST API; what the agent does is done in the page.
"""

from playwright.sync_api import Page, expect

from tests.conftest import FINESSE_USERS

PASSWORD = "agent-password-1"


def sign_in(page: Page, server, agent_id: str, path: str = "/gadget/index.html") -> str:
    """Create the agent with a password, sign in with the form; returns an API token."""
    token = server.agent_token(agent_id, password=PASSWORD)
    page.goto(server.url + path)
    page.get_by_test_id("signin-agent").fill(agent_id)
    page.get_by_test_id("signin-password").fill(PASSWORD)
    page.locator("[data-action=sign-in]").click()
    expect(page.get_by_test_id("tab-open")).to_be_visible()
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    return token


def customer(server, **fields) -> dict:
    return server.admin("POST", "/api/v1/customers", fields)


def add_request(server, customer_id: int, title: str = "", description: str = "") -> dict:
    return server.admin("POST", f"/api/v1/customers/{customer_id}/requests",
                        {"title": title, "description": description})


def get(server, path: str) -> dict:
    return server.admin("GET", path)


def call_in(server, agent_id: str, **fields) -> dict:
    """A connector reports that `agent_id` accepted a call; returns the activity."""
    return server.post_event(server.connector_token(), "accepted", agent_id=agent_id,
                             **fields)["activity"]


def shown_name(page: Page):
    return page.get_by_test_id("customer-name")


def sign_in_to_finesse(page: Page, finesse, agent: str = "fin1001", locale: str = "en_US"):
    """The agent signs in to the Finesse stand-in's desktop; returns the gadget's frame."""
    password = next(u.password for u in FINESSE_USERS if u.login_id == agent)
    page.goto(finesse.desktop_url)
    signin = page.get_by_test_id("desktop-signin")
    signin.locator("[name=username]").fill(agent)
    signin.locator("[name=password]").fill(password)
    signin.locator("[name=locale]").select_option(locale)
    signin.get_by_role("button", name="Sign In").click()
    expect(page.get_by_test_id("desktop-agent")).to_contain_text(agent)
    return page.frame_locator("#gadget_0")
