"""The API's documentation page, /api/docs: Swagger UI reading /api/openapi.json.

Its files come with the installation (the swagger-ui-py package ships Swagger UI 5, which
reads OpenAPI 3.1), never from a CDN: contact centers run closed networks. Like the
document it shows, the page holds no data and needs no credentials.
"""

from pathlib import Path

import swagger_ui
from flask import Blueprint, abort, send_from_directory

bp = Blueprint("docs", __name__)
ASSETS = Path(swagger_ui.__file__).parent / "static"
# What flask-smorest's Swagger UI page loads; nothing else of the package is served.
FILES = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}
CONFIG = {
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "docs/assets/",  # relative: works under any prefix
    "OPENAPI_SWAGGER_UI_CONFIG": {"deepLinking": True, "displayOperationId": True},
}


@bp.route("/api/docs/assets/<name>")
def asset(name: str):
    if name not in FILES:
        abort(404)
    return send_from_directory(ASSETS, name, max_age=86400)
