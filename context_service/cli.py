"""`context-service` command: migrations, auto-close, demo data, and Flask's own commands."""

from datetime import UTC, datetime

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import ROOT, create_app
from .domain import requests as requests_domain
from .extensions import db


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True)
def main():
    """Customer Context service."""


@main.command("migrate")
@with_appcontext
def migrate_command():
    """Bring the database schema up to date."""
    from .db import normalise_url

    migrate(normalise_url(current_app.config["DATABASE_URL"]))
    click.echo("database is up to date")


@main.command("close-stale")
@click.option("--as-of", "as_of", default=None, help="ISO-8601 instant to judge idleness at")
@with_appcontext
def close_stale_command(as_of):
    """Close requests idle past REQUEST_AUTOCLOSE_SECONDS."""
    when = None
    if as_of:
        try:
            when = datetime.fromisoformat(as_of)
        except ValueError as exc:
            raise click.BadParameter(f"{as_of!r} is not ISO-8601", param_hint="--as-of") from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    closed = requests_domain.close_stale(db.session, when)
    db.session.commit()
    click.echo(f"closed {closed} request(s)")


@main.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Add the demo agent and customers (once)."""
    from . import demo

    created = demo.seed(db.session)
    db.session.commit()
    agent_id, _name, password = demo.DEMO_AGENT
    click.echo(("seeded demo data" if created else "demo data already present")
               + f"; demo agent: {agent_id} / {password}")


@main.command("load-synthetic")
@click.option("--customers", type=click.IntRange(min=1), required=True,
              help="how many customers to add")
@click.option("--activities-per-customer", type=click.IntRange(min=0), default=0,
              show_default=True, help="activities of each customer")
@click.option("--activities-per-request", type=click.IntRange(min=1), default=4,
              show_default=True, help="activities in each of their requests")
@with_appcontext
def load_synthetic_command(customers, activities_per_customer, activities_per_request):
    """Add synthetic customers with a history (benchmarks, trials): never in production."""
    from . import synthetic

    with click.progressbar(length=customers, label="customers",
                           show_pos=True, show_eta=True) as bar:
        counts = synthetic.load(db.session, customers, activities_per_customer,
                                activities_per_request, progress=bar.update)
    click.echo(", ".join(f"{n} {name}" for name, n in counts.items()))
