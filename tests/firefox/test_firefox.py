"""R20 in Firefox: the gadget's main agent flows in Debian's firefox-esr (flows.mjs, driven by
puppeteer-core over WebDriver BiDi) against a live gunicorn of its own.

Skipped when firefox-esr, node or tests/firefox/node_modules is missing, unless
REQUIRE_BROWSER=1 (CI), which fails instead. `make test` installs all three.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ADMIN_TOKEN, FINESSE_USERS, gadget_server, on_finesse_desktop
from tests.live import ROOT, WebhookReceiver
from tests.standins.finesse.dialogs import voice_call

HERE = Path(__file__).resolve().parent
FIREFOX = os.environ.get("FIREFOX", "/usr/bin/firefox-esr")
ARTIFACTS = ROOT / "test-artifacts" / "firefox"
PASSWORD = "firefox-agent-password-1"
FLOWS = [
    "sign in",
    "a call arrives and the gadget shows the customer",
    "edit and save the customer",
    "two agents change the customer: the second save gets the conflict view",
    "close a call from the Open list, saving the changes left",
    "Care: go Ready, a chat is offered, accept it",
    "chat both ways",
    "close the chat from the Open list: its task completes",
    "an email is offered and Alt+Shift+A accepts it",
    "in the Finesse desktop: a call rings and the gadget shows the caller",
]
FINESSE_AGENT = FINESSE_USERS[0]
# Firefox's start and the flows take 25-40 s here; flows.mjs gives up after 180 s itself.
RUN_TIMEOUT = 240

pytestmark = [pytest.mark.browser, pytest.mark.live]


def missing() -> str | None:
    if not os.access(FIREFOX, os.X_OK):
        return f"{FIREFOX} is missing (apt-get install firefox-esr, or make test as root)"
    if not shutil.which("node"):
        return "node is missing"
    if not (HERE / "node_modules" / "puppeteer-core").is_dir():
        return "tests/firefox/node_modules is missing (npm ci in tests/firefox, or make test)"
    return None


@pytest.fixture(scope="module")
def firefox_server(own_database, finesse_standin):
    """A server of its own: replies are delivered to webhooks at once (the shared one
    delivers none), and on SQLite its pushes and offers stay with its own database.
    The Finesse stand-in's desktop may host its gadget."""
    reason = missing()
    if reason:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{reason}, and REQUIRE_BROWSER is set")
        pytest.skip(reason)
    url, _engine = own_database
    server = gadget_server(url, finesse_standin, origins=[finesse_standin.desktop_origin],
                           OFFER_TIMEOUT_SECONDS=30,
                           WEBHOOK_POLL_SECONDS=0.2, WEBHOOK_RETRY_SECONDS=0.2)
    yield server
    server.stop()


@pytest.fixture
def server(firefox_server, own_database, finesse_standin):
    """The server, empty, and the Finesse desktop showing its gadget with no calls."""
    yield from on_finesse_desktop(firefox_server, own_database[1], finesse_standin)


@pytest.fixture
def webhook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


def finesse_settings(finesse) -> str:
    call = voice_call("16804377", "+14155550100", FINESSE_AGENT.extension)
    answer = {"state": "ACTIVE", "participants": [
        {**p, "state": "ACTIVE", "actions": ["HOLD", "DROP"] if p["mediaAddressType"] else []}
        for p in call["participants"]]}
    return json.dumps({"desktop": finesse.desktop_url, "control": finesse.url,
                       "agent": FINESSE_AGENT.login_id, "password": FINESSE_AGENT.password,
                       "call": call, "answer": answer})


def test_main_agent_flows_in_firefox(server, webhook, finesse_standin):
    for agent_id in ("alice", "bob"):
        server.agent_token(agent_id, password=PASSWORD)
    key = server.admin("POST", "/api/v1/admin/api-keys", {"name": "pbx", "role": "connector"})
    server.admin("PUT", f"/api/v1/admin/api-keys/{key['id']}/webhook", {"url": webhook.url})

    env = {
        **os.environ,
        "CC_URL": server.url,
        "CC_ADMIN_TOKEN": ADMIN_TOKEN,
        "CC_CONNECTOR_TOKEN": key["token"],
        "CC_AGENTS": "alice,bob",
        "CC_PASSWORD": PASSWORD,
        "FIREFOX": FIREFOX,
        "CC_ARTIFACTS": str(ARTIFACTS),
        "CC_FINESSE": finesse_settings(finesse_standin),
    }
    node = subprocess.Popen(["node", str(HERE / "flows.mjs")], cwd=HERE, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = node.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        node.terminate()  # puppeteer closes Firefox when node is terminated
        try:
            output, _ = node.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            node.kill()
            output, _ = node.communicate()
        pytest.fail(f"flows.mjs did not finish in {RUN_TIMEOUT} s:\n{output}")
    print(output)
    assert node.returncode == 0, f"Firefox flows failed (exit {node.returncode}):\n{output}"
    passed = [line[5:].rsplit(" (", 1)[0] for line in output.splitlines()
              if line.startswith("ok   ")]
    assert passed == FLOWS, output

    # The reply the agent sent in Firefox reached the connector's webhook, once.
    [reply_id] = [line.split()[1] for line in output.splitlines() if line.startswith("  reply ")]
    [received] = webhook.of(reply_id)
    body = json.loads(received.body)
    assert (body["text"], body["author"]) == ("Let me check.\nOne moment, please.", "alice")
