"""Fixtures: the app on SQLite or PostgreSQL, each test in a rolled-back transaction.

TEST_DATABASE_URL picks the database (default: a temporary SQLite file). The
schema is built by the real migrations once per run, after dropping whatever
was there, so the migrations are tested too.
"""

import ipaddress
import os

import pytest
import sqlalchemy as sa

from context_service import create_app
from context_service.cli import migrate
from context_service.db import make_engine, normalise_url
from context_service.models import Base
from tests.live import LiveServer
from tests.standins.finesse import FinesseStandIn, FinesseUser

ADMIN_TOKEN = "test-admin-token-0123456789"
# The tests' webhook receivers listen on 127.0.0.1, an internal address webhooks may reach
# only where a site allows it (tests/api/test_webhook_destinations.py checks the default).
LOOPBACK_WEBHOOKS = {"WEBHOOK_ALLOWED_NETWORKS": [ipaddress.ip_network("127.0.0.0/8")]}


def _skipped(config) -> list:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return reporter.stats.get("skipped", []) if reporter else []


def pytest_sessionfinish(session, exitstatus):
    """With REQUIRE_POSTGRES (CI's PostgreSQL run) a skipped test is a failure."""
    if os.environ.get("REQUIRE_POSTGRES") and _skipped(session.config) and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, config):
    if os.environ.get("REQUIRE_POSTGRES") and _skipped(config):
        terminalreporter.write_line(
            f"REQUIRE_POSTGRES: {len(_skipped(config))} skipped test(s) fail this run", red=True)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if os.environ.get("REQUIRE_POSTGRES") and not (url or "").startswith("postgres"):
        pytest.fail("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not PostgreSQL")
    if url:
        return worker_database(normalise_url(url))
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def worker_database(url: str) -> str:
    """With pytest-xdist, each worker empties a PostgreSQL database of its own, made beside
    the one TEST_DATABASE_URL names (SQLite files are per worker anyway)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    return database_beside(url, worker)


def database_beside(url: str, suffix: str) -> str:
    """A new, empty PostgreSQL database `<url's>_<suffix>` on the same server; its URL."""
    base = sa.make_url(url)
    name = f"{base.database}_{suffix}"
    server = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    reset_schema(engine, database_url)
    yield engine
    engine.dispose()


def reset_schema(engine, url):
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    migrate(url)


def clear_data(engine):
    """Empty every table (for tests that commit for real)."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def emptied(engine, value):
    """For a fixture to `yield from`: `value`, with every table empty before and after."""
    clear_data(engine)
    yield value
    clear_data(engine)


@pytest.fixture(scope="module")
def own_database(database_url, engine, tmp_path_factory):
    """(url, engine) for a module's own live server with settings of its own.

    On SQLite, a file of its own: pushes stay in the process that made them there, so a
    second server's background jobs (offer expiry) must not act on this one's rows. On
    PostgreSQL every process hears every change, and the shared database is fine.
    """
    if not database_url.startswith("sqlite"):
        yield database_url, engine
        return
    url = f"sqlite:///{tmp_path_factory.mktemp('own') / 'own.db'}"
    migrate(url)
    own = make_engine(url)
    yield url, own
    own.dispose()


@pytest.fixture
def db_connection(engine):
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


def make_test_app(database_url, engine, **config):
    return create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "ENGINE": engine,
        "CONTEXT_ADMIN_TOKEN": ADMIN_TOKEN,
        "AUTOCLOSE_SWEEP_SECONDS": 0,
        **LOOPBACK_WEBHOOKS,
        **config,
    })


@pytest.fixture
def app_config():
    """Override in a test module to change settings."""
    return {}


@pytest.fixture
def app(database_url, engine, db_connection, app_config):
    return make_test_app(database_url, engine, TEST_CONNECTION=db_connection, **app_config)


