"""WSGI entry point for gunicorn: the app with its background sweeper running."""

from . import create_app

app = create_app({"START_SWEEPER": True})
