"""Schemathesis against a live server, as each role (issue 9): every operation, every check,
a fixed seed and a bounded number of examples. Any 5xx, any answer that breaks the
document (status, headers, body schema, content type), any invalid JSON fails the suite.

Where an operation's rules go beyond what JSON Schema says (the cross-field rules in its
description, addresses that must parse), a schema-valid request may be refused with 422:
for those operations alone, 422 counts as an accepted answer to valid data.
"""

import re
import subprocess
import sys
import xml.etree.ElementTree as ET  # noqa: N817
from pathlib import Path

import pytest

from tests.conftest import ADMIN_TOKEN, clear_data
from tests.live import LiveServer

pytestmark = pytest.mark.live
ST = Path(sys.executable).with_name("st")
SEED = 20261130
EXAMPLES = 6
# Refusals of schema-valid data that the operations document in words (422), or that hang
# on data the generator cannot know (404 for ids that name nothing, 409 for a conflict).
RULES_BEYOND_SCHEMA = [
    "/api/v1/contact-events", "/api/v1/customers",
    "/api/v1/activities/{activity_id}/move", "/api/v1/activities/{activity_id}/messages",
    "/api/v1/activities/{activity_id}/tags", "/api/v1/me/state",
    "/api/v1/admin/api-keys", "/api/v1/admin/api-keys/{key_id}/webhook",
    "/api/v1/customers/{customer_id}/journey",  # `before` is a cursor the service gave
    # Custom fields an admin run may define (required ones, say) apply to what others write
    # (the PATCHes' own block below takes 422 too: an operation's first block decides).
    "/api/v1/customers/{customer_id}/requests", "/api/v1/admin/fields",
    # An undo may be refused (409); CSV has rules; the customer viewed must exist.
    "/api/v1/customers/merges/{merge_id}/undo", "/api/v1/admin/imports", "/api/v1/me/viewing",
]


@pytest.fixture(scope="module")
def target(own_database):
    """A live server with one of everything, and a token per role."""
    url, engine = own_database
    server = LiveServer(url, ADMIN_TOKEN).start()
    try:
        agent = server.agent_token("alice", password="alice-password")
        connector = server.connector_token()
        customer = server.admin("POST", "/api/v1/customers",
                                {"first_name": "Ann", "phones": ["+1 415 555 0100"]})
        event = server.post_event(connector, agent_id="alice", media_type="chat",
                                  body="Hello", **{"from": "+1 415 555 0100"})
        activity = event["activity"]
        server.call("POST", f"/api/v1/activities/{activity['id']}/tags", {"name": "vip"},
                    token=agent)
        queued = server.post_event(connector, "queued", media_type="chat", queue="support")
        key = server.admin("GET", "/api/v1/admin/api-keys")[0]
        tokens = server.admin("GET", "/api/v1/admin/agents/alice/tokens")
        _, [entry], _ = server.call("GET", "/api/v1/me/open", token=agent)
        dup = server.admin("POST", "/api/v1/customers", {"first_name": "Dup"})
        dup2 = server.admin("POST", "/api/v1/customers", {"first_name": "Dup2"})
        _, merge, _ = server.call("POST", f"/api/v1/customers/{dup['id']}/merge",
                                  {"other_id": dup2["id"], "other_version": dup2["version"]},
                                  token=ADMIN_TOKEN, headers={"If-Match": "*"})
        field = server.admin("POST", "/api/v1/admin/fields",
                             {"entity": "customer", "key": "tier", "type": "string"})
        ids = {"customer_id": customer["id"], "merge_id": merge["id"], "field_id": field["id"],
               "import_id": "fuzz-import", "activity_id": activity["id"],
               "request_id": activity["request_id"], "entry_id": entry["id"],
               "task_id": queued["task"]["id"], "key_id": key["id"], "agent_id": "alice",
               "token_id": tokens[0]["id"], "name": "vip"}
        yield server, {"connector": connector, "agent": agent, "admin": ADMIN_TOKEN}, ids
    finally:
        server.stop()
        clear_data(engine)  # on PostgreSQL the tables are shared with the other tests


def config(token: str, ids: dict) -> str:
    params = "\n".join(f'"{name}" = {value!r}'.replace("'", '"') for name, value in ids.items())
    paths = ", ".join(f'"{path}"' for path in RULES_BEYOND_SCHEMA)
    return f"""
seed = {SEED}
headers = {{ Authorization = "Bearer {token}" }}

[generation]
max-examples = {EXAMPLES}

[parameters]
{params}

[checks.negative_data_rejection]
# A body over MAX_CONTENT_LENGTH is refused whole: 413, as the document says.
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]

[checks.missing_required_header]
# A PATCH without If-Match is 428 Precondition Required (RFC 6585), the status made for it.
expected-statuses = [400, 401, 403, 406, 428]

[[operations]]
include-path = [{paths}]
checks.positive_data_acceptance.expected-statuses = ["2xx", 401, 403, 404, 409, 422]

[[operations]]
# An ETag the generator makes up is well formed, and not the current version: 412.
include-path = ["/api/v1/customers/{{customer_id}}", "/api/v1/requests/{{request_id}}",
                "/api/v1/admin/fields/{{field_id}}"]
include-method = "PATCH"
checks.positive_data_acceptance.expected-statuses = ["2xx", 401, 403, 404, 409, 412, 422]

[[operations]]
# The survivor's If-Match as above; the other side's version in the body, 412 alike.
# (No include-method: a block's filters are either-or, and POST would take in sign-in too.)
include-path = ["/api/v1/customers/{{customer_id}}/merge"]
checks.positive_data_acceptance.expected-statuses = ["2xx", 401, 403, 404, 409, 412, 422]

[[operations]]
# Sign-in is rate limited (documented 429): the coverage phase's wrong passwords use it up;
# Finesse sign-in is 404 where FINESSE_URL is not set.
include-path = ["/api/v1/auth/login", "/api/v1/auth/finesse"]
checks.positive_data_acceptance.expected-statuses = ["2xx", 401, 403, 404, 429]
"""


# In this order: the admin's run deletes things (a customer, keys, agents).
@pytest.mark.parametrize("role", ["connector", "agent", "admin"])
def test_the_api_keeps_its_document_for_every_role(target, role, tmp_path):
    server, tokens, ids = target
    (tmp_path / "schemathesis.toml").write_text(config(tokens[role], ids))
    report = tmp_path / "junit.xml"
    run = subprocess.run(
        [str(ST), "--config-file", str(tmp_path / "schemathesis.toml"), "run",
         f"{server.url}/api/openapi.json", "--checks", "all", "--workers", "1",
         "--phases", "examples,coverage,fuzzing", "--no-color",
         "--report", "junit", "--report-junit-path", str(report)],
        capture_output=True, text=True, timeout=600,
        cwd=tmp_path)  # its example cache stays out of the checkout
    cases = re.search(r"(\d+) generated", run.stdout)
    failures = sum(len(case.findall("failure")) + len(case.findall("error"))
                   for case in ET.parse(report).getroot().iter("testcase"))  # noqa: S314
    print(f"{role}: {cases.group(1) if cases else '?'} requests, {failures} failures")
    report_text = "\n".join(line[:300] for line in run.stdout.splitlines())  # bodies are long
    assert run.returncode == 0 and failures == 0, report_text[-20000:]
