"""The stand-in desktop's pages: Finesse's sign-in, and the desktop with its gadgets.

The desktop has two tabs, Home (the layout's gadgets, each in an iframe served by this
origin's /gadgets/ifr) and My Statistics (empty), like the tabs of Finesse's default
layout. The gadgets get the agent's configuration as Finesse gives it to
finesse.gadget.Config: `id`, `extension`, `locale`, `host`, `hostPort`, `scheme`,
`restHost`, `systemAuthMode` as gadget prefs in the render URL; the secrets
(`authorization`, base64 "id:password", or SSO's `authToken`) in the desktop origin's
sessionStorage, where finesse.js 10.5 reads `userFinesseAuth` from. How the real
container passes them is not published; this keeps secrets out of URLs.
"""

import html
import json
from urllib.parse import urlencode

LOCALES = ("en_US", "de_DE", "nl_NL", "nb_NO", "sr_RS")


def _script_json(value) -> str:
    """JSON safe inside an inline <script>."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>"
            "<link rel=\"stylesheet\" href=\"/desktop/assets/css/desktop.css\"></head>\n"
            f"<body>\n{body}\n</body></html>\n")


def signin_page(error: str = "", username: str = "") -> str:
    options = "".join(f"<option>{locale}</option>" for locale in LOCALES)
    message = (f"<p class=\"error\" role=\"alert\" data-testid=\"desktop-signin-error\">"
               f"{html.escape(error)}</p>") if error else ""
    return _page("Cisco Finesse", f"""
<form class="signin" method="post" action="/desktop/" data-testid="desktop-signin">
  <h1>Cisco Finesse</h1>{message}
  <label>Username <input name="username" value="{html.escape(username)}" autocomplete="off"></label>
  <label>Password <input name="password" type="password"></label>
  <label>Extension <input name="extension"></label>
  <label>Language <select name="locale">{options}</select></label>
  <button type="submit">Sign In</button>
</form>""")


def gadget_src(gadget: dict, mid: int, agent: dict, origin: dict) -> str:
    """The render URL of one layout gadget for this agent."""
    params = {
        "url": gadget["url"], "mid": str(mid), "lang": agent["locale"].split("_")[0],
        # UserPrefs the spec may declare (Cisco's samples declare scheme, host, hostPort).
        "up_scheme": origin["scheme"], "up_host": origin["host"], "up_hostPort": origin["port"],
        # finesse.gadget.Config's plain fields.
        "up_id": agent["id"], "up_extension": agent["extension"], "up_locale": agent["locale"],
        "up_restHost": origin["host"], "up_systemAuthMode": agent["auth_mode"],
    }
    # The administrator's settings for this gadget in the layout win (a wrong host...).
    params.update({f"up_{name}": str(value) for name, value in gadget.get("prefs", {}).items()})
    return "/gadgets/ifr?" + urlencode(params)


def desktop_page(agent: dict, layout: list[dict], origin: dict) -> str:
    frames = "".join(
        f"""<section class="gadget" data-testid="desktop-gadget">
  <h2 data-role="gadget-title">Gadget</h2>
  <iframe id="gadget_{mid}" name="gadget_{mid}" data-gadget="{mid}" title="Gadget {mid}"
          src="{html.escape(gadget_src(gadget, mid, agent, origin))}"></iframe>
</section>""" for mid, gadget in enumerate(layout))
    secrets = {"userFinesseAuth": agent["authorization"], "userFinesseAuthToken": agent["token"]}
    return _page("Cisco Finesse", f"""
<script>
  for (const [key, value] of Object.entries({_script_json(secrets)})) {{
    if (value) sessionStorage.setItem(key, value); else sessionStorage.removeItem(key);
  }}
</script>
<script src="/desktop/assets/js/desktop.js"></script>
<header class="bar" data-testid="desktop-header">
  <span data-testid="desktop-agent">{html.escape(agent["name"])} ({html.escape(agent["id"])})</span>
  <span>Extension {html.escape(agent["extension"])}</span>
</header>
<nav class="tabs" role="tablist">
  <button type="button" role="tab" data-tab="home" aria-selected="true">Home</button>
  <button type="button" role="tab" data-tab="stats" aria-selected="false">My Statistics</button>
</nav>
<div class="tab-panel" id="panel_home">{frames}</div>
<div class="tab-panel tab-hidden" id="panel_stats"><p>No statistics yet.</p></div>""")
