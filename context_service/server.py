"""gunicorn's own voice: the errors it answers before the app runs, and its access log.

gunicorn answers a request it cannot parse (a request line over 4094 bytes: 414; a
malformed one: 400) with an HTML page of its own; clients of this API read
`application/problem+json` everywhere. And its access log writes the decoded path, so a
`%0a` in a URL could forge a log line: every field is escaped here instead.
"""

import json
import re

from gunicorn import glogging, util

_CONTROL = re.compile(r"[\x00-\x1f\x7f\\\\]")


def _escaped(value):
    if not isinstance(value, str):
        return value
    return _CONTROL.sub(lambda m: "\\\\" if m.group() == "\\" else f"\\x{ord(m.group()):02x}",
                        value)


class AccessLogger(glogging.Logger):
    """gunicorn's logger, with control characters in request fields shown as \\xNN."""

    def atoms(self, resp, req, environ, request_time):
        return {name: _escaped(value)
                for name, value in super().atoms(resp, req, environ, request_time).items()}


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
