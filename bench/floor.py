"""The database floor of an `accepted` event: its SQL, and nothing else, as one transaction.

`bench/run.py` serves this beside the bare endpoint (bench/bare.py) and the service, with
the same gunicorn settings, and sends it the same events. It runs the statements the
service sends for an accepted call of a known customer with an open request (counted in
tests/api/test_event_cost.py), written out as plain SQL on a raw psycopg connection: no
ORM, no schema validation, no authentication, no audit or push bookkeeping in Python. What
it reaches is the most any implementation of this event on this database, this driver and
this framework could reach, so the service's ingest is read against it as well as against
the bare endpoint.

`POST /one/contact-events` goes further: the whole event as one statement (data-modifying
CTEs, the stored answer built in SQL), one round trip, the least database work there is.
PostgreSQL only.
"""

import json
import os
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, jsonify, request

from context_service.config import load_config
from context_service.db import normalise_url
from context_service.domain.addresses import address_key

app = Flask(__name__)
app.config.update(load_config(app.instance_path))  # the caller's phone region, as served
# SQLAlchemy's pool of raw psycopg connections (the service's own pool settings).
engine = sa.create_engine(normalise_url(os.environ["DATABASE_URL"]), pool_size=20)

CLAIM = """INSERT INTO contact_events (source, event_id, type, fingerprint, response,
    received_at, reporter) VALUES (%s, %s, %s, %s, '{}', %s, %s)
    ON CONFLICT (source, event_id) DO NOTHING RETURNING id"""
ACTIVITY = """SELECT id, state FROM activities WHERE source = %s AND contact_id = %s
    FOR NO KEY UPDATE"""
CALLER = """SELECT customers.id, requests.id FROM customers LEFT OUTER JOIN requests
    ON requests.customer_id = customers.id AND requests.status = 'open'
    WHERE customers.id IN (SELECT customer_id FROM contact_points WHERE kind = %s AND key = %s)
    ORDER BY customers.id, requests.created_at DESC, requests.id DESC
    FOR NO KEY UPDATE OF customers"""
NEW_ACTIVITY = """INSERT INTO activities (request_id, customer_id, source, contact_id,
    media_type, state, from_address, variables, candidate_ids, agent_id, started_at,
    connector_id, version, created_at, updated_at, updated_by)
    VALUES (%s, %s, %s, %s, %s, 'active', %s, '{}', '[]', %s, %s, NULL, 1, %s, %s, %s)
    RETURNING id"""
OPEN_ENTRY = """INSERT INTO open_entries (agent_id, activity_id, customer_id, request_id,
    opened_at, ringing) VALUES (%s, %s, %s, %s, %s, false) RETURNING id"""
AUDIT = """INSERT INTO audit_entries (at, actor, entity_type, entity_id, action, version,
    changes) VALUES (%s, %s, 'activity', %s, 'create', 1, %s),
    (%s, %s, 'activity', %s, 'accept', 1, %s)"""
ANSWER = "UPDATE contact_events SET activity_id = %s, response = %s WHERE id = %s"
NOTIFY = """SELECT pg_notify('cc_bench_floor', message) FROM unnest(%s::text[])
    WITH ORDINALITY AS m(message, n) ORDER BY n"""

