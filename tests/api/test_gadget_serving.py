"""The service serves the gadget, its Finesse spec and config without credentials."""

import pytest


@pytest.fixture
def app_config():
    return {"GADGET_ALLOWED_ORIGINS": ["https://finesse.example:8445"]}


def test_gadget_xml_points_at_this_deployment(client):
    r = client.get("/gadget.xml", base_url="https://cc.example/prefix/")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    body = r.get_data(as_text=True)
    assert "__BASE__" not in body
    assert "https://cc.example/prefix/gadget/js/app.js" in body
    for feature in ("pubsub-2", "settitle", "dynamic-height", "setprefs"):
        assert f'feature="{feature}"' in body
    assert "/desktop/assets/js/finesse.js" in body


def test_gadget_page_is_served_with_a_strict_policy(client):
    # `with`: a file response left open is reported (as an error) in whichever test runs next.
    with client.get("/gadget/") as r:
        assert r.status_code == 200 and r.mimetype == "text/html"
        csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'self' https://finesse.example:8445" in csp
    with client.get("/gadget/js/app.js") as js:
        assert js.status_code == 200


def test_config_lists_allowed_origins(client):
    assert client.get("/gadget/config.json").json == {
        "allowed_origins": ["https://finesse.example:8445"], "finesse": False}


def test_no_path_escapes_the_gadget_folder(client):
    assert client.get("/gadget/../pyproject.toml").status_code == 404
    assert client.get("/gadget/%2e%2e/pyproject.toml").status_code == 404


def test_home_leads_to_the_demo(client):
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("gadget/demo/")


def test_cors_allows_only_configured_origins(client):
    ok = client.options("/api/v1/me", headers={"Origin": "https://finesse.example:8445",
                                               "Access-Control-Request-Method": "GET"})
    assert ok.headers.get("Access-Control-Allow-Origin") == "https://finesse.example:8445"
    other = client.options("/api/v1/me", headers={"Origin": "https://evil.example",
                                                  "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in other.headers
