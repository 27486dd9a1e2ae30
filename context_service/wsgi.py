"""WSGI entry point for gunicorn: the app with its background jobs running."""

from . import create_app

app = create_app({"START_BACKGROUND": True})
