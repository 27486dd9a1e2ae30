"""The router job: expires offers past their deadline and re-offers their tasks (R13)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Start the router job in served processes."""
