"""Searches and journey pages are read through indexes: EXPLAIN shows no full read of a
table or of an index (a sequential scan, or an index scan without an index condition).

A query no index can serve reads everything whatever the table's size; on PostgreSQL,
`enable_seqscan = off` keeps the planner from preferring a sequential scan merely because
the test's tables are small, so what fails here is a query no index condition serves.
(The benchmark, `make bench`, measures the real plans at a million customers.)
"""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from context_service.domain import customers as customers_domain

SCANNED = ("customers", "contact_points", "requests", "activities")
QUERIES = {
    "exact E.164": "+1 415 555 0100",
    "exact email": "ann.lee@example.com",
    "email prefix": "ann.le",
    "name prefix": "ann l",
    "last name prefix": "lee",
    "phone last digits": "0100",
    "phone national digits": "415-555",
    "phone digits with country": "1415555",
    "non-ASCII name": "Ødeg",
}


def plan(conn, statement) -> list[str]:
    """The plan of `statement`, a line per step: what it reads and how."""
    compiled = statement.compile(dialect=conn.dialect)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        [[document]] = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled),
                                            compiled.params).all()
        lines = []

        def walk(node):
            target = node.get("Relation Name") or node.get("Index Name") or "-"
            how = f"by {node['Index Cond']}" if "Index Cond" in node else "whole"
            lines.append(f"{node['Node Type']}: {target} {how}")
            for child in node.get("Plans", ()):
                walk(child)

        walk(document[0]["Plan"])
        return lines
    params = tuple(compiled.params[name] for name in compiled.positiontup)
    return [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled),
                                                    params)]


def _table(name: str) -> str | None:
    """The table a step reads: its own name, or the table of an index named by convention."""
    if name in SCANNED:
        return name
    found = re.match(r"(?:ix|pk|uq)_(customers|contact_points|requests|activities)_", name)
    return found.group(1) if found else None


def full_reads(conn, lines: list[str]) -> list[str]:
    """Steps that read all of a table or of one of its indexes."""
    if conn.dialect.name == "postgresql":
        # A sequential scan, or an index read without an index condition or by `kind` alone
        # (half the contact points); a bitmap heap scan reads what its bitmap index scan found.
        return [line for line in lines
                if (line.startswith("Seq Scan") or ("Index" in line and (
                    line.endswith("whole") or _kind_only(line.partition(" by ")[2]))))
                and _table(line.split(": ")[1].split()[0])]
    # SQLite: "SCAN t [USING ... INDEX i]" reads all of it; "SEARCH t USING INDEX i (c=?)"
    # reads what its constraint finds, unless that is `kind` alone.
    return [line for line in lines if (line.startswith("SCAN") or _kind_only(
        line.rpartition("(")[2])) and line.split()[1] in SCANNED]


def _kind_only(condition: str) -> bool:
    """An index condition on the kind of contact point and nothing else."""
    return "kind" in condition and not any(c in condition for c in ("key", "digits", "id"))


@pytest.fixture
def conn(app, db_connection):
    with app.app_context():
        yield db_connection


@pytest.mark.parametrize("kind", QUERIES)
def test_each_kind_of_search_uses_indexes(conn, kind):
    lines = plan(conn, customers_domain.search_statement(QUERIES[kind], 21))
    assert not full_reads(conn, lines), "\n".join(lines)


def test_the_list_without_a_query_reads_an_index_in_order(conn):
    """Everyone, by name: an index read in order, stopping after the page (the only search
    that reads an index without a condition)."""
    lines = plan(conn, customers_domain.search_statement("", 21))
    assert not [line for line in lines if line.startswith(("Seq Scan", "SCAN customers "))
                and "INDEX" not in line], "\n".join(lines)
    if conn.dialect.name == "sqlite":
        assert "SCAN customers USING COVERING INDEX ix_customers_name_key" in lines


def test_the_checks_see_a_sequential_scan(conn):
    """The test would fail on a search no index serves (a LIKE '%...%' on names)."""
    from context_service.models import Customer

    lines = plan(conn, sa.select(Customer.id).where(Customer.name_key.like("%ann%")))
    assert full_reads(conn, lines), "\n".join(lines)


@pytest.mark.parametrize("before", [None, (datetime(2026, 1, 1, tzinfo=UTC), 5, 9)])
def test_a_journey_page_uses_indexes(conn, before):
    lines = plan(conn, customers_domain.journey_items(1, 51, before))
    assert not full_reads(conn, lines), "\n".join(lines)
