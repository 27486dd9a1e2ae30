"""The service serves the gadget, its Finesse spec and config without credentials."""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET  # noqa: N817

import pytest

from context_service import ROOT
from context_service.config import load_config
from tests.conftest import make_test_app

FINESSE_ORIGIN = "https://finesse.example:8445"
FINESSE_LIB = "__UP_scheme__://__UP_host__:__UP_hostPort__/desktop/assets/js/"


@pytest.fixture
def app_config():
    return {"GADGET_ALLOWED_ORIGINS": [FINESSE_ORIGIN]}


def spec(client, **kwargs):
    r = client.get("/gadget.xml", **kwargs)
    assert r.status_code == 200 and r.mimetype == "application/xml"
    return ET.fromstring(r.data)  # noqa: S314 - our own spec


def test_gadget_xml_is_a_finesse_gadget_spec_pointing_at_this_deployment(client):
    module = spec(client, base_url="https://cc.example/prefix/")
    prefs = module.find("ModulePrefs")
    features = {r.get("feature") for r in prefs.findall("Require")}
    assert features == {"pubsub-2", "settitle", "dynamic-height", "setprefs"}
    # Shindig must not proxy or rewrite our ES modules.
    [rewrite] = prefs.findall("Optional[@feature='content-rewrite']")
    assert [p.text for p in rewrite.findall("Param[@name='exclude-url']")] == ["*"]
    assert {p.get("name") for p in module.findall("UserPref")} == {"scheme", "host", "hostPort"}
    content = module.find("Content")
    assert content.get("type") == "html"
    html = content.text
    assert "__BASE__" not in html
    # Finesse's own scripts from the Finesse server, ours from this deployment.
    assert f'<script src="{FINESSE_LIB}jquery.min.js"></script>' in html
    assert f'<script src="{FINESSE_LIB}finesse.js"></script>' in html
    assert '<script type="module" src="https://cc.example/prefix/gadget/js/app.js">' in html
    assert 'href="https://cc.example/prefix/gadget/css/gadget.css"' in html
    assert 'data-host="finesse"' in html


def test_public_base_url_wins_over_the_url_finesse_used(database_url, engine, db_connection):
    app = make_test_app(database_url, engine, TEST_CONNECTION=db_connection,
                        PUBLIC_BASE_URL="https://cc.example.com/context/")
    html = spec(app.test_client(), base_url="http://10.0.0.7:8000/").find("Content").text
    assert "https://cc.example.com/context/gadget/js/app.js" in html
    assert "10.0.0.7" not in html


def test_public_base_url_setting_is_normalised(monkeypatch, tmp_path):
    monkeypatch.setenv("PUBLIC_BASE_URL", " https://cc.example.com/context ")
    assert load_config(str(tmp_path))["PUBLIC_BASE_URL"] == "https://cc.example.com/context/"


def test_gadget_page_is_served_with_a_strict_policy(client):
    # `with`: a file response left open is reported (as an error) in whichever test runs next.
    with client.get("/gadget/") as r:
        assert r.status_code == 200 and r.mimetype == "text/html"
        csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'self' https://finesse.example:8445" in csp
    with client.get("/gadget/js/app.js") as js:
        assert js.status_code == 200


def test_config_lists_allowed_origins_and_how_to_read_finesse_dialogs(client):
    assert client.get("/gadget/config.json").json == {
        "allowed_origins": ["https://finesse.example:8445"], "finesse": False,
        "presence_ttl_seconds": 120,
        "finesse_dialogs": {
            "ignored_call_types": ["AGENT_INSIDE", "CONSULT", "SUPERVISOR_MONITOR",
                                   "SUPERVISOR_BARGE_IN", "SUPERVISOR_INTERCEPT"],
            "media_types": [["voice", "voice"], ["chat", "chat"], ["mail", "email"],
                            ["*", "chat"]],
            "address_properties": ["user.*", "callVariable*"],
        }}


