"""Customer Context: the contact-center context service (Flask)."""

from pathlib import Path

from flask import Flask
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from . import auth, docs, errors, extensions, logs
from .auth import answer_preflight, authenticate
from .config import load_config

ROOT = Path(__file__).resolve().parent.parent
API_DESCRIPTION = """\
Contact-center context: customers, their requests and activities, agents' lists, routing.

Rules for every operation:
- Bodies are JSON objects (`application/json`): anything else is 415, an empty body 400.
- Errors are `application/problem+json` (RFC 9457); 422 lists the fields at fault.
- No text anywhere (values or keys) may hold NUL or a lone UTF-16 surrogate (422).
- Dates carry their offset and fall in years 1 to 9999 once in UTC.
- Edits of customers and requests need `If-Match` with the ETag loaded (428 without it,
  412 if someone changed it meanwhile, `*` to overwrite on purpose).
- Failed sign-ins are rate limited (429 with `Retry-After`).
"""
# Browsers may reuse a preflight's answer this long (Chromium caps it at 2 hours).
PREFLIGHT_MAX_AGE = 600


def create_app(config: dict | None = None) -> Flask:
    """Defaults, then environment, then `config` (tests)."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"), static_folder=None)
    app.config.update(load_config(app.instance_path, config))
    app.config.update(
        API_TITLE="Customer Context",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        **docs.CONFIG,
        API_SPEC_OPTIONS={
            "info": {"description": API_DESCRIPTION},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    logs.configure(app)

    # `extensions.api` by its module: the `api` subpackage shadows a bare name here.
    extensions.db.init_app(app)
    extensions.api.init_app(app)
    extensions.sock.init_app(app)
    extensions.limiter.init_app(app)
    extensions.compress.init_app(app)
    errors.register(app)
    # A CORS preflight carries no credentials by design: it is answered before anyone is
    # asked for a token (flask-cors adds the Access-Control-* headers to the answer).
    app.before_request(answer_preflight)
    app.before_request(authenticate)

    from . import background, delivery, gadget, metrics, push, router, stream, sweeper
    from .api import BLUEPRINTS
    from .domain import audit, routing

    for blueprint in BLUEPRINTS:
        extensions.api.register_blueprint(blueprint)
    app.register_blueprint(stream.bp)
    app.register_blueprint(gadget.bp)
    app.register_blueprint(docs.bp)
    metrics.init_app(app)
    push.init_app(app)
    routing.listen(app.extensions["database"]["factory"])  # before push's commit hook
    audit.listen(app.extensions["database"]["factory"])
    auth.init_app(app)
    background.init_app(app)
    sweeper.init_app(app)
    router.init_app(app)
    delivery.init_app(app)
    # Finesse renders gadget.xml on its own origin: from there it loads the gadget's
    # ES modules and catalogues and calls the API, all cross-origin. The gadget's files
    # are public (no credentials, nothing secret), so any origin may load them: on a
    # desktop the API refuses, the gadget still starts and tells the agent why.
    origins = app.config["GADGET_ALLOWED_ORIGINS"]
    CORS(app, resources={r"/api/*": {"origins": origins},
                         r"/gadget/*": {"origins": "*", "expose_headers": None}},
         expose_headers=["ETag", "X-Pagination", "Retry-After"],
         allow_headers=["Authorization", "Content-Type", "If-Match"],
         max_age=PREFLIGHT_MAX_AGE)
    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX"],
                                x_proto=app.config["PROXY_FIX"], x_host=app.config["PROXY_FIX"],
                                x_prefix=app.config["PROXY_FIX"])
    return app
