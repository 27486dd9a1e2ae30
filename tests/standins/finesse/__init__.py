"""A Cisco Finesse stand-in for tests, run as its own process (see server.py).

    with FinesseStandIn(users) as finesse:
        finesse.url        # http://127.0.0.1:<port>, what FINESSE_URL names
        finesse.requests() # what it was asked, newest last
        finesse.desktop_url              # http://localhost:<port>/desktop/: another origin
        finesse.set_layout([service + "/gadget.xml"])
        finesse.add_dialog(voice_call("16804377", "+14155550100", "1001"))
        finesse.change_dialog("16804377", state="ACTIVE", participants=[...])
        finesse.remove_dialog("16804377")

`dialogs.py` builds dialogs as Finesse describes them.
"""

import json
import subprocess
import sys
import urllib.request
from dataclasses import asdict, dataclass, field

MAX_SECONDS = 1800  # the process stops by itself even if the test run is killed


@dataclass
class FinesseUser:
    """A Finesse user as the User API describes one (loginId is what Config.id holds)."""

    login_id: str
    password: str
    first_name: str
    last_name: str
    login_name: str = ""
    extension: str = ""
    roles: list[str] = field(default_factory=lambda: ["Agent"])
    team_id: str = "1"
    team_name: str = "Support"
    sso_token: str = ""  # the bearer token an SSO sign-in gave this user


class FinesseStandIn:
    """Starts `python -m tests.standins.finesse.server` and talks to it."""

    def __init__(self, users: list[FinesseUser], auth_mode: str = "NON_SSO", **options):
        self.config = {"users": [asdict(u) for u in users], "auth_mode": auth_mode, **options}
        self.process = None
        self.port = None

    def start(self) -> "FinesseStandIn":
        self.process = subprocess.Popen(
            ["timeout", str(MAX_SECONDS), sys.executable, "-m", "tests.standins.finesse.server"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.process.stdin.write(json.dumps(self.config))
        self.process.stdin.close()
        line = self.process.stdout.readline()  # "listening <port>" once it is serving
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"the Finesse stand-in did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[dict]:
        """Every request it received: method, path, Authorization scheme and the answer."""
        with urllib.request.urlopen(self.url + "/_standin/requests", timeout=5) as response:
            return json.load(response)

    @property
    def desktop_origin(self) -> str:
        """The desktop as agents' browsers reach it: localhost, not the service's 127.0.0.1."""
        return f"http://localhost:{self.port}"

    @property
    def desktop_url(self) -> str:
        return self.desktop_origin + "/desktop/"

    def _control(self, method: str, path: str, body=None):
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Content-Type": "application/json"},
            data=None if body is None else json.dumps(body).encode())
        with urllib.request.urlopen(request, timeout=5) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def set_layout(self, gadgets: list) -> None:
        """The Home tab's gadgets: spec URLs, or {"url", "prefs"} with UserPrefs to force."""
        self._control("PUT", "/_standin/layout", {"gadgets": gadgets})

    def add_dialog(self, dialog: dict) -> dict:
        """A dialog appears in its agents' Dialogs collections (a POST notification)."""
        return self._control("POST", "/_standin/dialogs", dialog)

    def change_dialog(self, dialog_id: str, **changes) -> dict:
        """The dialog changes (a PUT notification); mediaProperties/callVariables merge."""
        return self._control("PATCH", f"/_standin/dialogs/{dialog_id}", changes)

    def remove_dialog(self, dialog_id: str) -> None:
        """The dialog leaves its agents' collections (a DELETE notification)."""
        self._control("DELETE", f"/_standin/dialogs/{dialog_id}")

    def remove_dialogs(self) -> None:
        """Every dialog ends: the next test starts on a quiet desktop."""
        self._control("DELETE", "/_standin/dialogs")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process.stdout.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()
