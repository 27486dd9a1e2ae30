"""Bulk import of customers from CSV, and the CSV export of every customer (issue 14).

The CSV has a header row. Columns: first_name, last_name, street, city, postal_code,
region, country, preferred_language; email/emails and phone/phones (several in a cell
separated by `;`); one column per defined customer field (named by its key); `extra`, a
JSON object of further values. The export's own columns (id, display_name, created_at,
updated_at, version) are read and ignored, so an export can be imported again. Any other
column refuses the whole file (422 naming it). Empty cells say nothing.

Each line is matched by its emails and phones (normalised as everywhere: phones to E.164
with phonenumbers, emails in lower case): no customer has them, it creates one; exactly one
has them, it updates that one (non-empty cells overwrite, addresses are added, custom
fields key by key); several have them, it is refused (merge them first). A line that
breaks a rule (an address that does not parse, a value its field refuses, a required
field missing from a new customer, a wrong number of cells) is refused with the reason;
the others go on.

A dry run writes nothing and answers every line's outcome. A real run has an import id:
it writes IMPORT_BATCH_ROWS lines per transaction together with its progress, so an
interrupted import resumes where it stopped when the same file is sent again with the same
id, and a finished one answers its result again without doing anything twice.
"""

import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app

from ..errors import Conflict, NotFound, Unprocessable
from ..models import (
    AuditEntry,
    ContactPoint,
    Customer,
    CustomerImport,
    FieldDefinition,
    search_key,
    utcnow,
)
from ..synthetic import Writer
from . import audit, fields
from .addresses import InvalidAddress, email_key, phone_forms

SCALARS = ("first_name", "last_name", "street", "city", "postal_code", "region", "country",
           "preferred_language")
ADDRESSES = {"email": "email", "emails": "email", "phone": "phone", "phones": "phone"}
EXPORT_ONLY = ("id", "display_name", "created_at", "updated_at", "version")
SEPARATOR = ";"
TEXT_MAX = 2000
ADDRESSES_MAX = 20  # of each kind, as the API takes
EXTRA_MAX = 50
REFUSALS_KEPT = 1000  # an import keeps the first refusals; `refused` counts them all
LEASE = timedelta(seconds=120)  # a running import not heard from for this long resumes
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as a formula
PHONE_LIKE = re.compile(r"^[+\-0-9 ().;]*$")
_email = ma.validate.Email()


class Refused(ValueError):
    pass


@dataclass
class Line:
    """One CSV line, read: where it is, and what it says (or why it is refused)."""

    row: int  # data row: 1 is the line after the header
    line: int  # the file's line it starts on
    data: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    points: list = field(default_factory=list)  # (kind, value, key, national, reversed)
    reason: str | None = None


@dataclass
class Target:
    """A customer lines update: as stored (or as the run creates it)."""

    customer_id: int | None  # None: created by this run
    data: dict
    extra: dict
    points: list
    created_by_row: int | None = None
    changed: bool = False


# --- reading the file --------------------------------------------------------------------

def fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unprocessable(f"The CSV is not UTF-8 (byte {exc.start}).",
                            errors={"body": ["Not UTF-8."]}) from None


def _rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and (start line, cells) of every non-blank line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, start = [], 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise Unprocessable(f"The CSV cannot be read at line {reader.line_num}: {exc}.",
                            errors={"body": [f"Line {reader.line_num}: {exc}"]}) from None
    if not rows:
        raise Unprocessable("The CSV is empty: it needs a header row.",
                            errors={"body": ["No header row."]})
    (_line, header), *rows = rows
    return [name.strip() for name in header], rows


