"""Synthetic customers with a history, for benchmarks and admins' trials.

`context-service load-synthetic --customers N --activities-per-customer M` adds N customers
(names in the product's five languages, one email and one phone each), and for each M
activities in requests of `--activities-per-request`; every request but the latest is
closed, the latest is open and recent, so the next contact joins it (R2).

Every derived column is filled by the code the API fills it with: rows are built as model
objects (the name search keys come from the model's own validator) and contact points by
`domain.customers.contact_points` (normalised keys and every search form of an address),
then their column values are written. So a search finds a loaded customer exactly as it
finds one created over the API. PostgreSQL takes the rows with COPY (psycopg 3), SQLite in
batched INSERTs. Ids are reserved from the tables' own sequences, so the service can keep
running while a load goes on.
"""

import itertools
import random
from collections.abc import Callable, Iterator
from datetime import timedelta

import sqlalchemy as sa
from psycopg.types.json import Json

from .domain import customers as customers_domain
from .domain.activities import tag_key
from .models import Activity, ContactPoint, Customer, Note, Request, Tag, utcnow

SOURCE = "synthetic"
ACTOR = "system:synthetic"
BATCH = 5_000  # customers per transaction
MEDIA = ("voice", "voice", "chat", "email")
TAGS = ("billing", "router", "vip", "callback", "Fakturering", "Storing")

FIRST = ("Ann", "Bob", "Carl", "Dana", "Erik", "Fatima", "Grace", "Hans", "Ingrid", "Jovan",
         "Kari", "Lars", "Marta", "Nils", "Olga", "Petra", "Øyvind", "Åse", "Dragan", "Željka",
         "Jürgen", "Björn", "Sanne", "Daan", "Milica", "Noor", "Sven", "Tijana", "Ulrike",
         "Vera")
LAST = ("Lee", "Berg", "Hansen", "Johansen", "Ødegård", "Ås", "Petrović", "Jovanović", "Müller",
        "Schäfer", "de Vries", "van Dijk", "Janssen", "Nikolić", "Larsen", "Smith", "Nguyen",
        "Garcia", "Kowalski", "Öztürk", "Bakker", "Visser", "Čolić", "Weiß", "Lindqvist",
        "Brown", "Meyer", "Dahl", "Stojanović", "Jensen")
ASCII = str.maketrans({"Ø": "O", "ø": "o", "Å": "A", "å": "a", "Ž": "Z", "ž": "z", "ü": "u",
                       "ö": "o", "Ö": "O", "ä": "a", "ć": "c", "Č": "C", "č": "c", "ß": "ss",
                       " ": ""})
DOMAINS = ("example.com", "example.no", "example.nl", "example.de", "example.rs")


def phone(i: int) -> str:
    """A phone number as people type it, unique for each i below 10 million per country."""
    n = i // 5
    country = i % 5
    if country == 0:
        digits = f"{2_000_000_000 + n:010d}"
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    if country == 1:
        return f"+47 {40_000_000 + n:08d}"
    if country == 2:
        return f"+31 6 {n:08d}"
    if country == 3:
        return f"+49 151 {n:08d}"
    return f"+381 6{n % 10} {n:07d}"