ONE = """WITH claim AS (
    INSERT INTO contact_events (source, event_id, type, fingerprint, response, received_at,
        reporter)
    VALUES (%(source)s, %(event_id)s, %(type)s, '-', '{}', %(now)s, 'key:bench')
    ON CONFLICT (source, event_id) DO NOTHING RETURNING id),
caller AS (
    SELECT customers.id AS cid, requests.id AS rid FROM customers LEFT OUTER JOIN requests
    ON requests.customer_id = customers.id AND requests.status = 'open'
    WHERE customers.id IN (SELECT customer_id FROM contact_points
                           WHERE kind = %(kind)s AND key = %(key)s)
    ORDER BY customers.id, requests.created_at DESC, requests.id DESC LIMIT 1
    FOR NO KEY UPDATE OF customers),
act AS (
    INSERT INTO activities (request_id, customer_id, source, contact_id, media_type, state,
        from_address, variables, candidate_ids, agent_id, started_at, version, created_at,
        updated_at, updated_by)
    SELECT rid, cid, %(source)s, %(contact_id)s, %(media_type)s, 'active', %(from)s, '{}',
        '[]', %(agent_id)s, %(now)s, 1, %(now)s, %(now)s, %(actor)s FROM caller, claim
    RETURNING id, request_id, customer_id),
entry AS (
    INSERT INTO open_entries (agent_id, activity_id, customer_id, request_id, opened_at,
        ringing)
    SELECT %(agent_id)s, id, customer_id, request_id, %(now)s, false FROM act),
trail AS (
    INSERT INTO audit_entries (at, actor, entity_type, entity_id, action, version, changes)
    SELECT %(now)s, %(actor)s, 'activity', act.id::text, a.action, 1, a.changes::json
    FROM act, (VALUES ('create', %(c1)s), ('accept', %(c2)s)) AS a(action, changes)),
body AS (
    SELECT act.id, json_build_object(
        'event_id', %(event_id)s, 'source', %(source)s, 'type', %(type)s,
        'activity', json_build_object(
            'id', act.id, 'request_id', act.request_id, 'customer_id', act.customer_id,
            'state', 'active', 'media_type', %(media_type)s, 'contact_id', %(contact_id)s,
            'agent_id', %(agent_id)s, 'candidate_ids', '[]'::json),
        'task', NULL) AS answer FROM act),
answer AS (
    UPDATE contact_events SET activity_id = body.id, response = body.answer
    FROM body, claim WHERE contact_events.id = claim.id)
SELECT body.answer, pg_notify('cc_bench_floor', json_build_object(
    'type', 'activity.changed', 'id', body.id)::text) FROM body"""


@app.post("/api/v1/contact-events")
def contact_event():
    event = request.get_json()
    now = datetime.now(UTC)
    actor = "connector:bench"
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(CLAIM, (event["source"], event["event_id"], event["type"], "-", now,
                               "key:bench"))
        event_row = cursor.fetchone()
        if event_row is None:
            connection.rollback()
            return jsonify({"detail": "replayed"}), 200
        cursor.execute(ACTIVITY, (event["source"], event["contact_id"]))
        cursor.fetchall()
        kind, key = address_key(event["from"])
        cursor.execute(CALLER, (kind, key))
        customer_id, request_id = cursor.fetchone()
        cursor.execute(NEW_ACTIVITY, (request_id, customer_id, event["source"],
                                      event["contact_id"], event["media_type"], event["from"],
                                      event["agent_id"], now, now, now, actor))
        activity_id = cursor.fetchone()[0]
        cursor.execute(OPEN_ENTRY, (event["agent_id"], activity_id, customer_id, request_id,
                                    now))
        cursor.execute(AUDIT, (now, actor, str(activity_id),
                               json.dumps({"contact_id": event["contact_id"]}),
                               now, actor, str(activity_id),
                               json.dumps({"agent_id": event["agent_id"]})))
        body = {"event_id": event["event_id"], "source": event["source"],
                "type": event["type"], "activity": {
                    "id": activity_id, "request_id": request_id, "customer_id": customer_id,
                    "state": "active", "media_type": event["media_type"],
                    "contact_id": event["contact_id"], "agent_id": event["agent_id"],
                    "candidate_ids": []}, "task": None}
        cursor.execute(ANSWER, (activity_id, json.dumps(body), event_row[0]))
        cursor.execute(NOTIFY, ([json.dumps({"type": "activity.changed", "id": activity_id}),
                                 json.dumps({"type": "open.added", "id": activity_id})],))
        connection.commit()
    finally:
        connection.close()
    return jsonify(body), 201


@app.post("/one/contact-events")
def contact_event_in_one_statement():
    event = request.get_json()
    kind, key = address_key(event["from"])
    params = {**event, "now": datetime.now(UTC), "kind": kind, "key": key,
              "actor": "connector:bench", "c1": json.dumps({"contact_id": event["contact_id"]}),
              "c2": json.dumps({"agent_id": event["agent_id"]})}
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(ONE, params)
        row = cursor.fetchone()
        connection.commit()
    finally:
        connection.close()
    if row is None:
        return jsonify({"detail": "replayed"}), 200
    return jsonify(row[0]), 201


@app.get("/readyz")
def readyz():
    return jsonify({"status": "ok"})
