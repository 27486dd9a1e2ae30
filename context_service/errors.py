"""One error shape for the whole app: `application/problem+json` (RFC 9457).

Domain code raises `Problem` subclasses; HTTP exceptions from Flask, webargs
and werkzeug, integrity errors and stale versions are all turned into the same
shape here, so no route handles errors itself and nothing becomes a 500 body
of another form.
"""

import logging

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


def problem_response(status: int, title: str, detail: str, headers=None, **extra) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _from_problem(error: Problem) -> Response:
    return problem_response(error.status, error.title, error.detail, error.headers, **error.extra)


def _from_http(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    extra = {}
    errors = data.get("errors") or data.get("messages")
    if errors:
        # webargs nests errors by location ("json", "query"); keep field names on top.
        if set(errors) <= {"json", "query", "headers", "form", "files", "view_args"}:
            errors = {k: v for location in errors.values() for k, v in location.items()}
        extra["errors"] = errors
    detail = data.get("message") or error.description or error.name
    if errors:
        detail = "Invalid fields: " + ", ".join(sorted(str(k) for k in errors))
    headers = dict(data.get("headers") or {})
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem_response(error.code or 500, error.name, detail, headers, **extra)


def _from_validation(error: ma.ValidationError) -> Response:
    return _from_problem(
        Unprocessable("Invalid fields: " + ", ".join(sorted(map(str, error.messages))),
                      errors=error.messages)
    )


def _from_integrity(error: sa_exc.IntegrityError) -> Response:
    log.info("integrity error turned into 409: %s", error.orig)
    return problem_response(409, "Conflict", "The change conflicts with stored data.")


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
    app.register_error_handler(so_exc.StaleDataError, _from_stale)
    app.register_error_handler(Exception, _from_unexpected)
