"""The migrations build exactly the schema the models describe (the test database is built by
running them), so a model change without its migration fails here."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from context_service.models import Base

SEARCH_KEYS = ("customers.name_key", "customers.last_name_key", "contact_points.key",
               "contact_points.national_digits", "contact_points.reversed_digits")


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_search_keys_compare_by_code_point(engine):
    """Alembic does not compare collations: the search keys' is checked here (PostgreSQL;
    SQLite compares text by code point anyway)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("collations are PostgreSQL's")
    with engine.connect() as conn:
        found = dict(conn.execute(sa.text(
            "SELECT table_name || '.' || column_name, collation_name "
            "FROM information_schema.columns WHERE collation_name IS NOT NULL "
            "AND table_schema = current_schema()")).all())
    assert {column: found.get(column) for column in SEARCH_KEYS} == dict.fromkeys(
        SEARCH_KEYS, "C")