def test_finesse_dialog_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FINESSE_IGNORED_CALL_TYPES", "CONSULT, AGENT_INSIDE")
    monkeypatch.setenv("FINESSE_MEDIA_TYPES", "Cisco_Chat=chat, ECE_Email=email")
    monkeypatch.setenv("FINESSE_ADDRESS_PROPERTIES", "user.ece.customer.email")
    config = load_config(str(tmp_path))
    assert config["FINESSE_IGNORED_CALL_TYPES"] == ["CONSULT", "AGENT_INSIDE"]
    assert config["FINESSE_MEDIA_TYPES"] == [["Cisco_Chat", "chat"], ["ECE_Email", "email"]]
    assert config["FINESSE_ADDRESS_PROPERTIES"] == ["user.ece.customer.email"]


@pytest.mark.parametrize("raw", ["Cisco_Chat", "Cisco_Chat=fax", "=chat"])
def test_a_media_mapping_that_names_no_known_media_is_refused(monkeypatch, tmp_path, raw):
    monkeypatch.setenv("FINESSE_MEDIA_TYPES", raw)
    with pytest.raises(ValueError, match="FINESSE_MEDIA_TYPES"):
        load_config(str(tmp_path))


@pytest.mark.parametrize("path", ["/gadget/js/app.js", "/gadget/i18n/de.json",
                                  "/gadget/config.json"])
def test_the_gadgets_files_load_on_any_desktop_the_api_does_not(client, path):
    # A desktop the API refuses still gets the gadget, which tells the agent why.
    with client.get(path, headers={"Origin": "https://other.example"}) as r:
        assert r.status_code == 200
        assert r.headers["Access-Control-Allow-Origin"] in ("*", "https://other.example")
    api = preflight(client, "/api/v1/me", origin="https://other.example")
    assert "Access-Control-Allow-Origin" not in api.headers


def test_no_path_escapes_the_gadget_folder(client):
    assert client.get("/gadget/../pyproject.toml").status_code == 404
    assert client.get("/gadget/%2e%2e/pyproject.toml").status_code == 404


def test_home_leads_to_the_demo(client):
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("gadget/demo/")


def preflight(client, path, origin=FINESSE_ORIGIN, method="GET",
              headers="authorization,content-type,if-match"):
    return client.options(path, headers={"Origin": origin,
                                         "Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": headers})


@pytest.mark.parametrize(("path", "method"), [
    ("/api/v1/me", "GET"),
    ("/api/v1/customers/1", "PATCH"),
    ("/api/v1/contact-events", "POST"),
    ("/api/v1/auth/finesse", "POST"),
])
def test_a_preflight_from_an_allowed_origin_needs_no_credentials(client, path, method):
    r = preflight(client, path, method=method)
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == FINESSE_ORIGIN
    allowed = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "if-match"} <= allowed
    assert method in r.headers["Access-Control-Allow-Methods"]
    assert int(r.headers["Access-Control-Max-Age"]) > 0


def test_a_preflight_from_another_origin_is_not_allowed(client):
    r = preflight(client, "/api/v1/me", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in r.headers


def test_cross_origin_answers_expose_the_etag(client, admin, make_customer):
    customer = make_customer(first_name="Ada")
    r = admin.get(f"/api/v1/customers/{customer['id']}", headers={"Origin": FINESSE_ORIGIN})
    assert r.headers["Access-Control-Allow-Origin"] == FINESSE_ORIGIN
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]
    unauthenticated = client.get("/api/v1/me", headers={"Origin": FINESSE_ORIGIN})
    assert unauthenticated.status_code == 401  # the preflight is free, the call is not


SCRIPTS = sorted(p for p in (ROOT / "gadget").rglob("*.js") if "bridges" not in p.parts)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT / "gadget")))
def test_scripts_are_sent_without_comments_and_still_parse(path, client, tmp_path):
    """The service strips comments and indentation line by line: safe only while no
    literal spans lines, and proved by Node parsing what is sent."""
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{path}:{number}"
        assert len(re.findall(r"(?<!\\)`", line)) % 2 == 0, f"{where}: a template spans lines"
        assert not line.endswith("\\"), f"{where}: a string continues on the next line"
    sent = client.get(f"/gadget/{path.relative_to(ROOT / 'gadget')}",
                      headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    assert "/**" not in sent and not re.search(r"^\s", sent, re.M)
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    copy = tmp_path / f"{path.stem}.mjs"
    copy.write_text(sent, encoding="utf-8")
    check = subprocess.run(["node", "--check", str(copy)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