def _check_header(header: list[str], defined: dict) -> None:
    unknown = [n for n in header if n not in SCALARS and n not in ADDRESSES
               and n not in EXPORT_ONLY and n != "extra" and n not in defined]
    twice = sorted({n for n in header if header.count(n) > 1})
    errors = {}
    if unknown:
        errors["columns"] = [f"Unknown column {n!r} (custom fields must be defined first)."
                             for n in unknown]
    if twice:
        errors.setdefault("columns", []).extend(f"Column {n!r} comes twice." for n in twice)
    if not errors and not any(n in ADDRESSES or n in ("first_name", "last_name")
                              for n in header):
        errors["columns"] = ["No name, email or phone column: nothing to create or match."]
    if errors:
        raise Unprocessable("The CSV header is not one this import reads: "
                            + " ".join(errors["columns"]), errors=errors)


def _cell(raw: str) -> str:
    """A cell as written, without the quote the export puts before formula characters."""
    value = raw.strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA:
        value = value[1:]
    return value


def _read(header: list[str], row: int, line: int, cells: list[str], defined: dict,
          region: str) -> Line:
    parsed = Line(row, line)
    try:
        _fill(parsed, header, cells, defined, region)
    except Refused as exc:
        parsed.reason = str(exc)
    return parsed


def _fill(parsed: Line, header: list[str], cells: list[str], defined: dict,
          region: str) -> None:
    if len(cells) != len(header):
        raise Refused(f"Has {len(cells)} cells; the header has {len(header)}.")
    emails, phones = [], []
    for name, raw in zip(header, cells, strict=True):
        value = _cell(raw)
        if not value or name in EXPORT_ONLY:
            continue
        if "\x00" in value:
            raise Refused(f"{name}: contains a NUL character.")
        if name in SCALARS:
            if len(value) > TEXT_MAX:
                raise Refused(f"{name}: longer than {TEXT_MAX} characters.")
            if name == "preferred_language" and not LANGUAGE.match(value):
                raise Refused(f"preferred_language: {value!r} is not a language tag.")
            parsed.data[name] = value
        elif name in ADDRESSES:
            parts = [p.strip() for p in value.split(SEPARATOR) if p.strip()]
            (emails if ADDRESSES[name] == "email" else phones).extend(parts)
        elif name == "extra":
            parsed.extra.update(_extra(value, defined))
        else:
            try:
                parsed.extra[name] = fields.parse(defined[name], value)
            except ValueError as exc:
                raise Refused(f"{name}: {exc}") from None
    parsed.points = _points(emails, phones, region)
    if not parsed.points and not (parsed.data.get("first_name") or parsed.data.get("last_name")):
        raise Refused("No name, email or phone: nothing to create or match.")


def _extra(value: str, defined: dict) -> dict:
    try:
        extra = json.loads(value)
    except (ValueError, RecursionError):
        raise Refused("extra: not a JSON object.") from None
    if not isinstance(extra, dict) or len(extra) > EXTRA_MAX:
        raise Refused(f"extra: not a JSON object of at most {EXTRA_MAX} entries.")
    for key, item in extra.items():
        if not 1 <= len(key) <= 100 or (item is not None and not isinstance(
                item, str | int | float | bool)) or (isinstance(item, float)
                                                     and not math.isfinite(item)):
            raise Refused(f"extra: {key!r} is not a key of 1 to 100 characters with a "
                          "string, number, boolean or null.")
        if isinstance(item, str) and (len(item) > TEXT_MAX or "\x00" in item):
            raise Refused(f"extra: {key!r} is too long or holds a NUL character.")
        if key in defined and (problem := fields.value_error(defined[key], item)):
            raise Refused(f"{key}: {problem}")
    return extra


def _points(emails: list[str], phones: list[str], region: str) -> list[tuple]:
    if len(emails) > ADDRESSES_MAX or len(phones) > ADDRESSES_MAX:
        raise Refused(f"At most {ADDRESSES_MAX} emails and {ADDRESSES_MAX} phones.")
    points, seen = [], set()
    for email in emails:
        try:
            if len(email) > 320:
                raise ma.ValidationError("too long")
            _email(email)
        except ma.ValidationError:
            raise Refused(f"email: {email!r} is not an email address.") from None
        key = email_key(email)
        if ("email", key) not in seen:
            seen.add(("email", key))
            points.append(("email", email, key, None, None))
    for phone in phones:
        try:
            key, national, backwards = phone_forms(phone, region)
        except InvalidAddress as exc:
            raise Refused(f"phone: {exc}.") from None
        if ("phone", key) not in seen:
            seen.add(("phone", key))
            points.append(("phone", key, key, national, backwards))
    return points


