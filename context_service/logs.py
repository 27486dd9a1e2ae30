"""Logs an operator can search: one JSON object per line (LOG_FORMAT=json), a request id on
every answer and every line, and no routine polling at INFO.

Every line, the app's and gunicorn's (its access and error logs, see server.py), carries
`time`, `level`, `logger` and `message`; lines written while a request is handled also
carry `request_id`, `principal` (an agent id or `role:key-name`, never a token), `route`;
access lines add `method`, `status` and `duration_ms`. Nothing here ever reads the
Authorization header or a request body, so no token or password can reach a log.
"""

import json
import logging
import re
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID = "X-Request-ID"
# A caller's request id is kept if it is plain enough to log and echo back.
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# What the access log learns from the app (gunicorn reads the WSGI environ).
ENVIRON_ID, ENVIRON_PRINCIPAL, ENVIRON_ROUTE, ENVIRON_ROUTINE = (
    "cc.request_id", "cc.principal", "cc.route", "cc.routine")
# Probes and polls that come every few seconds: logged at DEBUG, not INFO, when they succeed.
ROUTINE_ENDPOINTS = {"health.healthz", "health.readyz", "metrics.metrics",
                     "activities.ActivityMessageViews"}
FIELDS = ("request_id", "principal", "route", "method", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        line = {"time": when, "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}
        line.update({name: getattr(record, name) for name in FIELDS
                     if getattr(record, name, None) is not None})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class RequestFields(logging.Filter):
    """Lines written while a request is handled name it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = getattr(record, "request_id", None) or g.get("request_id")
            principal = g.get("principal")
            record.principal = getattr(record, "principal", None) or (
                principal.actor if principal else None)
            record.route = getattr(record, "route", None) or (
                request.url_rule.rule if request.url_rule else None)
        return True


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter()
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure(app: Flask) -> None:
    """The root logger in the app's format, and request ids in and out."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(app.config["LOG_FORMAT"]))
    handler.addFilter(RequestFields())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_context_service", False)]:
        root.removeHandler(old)
    handler._context_service = True
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.before_request(_take_request_id)
    app.after_request(_give_request_id)


def _take_request_id() -> None:
    given = request.headers.get(REQUEST_ID, "")
    g.request_id = given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex
    request.environ[ENVIRON_ID] = g.request_id


def _give_request_id(response):
    if "request_id" in g:
        response.headers[REQUEST_ID] = g.request_id
        principal = g.get("principal")
        request.environ[ENVIRON_PRINCIPAL] = principal.actor if principal else None
        request.environ[ENVIRON_ROUTE] = request.url_rule.rule if request.url_rule else None
        request.environ[ENVIRON_ROUTINE] = request.endpoint in ROUTINE_ENDPOINTS
    return response
