"""The audit trail: every change to a customer, request or activity, and by whom.

Domain functions say what a change was (`record`, `add`) and write nothing: the session's
flush writes every entry noted so far in one INSERT, as push.py collects its messages
there. By then a recorded entity has its id and the version the change gave it, so
recording costs no flush of its own, and a new activity is inserted once, whatever was
recorded about it on the way.
"""

from datetime import datetime
from itertools import count

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..models import AuditEntry, utcnow
from . import pages

PENDING, MARKS = "audit_pending", "audit_marks"
_order = count()  # pending entries are numbered, so a savepoint's rollback drops its own


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
    """Audit a change of `entity` made in this transaction, with the version it makes.

    An entity with no change left to flush has that version now; otherwise the flush that
    writes the change tells its id and version.
    """
    state = sa.inspect(entity)
    if state.persistent and not session.is_modified(entity):
        add(session, actor, entity_type(entity), entity.id, action,
            getattr(entity, "version", None), changes)
    else:
        session.info.setdefault(PENDING, []).append((next(_order), actor, entity, action,
                                                     changes))


def add(session, actor: str, type_: str, id_, action: str, version: int | None = None,
        changes: dict | None = None) -> None:
    """Audit a change of something named by type and id (tasks, agents, keys, bulk updates)."""
    session.info.setdefault(PENDING, []).append(
        (next(_order), actor, (type_, str(id_), version), action, changes))


def _rows(session) -> list[dict]:
    """The pending entries that can be written now; the rest stay pending."""
    rows, waiting = [], []
    for item in session.info.get(PENDING, ()):
        _n, actor, entity, action, changes = item
        if isinstance(entity, tuple):
            type_, id_, version = entity
        elif entity.id is None:
            waiting.append(item)  # not flushed yet
            continue
        else:
            type_, id_, version = entity_type(entity), str(entity.id), getattr(
                entity, "version", None)
        rows.append({"at": utcnow(), "actor": actor, "entity_type": type_, "entity_id": id_,
                     "action": action, "version": version, "changes": _plain(changes or {})})
    session.info[PENDING] = waiting
    return rows


def _write(session, _context=None) -> None:
    """after_flush: one INSERT for every entry noted so far, in the order they were noted."""
    rows = _rows(session)
    if rows:
        session.connection().execute(sa.insert(AuditEntry).values(rows))


def _before_commit(session) -> None:
    """Entries noted when nothing was left to flush still go in with the transaction."""
    if session.in_nested_transaction():
        return
    session.flush()
    _write(session)
    if session.info.get(PENDING):
        raise RuntimeError("audit: an entity recorded in this transaction was never added")


def _savepoint_begun(session, transaction) -> None:
    if transaction.nested:
        session.info.setdefault(MARKS, {})[id(transaction)] = next(_order)


def _rolled_back(session, transaction) -> None:
    """A savepoint's rollback forgets the entries noted inside it; the transaction's, all."""
    marks = session.info.get(MARKS, {})
    if transaction.nested and id(transaction) in marks:
        mark = marks.pop(id(transaction))
        session.info[PENDING] = [item for item in session.info.get(PENDING, ())
                                 if item[0] < mark]
    elif transaction.parent is None:
        session.info.pop(PENDING, None)
        session.info.pop(MARKS, None)


def listen(factory: so.sessionmaker) -> None:
    """Write the audit trail at every flush of this app's sessions."""
    sa.event.listen(factory, "after_flush", _write)
    sa.event.listen(factory, "before_commit", _before_commit)
    sa.event.listen(factory, "after_transaction_create", _savepoint_begun)
    sa.event.listen(factory, "after_soft_rollback", _rolled_back)


def entries(session, filters: dict, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
    """One page of entries matching `filters` (column -> value), newest first, and the count."""
    stmt = (sa.select(AuditEntry)
            .where(*(getattr(AuditEntry, column) == value for column, value in filters.items()))
            .order_by(AuditEntry.id.desc()))
    return pages.page(session, stmt, offset, limit)
