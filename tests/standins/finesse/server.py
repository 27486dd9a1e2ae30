"""The Finesse stand-in's process: Finesse's REST API and agent desktop, on 127.0.0.1 only.

Written from Cisco's Finesse Web Services developer guide (User — Get User) and the
finesse.js library's ClientServices (Basic credentials are base64 "id:password";
SSO desktops send "Bearer <token>"):
- `GET /finesse/api/User/{id}` answers the User XML (loginId, loginName, firstName,
  lastName, extension, roles, teamId, teamName, state...) when the credentials may read
  that user: the user itself, an Administrator, or a Supervisor of the user's team;
- 401 for credentials Finesse does not know, 403 for a user who may not read another;
- `auth_mode` NON_SSO takes Basic only, SSO takes Bearer only, HYBRID either.
`/_standin/requests` (not Finesse's) lists what was asked, for the test to check.

The desktop in the real topology (desktop.py, shindig.py, pages.py, static/): the agent
signs in at `/desktop/`; the desktop renders the layout's gadgets with `/gadgets/ifr`
(the spec fetched from the gadget's server, server-side) and serves
`/desktop/assets/js/finesse.js` and `jquery.min.js`. `GET /finesse/api/User/{id}/Dialogs`
lists the user's dialogs; `/_standin/notifications` is the stand-in's notification
channel (a long-poll where Finesse has XMPP over BOSH). Tests drive it over HTTP:
`PUT /_standin/layout`, `POST /_standin/dialogs`, `PATCH` and `DELETE
/_standin/dialogs/{id}`.

Reads its configuration as JSON on stdin, prints "listening <port>" when ready.
"""

import base64
import binascii
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from . import pages, shindig
from .desktop import Desktop

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {  # path -> (file, content type)
    "/desktop/assets/js/finesse.js": ("finesse.js", "text/javascript"),
    "/desktop/assets/js/jquery.min.js": ("jquery.min.js", "text/javascript"),
    "/desktop/assets/js/desktop.js": ("desktop.js", "text/javascript"),
    "/desktop/assets/css/desktop.css": ("desktop.css", "text/css"),
    "/gadgets/js/gadgets.js": ("gadgets.js", "text/javascript"),
}
BODY_MAX = 1024 * 1024


class Directory:
    def __init__(self, config: dict):
        self.users = config["users"]
        self.auth_mode = config.get("auth_mode", "NON_SSO")
        self.log: list[dict] = []
        self.lock = threading.Lock()

    def find(self, name: str) -> dict | None:
        """By loginId, or by loginName as Finesse also accepts (case-insensitive)."""
        for user in self.users:
            if name == user["login_id"] or (
                    user["login_name"] and name.lower() == user["login_name"].lower()):
                return user
        return None

    def caller(self, authorization: str) -> dict | None:
        scheme, _, value = authorization.partition(" ")
        if scheme == "Basic" and self.auth_mode in ("NON_SSO", "HYBRID"):
            try:
                name, _, password = base64.b64decode(value, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            user = self.find(name)
            return user if user and user["password"] == password else None
        if scheme == "Bearer" and self.auth_mode in ("SSO", "HYBRID") and value:
            return next((u for u in self.users if u["sso_token"] == value), None)
        return None

    @staticmethod
    def may_read(caller: dict, target: dict) -> bool:
        return (caller is target or "Administrator" in caller["roles"]
                or ("Supervisor" in caller["roles"] and caller["team_id"] == target["team_id"]))


def user_xml(user: dict) -> bytes:
    login_id = escape(user["login_id"])
    roles = "".join(f"<role>{escape(role)}</role>" for role in user["roles"])
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"<User><uri>/finesse/api/User/{login_id}</uri>"
        f"<dialogs>/finesse/api/User/{login_id}/Dialogs</dialogs>"
        f"<extension>{escape(user['extension'])}</extension>"
        f"<firstName>{escape(user['first_name'])}</firstName>"
        f"<lastName>{escape(user['last_name'])}</lastName>"
        f"<loginId>{login_id}</loginId>"
        f"<loginName>{escape(user['login_name'] or user['login_id'])}</loginName>"
        f"<mediaType>1</mediaType><roles>{roles}</roles>"
        "<settings><wrapUpOnIncoming>OPTIONAL</wrapUpOnIncoming></settings>"
        "<state>NOT_READY</state><reasonCodeId>-1</reasonCodeId><pendingState/>"
        f"<teamId>{escape(user['team_id'])}</teamId>"
        f"<teamName>{escape(user['team_name'])}</teamName></User>"
    ).encode()


