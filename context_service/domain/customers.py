"""Customers: creating, editing, finding by address, searching, the journey (export and
erasure: privacy.py)."""

import contextlib
from collections import Counter

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..errors import Conflict, NotFound, Unprocessable
from ..models import (
    Activity,
    ContactPoint,
    Customer,
    Request,
    search_key,
    utcnow,
)
from . import audit, fields
from .addresses import InvalidAddress, email_key, phone_digit_forms, phone_key

SCALAR_FIELDS = (
    "first_name", "last_name", "street", "city", "postal_code", "region", "country",
    "preferred_language", "extra",
)


def get(session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        from .merges import merged_into

        merge = merged_into(session, customer_id)
        if merge is not None:  # a gadget still showing a duplicate learns where it went
            raise NotFound(f"Customer {customer_id} was merged into customer "
                           f"{merge.survivor_id}.", merged_into=merge.survivor_id,
                           merge_id=merge.id)
        raise NotFound(f"Customer {customer_id} does not exist.")
    return customer


def contact_points(emails: list[str], phones: list[str]) -> list[ContactPoint]:
    points, errors = [], {}
    for kind, values, normalise in (("email", emails, email_key), ("phone", phones, phone_key)):
        seen = set()
        for position, value in enumerate(values):
            try:
                key = normalise(value)
            except InvalidAddress as exc:
                errors.setdefault(f"{kind}s", {})[position] = [str(exc)]
                continue
            if key in seen:
                continue
            seen.add(key)
            point = ContactPoint(kind=kind, key=key, position=position,
                                 value=key if kind == "phone" else value.strip())
            if kind == "phone":
                point.national_digits, point.reversed_digits = phone_digit_forms(key)
            points.append(point)
    if errors:
        raise Unprocessable("Invalid fields: " + ", ".join(sorted(errors)), errors=errors)
    return points


def _apply(customer: Customer, data: dict) -> dict:
    """Set fields from validated data; returns {field: [old, new]} for the audit."""
    changes = {}
    for field in SCALAR_FIELDS:
        if field in data and getattr(customer, field) != data[field]:
            changes[field] = [getattr(customer, field), data[field]]
            setattr(customer, field, data[field])
    if "emails" in data or "phones" in data:
        emails = data.get("emails", customer.emails)
        phones = data.get("phones", customer.phones)
        old = {"emails": customer.emails, "phones": customer.phones}
        points = contact_points(emails, phones)
        if [(p.kind, p.value) for p in points] != [
            (p.kind, p.value) for p in customer.contact_points
        ]:
            customer.contact_points = points
            new = {"emails": customer.emails, "phones": customer.phones}
            changes.update({k: [old[k], new[k]] for k in old if old[k] != new[k]})
    return changes


def create(session, data: dict, actor: str, from_activity_id: int | None = None) -> Customer:
    """Create a customer; with `from_activity_id`, the unknown contact's request becomes theirs."""
    fields.check(session, "customer", data.get("extra"), creating=True)
    customer = Customer(updated_by=actor)
    activity = None
    if from_activity_id is not None:
        activity = session.get(Activity, from_activity_id)
        if activity is None:
            raise NotFound(f"Activity {from_activity_id} does not exist.")
        if activity.customer_id is not None:
            raise Conflict(f"Activity {from_activity_id} already belongs to a customer.")
    changes = _apply(customer, data)
    session.add(customer)
    session.flush()
    audit.record(session, actor, customer, "create", changes)
    if activity is not None:
        from .activities import assign_customer

        assign_customer(session, activity, customer, actor)
    return customer


def update(session, customer: Customer, data: dict, actor: str) -> Customer:
    fields.check(session, "customer", data.get("extra"), creating=False)
    changes = _apply(customer, data)
    if changes:
        customer.updated_at = utcnow()
        customer.updated_by = actor
        audit.record(session, actor, customer, "update", changes)
    return customer


def owners_of(kind: str, key: str) -> sa.Select:
    """The ids of the customers with this address (a statement, to run or to nest)."""
    return (sa.select(ContactPoint.customer_id)
            .where(ContactPoint.kind == kind, ContactPoint.key == key)
            .order_by(ContactPoint.customer_id))


SEARCH_DEPTH = 1000  # matches a search pages through at most (past them: narrow it)
PHONE_CHARS = set("0123456789+-(). /")


def _after(prefix: str) -> str | None:
    """The first string past every string that starts with `prefix`, in code point order."""
    for i in range(len(prefix) - 1, -1, -1):
        if ord(prefix[i]) < 0x10FFFF:
            return prefix[:i] + chr(ord(prefix[i]) + 1)
    return None


def _starts_with(column, prefix: str):
    """`column` starts with `prefix`: a range on its index (search keys compare by code
    point on both databases, models.search_text), not a LIKE that needs special indexes."""
    if not prefix:
        return sa.true()
    end = _after(prefix)
    return sa.and_(column >= prefix, column < end) if end else column >= prefix


def _stream(columns, order, condition, depth: int) -> sa.Subquery:
    """One kind of match: its rows in the order shown, as many as a page can need."""
    return sa.select(*columns).where(condition).order_by(*order).limit(depth).subquery()


def _streams(q: str, depth: int, where=None) -> list[sa.Subquery]:
    """Each kind of match its own indexed query, best kinds first: exact addresses, names
    ("first last" or last), email prefixes, then a phone's partial digits (national number
    from its start, all digits from the start, last digits)."""
    none = sa.null()  # no second sort key (a NULL takes the other kinds' type and collation)

    def points(kind, column, value, exact=False):
        condition = column == value if exact else _starts_with(column, value)
        if column is ContactPoint.key:  # the (kind, key) index; digit forms are phones' only
            condition = sa.and_(ContactPoint.kind == kind, condition)
        if where is not None:  # a custom field filter: the customer's row decides
            condition = sa.and_(condition, Customer.id == ContactPoint.customer_id, where)
        return _stream((ContactPoint.customer_id.label("customer_id"),
                        column.label("k1"), none.label("k2")),
                       (column, ContactPoint.customer_id), condition, depth)

    name = search_key(q)
    streams = []
    q = q.strip()
    digits = "".join(ch for ch in q if ch.isdigit())
    looks_like_phone = len(digits) >= 3 and set(q) <= PHONE_CHARS
    number = None
    if looks_like_phone:
        with contextlib.suppress(InvalidAddress):
            number = phone_key(q)
            streams.append(points("phone", ContactPoint.key, number, exact=True))
    if "@" in q:
        streams.append(points("email", ContactPoint.key, email_key(q), exact=True))
    def named(condition):
        return condition if where is None else sa.and_(condition, where)

    streams.append(_stream((Customer.id.label("customer_id"), Customer.name_key.label("k1"),
                            none.label("k2")), (Customer.name_key, Customer.id),
                           named(_starts_with(Customer.name_key, name)), depth))
    if name:
        streams.append(_stream(
            (Customer.id.label("customer_id"), Customer.last_name_key.label("k1"),
             Customer.name_key.label("k2")),
            (Customer.last_name_key, Customer.name_key, Customer.id),
            named(_starts_with(Customer.last_name_key, name)), depth))
        streams.append(points("email", ContactPoint.key, email_key(q)))
    if looks_like_phone:
        # The digits as typed and, if it parses, the whole number's digits.
        for typed in dict.fromkeys([digits, *([number.lstrip("+")] if number else [])]):
            streams.append(points("phone", ContactPoint.national_digits, typed))
            streams.append(points("phone", ContactPoint.key, "+" + typed))
            streams.append(points("phone", ContactPoint.reversed_digits, typed[::-1]))
    return streams


def search_statement(q: str | None, depth: int, where=None) -> sa.Select:
    """The matching customers' ids in the order shown (a customer may come more than once),
    as one UNION of indexed queries, each reading at most `depth` index entries (with
    `where`, a condition on the customer's row, more: the entries it turns down)."""
    streams = _streams(q or "", depth, where)
    ranked = sa.union_all(*(
        sa.select(stream.c.customer_id, stream.c.k1, stream.c.k2, sa.literal(rank).label("rank"))
        for rank, stream in enumerate(streams))).subquery()
    return (sa.select(ranked.c.customer_id, ranked.c.rank)
            .order_by(ranked.c.rank, ranked.c.k1, ranked.c.k2, ranked.c.customer_id))


def search(session, q: str | None, offset: int, limit: int,
           where=None) -> tuple[list[Customer], int | None]:
    """One page of matching customers (best kind of match first, then by name or address)
    and how many match, or None while more follow this page. No count is made: at a
    million customers it would cost more than the page, on every keystroke."""
    depth = min(offset + limit, SEARCH_DEPTH) + 1
    rows = session.execute(search_statement(q, depth, where)).all()
    ids = list(dict.fromkeys(customer_id for customer_id, _rank in rows))
    # More follow if a page past this one has matches, or a kind of match was cut short.
    per_kind = Counter(rank for _id, rank in rows)
    more = len(ids) > offset + limit or any(n >= depth for n in per_kind.values())
    if more and offset + limit > SEARCH_DEPTH:
        raise Unprocessable(f"A search shows its first {SEARCH_DEPTH} matches; narrow it down.",
                            errors={"page": [f"Past the first {SEARCH_DEPTH} matches."]})
    shown = ids[offset:offset + limit]
    found = {c.id: c for c in session.scalars(sa.select(Customer).where(Customer.id.in_(shown)))}
    return [found[i] for i in shown if i in found], None if more else len(ids)


JOURNEY_PAGE = 50  # activities of a journey page, unless the client asks for another size
JOURNEY_PAGE_MAX = 200


def journey(session, customer: Customer, limit: int = JOURNEY_PAGE,
            before: tuple | None = None) -> dict:
    """One page of the customer's journey: requests newest first, each with its activities
    newest first, `limit` items in all (an activity, or a request that has none).

    `before` is where the previous page ended (`next` of that page): a request whose
    activities go on past a page comes again at the top of the next, with the rest of
    them. Also every open request of the customer, wherever it falls (targets of a move).
    """
    items = session.execute(journey_items(customer.id, limit + 1, before)).all()
    more, items = len(items) > limit, items[:limit]
    requests = {r.id: r for r in session.scalars(
        sa.select(Request).where(Request.id.in_({request_id for _at, request_id, _a in items})))}
    activities = {a.id: a for a in session.scalars(
        sa.select(Activity).where(Activity.id.in_({a for _at, _r, a in items if a}))
        .options(so.selectinload(Activity.notes), so.selectinload(Activity.tags)))}
    shown: dict[int, dict] = {}
    for _at, request_id, activity_id in items:
        entry = shown.setdefault(request_id, {**_columns(requests[request_id]),
                                              "activities": []})
        if activity_id is not None:
            entry["activities"].append(activities[activity_id])
    open_requests = session.scalars(
        sa.select(Request).where(Request.customer_id == customer.id, Request.status == "open")
        .order_by(Request.created_at.desc(), Request.id.desc())).all()
    return {"customer": customer, "requests": list(shown.values()),
            "next": tuple(items[-1]) if more else None, "open_requests": open_requests}


def journey_items(customer_id: int, limit: int, before: tuple | None = None) -> sa.Select:
    """(request created_at, request id, activity id or None) of the journey's items in order,
    from `before` on: the customer's requests and their activities, each read by its
    customer_id index (an activity's mirrors its request's)."""
    stmt = (sa.select(Request.created_at, Request.id, Activity.id)
            .outerjoin(Activity, sa.and_(Activity.request_id == Request.id,
                                         Activity.customer_id == customer_id))
            .where(Request.customer_id == customer_id)
            .order_by(Request.created_at.desc(), Request.id.desc(), Activity.id.desc())
            .limit(limit))
    if before is not None:
        at, request_id, activity_id = before
        later = sa.or_(Request.created_at < at,
                       sa.and_(Request.created_at == at, Request.id < request_id))
        if activity_id is not None:
            later = sa.or_(later, sa.and_(Request.created_at == at, Request.id == request_id,
                                          Activity.id < activity_id))
        stmt = stmt.where(later)
    return stmt


def _columns(row) -> dict:
    return {column.key: getattr(row, column.key) for column in sa.inspect(type(row)).column_attrs}
