"""gunicorn's own voice: the errors it answers before the app runs, and its logs.

gunicorn answers a request it cannot parse (a request line over 4094 bytes: 414; a
malformed one: 400) with an HTML page of its own; clients of this API read
`application/problem+json` everywhere. Its access log wrote the decoded path, so a `%0a`
in a URL could forge a line: fields are escaped (text) or JSON-encoded (LOG_FORMAT=json,
as logs.py writes the app's lines). Routine polls that succeed go to DEBUG.
"""

import json
import logging
import os
import re

from gunicorn import glogging, util

from . import logs

_CONTROL = re.compile(r"[\x00-\x1f\x7f\\\\]")


def _escaped(value):
    if not isinstance(value, str):
        return value
    return _CONTROL.sub(lambda m: "\\\\" if m.group() == "\\" else f"\\x{ord(m.group()):02x}",
                        value)


class AccessLogger(glogging.Logger):
    """gunicorn's logger: escaped or JSON request fields, request ids, quiet routine polls."""

    def setup(self, cfg):
        super().setup(cfg)
        self.json = os.environ.get("LOG_FORMAT") == "json"
        if self.json:
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.setFormatter(logs.JsonFormatter())

    def atoms(self, resp, req, environ, request_time):
        return {name: _escaped(value)
                for name, value in super().atoms(resp, req, environ, request_time).items()}

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = int(str(resp.status).split(None, 1)[0])
        if environ.get(logs.ENVIRON_ROUTINE) and status < 400 and self.loglevel > logging.DEBUG:
            return
        if not self.json:
            super().access(resp, req, environ, request_time)
            return
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        self.access_log.info("%s %s %s", method, path, status, extra={
            "request_id": environ.get(logs.ENVIRON_ID), "method": method, "status": status,
            "principal": environ.get(logs.ENVIRON_PRINCIPAL),
            "route": environ.get(logs.ENVIRON_ROUTE),
            "duration_ms": round(request_time.total_seconds() * 1000, 1)})


def write_problem(sock, status_int, reason, mesg):
    """gunicorn's error page, as problem details (RFC 9457) like every other answer."""
    body = json.dumps({"type": "about:blank", "title": reason, "status": status_int,
                       "detail": mesg or reason}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin1") + body)


def install() -> None:
    """Called by gunicorn.conf.py when the server starts, before workers are forked."""
    util.write_error = write_problem