# --- planning: what each line does ---------------------------------------------------------

def _literal(name: str, values: list):
    """An IN list written into the statement: a batch's lookups all have the same shape, and
    PostgreSQL's generic plan for it, made while the table was still empty, read every
    address for each (13 s a batch at 180,000 addresses). As literals, each is planned for
    its own values, by the index."""
    return sa.bindparam(name, values, expanding=True, literal_execute=True)


def _owners(session, lines: list[Line]) -> dict[tuple, set]:
    """(kind, key) -> ids of the stored customers with that address, for these lines."""
    owners: dict[tuple, set] = {}
    for kind in ("email", "phone"):
        keys = sorted({p[2] for line in lines for p in line.points if p[0] == kind})
        for start in range(0, len(keys), 5000):
            for key, customer_id in session.execute(
                    sa.select(ContactPoint.key, ContactPoint.customer_id).where(
                        ContactPoint.kind == kind,
                        ContactPoint.key.in_(_literal("keys", keys[start:start + 5000])))):
                owners.setdefault((kind, key), set()).add(customer_id)
    return owners


def _stored(session, ids, lock: bool) -> dict[int, Target]:
    """The customers with these ids, as plain values to plan with (no objects: most lines
    of a large import change nothing, and building thousands of objects cost more than
    the rest of the batch). With `lock`, their rows are locked until the batch commits:
    an agent's edit meanwhile waits, or makes this one wait; neither is lost."""
    if not ids:
        return {}
    where = Customer.id.in_(_literal("ids", sorted(ids)))
    if lock:
        session.execute(sa.select(Customer.id).where(where).order_by(Customer.id)
                        .with_for_update(key_share=True))
    found = {row[0]: Target(row[0], dict(zip(SCALARS, row[1:-1], strict=True)),
                            dict(row[-1] or {}), [])
             for row in session.execute(sa.select(
                 Customer.id, *(getattr(Customer, f) for f in SCALARS), Customer.extra)
                 .where(where))}
    for customer_id, *point in session.execute(
            sa.select(ContactPoint.customer_id, ContactPoint.kind, ContactPoint.value,
                      ContactPoint.key, ContactPoint.national_digits,
                      ContactPoint.reversed_digits)
            .where(ContactPoint.customer_id.in_(_literal("owners", sorted(ids))))
            .order_by(ContactPoint.customer_id, ContactPoint.kind, ContactPoint.position)):
        found[customer_id].points.append(tuple(point))
    return found


def _customers(session, ids) -> dict[int, Customer]:
    """The customers lines change, as objects (their flush is audited and pushed)."""
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(
        sa.select(Customer).where(Customer.id.in_(_literal("ids", sorted(ids)))))}


def _apply(target: Target, line: Line) -> bool:
    """Apply the line to the target; whether anything changed."""
    changed = False
    for name, value in line.data.items():
        if target.data.get(name) != value:
            target.data[name], changed = value, True
    for key, value in line.extra.items():
        if key not in target.extra or target.extra[key] != value:
            target.extra[key], changed = value, True
    have = {(p[0], p[2]) for p in target.points}
    for point in line.points:
        if (point[0], point[2]) not in have:
            have.add((point[0], point[2]))
            target.points.append(point)
            changed = True
    target.changed |= changed
    return changed


@dataclass
class Plan:
    """What a batch of lines does: outcomes per line, creations and updates to write."""

    outcomes: list = field(default_factory=list)  # (line, action, customer id, reason)
    created: list = field(default_factory=list)  # Targets, in order
    updated: dict = field(default_factory=dict)  # customer id -> Target


