"""Real server processes for tests: gunicorn and a webhook receiver, on 127.0.0.1 only.

Every process started here is stopped by the fixture that started it, and
gunicorn is also given a hard time limit so a crashed test run cannot leave it
running for long.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
MAX_SERVER_SECONDS = 1800


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """One gunicorn process serving the app on 127.0.0.1:<port>."""

    def __init__(self, database_url: str, admin_token: str, workers: int = 1,
                 access_log: str = "/dev/null", output: Path | None = None,
                 app: str = "context_service.wsgi:app", **env):
        self.port = free_port()
        self.app = app
        self.access_log = access_log
        self.output = output  # a file for everything the server writes (else inherited)
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = admin_token
        self.env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": database_url,
            "CONTEXT_ADMIN_TOKEN": admin_token,
            "WEB_CONCURRENCY": str(workers),
            "AUTOCLOSE_SWEEP_SECONDS": "0",
            # No webhook delivery unless a test asks: a shared server would take the replies
            # of tests that deliver them in their own process.
            "WEBHOOK_POLL_SECONDS": "0",
            "GRACEFUL_TIMEOUT": "2",
            # The tests' webhook receivers listen on 127.0.0.1 (an internal address).
            "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            # Tests empty the tables between them, behind the server's back: tokens it
            # remembered would outlive their rows.
            "TOKEN_CACHE_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            **{k: str(v) for k, v in env.items()},
        }
        self.process = None
        self._connectors: dict[str, str] = {}

    def start(self) -> "LiveServer":
        # `timeout` bounds the process even if the test run is killed.
        sink = self.output.open("ab") if self.output else None
        self.process = subprocess.Popen(
            ["timeout", str(MAX_SERVER_SECONDS), str(GUNICORN), "-c", "gunicorn.conf.py",
             "--access-logfile", self.access_log, self.app],
            cwd=ROOT, env=self.env, stdout=sink, stderr=subprocess.STDOUT if sink else None,
        )
        if sink:
            sink.close()  # the server has its own copy
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=1):
                    return self
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited early") from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not become ready")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def call(self, method, path, body=None, token=None, headers=None):
        """(status, json body, headers) of one API call."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                raw, status, hdrs = resp.read(), resp.status, resp.headers
        except urllib.error.HTTPError as exc:
            raw, status, hdrs = exc.read(), exc.code, exc.headers
        return status, (json.loads(raw) if raw else None), hdrs

    def admin(self, method, path, body=None):
        status, data, _ = self.call(method, path, body, token=self.admin_token)
        assert status < 300, (status, data)
        return data

    def agent_token(self, agent_id: str, name: str | None = None, password: str | None = None):
        """Create the agent (if new) and return a fresh token for it."""
        body = {"id": agent_id, "name": name or f"Agent {agent_id}"}
        if password:
            body["password"] = password
        status, data, _ = self.call("POST", "/api/v1/admin/agents", body, token=self.admin_token)
        assert status in (201, 409), data
        return self.admin("POST", f"/api/v1/admin/agents/{agent_id}/tokens")["token"]

    def connector_token(self, name: str = "pbx") -> str:
        """The connector key of this name, created on first use: a contact belongs to the
        key that reported it, so one phone system keeps one key."""
        token = self._connectors.get(name)
        # A test that emptied the tables took the key with them.
        if token is None or self.call("GET", "/api/v1/me", token=token)[0] != 200:
            token = self._connectors[name] = self.admin(
                "POST", "/api/v1/admin/api-keys", {"name": name, "role": "connector"})["token"]
        return token

    _events = iter(range(1, 10**9))

    def post_event(self, token: str, type_="accepted", contact_id=None, **fields):
        n = next(self._events)
        body = {"event_id": f"live-{n}", "source": "pbx", "contact_id": contact_id or f"c-{n}",
                "media_type": "voice", "type": type_, **fields}
        status, data, _ = self.call("POST", "/api/v1/contact-events", body, token=token)
        assert status in (200, 201), data
        return data


@dataclass(frozen=True)
class Received:
    path: str
    message_id: str
    attempt: int
    headers: Message  # HTTP header names are case-insensitive: so is this
    body: bytes
    answer: str


class WebhookReceiver:
    """A connector's webhook on 127.0.0.1. It answers the n-th attempt of a message as
    `script[id][n]` says (then `default`): an HTTP status, `hang` (answer only after the
    sender gave up) or `drop` (close the connection without answering), and records
    everything it receives."""

    def __init__(self, hang_seconds: float = 1.5):
        self.script: dict[str, list[str]] = {}
        self.default = "200"
        self.received: list[Received] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                message_id = self.headers["webhook-id"]
                with receiver.lock:
                    answers = receiver.script.get(message_id, [])
                    seen = sum(r.message_id == message_id for r in receiver.received)
                    answer = answers[seen] if seen < len(answers) else receiver.default
                    receiver.received.append(Received(
                        self.path, message_id, int(self.headers["X-CC-Attempt"]),
                        self.headers, body, answer))
                if answer == "drop":
                    return
                if answer == "hang":
                    time.sleep(hang_seconds)
                    answer = "200"
                try:
                    self.send_response(int(answer))
                    if answer.startswith("3"):
                        self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of(self, message_id: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.message_id == message_id]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
