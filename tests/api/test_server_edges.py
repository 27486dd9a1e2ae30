"""What answers before the app does: gunicorn's own errors, its access log, and static files
(issue 9)."""

import socket

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.live import LiveServer

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def logged(own_database, tmp_path_factory):
    log = tmp_path_factory.mktemp("logs") / "access.log"
    server = LiveServer(own_database[0], ADMIN_TOKEN, access_log=str(log)).start()
    yield server, log
    server.stop()


def raw(server, request: bytes) -> tuple[str, dict, bytes]:
    """Send bytes as they are; (status line, headers, body) of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin1").split("\r\n")
    return status, {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}, body


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", "414"),
    (b"GET\x01 / HTTP/1.1\r\nHost: x\r\n\r\n", "400"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", "400"),
])
def test_gunicorns_own_errors_are_problem_details(logged, request_bytes, status):
    import json

    line, headers, body = raw(logged[0], request_bytes)
    assert line.split()[1] == status
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == int(status) and problem["title"] and problem["detail"]


def test_a_newline_in_a_path_cannot_forge_an_access_log_line(logged):
    server, log = logged
    before = log.read_text().count("\n") if log.exists() else 0
    line, _, _ = raw(server, b"GET /x%0a127.0.0.1%20%22GET%20/admin%22%20200 HTTP/1.1\r\n"
                             b"Host: x\r\nConnection: close\r\n\r\n")
    assert line.split()[1] == "404"
    lines = log.read_text().splitlines()[before:]
    assert len(lines) == 1, lines
    assert "\\x0a" in lines[0]


@pytest.mark.parametrize("path", [
    "/gadget/..%2fcontext_service",          # a folder outside that exists
    "/gadget/..%2fno_such_folder",           # one that does not
    "/gadget/..%2fpyproject.toml",           # a file outside that exists
    "/gadget/..%2fno_such_file.toml",
    "/gadget/%2e%2e/context_service/",
])
def test_paths_outside_the_gadget_look_the_same_whether_or_not_they_exist(logged, path):
    status, body, headers = logged[0].call("GET", path)
    assert status == 404
    assert "Location" not in headers
    assert body == {"type": "about:blank", "title": "Not Found", "status": 404,
                    "detail": body["detail"]}
