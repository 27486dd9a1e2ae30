"""One page of a list and the total count, for the routes that page (`X-Pagination`)."""

import sqlalchemy as sa


def page(session, stmt: sa.Select, offset: int, limit: int) -> tuple[list, int]:
    """Rows `offset` to `offset + limit` of an ordered select, and how many there are in all.

    A page past the end is empty without asking the database for it, so no page number,
    however large, becomes an OFFSET the database rejects.
    """
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    if offset >= total:
        return [], total
    return list(session.scalars(stmt.offset(offset).limit(limit))), total
