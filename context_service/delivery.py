"""Webhook delivery of agents' chat replies (R16). Being written: see the messages work."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Start the delivery job in served processes."""
