"""One error shape for the whole app: `application/problem+json` (RFC 9457).

Domain code raises `Problem` subclasses; HTTP exceptions from Flask, webargs
and werkzeug, integrity errors and stale versions are all turned into the same
shape here, so no route handles errors itself and nothing becomes a 500 body
of another form.
"""

import logging
import math
import time

import marshmallow as ma
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm.exc as so_exc
from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger(__name__)


class Problem(Exception):
    """An error a client can act on; the subclass fixes the status and title."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, headers: dict | None = None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


class Unauthorized(Problem):
    status, title = 401, "Unauthorized"


class Forbidden(Problem):
    status, title = 403, "Forbidden"


class NotFound(Problem):
    status, title = 404, "Not found"


class Conflict(Problem):
    status, title = 409, "Conflict"


class PreconditionFailed(Problem):
    status, title = 412, "Precondition failed"


class PreconditionRequired(Problem):
    status, title = 428, "Precondition required"


class Unprocessable(Problem):
    status, title = 422, "Unprocessable content"


class UnsupportedMediaType(Problem):
    status, title = 415, "Unsupported media type"


def problem_response(status: int, title: str, detail: str, headers=None, **extra) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def too_many_requests(limit) -> Response:
    """Flask-Limiter's `on_breach`: a 429 problem saying when to try again."""
    wait = max(1, math.ceil(limit.reset_at - time.time()))
    return problem_response(429, "Too many requests",
                            f"Too many attempts; try again in {wait} seconds.",
                            {"Retry-After": str(wait)})


def _from_problem(error: Problem) -> Response:
    return problem_response(error.status, error.title, error.detail, error.headers, **error.extra)


# Where webargs found the errors; it nests field errors under these names.
LOCATIONS = {"json", "query", "querystring", "headers", "form", "files", "view_args", "path"}


def _field_errors(errors) -> dict:
    """Field name -> messages; messages about the body as a whole go under `_schema`."""
    if not isinstance(errors, dict):
        return {"_schema": list(errors) if isinstance(errors, list | tuple) else [errors]}
    if errors and set(errors) <= LOCATIONS:
        flat = {}
        for messages in errors.values():
            flat.update(_field_errors(messages))
        return flat
    return errors


def _detail(errors: dict) -> str:
    fields = sorted(str(k) for k in errors if k != "_schema")
    if fields:
        return "Invalid fields: " + ", ".join(fields)
    return " ".join(map(str, errors.get("_schema", []))) or "Invalid input."


def _from_http(error: HTTPException) -> Response:
    if error.response is not None:
        return error.response  # already an answer (a rate limit's 429 problem, say)
    data = getattr(error, "data", None) or {}
    extra = {}
    detail = data.get("message") or error.description or error.name
    errors = data.get("errors") or data.get("messages")
    if errors:
        extra["errors"] = _field_errors(errors)
        detail = _detail(extra["errors"])
    headers = dict(data.get("headers") or {})
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem_response(error.code or 500, error.name, detail, headers, **extra)


def _from_validation(error: ma.ValidationError) -> Response:
    errors = _field_errors(error.messages)
    return _from_problem(Unprocessable(_detail(errors), errors=errors))


def _from_integrity(error: sa_exc.IntegrityError) -> Response:
    log.info("integrity error turned into 409: %s", error.orig)
    return problem_response(409, "Conflict", "The change conflicts with stored data.")


def _from_data(error: sa_exc.DataError) -> Response:
    """A value the database cannot hold (validation should have caught it first)."""
    log.warning("data error turned into 422: %s", error.orig)
    return problem_response(422, "Unprocessable content", "A value cannot be stored as given.")


def _from_operational(error: sa_exc.OperationalError) -> Response:
    """The database is unreachable, locked or chose this transaction to break a deadlock."""
    log.warning("database error turned into 503: %s", error.orig)
    return problem_response(503, "Service unavailable", "The database is busy; try again.",
                            {"Retry-After": "1"})


def _from_stale(_error: so_exc.StaleDataError) -> Response:
    return problem_response(412, "Precondition failed", "Someone else changed this meanwhile.")


def _from_unexpected(error: Exception) -> Response:
    log.exception("unexpected error", exc_info=error)
    return problem_response(500, "Internal server error", "Something went wrong on our side.")


def register(app: Flask) -> None:
    app.register_error_handler(Problem, _from_problem)
    app.register_error_handler(HTTPException, _from_http)
    app.register_error_handler(ma.ValidationError, _from_validation)
    app.register_error_handler(sa_exc.IntegrityError, _from_integrity)
    app.register_error_handler(sa_exc.DataError, _from_data)
    app.register_error_handler(sa_exc.OperationalError, _from_operational)
    app.register_error_handler(so_exc.StaleDataError, _from_stale)
    app.register_error_handler(Exception, _from_unexpected)
