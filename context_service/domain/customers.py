"""Customers: creating, editing, finding by address, searching, the journey (export and
erasure: privacy.py)."""

import contextlib

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
from . import audit, pages
from .addresses import InvalidAddress, email_key, phone_key

SCALAR_FIELDS = (
    "first_name", "last_name", "street", "city", "postal_code", "region", "country",
    "preferred_language", "extra",
)


def get(session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
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
            shown = key if kind == "phone" else value.strip()
            points.append(ContactPoint(kind=kind, value=shown, key=key, position=position))
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


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_filter(q: str):
    """Names by prefix ("first last" or last), emails by prefix, phones by digits."""
    name = _like_prefix(search_key(q))
    clauses = [Customer.name_key.like(name, escape="\\"),
               Customer.last_name_key.like(name, escape="\\")]
    points = [sa.and_(ContactPoint.kind == "email",
                      ContactPoint.key.like(_like_prefix(email_key(q)), escape="\\"))]
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 3 and all(ch.isdigit() or ch in "+-(). /" for ch in q.strip()):
        # The digits as typed (part of a number) and, if it parses, the whole number in E.164.
        numbers = {digits}
        with contextlib.suppress(InvalidAddress):
            numbers.add(phone_key(q).lstrip("+"))
        points += [sa.and_(ContactPoint.kind == "phone",
                           ContactPoint.key.like("%" + _like_prefix(number), escape="\\"))
                   for number in sorted(numbers)]
    clauses.append(Customer.id.in_(sa.select(ContactPoint.customer_id).where(sa.or_(*points))))
    return sa.or_(*clauses)


def search(session, q: str | None, offset: int, limit: int) -> tuple[list[Customer], int]:
    """One page of matching customers, by last then first name, and the total count."""
    stmt = sa.select(Customer).order_by(Customer.last_name, Customer.first_name, Customer.id)
    if q and q.strip():
        stmt = stmt.where(search_filter(q))
    return pages.page(session, stmt, offset, limit)


def journey(session, customer: Customer) -> dict:
    """All requests of a customer, newest first, each with its activities newest first."""
    requests = session.scalars(
        sa.select(Request)
        .where(Request.customer_id == customer.id)
        .options(so.selectinload(Request.activities).selectinload(Activity.notes))
        .order_by(Request.created_at.desc(), Request.id.desc())
    ).all()
    return {"customer": customer, "requests": list(requests)}
