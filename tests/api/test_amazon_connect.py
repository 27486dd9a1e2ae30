"""What the service does for the Amazon Connect bridge: its settings in config.json, a
Content-Security-Policy that lets the bridge page (and only it) frame the configured CCP
and run the configured Streams library, and Connect's task contacts."""

import pytest

from context_service.config import load_config
from tests.conftest import event, make_test_app

BRIDGE = "/gadget/bridges/amazon-connect/"
CCP = "https://example.my.connect.aws/ccp-v2/"
STREAMS = "https://cdn.example.net/npm/amazon-connect-streams@2.28.2/release/connect-streams-min.js"


@pytest.fixture
def connect_client(database_url, engine, db_connection):
    def make(**settings):
        app = make_test_app(database_url, engine, TEST_CONNECTION=db_connection,
                            GADGET_ALLOWED_ORIGINS=["https://desk.example"], **settings)
        return app.test_client()

    return make


def policy(client, path):
    # `with`: a file response left open is reported (as an error) in whichever test runs next.
    with client.get(path) as response:
        assert response.status_code == 200 and response.mimetype == "text/html"
        return dict(part.strip().split(" ", 1)
                    for part in response.headers["Content-Security-Policy"].split(";"))


def test_the_bridge_may_frame_the_ccp_and_load_the_library_from_their_servers(connect_client):
    client = connect_client(CONNECT_CCP_URL=CCP, CONNECT_REGION="eu-central-1",
                            CONNECT_STREAMS_URL=STREAMS)
    bridge = policy(client, BRIDGE)
    assert bridge["frame-src"] == "'self' https://example.my.connect.aws"
    assert bridge["script-src"] == f"'self' {STREAMS}"
    assert bridge["style-src"] == "'self'" and bridge["connect-src"] == "'self' ws: wss:"
    assert bridge["frame-ancestors"] == "'self' https://desk.example"
    # Every other page keeps to its own origin.
    for path in ("/gadget/", "/gadget/demo/"):
        other = policy(client, path)
        assert (other["frame-src"], other["script-src"]) == ("'self'", "'self'")

    assert client.get("/gadget/config.json").json["amazon_connect"] == {
        "ccp_url": CCP, "region": "eu-central-1", "streams_url": STREAMS}


def test_by_default_the_library_is_the_file_beside_the_bridge(connect_client):
    client = connect_client(CONNECT_CCP_URL=CCP)
    bridge = policy(client, BRIDGE)
    assert bridge["script-src"] == "'self'"
    assert bridge["frame-src"] == "'self' https://example.my.connect.aws"
    assert client.get("/gadget/config.json").json["amazon_connect"] == {
        "ccp_url": CCP, "region": None, "streams_url": None}


def test_without_connect_settings_the_bridge_frames_nothing_else(connect_client):
    client = connect_client()
    assert policy(client, BRIDGE)["frame-src"] == "'self'"
    assert "amazon_connect" not in client.get("/gadget/config.json").json


@pytest.mark.parametrize(("name", "value"), [
    ("CONNECT_CCP_URL", "example.my.connect.aws/ccp-v2/"),
    ("CONNECT_CCP_URL", "https://example.my.connect.aws; script-src *"),
    ("CONNECT_STREAMS_URL", "//cdn.example.net/connect-streams-min.js"),
    ("CONNECT_STREAMS_URL", "https://cdn.example.net/connect-streams-min.js?v=2"),
    ("CONNECT_STREAMS_URL", "connect-streams-min.js"),
])
def test_connect_urls_that_would_not_work_fail_at_start_up(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match="URL"):
        load_config(str(tmp_path))


def test_a_streams_url_on_this_server_is_covered_by_self(monkeypatch, tmp_path):
    monkeypatch.setenv("CONNECT_STREAMS_URL", " /vendor/connect-streams-min.js ")
    assert load_config(str(tmp_path))["CONNECT_STREAMS_URL"] == "/vendor/connect-streams-min.js"


def test_connect_task_contacts_are_recorded_as_tasks(connector, agent):
    response = connector.post("/api/v1/contact-events", json=event(
        "accepted", "task-1", media_type="task", source="amazon-connect", **{"from": None}))
    assert response.status_code == 201, response.json
    assert response.json["activity"]["media_type"] == "task"
    [entry] = agent.get("/api/v1/me/open").json
    assert entry["activity"]["media_type"] == "task"
