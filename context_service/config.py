"""Configuration: documented defaults, overridden by environment variables.

Nothing here runs at import time; `load_config()` is called by `create_app`.
"""

import os
from pathlib import Path

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
