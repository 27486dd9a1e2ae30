"""Configuration: documented defaults, overridden by environment variables.

Nothing here runs at import time; `load_config()` is called by `create_app`.
"""

import ipaddress
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit


def _origins(raw: str) -> list[str]:
    return [o.strip().rstrip("/") for o in raw.split(",") if o.strip()]


def _networks(raw: str) -> list:
    return [ipaddress.ip_network(n.strip(), strict=False) for n in raw.split(",") if n.strip()]


def _base_url(raw: str) -> str:
    return raw.strip().rstrip("/") + "/"


def _words(raw: str) -> list[str]:
    return [w.strip() for w in raw.split(",") if w.strip()]


def _media_map(raw: str) -> list[list[str]]:
    """`pattern=media` pairs, e.g. `chat=chat,mail=email,*=chat`: the first pattern found
    (case-insensitive) in a Finesse dialog's mediaType names the media; `*` is any."""
    from .models import MEDIA_TYPES

    pairs = []
    for item in _words(raw):
        pattern, _, media = item.partition("=")
        if not pattern.strip() or media.strip() not in MEDIA_TYPES:
            raise ValueError(f"FINESSE_MEDIA_TYPES: {item!r} is not pattern=media "
                             f"(media one of {', '.join(MEDIA_TYPES)})")
        pairs.append([pattern.strip(), media.strip()])
    return pairs
# What may appear in a URL that goes into a Content-Security-Policy header: no spaces,
# quotes, commas or semicolons, which would end the source or the directive.
_CSP_SAFE = re.compile(r"[A-Za-z0-9._~:/?#@!$&()*+=%\[\]-]+")
_HOST_PORT = re.compile(r"[A-Za-z0-9.\-]+(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?")


def _http_url(raw: str) -> str:
    """An absolute http(s) URL; a typo fails at start-up, not in an agent's browser."""
    url = raw.strip()
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not _HOST_PORT.fullmatch(parts.netloc)
            or not _CSP_SAFE.fullmatch(url)):
        raise ValueError(f"{url!r} is not an http(s) URL")
    return url


def _script_url(raw: str) -> str:
    """An absolute http(s) URL or a path on this server, without query or fragment: it is
    written into a Content-Security-Policy, which matches scheme, host and path only."""
    url = raw.strip()
    parts = urlsplit(url)
    on_this_server = url.startswith("/") and not url.startswith("//")
    if not on_this_server:
        _http_url(url)
    elif not _CSP_SAFE.fullmatch(url):
        raise ValueError(f"{url!r} is not a URL path")
    if parts.query or parts.fragment:
        raise ValueError(f"{url!r}: a script URL has no query or fragment")
    return url