def plan(session, lines: list[Line], defined: dict, known: dict, lock: bool) -> Plan:
    """Decide each line in order. `known` maps (kind, key) to Targets this run created
    before (a dry run's whole file; a real run's current batch)."""
    result = Plan()
    readable = [line for line in lines if line.reason is None]
    owners = _owners(session, readable)
    stored = _stored(session, {i for ids in owners.values() for i in ids}, lock)
    for line in lines:
        if line.reason is not None:
            result.outcomes.append((line, "refused", None, line.reason))
            continue
        keys = [(p[0], p[2]) for p in line.points]
        matches = {i for k in keys for i in owners.get(k, ()) if i in stored}
        new = {id(known[k]): known[k] for k in keys if k in known}
        if len(matches) + len(new) > 1:
            ids = sorted(matches) + [f"line {t.created_by_row}" for t in new.values()]
            result.outcomes.append((line, "refused", None, "Matches several customers ("
                                    + ", ".join(map(str, ids)) + "): merge them first."))
            continue
        if matches:
            [customer_id] = matches
            target = result.updated.get(customer_id) or stored[customer_id]
            changed = _apply(target, line)
            result.updated[customer_id] = target
            result.outcomes.append((line, "updated" if changed else "unchanged",
                                    customer_id, None))
        elif new:
            [target] = new.values()
            changed = _apply(target, line)
            result.outcomes.append((line, "updated" if changed else "unchanged", None, None))
        else:
            missing = fields.errors_of(defined, line.extra, creating=True)
            if missing:
                result.outcomes.append((line, "refused", None, "; ".join(
                    f"{k.removeprefix('extra.')}: {' '.join(v)}"
                    for k, v in sorted(missing.items()))))
                continue
            target = Target(None, {}, {}, [], created_by_row=line.row)
            _apply(target, line)
            result.created.append(target)
            result.outcomes.append((line, "created", target, None))
        for point in target.points:
            if target.customer_id is None:
                known[(point[0], point[2])] = target
    return result


# --- the dry run and the real one ---------------------------------------------------------

@dataclass
class Parsed:
    """A file this import can read: its header checked, its rows split, not yet read."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    defined: dict
    region: str

    def lines(self, start: int = 0, end: int | None = None) -> list[Line]:
        """Rows start..end (0-based) read: addresses parsed, values checked."""
        return [_read(self.header, n, line, cells, self.defined, self.region)
                for n, (line, cells) in enumerate(self.rows[start:end], start=start + 1)]


def prepare(session, body: bytes) -> Parsed:
    """The file split into rows, with its header checked (422 for a file this import cannot
    read); rows are read batch by batch."""
    defined = fields.by_key(session, "customer")
    header, rows = _rows(decode(body))
    _check_header(header, defined)
    return Parsed(header, rows, defined, current_app.config["DEFAULT_PHONE_REGION"])


def dry_run(session, parsed: Parsed) -> dict:
    """Every line's outcome, as a real run would decide it now; nothing is written."""
    known: dict = {}
    lines = parsed.lines()
    result = plan(session, lines, parsed.defined, known, lock=False)
    counts = dict.fromkeys(("created", "updated", "unchanged", "refused"), 0)
    shown = []
    for line, action, customer, reason in result.outcomes:
        counts[action] += 1
        entry = {"row": line.row, "line": line.line, "action": action}
        if action != "refused":  # None: a customer this file creates
            entry["customer_id"] = customer if isinstance(customer, int) else None
        if reason:
            entry["reason"] = reason
        shown.append(entry)
    return {"dry_run": True, "total_lines": len(lines), **counts, "lines": shown}


IMPORT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def get(session, import_id: str) -> CustomerImport:
    # An id no import can have names none (and never reaches the database: a NUL, say).
    row = session.get(CustomerImport, import_id) if IMPORT_ID.match(import_id) else None
    if row is None:
        raise NotFound(f"Import {import_id!r} does not exist.")
    return row


