"""Extensions, created unbound and attached to an app in `create_app`."""

import http

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from flask_sock import Sock

from .db import Database
from .errors import PROBLEM_TYPE, too_many_requests
from .schemas import ProblemSchema, scalar2properties


class ProblemApi(Api):
    """flask-smorest, documenting every error as `application/problem+json`."""

    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, *args, **kwargs):
        super()._init_spec(*args, **kwargs)
        self.ma_plugin.converter.add_attribute_function(scalar2properties)

    def _register_error_handlers(self):
        """Errors are handled app-wide by `errors.register`, not by flask-smorest."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


db = Database()
api = ProblemApi()
sock = Sock()
# gzip or brotli for gadget files and API answers, as the browser asks (COMPRESS_* settings).
compress = Compress()
# Counters live where RATELIMIT_STORAGE_URI says (memory: this process; redis: all of them).
limiter = Limiter(key_func=get_remote_address, on_breach=too_many_requests)
