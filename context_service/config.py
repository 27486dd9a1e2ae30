"""Configuration: documented defaults, overridden by environment variables.

Nothing here runs at import time; `load_config()` is called by `create_app`.
"""

import os
from pathlib import Path


def _origins(raw: str) -> list[str]:
    return [o.strip().rstrip("/") for o in raw.split(",") if o.strip()]


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
    "FINESSE_URL": (None, str, "Finesse server for agent sign-in, e.g. https://finesse.example:8445"),
    "FINESSE_CA_FILE": (None, str, "CA bundle to verify the Finesse server's certificate"),
    "GADGET_ALLOWED_ORIGINS": ([], _origins, "comma-separated origins that may host the gadget"),
    "WS_PING_SECONDS": (25, int, "keep-alive ping interval on the stream"),
    "PROXY_FIX": (0, int, "number of proxies whose X-Forwarded-* headers to trust"),
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
    return config
