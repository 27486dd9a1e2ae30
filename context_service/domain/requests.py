"""Requests (cases): the attach rule (R2), edits, closing, and auto-close (R4).

A request is idle since the latest `updated_at` of itself and its activities;
once idle for `REQUEST_AUTOCLOSE_SECONDS` it is expired. Expired requests are
closed by the sweeper, and are treated as closed by the attach rule even
before the sweeper gets to them.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from .. import push
from ..errors import Conflict, NotFound
from ..models import Activity, Customer, Request, utcnow
from . import audit, fields

EDITABLE = ("title", "description", "status", "extra")
AUTO_ACTOR = "system:auto-close"


def get(session, request_id: int) -> Request:
    request = session.get(Request, request_id)
    if request is None:
        raise NotFound(f"Request {request_id} does not exist.")
    return request


def autoclose_after() -> timedelta:
    return timedelta(seconds=current_app.config["REQUEST_AUTOCLOSE_SECONDS"])


def _stale(cutoff: datetime):
    latest_activity = sa.exists().where(
        Activity.request_id == Request.id, Activity.updated_at > cutoff
    )
    return sa.and_(Request.status == "open", Request.updated_at <= cutoff, ~latest_activity)


def close_stale(session, as_of: datetime | None = None, actor: str = AUTO_ACTOR) -> int:
    """Close every open request idle past the auto-close time; returns how many.

    One conditional UPDATE per request, guarded by its version, so several
    sweepers in several processes never close a request twice or clobber an edit.
    """
    as_of = as_of or utcnow()
    cutoff = as_of - autoclose_after()
    closed = 0
    rows = session.execute(
        sa.select(Request.id, Request.version, Request.customer_id).where(_stale(cutoff))
    ).all()
    for request_id, version, customer_id in rows:
        result = session.execute(
            sa.update(Request)
            .where(Request.id == request_id, Request.version == version, _stale(cutoff))
            .values(status="closed", closed_reason="auto", closed_at=as_of,
                    version=version + 1, updated_by=actor)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:
            closed += 1
            audit.add(session, actor, "request", request_id, "auto-close", version + 1,
                      {"status": ["open", "closed"]})
            push.emit(session, {"type": "request.changed", "id": request_id,
                                "version": version + 1, "changed_by": actor,
                                "customer_id": customer_id, "action": "update"})
    session.expire_all()
    return closed


def _idle_past_cutoff(request: Request, latest_activity: datetime | None, now: datetime) -> bool:
    last = max(filter(None, (request.updated_at, latest_activity)))
    return request.status == "open" and last <= now - autoclose_after()


def is_expired(session, request: Request, now: datetime | None = None) -> bool:
    latest_activity = session.scalar(
        sa.select(sa.func.max(Activity.updated_at)).where(Activity.request_id == request.id)
    )
    return _idle_past_cutoff(request, latest_activity, now or utcnow())


def current_open(session, customer_ids) -> dict[int, Request]:
    """Each customer's request that R2 would attach to now, for previews: found, not changed
    (expired ones are skipped here, and closed by whoever next touches them)."""
    if not customer_ids:
        return {}
    latest = (sa.select(Activity.request_id, sa.func.max(Activity.updated_at).label("at"))
              .where(Activity.customer_id.in_(customer_ids))
              .group_by(Activity.request_id).subquery())
    rows = session.execute(
        sa.select(Request, latest.c.at)
        .outerjoin(latest, latest.c.request_id == Request.id)
        .where(Request.customer_id.in_(customer_ids), Request.status == "open")
        .order_by(Request.created_at.desc(), Request.id.desc())
    ).all()
    now, found = utcnow(), {}
    for request, latest_activity in rows:
        if request.customer_id in found or _idle_past_cutoff(request, latest_activity, now):
            continue
        found[request.customer_id] = request
    return found


def close(request: Request, reason: str, actor: str, at: datetime | None = None) -> None:
    request.status = "closed"
    request.closed_reason = reason
    request.closed_at = at or utcnow()
    request.updated_by = actor


def close_if_expired(session, request: Request | None) -> None:
    """Close an expired request now, as the sweeper would have: a late change never revives it.

    A request not in the database yet is new, so not expired: nothing to ask.
    """
    if request is not None and not sa.inspect(request).pending and is_expired(session, request):
        _close_expired(session, request)


def _close_expired(session, request: Request) -> None:
    close(request, "auto", AUTO_ACTOR)
    audit.record(session, AUTO_ACTOR, request, "auto-close", {"status": ["open", "closed"]})


def _latest_open(session, customer_ids, lock: bool) -> dict[int, Request | None]:
    """Each customer's latest open request that has not expired (expired ones are closed now),
    or None; every customer found is a key.

    One statement reads the customers, their open requests and each one's latest activity;
    with `lock`, it locks the customers' rows too (FOR NO KEY UPDATE: it does not wait for the
    key-share locks that inserting rows which refer to a customer takes, so two such
    transactions cannot deadlock). A statement that waited for the lock still reads the
    requests as they were when it began: unless it found a live open request, they are read
    again, under the lock, before one is closed or created.
    """
    stmt = _open_requests(customer_ids)
    rows = session.execute(stmt.with_for_update(key_share=True, of=Customer) if lock
                           else stmt).all()
    now = utcnow()
    found = _live(rows, now)
    if lock and not all(found.values()):
        rows = session.execute(_open_requests(list(found))
                               .execution_options(populate_existing=True)).all()
        found = _live(rows, now)
    for customer_id, request, latest in rows:
        if request is not None and _idle_past_cutoff(request, latest, now) and (
                found[customer_id] is None
                or (request.created_at, request.id) > (found[customer_id].created_at,
                                                       found[customer_id].id)):
            _close_expired(session, request)
    return found


def _open_requests(customer_ids) -> sa.Select:
    """(customer id, open request or None, its latest activity's time), newest first."""
    latest_activity = (sa.select(sa.func.max(Activity.updated_at))
                       .where(Activity.request_id == Request.id).scalar_subquery())
    return (sa.select(Customer.id, Request, latest_activity)
            .outerjoin(Request, sa.and_(Request.customer_id == Customer.id,
                                        Request.status == "open"))
            .where(Customer.id.in_(customer_ids))
            .order_by(Customer.id, Request.created_at.desc(), Request.id.desc()))


def _live(rows, now: datetime) -> dict[int, Request | None]:
    """Each customer's newest open request that has not expired, or None."""
    found = {}
    for customer_id, request, latest in rows:
        if found.setdefault(customer_id, None) is None and request is not None and (
                not _idle_past_cutoff(request, latest, now)):
            found[customer_id] = request
    return found


def latest_open(session, customer: Customer) -> Request | None:
    """The customer's latest open request that has not expired (expired ones are closed now)."""
    return _latest_open(session, [customer.id], lock=False).get(customer.id)


def create(session, customer_id: int | None, actor: str, title: str = "",
           description: str = "", extra: dict | None = None) -> Request:
    """A new request; `extra` (custom fields) is checked when given: people create with it,
    R2's own requests come without."""
    if extra is not None:
        fields.check(session, "request", extra, creating=True)
    request = Request(customer_id=customer_id, title=title, description=description,
                      updated_by=actor, extra=extra or {})
    session.add(request)
    audit.record(session, actor, request, "create", {"title": title, "description": description})
    return request


def attach_target(session, customer_id: int | None, actor: str) -> Request:
    """R2: the customer's latest open request, else a new one.

    The customer's row is locked first (SQLite serialises writers anyway), so two contacts
    arriving together cannot both find no open request and start one each.
    """
    if customer_id is None:
        return create(session, None, actor)
    return (_latest_open(session, [customer_id], lock=True).get(customer_id)
            or create(session, customer_id, actor))


def caller_target(session, owners: sa.Select, actor: str) -> tuple[list[int], Request | None]:
    """R2 for a new contact accepted at once: the customers `owners` selects (those with its
    address), locked, and, when there is exactly one, the request the contact joins (R2).
    Finding the caller and their request is one statement."""
    found = _latest_open(session, owners, lock=True)
    if len(found) != 1:
        return sorted(found), None
    [(customer_id, request)] = found.items()
    return [customer_id], request or create(session, customer_id, actor)


def update(session, request: Request, data: dict, actor: str) -> Request:
    fields.check(session, "request", data.get("extra"), creating=False)
    close_if_expired(session, request)
    changes = {f: [getattr(request, f), data[f]] for f in EDITABLE
               if f in data and getattr(request, f) != data[f]}
    if not changes:
        return request
    if "status" in changes:
        if data["status"] == "closed":
            close(request, "agent", actor)
        else:
            if request.customer_id is None:
                raise Conflict("A request without a customer cannot be reopened.")
            request.status, request.closed_at, request.closed_reason = "open", None, None
    for field in ("title", "description", "extra"):
        if field in changes:
            setattr(request, field, data[field])
    request.updated_at = utcnow()
    request.updated_by = actor
    audit.record(session, actor, request, "update", changes)
    return request


def require_open(request: Request | None, what: str) -> None:
    if request is not None and request.status != "open":
        raise Conflict(f"{what} request {request.id} is closed.")