@pytest.fixture
def committed_app(database_url, engine, app_config):
    """An app whose requests really commit, for tests with several threads."""
    yield from emptied(engine, make_test_app(database_url, engine, **app_config))


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """A small client that speaks the API as a given principal."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def __call__(self, method, url, json=None, headers=None, **kwargs):
        all_headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        all_headers.update(headers or {})
        return self.client.open(url, method=method, json=json, headers=all_headers, **kwargs)

    def get(self, url, **kw):
        return self("GET", url, **kw)

    def post(self, url, json=None, **kw):
        return self("POST", url, json=json, **kw)

    def patch(self, url, json=None, **kw):
        return self("PATCH", url, json=json, **kw)

    def put(self, url, json=None, **kw):
        return self("PUT", url, json=json, **kw)

    def delete(self, url, **kw):
        return self("DELETE", url, **kw)


@pytest.fixture
def admin(client):
    return Api(client, ADMIN_TOKEN)


def create_agent(admin, agent_id, password=None):
    body = {"id": agent_id, "name": f"Agent {agent_id}"}
    if password:
        body["password"] = password
    assert admin.post("/api/v1/admin/agents", json=body).status_code == 201
    response = admin.post(f"/api/v1/admin/agents/{agent_id}/tokens")
    assert response.status_code == 201, response.json
    return Api(admin.client, response.json["token"])


@pytest.fixture
def agent(admin):
    return create_agent(admin, "alice")


@pytest.fixture
def agent2(admin):
    return create_agent(admin, "bob")


def create_connector(admin, name="pbx"):
    """A connector key's client; `key_id` is its row (a contact belongs to the key)."""
    response = admin.post("/api/v1/admin/api-keys", json={"name": name, "role": "connector"})
    assert response.status_code == 201, response.json
    connector = Api(admin.client, response.json["token"])
    connector.key_id = response.json["id"]
    return connector


@pytest.fixture
def connector(admin):
    return create_connector(admin)


_counter = iter(range(1, 10**9))


def event(type_="accepted", contact_id="call-1", **fields):
    """A contact event body with sensible defaults."""
    body = {
        "event_id": f"evt-{next(_counter)}",
        "source": "pbx",
        "contact_id": contact_id,
        "media_type": "voice",
        "type": type_,
        "agent_id": "alice",
        "from": "+1 (415) 555-0100",
        "to": "1000",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def count(db_connection):
    """Rows of a model's table (optionally filtered), as the test's transaction sees them."""

    def count(model, *where):
        return db_connection.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    return count


@pytest.fixture
def make_customer(admin):
    """Create a customer over the API; returns its JSON representation."""

    def make(**fields):
        response = admin.post("/api/v1/customers", json=fields)
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def post_event(connector):
    """Post a contact event as the connector; asserts the answer is 201 or 200."""

    def post(type_="accepted", contact_id="call-1", **fields):
        response = connector.post("/api/v1/contact-events", json=event(type_, contact_id, **fields))
        assert response.status_code in (200, 201), response.json
        return response.json["activity"]

    return post


FINESSE_USERS = [
    FinesseUser("fin1001", "finesse-pass", "Fiona", "Finesse", login_name="fiona",
                extension="1001", sso_token="sso-token-fiona"),
    FinesseUser("fin1002", "oscar-pass", "Oscar", "Other", extension="1002",
                sso_token="sso-token-oscar"),
    FinesseUser("sup2001", "super-pass", "Sam", "Supervisor", roles=["Agent", "Supervisor"],
                sso_token="sso-token-sam"),
    FinesseUser("admin", "admin-pass", "Finesse", "Administrator", roles=["Administrator"]),
]


@pytest.fixture(scope="session")
def finesse_standin():
    """Cisco Finesse's REST User API, in a process of its own (NON_SSO: Basic credentials)."""
    with FinesseStandIn(FINESSE_USERS) as finesse:
        yield finesse


@pytest.fixture(scope="session")
def live_server_process(database_url, engine, finesse_standin):
    """One gunicorn (gunicorn.conf.py: gevent) serving the app for browser and push tests."""
    server = gadget_server(database_url, finesse_standin)
    yield server
    server.stop()


def gadget_server(database_url, finesse_standin, origins=(), **env) -> LiveServer:
    """A started gunicorn that Finesse sign-in and the gadget's hosts work with.

    http://localhost:<port> is allowed to host the gadget: it is another origin than
    http://127.0.0.1:<port>, which the postMessage host tests need; `origins` adds more
    (a Finesse desktop's).
    """
    server = LiveServer(database_url, ADMIN_TOKEN, FINESSE_URL=finesse_standin.url, **env)
    server.env["GADGET_ALLOWED_ORIGINS"] = ",".join([f"http://localhost:{server.port}", *origins])
    return server.start()


def on_finesse_desktop(server: LiveServer, engine, finesse):
    """For a fixture to `yield from`: `server`, empty, with the Finesse stand-in's desktop
    showing its gadget and no calls before and after."""
    finesse.remove_dialogs()
    finesse.set_layout([server.url + "/gadget.xml"])
    yield from emptied(engine, server)
    finesse.remove_dialogs()


@pytest.fixture
def live_server(live_server_process, engine):
    """The live server, with an empty database for this test."""
    yield from emptied(engine, live_server_process)