# name -> (default, converter, description). The README's configuration table mirrors this.
SETTINGS = {
    "DATABASE_URL": (None, str, "SQLAlchemy URL; default SQLite file in instance/"),
    "CONTEXT_ADMIN_TOKEN": (None, str, "bootstrap admin bearer token (compared, never stored)"),
    "DEFAULT_PHONE_REGION": ("US", str, "region for phone numbers written without +country"),
    "REQUEST_AUTOCLOSE_SECONDS": (432000, int, "idle time after which a request closes"),
    "AUTOCLOSE_SWEEP_SECONDS": (60, int, "how often the in-process sweeper runs; 0 disables"),
    "AGENT_TOKEN_TTL_SECONDS": (43200, int, "lifetime of agent tokens issued by login"),
    "MAX_CONTENT_LENGTH": (1024 * 1024, int, "largest request body in bytes (413 above)"),
    "LOG_LEVEL": ("INFO", str, "logging level"),
    "LOG_FORMAT": ("text", str, "text, or json: one JSON object per line (app and gunicorn)"),
    "FINESSE_URL": (None, str, "Finesse server(s) for agent sign-in, comma-separated, primary "
                               "first, e.g. https://finesse-a.example:8445"),
    "FINESSE_TIMEOUT_SECONDS": (5.0, float, "how long one Finesse node has to answer sign-in"),
    "FINESSE_CA_FILE": (None, str, "CA bundle to verify the Finesse server's certificate"),
    "GADGET_ALLOWED_ORIGINS": ([], _origins, "comma-separated origins that may host the gadget"),
    # How the gadget reads Finesse dialogs (a contact center's calls are not all customers').
    "FINESSE_IGNORED_CALL_TYPES": (
        ["AGENT_INSIDE", "CONSULT", "SUPERVISOR_MONITOR", "SUPERVISOR_BARGE_IN",
         "SUPERVISOR_INTERCEPT"], _words,
        "comma-separated Finesse callTypes that are not customer contacts (ignored)"),
    "FINESSE_MEDIA_TYPES": (
        [["voice", "voice"], ["chat", "chat"], ["mail", "email"], ["*", "chat"]], _media_map,
        "comma-separated pattern=media: a dialog's mediaType (MRD name) to the media type"),
    "FINESSE_ADDRESS_PROPERTIES": (
        ["user.*", "callVariable*"], _words,
        "comma-separated media properties (* wildcards) whose first email or phone value "
        "is the customer's address when a dialog has none"),
    "PUBLIC_BASE_URL": (None, _base_url,
                        "this service's URL as browsers reach it, written into gadget.xml"),
    "SIGNIN_FAILURES_PER_AGENT": ("10 per 15 minutes", str,
                                  "failed sign-ins allowed per agent id before 429"),
    "SIGNIN_FAILURES_PER_ADDRESS": ("30 per 15 minutes", str,
                                    "failed sign-ins allowed per client address before 429"),
    "RATELIMIT_STORAGE_URI": ("memory://", str, "where rate-limit counters live: memory:// "
                              "(each process its own) or redis://host:6379 (shared)"),
    "RATELIMIT_KEY_PREFIX": ("cc", str, "prefix of this deployment's keys in shared storage"),
    "TOKEN_CACHE_SECONDS": (10.0, float, "how long a process trusts a token it looked up "
                            "(revocations reach every process at once anyway)"),
    "STREAM_RECHECK_SECONDS": (10.0, float, "how often an open stream checks its token again"),
    "CONNECT_CCP_URL": (None, _http_url,
                        "Amazon Connect CCP the Connect bridge embeds, e.g. "
                        "https://example.my.connect.aws/ccp-v2/"),
    "CONNECT_REGION": (None, str, "AWS region of the Amazon Connect instance (needed for chat)"),
    "CONNECT_STREAMS_URL": (None, _script_url,
                            "where the Connect bridge loads amazon-connect-streams from; "
                            "default connect-streams-min.js beside the bridge page"),
    "METRICS_TOKEN": (None, str, "bearer token Prometheus scrapes /metrics with (else an "
                                 "admin's token is needed)"),
    "WS_PING_SECONDS": (25, int, "keep-alive ping interval on the stream"),
    "PROXY_FIX": (0, int, "number of proxies whose X-Forwarded-* headers to trust"),
    "SECRET_KEY": (None, str, "server secret that webhook signing secrets are derived from"),
    "OFFER_TIMEOUT_SECONDS": (15.0, float, "time an agent has to accept an offered task (R13)"),
    "CHAT_CAPACITY": (3, int, "chats an agent handles at once"),
    "EMAIL_CAPACITY": (2, int, "emails an agent handles at once"),
    "NOT_READY_REASONS": (["break", "lunch", "meeting", "training"], _words,
                          "comma-separated Not Ready reasons the gadget offers"),
    "ROUTING_TICK_SECONDS": (0.25, float, "how often each process looks for expired offers"),
    "WEBHOOK_TIMEOUT_SECONDS": (10.0, float, "how long a webhook receiver has to answer"),
    "WEBHOOK_RETRY_SECONDS": (1.0, float, "first retry delay of a failed webhook delivery"),
    "WEBHOOK_RETRY_MAX_SECONDS": (300.0, float, "longest delay between delivery attempts"),
    "WEBHOOK_GIVE_UP_SECONDS": (86400, int, "age at which an undelivered reply is marked failed"),
    "WEBHOOK_ALLOWED_NETWORKS": ([], _networks,
                                 "internal networks webhooks may reach, e.g. 10.20.0.0/16 "
                                 "(others: public addresses only)"),
    "WEBHOOK_POLL_SECONDS": (0.5, float,
                             "how often each process looks for replies to deliver; 0: none here"),
    "MERGE_UNDO_SECONDS": (604800, int, "how long a customer merge can be undone (7 days)"),
    "IMPORT_MAX_BYTES": (64 * 1024 * 1024, int, "largest CSV an import takes (413 above)"),
    "IMPORT_BATCH_ROWS": (2000, int, "CSV lines an import writes per transaction"),
    "PRESENCE_TTL_SECONDS": (120, int, "how long a gadget's \"viewing\" counts without being "
                                       "said again (its stream closing ends it at once)"),
}


def _instance_sqlite_url(instance_path: str) -> str:
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(instance_path) / 'context.db'}"


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Defaults, then environment, then explicit overrides (tests)."""
    config = {}
    for name, (default, convert, _doc) in SETTINGS.items():
        raw = os.environ.get(name)
        config[name] = convert(raw) if raw not in (None, "") else default
    config.update(overrides or {})
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = _instance_sqlite_url(instance_path)
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret_key(instance_path)
    return config


def _instance_secret_key(instance_path: str) -> str:
    """A development secret kept in instance/ (0600); production sets SECRET_KEY instead,
    the same in every process and instance. Linked into place, so processes starting
    together all read the one that won."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"secret_key.{os.getpid()}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()
