"""The stand-in's gadget container: renders a gadget spec the way Finesse's Shindig does.

Finesse fetches a third-party gadget's spec from the gadget's own server (server-side,
not in the agent's browser), substitutes the `__UP_name__` placeholders of the UserPrefs
the spec declares with the values the desktop passes (`up_name` request parameters, else
the UserPref's default_value) and `__MODULE_ID__`, and serves the Content in an iframe on
the Finesse origin, after the JavaScript of the gadgets.* features the spec requires.
A required feature the container does not have is an error, as in Shindig.
"""

import html
import urllib.error
import urllib.request
from xml.etree import ElementTree as ET  # noqa: N817

SPEC_TIMEOUT_SECONDS = 10
# Features this container offers (gadgets.js implements them); "content-rewrite" is
# understood as an exclusion only: this container never rewrites content.
FEATURES = {"pubsub-2", "settitle", "dynamic-height", "setprefs", "content-rewrite"}


class GadgetError(Exception):
    """The spec could not be fetched or rendered: Shindig shows the reason in the frame."""


def fetch_spec(url: str) -> ET.Element:
    if not url.startswith(("http://", "https://")):
        raise GadgetError(f"not a gadget URL: {url}")
    try:
        with urllib.request.urlopen(url, timeout=SPEC_TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise GadgetError(f"could not fetch {url}: {exc}") from exc
    try:
        return ET.fromstring(body)  # noqa: S314 - a test's own service
    except ET.ParseError as exc:
        raise GadgetError(f"not a gadget spec: {exc}") from exc


def render(spec: ET.Element, params: dict[str, str]) -> str:
    """The iframe's HTML for this spec, with the render request's parameters."""
    prefs = spec.find("ModulePrefs")
    for required in (prefs.findall("Require") if prefs is not None else []):
        if required.get("feature") not in FEATURES:
            raise GadgetError(f"unsupported feature: {required.get('feature')}")
    content = next((c for c in spec.findall("Content") if c.get("type", "html") == "html"), None)
    if content is None or content.get("href"):
        raise GadgetError("no html Content to render")
    text = content.text or ""
    for pref in spec.findall("UserPref"):
        name = pref.get("name")
        value = params.get(f"up_{name}", pref.get("default_value", ""))
        text = text.replace(f"__UP_{name}__", html.escape(value))
    text = text.replace("__MODULE_ID__", html.escape(params.get("mid", "0")))
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<style>body { margin: 0; }</style>"
            "<script src=\"/gadgets/js/gadgets.js\"></script></head>\n<body>\n"
            f"{text}\n<script>gadgets.util.runOnLoadHandlers();</script>\n</body></html>\n")


def error_page(reason: str) -> str:
    return ("<!DOCTYPE html>\n<html><body><p data-testid=\"gadget-error\">"
            f"Error processing the gadget: {html.escape(reason)}</p></body></html>\n")