def begin(session, import_id: str, body: bytes, parsed: Parsed,
          actor: str) -> tuple[CustomerImport, bool]:
    """The import to run now, claimed by this process (committed, so progress shows), and
    whether there is anything left to do. The same id with another file is a 409; a run
    still going elsewhere is a 409 until it has been silent for LEASE."""
    digest = fingerprint(body)
    row = session.get(CustomerImport, import_id, with_for_update=True)
    now = utcnow()
    if row is None:
        row = CustomerImport(id=import_id, fingerprint=digest, created_by=actor,
                             total_lines=len(parsed.rows), started_at=now, heartbeat_at=now)
        session.add(row)
        audit.add(session, actor, "import", import_id, "start", None,
                  {"total_lines": len(parsed.rows), "fingerprint": digest})
    elif row.fingerprint != digest:
        raise Conflict(f"Import {import_id!r} was started with another file; give this one "
                       "another import id.")
    elif row.status == "completed":
        return row, False
    elif now - row.heartbeat_at < LEASE:
        raise Conflict(f"Import {import_id!r} is running ({row.processed_lines} of "
                       f"{row.total_lines} lines); follow it with GET.")
    else:
        row.status, row.heartbeat_at = "running", now
        audit.add(session, actor, "import", import_id, "resume", None,
                  {"from_line": row.processed_lines})
    session.commit()
    return row, True


def run(session, row: CustomerImport, parsed: Parsed, actor: str) -> CustomerImport:
    """Import the lines `row` has not done yet, IMPORT_BATCH_ROWS per transaction. The next
    batch is read (addresses parsed) in a thread while this one is written: the database's
    share of the work overlaps with ours."""
    batch = max(1, current_app.config["IMPORT_BATCH_ROWS"])
    writer = Writer(session)
    import_id = row.id
    starts = list(range(row.processed_lines, len(parsed.rows), batch))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-read") as reader:
        ahead = reader.submit(parsed.lines, starts[0], starts[0] + batch) if starts else None
        for i, start in enumerate(starts):
            part = ahead.result()
            if i + 1 < len(starts):
                ahead = reader.submit(parsed.lines, starts[i + 1], starts[i + 1] + batch)
            result = plan(session, part, parsed.defined, {}, lock=True)
            _write(session, writer, result, actor, import_id)
            row = session.get(CustomerImport, import_id)
            for line, action, _customer, reason in result.outcomes:
                setattr(row, action, getattr(row, action) + 1)
                if reason and len(row.refusals) < REFUSALS_KEPT:
                    row.refusals = [*row.refusals, {"row": line.row, "line": line.line,
                                                    "reason": reason}]
            row.processed_lines = start + len(part)
            row.heartbeat_at = utcnow()
            session.commit()
    row = session.get(CustomerImport, import_id)
    row.status, row.finished_at = "completed", utcnow()
    audit.add(session, actor, "import", import_id, "complete", None,
              {k: getattr(row, k) for k in ("created", "updated", "unchanged", "refused")})
    session.commit()
    return row


def _write(session, writer: Writer, result: Plan, actor: str, import_id: str) -> None:
    now = utcnow()
    ids = writer.reserve_ids(Customer.__table__, len(result.created))
    customers, points = [], []
    for target, customer_id in zip(result.created, ids, strict=True):
        # Rows as the mapping would write them (search keys as Customer keeps them), without
        # building objects: a third of the time went into their constructors.
        first, last = target.data.get("first_name"), target.data.get("last_name")
        customers.append({"id": customer_id, "version": 1, "created_at": now,
                          "updated_at": now, "updated_by": actor, "extra": target.extra,
                          **{f: target.data.get(f) for f in SCALARS},
                          "name_key": search_key(first, last),
                          "last_name_key": search_key(last)})
        points.extend(_point_rows(customer_id, target.points))
    point_ids = writer.reserve_ids(ContactPoint.__table__, len(points))
    for point, point_id in zip(points, point_ids, strict=True):
        point["id"] = point_id
    writer.write(Customer.__table__, customers)
    writer.write(ContactPoint.__table__, points)
    # Their audit entries the same way (COPY on PostgreSQL): the flush hook's one INSERT of
    # thousands of VALUES took longer to compile than the customers took to write.
    writer.write(AuditEntry.__table__, [
        {"at": now, "actor": actor, "entity_type": "customer", "entity_id": str(c["id"]),
         "action": "import-create", "version": 1, "changes": {"import_id": import_id}}
        for c in customers])
    stored = _customers(session, [i for i, t in result.updated.items() if t.changed])
    for customer_id, target in result.updated.items():
        if target.changed:
            _update(session, stored[customer_id], target, actor, import_id)


