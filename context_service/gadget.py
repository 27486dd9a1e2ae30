"""Serving the gadget: its static files, gadget.xml for Finesse, its config, the demo.

URLs are built from PUBLIC_BASE_URL, else from the request, so the gadget works wherever
it is deployed (behind a proxy, set PROXY_FIX=1 so X-Forwarded-* headers are honoured).
"""

import os

from flask import Blueprint, current_app, redirect, request, send_from_directory
from markupsafe import escape
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from . import ROOT

GADGET_DIR = ROOT / "gadget"
bp = Blueprint("gadget", __name__)


def _csp() -> str:
    ancestors = " ".join(["'self'", *current_app.config["GADGET_ALLOWED_ORIGINS"]])
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' ws: wss:; frame-ancestors {ancestors}; base-uri 'none'")


@bp.after_app_request
def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.path.startswith("/gadget/") and response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = _csp()
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/")
def home():
    """The demo desktop."""
    return redirect("gadget/demo/", code=302)


@bp.route("/gadget/")
@bp.route("/gadget/<path:filename>")
def static_file(filename: str = "index.html"):
    """The gadget's own files."""
    if filename.endswith("/"):
        filename += "index.html"
    try:
        return send_from_directory(GADGET_DIR, filename, max_age=300)
    except NotFound:
        # Only a folder inside the gadget's earns the redirect: what lies outside it (../x)
        # is as absent as what does not exist, so a 404 tells nothing about either.
        inside = safe_join(str(GADGET_DIR), filename)
        if inside is not None and os.path.isdir(inside):
            return redirect(request.path + "/", code=301)
        raise


@bp.route("/gadget/config.json")
def gadget_config():
    """What the gadget needs to know before sign-in (nothing secret)."""
    config = current_app.config
    return {
        "allowed_origins": config["GADGET_ALLOWED_ORIGINS"],
        "finesse": bool(config["FINESSE_URL"]),
        "finesse_dialogs": {
            "ignored_call_types": config["FINESSE_IGNORED_CALL_TYPES"],
            "media_types": config["FINESSE_MEDIA_TYPES"],
            "address_properties": config["FINESSE_ADDRESS_PROPERTIES"],
        },
    }


@bp.route("/gadget.xml")
def gadget_xml():
    """The Finesse gadget spec, pointing at this deployment."""
    spec = (ROOT / "gadget.xml").read_text(encoding="utf-8")
    # Finesse, not the agent's browser, fetches this file: the URL it used may not be the
    # one browsers reach us by, so a configured public URL wins.
    base = current_app.config["PUBLIC_BASE_URL"] or request.url_root
    response = current_app.response_class(spec.replace("__BASE__", escape(base)),
                                          mimetype="application/xml")
    response.headers["Cache-Control"] = "no-cache"
    return response
