"""The Finesse stand-in's process: Finesse's REST User API on 127.0.0.1.

Written from Cisco's Finesse Web Services developer guide (User — Get User) and the
finesse.js library's ClientServices (Basic credentials are base64 "id:password";
SSO desktops send "Bearer <token>"):
- `GET /finesse/api/User/{id}` answers the User XML (loginId, loginName, firstName,
  lastName, extension, roles, teamId, teamName, state...) when the credentials may read
  that user: the user itself, an Administrator, or a Supervisor of the user's team;
- 401 for credentials Finesse does not know, 403 for a user who may not read another;
- `auth_mode` NON_SSO takes Basic only, SSO takes Bearer only, HYBRID either.
`/_standin/requests` (not Finesse's) lists what was asked, for the test to check.

Reads its configuration as JSON on stdin, prints "listening <port>" when ready.
"""

import base64
import binascii
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


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


def make_handler(directory: Directory):
    class Handler(BaseHTTPRequestHandler):
        def answer(self, status: int, body: bytes = b"", content_type="application/xml"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path == "/_standin/requests":
                with directory.lock:
                    body = json.dumps(directory.log).encode()
                self.answer(200, body, "application/json")
                return
            status, body = self.user_api()
            with directory.lock:
                directory.log.append({
                    "method": "GET", "path": self.path, "status": status,
                    "scheme": self.headers.get("Authorization", "").partition(" ")[0]})
            self.answer(status, body)

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

        def log_message(self, *_args):
            pass

    return Handler


def main() -> None:
    directory = Directory(json.load(sys.stdin))
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(directory))
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