def make_handler(directory: Directory, desktop: Desktop):
    class Handler(BaseHTTPRequestHandler):
        def answer(self, status: int, body: bytes = b"", content_type="application/xml"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def answer_json(self, status: int, value) -> None:
            self.answer(status, json.dumps(value).encode(), "application/json")

        def answer_html(self, status: int, text: str) -> None:
            self.answer(status, text.encode(), "text/html; charset=utf-8")

        def body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(min(length, BODY_MAX))

        def do_GET(self):  # noqa: N802 - http.server's naming
            url = urlsplit(self.path)
            if self.path == "/_standin/requests":
                with directory.lock:
                    body = json.dumps(directory.log).encode()
                self.answer(200, body, "application/json")
            elif url.path in ASSETS:
                name, content_type = ASSETS[url.path]
                self.answer(200, (STATIC / name).read_bytes(), content_type)
            elif url.path == "/desktop/":
                self.answer_html(200, pages.signin_page())
            elif url.path == "/gadgets/ifr":
                self.render_gadget(parse_qs(url.query))
            elif url.path == "/_standin/notifications":
                self.notifications(parse_qs(url.query))
            elif url.path.startswith("/finesse/api/"):
                status, body = self.dialogs_api(url) if url.path.endswith("/Dialogs") \
                    else self.user_api()
                with directory.lock:
                    directory.log.append({
                        "method": "GET", "path": self.path, "status": status,
                        "scheme": self.headers.get("Authorization", "").partition(" ")[0]})
                self.answer(status, body)
            else:
                self.answer(404)

        def do_POST(self):  # noqa: N802
            if self.path == "/desktop/":
                self.sign_in({k: v[0] for k, v in parse_qs(self.body().decode()).items()})
            elif self.path == "/_standin/dialogs":
                self.answer_json(201, desktop.add_dialog(json.loads(self.body())))
            else:
                self.answer(404)

        def do_PUT(self):  # noqa: N802
            if self.path == "/_standin/layout":
                desktop.set_layout(json.loads(self.body())["gadgets"])
                self.answer(204)
            else:
                self.answer(404)

        def do_PATCH(self):  # noqa: N802
            dialog_id = self.path.removeprefix("/_standin/dialogs/")
            dialog = desktop.change_dialog(dialog_id, json.loads(self.body()))
            if dialog is None:
                self.answer(404)
            else:
                self.answer_json(200, dialog)

        def do_DELETE(self):  # noqa: N802
            if self.path == "/_standin/dialogs":  # every call ends: a clean desktop
                desktop.remove_all()
                self.answer(204)
                return
            removed = desktop.remove_dialog(self.path.removeprefix("/_standin/dialogs/"))
            self.answer(204 if removed else 404)

        def user_api(self) -> tuple[int, bytes]:
            prefix = "/finesse/api/User/"
            if not self.path.startswith(prefix):
                return 404, b""
            caller = directory.caller(self.headers.get("Authorization", ""))
            if caller is None:
                return 401, b"<ApiErrors><ApiError><ErrorType>Authorization Failure</ErrorType>" \
                            b"</ApiError></ApiErrors>"
            target = directory.find(self.path[len(prefix):])
            if target is None:
                return 404, b""
            if not directory.may_read(caller, target):
                return 403, b""
            return 200, user_xml(target)

        def dialogs_api(self, url) -> tuple[int, bytes]:
            """User - Get List of Dialogs: voice only unless nonVoice=true (12.x)."""
            user_id = url.path.removeprefix("/finesse/api/User/").removesuffix("/Dialogs")
            caller = directory.caller(self.headers.get("Authorization", ""))
            if caller is None:
                return 401, b""
            if caller["login_id"] != user_id:
                return 403, b""
            nonvoice = parse_qs(url.query).get("nonVoice") == ["true"]
            return 200, desktop.dialogs_of(user_id, nonvoice).encode()

        def notifications(self, query: dict) -> None:
            """The signed-in user's Updates after `since`, waiting a while for one."""
            caller = directory.caller(self.headers.get("Authorization", ""))
            if caller is None:
                self.answer(401)
                return
            if "since" not in query:  # where the feed is now: a client starting to listen
                position, updates = desktop.updates(caller["login_id"], 0, wait=0)
                self.answer_json(200, {"next": position, "updates": []})
                return
            position, updates = desktop.updates(caller["login_id"], int(query["since"][0]))
            self.answer_json(200, {"next": position, "updates": updates})

        def sign_in(self, form: dict) -> None:
            """Finesse's sign-in: the agent's credentials, extension and language."""
            username, password = form.get("username", ""), form.get("password", "")
            user = directory.find(username)
            if user is None or user["password"] != password:
                self.answer_html(401, pages.signin_page("Invalid username or password.",
                                                        username))
                return
            sso = directory.auth_mode == "SSO"
            basic = base64.b64encode(f"{user['login_id']}:{password}".encode()).decode()
            agent = {
                "id": user["login_id"],
                "name": f"{user['first_name']} {user['last_name']}",
                "extension": form.get("extension") or user["extension"],
                "locale": form.get("locale") if form.get("locale") in pages.LOCALES
                else "en_US",
                "auth_mode": directory.auth_mode,
                # SSO desktops hold the identity provider's token, not the password.
                "authorization": "" if sso else basic,
                "token": user["sso_token"] if directory.auth_mode != "NON_SSO" else "",
            }
            # The desktop's origin as the browser reached it (localhost, not 127.0.0.1): what
            # Finesse fills the scheme/host/hostPort UserPrefs with.
            host, _, port = self.headers.get("Host", "").rpartition(":")
            with desktop.changed:
                layout = list(desktop.layout)
            self.answer_html(200, pages.desktop_page(
                agent, layout, {"scheme": "http", "host": host, "port": port}))

        def render_gadget(self, query: dict) -> None:
            params = {name: values[0] for name, values in query.items()}
            try:
                page = shindig.render(shindig.fetch_spec(params.get("url", "")), params)
            except shindig.GadgetError as exc:
                self.answer_html(502, shindig.error_page(str(exc)))
                return
            self.answer_html(200, page)

        def log_message(self, *_args):
            pass

    return Handler


def main() -> None:
    directory = Directory(json.load(sys.stdin))
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(directory, Desktop(directory)))
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
