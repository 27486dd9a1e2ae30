"""Customer Context: the contact-center context service (Flask)."""

import logging
from pathlib import Path

from flask import Flask

from . import errors, extensions
from .auth import authenticate
from .config import load_config

ROOT = Path(__file__).resolve().parent.parent


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
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
        JSON_SORT_KEYS=False,
    )
    logging.basicConfig(level=app.config["LOG_LEVEL"])

    # `extensions.api` by its module: the `api` subpackage shadows a bare name here.
    extensions.db.init_app(app)
    extensions.api.init_app(app)
    extensions.sock.init_app(app)
    errors.register(app)
    app.before_request(authenticate)

    from .api import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        extensions.api.register_blueprint(blueprint)

    from . import sweeper

    sweeper.init_app(app)
    return app
