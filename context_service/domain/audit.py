"""The audit trail: every change to a customer, request or activity, and by whom."""

from datetime import datetime

import sqlalchemy as sa

from ..models import AuditEntry
from . import pages


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def entity_type(entity) -> str:
    return type(entity).__name__.lower()


def record(session, actor: str, entity, action: str, changes: dict | None = None) -> None:
    """Add an audit entry for `entity`; flushes first so the version is the new one."""
    session.flush()
    add(session, actor, entity_type(entity), entity.id, action, getattr(entity, "version", None),
        changes)


def add(session, actor: str, type_: str, id_, action: str, version: int | None = None,
        changes: dict | None = None) -> None:
    session.add(AuditEntry(actor=actor, entity_type=type_, entity_id=str(id_), action=action,
                           version=version, changes=_plain(changes or {})))


def entries(session, filters: dict, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
    """One page of entries matching `filters` (column -> value), newest first, and the count."""
    stmt = (sa.select(AuditEntry)
            .where(*(getattr(AuditEntry, column) == value for column, value in filters.items()))
            .order_by(AuditEntry.id.desc()))
    return pages.page(session, stmt, offset, limit)