def person(i: int) -> dict:
    """The i-th synthetic customer's fields, as a client would send them."""
    first, last = FIRST[i % len(FIRST)], LAST[i // len(FIRST) % len(LAST)]
    local = f"{first.translate(ASCII)}.{last.translate(ASCII)}{i}"
    return {"first_name": first, "last_name": last, "emails": [f"{local}@{DOMAINS[i % 5]}"],
            "phones": [phone(i)]}


class Writer:
    """Rows into tables, the fastest way the database offers."""

    def __init__(self, session):
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"

    def reserve_ids(self, table: sa.Table, n: int) -> list[int]:
        """n ids nobody else will take: from the table's sequence, or past its largest id
        while SQLite's writer lock is held."""
        if not n:
            return []
        if self.postgres:
            return list(self.session.scalars(sa.text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :n)"), {"table": table.name, "n": n}))
        start = self.session.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
        return list(range(start + 1, start + n + 1))

    def write(self, table: sa.Table, rows: list[dict]) -> None:
        if not rows:
            return
        if not self.postgres:
            self.session.execute(sa.insert(table), rows)
            return
        columns = list(rows[0])
        cursor = self.session.connection().connection.driver_connection.cursor()
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([Json(v) if isinstance(v, dict | list) else v
                                for v in (row[c] for c in columns)])


def _columns(obj) -> dict:
    """A model object's column values, as its INSERT would write them."""
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}


def load(session, customers: int, activities_per_customer: int = 0,
         activities_per_request: int = 4, first: int | None = None, seed: int = 1,
         progress: Callable[[int], None] | None = None) -> dict:
    """Add `customers` synthetic customers with their history; returns what was written.

    `first` is the index of the first synthetic person (default: after those already
    loaded), so several loads never repeat an address.
    """
    writer = Writer(session)
    if first is None:
        first = session.scalar(sa.select(sa.func.count()).select_from(Customer)
                               .where(Customer.updated_by == ACTOR))
    rng = random.Random(seed + first)
    counts = dict.fromkeys(("customers", "contact_points", "requests", "activities", "tags",
                            "notes"), 0)
    done = 0
    for start in range(first, first + customers, BATCH):
        n = min(BATCH, first + customers - start)
        _batch(writer, range(start, start + n), activities_per_customer,
               max(1, activities_per_request), rng, counts)
        session.commit()
        done += n
        if progress:
            progress(n)
    return counts


def _batch(writer: Writer, people: range, per_customer: int, per_request: int,
           rng: random.Random, counts: dict) -> None:
    now = utcnow()
    customer_ids = writer.reserve_ids(Customer.__table__, len(people))
    customer_rows, point_rows, histories = [], [], []
    for i, customer_id in zip(people, customer_ids, strict=True):
        fields = person(i)
        created = now - timedelta(days=400, seconds=rng.randrange(86_400))
        customer = Customer(id=customer_id, version=1, created_at=created, updated_at=created,
                            updated_by=ACTOR, extra={}, first_name=fields["first_name"],
                            last_name=fields["last_name"])
        customer_rows.append(_columns(customer))
        points = customers_domain.contact_points(fields["emails"], fields["phones"])
        for point in points:
            point.customer_id = customer_id
            point_rows.append(point)
        histories.append((customer_id, points))
    point_ids = writer.reserve_ids(ContactPoint.__table__, len(point_rows))
    for point, point_id in zip(point_rows, point_ids, strict=True):
        point.id = point_id
    writer.write(Customer.__table__, customer_rows)
    writer.write(ContactPoint.__table__, [_columns(p) for p in point_rows])
    counts["customers"] += len(customer_rows)
    counts["contact_points"] += len(point_rows)
    if per_customer:
        _histories(writer, histories, per_customer, per_request, now, rng, counts)


def _histories(writer: Writer, histories: list, per_customer: int, per_request: int, now,
               rng: random.Random, counts: dict) -> None:
    """Requests of `per_request` activities, one every six hours or so, the latest open."""
    n_requests = -(-per_customer // per_request)
    request_ids = iter(writer.reserve_ids(Request.__table__, n_requests * len(histories)))
    activity_ids = iter(writer.reserve_ids(Activity.__table__, per_customer * len(histories)))
    requests, activities, tags, notes = [], [], [], []
    for customer_id, points in histories:
        addresses = [p.value for p in points]
        k = 0
        for r in range(n_requests):
            size = min(per_request, per_customer - k)
            request_id = next(request_ids)
            times = [now - timedelta(hours=6 * (per_customer - k - j),
                                     seconds=rng.randrange(3_600)) for j in range(size)]
            latest = r == n_requests - 1
            request = Request(id=request_id, customer_id=customer_id, version=1, extra={},
                              title=f"Case {r + 1}", description="", created_at=times[0],
                              updated_at=times[-1], updated_by=ACTOR,
                              status="open" if latest else "closed",
                              closed_at=None if latest else times[-1] + timedelta(hours=1),
                              closed_reason=None if latest else "agent")
            requests.append(_columns(request))
            for at in times:
                activity_id = next(activity_ids)
                agent = f"agent{rng.randrange(50)}"
                activity = Activity(
                    id=activity_id, request_id=request_id, customer_id=customer_id,
                    source=SOURCE, contact_id=f"syn-{activity_id}", media_type=MEDIA[k % 4],
                    state="ended", from_address=addresses[k % len(addresses)],
                    to_address="1000", customer_name=None,
                    variables={"callVariable1": f"queue{k % 7}"}, candidate_ids=[],
                    agent_id=agent, started_at=at, ended_at=at + timedelta(minutes=7),
                    connector_id=None, version=1, created_at=at, updated_at=at,
                    updated_by=agent)
                activities.append(_columns(activity))
                if k % 3 == 0:
                    name = TAGS[k % len(TAGS)]
                    tags.append(Tag(activity_id=activity_id, name=name, key=tag_key(name),
                                    created_at=at, created_by=agent))
                if k % 5 == 0:
                    notes.append(Note(activity_id=activity_id, text=f"Note {k}: called back.",
                                      author=agent, created_at=at))
                k += 1
    for rows, model in ((tags, Tag), (notes, Note)):
        for row, row_id in zip(rows, writer.reserve_ids(model.__table__, len(rows)),
                               strict=True):
            row.id = row_id
    writer.write(Request.__table__, requests)
    writer.write(Activity.__table__, activities)
    writer.write(Tag.__table__, [_columns(t) for t in tags])
    writer.write(Note.__table__, [_columns(n) for n in notes])
    for name, rows in (("requests", requests), ("activities", activities), ("tags", tags),
                       ("notes", notes)):
        counts[name] += len(rows)


def people(first: int, n: int) -> Iterator[dict]:
    """The synthetic persons `first` to `first + n - 1` (benchmarks search for them)."""
    return (person(i) for i in itertools.islice(itertools.count(first), n))