def _point_rows(customer_id: int, points: list[tuple]) -> list[dict]:
    rows, positions = [], {"email": 0, "phone": 0}
    for kind, value, key, national, backwards in points:
        rows.append({"customer_id": customer_id, "kind": kind, "value": value, "key": key,
                     "position": positions[kind], "national_digits": national,
                     "reversed_digits": backwards})
        positions[kind] += 1
    return rows


def _update(session, customer: Customer, target: Target, actor: str, import_id: str) -> None:
    changes = {}
    for name in SCALARS:
        if getattr(customer, name) != target.data.get(name):
            changes[name] = [getattr(customer, name), target.data.get(name)]
            setattr(customer, name, target.data.get(name))
    if customer.extra != target.extra:
        changes["extra"] = [customer.extra, target.extra]
        customer.extra = dict(target.extra)
    have = {(p.kind, p.key) for p in customer.contact_points}
    added = [p for p in target.points if (p[0], p[2]) not in have]
    for kind, value, key, national, backwards in added:
        position = 1 + max((p.position for p in customer.contact_points if p.kind == kind),
                           default=-1)
        customer.contact_points.append(ContactPoint(
            kind=kind, value=value, key=key, position=position, national_digits=national,
            reversed_digits=backwards))
        changes.setdefault("added", []).append(value)
    customer.updated_at, customer.updated_by = utcnow(), actor
    audit.record(session, actor, customer, "import-update", {"import_id": import_id,
                                                             **changes})


# --- export ------------------------------------------------------------------------------

EXPORT_BATCH = 1000


def _safe(value: str) -> str:
    """A cell no spreadsheet runs as a formula: a quote before =, @, tab, CR, and before
    + or - unless the cell is a phone number or a number. The import drops that quote."""
    if value and value[0] in FORMULA and not (value[0] in "+-" and PHONE_LIKE.match(value)):
        return "'" + value
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return str(value)


def export_header(defined: list[FieldDefinition]) -> list[str]:
    return ["id", "first_name", "last_name", "emails", "phones", *SCALARS[2:], "created_at",
            "updated_at", *(d.key for d in defined), "extra"]


def export_csv(session) -> Iterator[str]:
    """Every customer, by id, as CSV text a thousand at a time (streamed: memory stays
    flat at any size). Each customer once; changes made meanwhile may or may not show."""
    defined = fields.definitions(session, "customer")
    keys = [d.key for d in defined]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(export_header(defined))
    yield out.getvalue()
    last = 0
    while True:
        batch = session.scalars(sa.select(Customer).where(Customer.id > last)
                                .order_by(Customer.id).limit(EXPORT_BATCH)).all()
        if not batch:
            return
        out.seek(0)
        out.truncate()
        for c in batch:
            extra = c.extra or {}
            untyped = {k: v for k, v in extra.items() if k not in keys}
            writer.writerow([_safe(_text(v)) for v in (
                c.id, c.first_name, c.last_name, "; ".join(c.emails), "; ".join(c.phones),
                *(getattr(c, f) for f in SCALARS[2:]), c.created_at.isoformat(),
                c.updated_at.isoformat(), *(extra.get(k) for k in keys),
                json.dumps(untyped, ensure_ascii=False) if untyped else None)])
        yield out.getvalue()
        last = batch[-1].id
        session.expunge_all()  # a read-only stream: keep memory flat
