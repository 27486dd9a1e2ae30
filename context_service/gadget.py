"""Serving the gadget: its static files, gadget.xml for Finesse, its config, the demo and
the Amazon Connect bridge.

URLs are built from PUBLIC_BASE_URL, else from the request, so the gadget works wherever
it is deployed (behind a proxy, set PROXY_FIX=1 so X-Forwarded-* headers are honoured).
"""

import functools
import gzip
import hashlib
import mimetypes
import os
from pathlib import Path
from urllib.parse import urlsplit

import brotli
from flask import Blueprint, current_app, redirect, request
from markupsafe import escape
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from . import ROOT

GADGET_DIR = ROOT / "gadget"
CONNECT_BRIDGE = "/gadget/bridges/amazon-connect/"
bp = Blueprint("gadget", __name__)


def _csp(path: str) -> str:
    config = current_app.config
    ancestors = " ".join(["'self'", *config["GADGET_ALLOWED_ORIGINS"]])
    scripts, frames = ["'self'"], ["'self'"]
    # Only the Connect bridge frames Amazon Connect's CCP and runs its Streams library
    # (when that is loaded from another server): every other page keeps to its own origin.
    if path.startswith(CONNECT_BRIDGE) and config["CONNECT_CCP_URL"]:
        ccp = urlsplit(config["CONNECT_CCP_URL"])
        frames.append(f"{ccp.scheme}://{ccp.netloc}")
        streams = config["CONNECT_STREAMS_URL"]
        if streams and not streams.startswith("/"):
            scripts.append(streams)
    return (f"default-src 'self'; script-src {' '.join(scripts)}; style-src 'self'; "
            "img-src 'self' data:; connect-src 'self' ws: wss:; "
            f"frame-src {' '.join(frames)}; frame-ancestors {ancestors}; base-uri 'none'")


@bp.after_app_request
def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.path.startswith("/gadget/") and response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = _csp(request.path)
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/")
def home():
    """The demo desktop (its query kept: /?agent=demo2 signs in the second demo agent)."""
    query = request.query_string.decode("latin-1")
    return redirect("gadget/demo/" + (f"?{query}" if query else ""), code=302)


@bp.route("/gadget/")
@bp.route("/gadget/<path:filename>")
def static_file(filename: str = "index.html"):
    """The gadget's own files."""
    if filename.endswith("/"):
        filename += "index.html"
    try:
        return _file_response(filename)
    except NotFound:
        # Only a folder inside the gadget's earns the redirect: what lies outside it (../x)
        # is as absent as what does not exist, so a 404 tells nothing about either.
        inside = safe_join(str(GADGET_DIR), filename)
        if inside is not None and os.path.isdir(inside):
            return redirect(request.path + "/", code=301)
        raise


# The gadget's files are fetched by every agent's browser, often on slow links: they are
# sent without comments, compressed at the highest level once per file (kept in memory),
# with few headers and a content ETag, and may be reused for CACHE_SECONDS without asking.
CACHE_SECONDS = 300
_ENCODERS = {"br": lambda data: brotli.compress(data, quality=11),
             "gzip": lambda data: gzip.compress(data, compresslevel=9, mtime=0)}
_TEXT = (".js", ".css", ".json", ".html", ".svg")


def _lean(text: str) -> str:
    """Scripts and styles without their comments, indentation and blank lines.

    Line by line, so every line break between two lines of code stays where it was (no
    change to where JavaScript inserts semicolons). Safe because no string or template
    literal in the gadget spans lines (tests/browser/test_gadget_static.py keeps it so).
    """
    lines, in_comment = [], False
    for line in text.splitlines():
        line = line.strip()
        if in_comment:
            if "*/" not in line:
                continue
            in_comment, line = False, line.split("*/", 1)[1].strip()
        elif line.startswith("/*"):
            rest = line[2:]
            if "*/" not in rest:
                in_comment = True
                continue
            line = rest.split("*/", 1)[1].strip()
        if line and not line.startswith("//"):
            lines.append(line)
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=512)
def _encoded(path: str, stamp: tuple, encoding: str | None) -> tuple[bytes, str]:
    """(body, ETag) of one file in one encoding; `stamp` (mtime, size) renews it."""
    data = Path(path).read_bytes()
    tag = hashlib.sha256(data).hexdigest()[:16]
    # Our own scripts and styles; a library placed beside a bridge page is sent as it is.
    if path.endswith((".js", ".css")) and Path(path).relative_to(GADGET_DIR).parts[0] != "bridges":
        data = _lean(data.decode("utf-8")).encode("utf-8")
    if encoding is None:
        return data, f'"{tag}"'
    return _ENCODERS[encoding](data), f'"{tag}-{encoding}"'


def _file_response(filename: str):
    path = safe_join(str(GADGET_DIR), filename)
    if path is None or not os.path.isfile(path):
        raise NotFound()
    stat = os.stat(path)
    encoding = None
    if path.endswith(_TEXT):
        encoding = next((e for e in _ENCODERS if e in request.accept_encodings), None)
    body, tag = _encoded(path, (stat.st_mtime_ns, stat.st_size), encoding)
    response = current_app.response_class(body, mimetype=mimetypes.guess_type(path)[0])
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["ETag"] = tag
    response.cache_control.public, response.cache_control.max_age = True, CACHE_SECONDS
    return response.make_conditional(request)


@bp.route("/gadget/config.json")
def gadget_config():
    """What the gadget needs to know before sign-in (nothing secret)."""
    config = current_app.config
    answer = {
        "allowed_origins": config["GADGET_ALLOWED_ORIGINS"],
        "finesse": bool(config["FINESSE_URL"]),
        # The gadget says again which customer it shows well within this (presence).
        "presence_ttl_seconds": config["PRESENCE_TTL_SECONDS"],
        "finesse_dialogs": {
            "ignored_call_types": config["FINESSE_IGNORED_CALL_TYPES"],
            "media_types": config["FINESSE_MEDIA_TYPES"],
            "address_properties": config["FINESSE_ADDRESS_PROPERTIES"],
        },
    }
    if config["CONNECT_CCP_URL"]:
        # For the Amazon Connect bridge; streams_url null: the file beside the bridge page.
        answer["amazon_connect"] = {
            "ccp_url": config["CONNECT_CCP_URL"],
            "region": config["CONNECT_REGION"],
            "streams_url": config["CONNECT_STREAMS_URL"],
        }
    return answer


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
