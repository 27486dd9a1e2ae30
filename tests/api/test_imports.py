"""Bulk import and export of customers as CSV (issue 14)."""

import csv
import io

import pytest

from context_service.models import CustomerImport

IMPORTS = "/api/v1/admin/imports"
EXPORT = "/api/v1/admin/exports/customers.csv"
CSV = {"Content-Type": "text/csv"}


def post(api, text, **params):
    return api.post(IMPORTS, data=text.encode(), headers=CSV, query_string=params)


@pytest.fixture
def tier(admin):
    response = admin.post("/api/v1/admin/fields", json={
        "entity": "customer", "key": "tier", "type": "choice", "options": ["silver", "gold"]})
    assert response.status_code == 201
    return response.json


FILE = (
    "first_name,last_name,emails,phones,city,tier\n"
    "Ann,Lee,ann@example.com,,Oslo,gold\n"                      # updates Ann (by email)
    "New,Person,new@example.com,+47 22 33 44 55,Bergen,\n"      # creates
    "Same,Person,,+4722334455,,silver\n"                        # the new one again: updates
    "Bad,Phone,,12,,\n"                                          # refused: phone
    "Bad,Tier,bad@example.com,,,platinum\n"                      # refused: field value
    "Short,Row\n"                                                # refused: cells
    "Both,Of,ann@example.com,+1 415 555 0199,,\n"                # refused: two customers
    "Ann,Lee,ANN@example.com,,Oslo,gold\n"                       # nothing new: unchanged
    '"Multi\nLine",Name,multi@example.com,,,\n'                  # creates (quoted newline)
)


@pytest.fixture
def stored(make_customer):
    return (make_customer(first_name="Ann", last_name="Lee", emails=["ann@example.com"]),
            make_customer(first_name="Bo", phones=["+1 415 555 0199"]))


def test_dry_run_reports_every_line_and_writes_nothing(admin, tier, stored, count):
    from context_service.models import Customer

    before = count(Customer)
    response = post(admin, FILE, dry_run="true")

    assert response.status_code == 200, response.json
    body = response.json
    ann, bo = stored
    assert body["dry_run"] is True and body["total_lines"] == 9
    assert (body["created"], body["updated"], body["unchanged"], body["refused"]) == (2, 2, 1, 4)
    lines = {line["row"]: line for line in body["lines"]}
    assert lines[1] == {"row": 1, "line": 2, "action": "updated", "customer_id": ann["id"]}
    assert lines[2] == {"row": 2, "line": 3, "action": "created", "customer_id": None}
    assert lines[3]["action"] == "updated" and lines[3]["customer_id"] is None
    assert lines[4]["action"] == "refused" and "phone" in lines[4]["reason"]
    assert lines[5]["action"] == "refused" and lines[5]["reason"].startswith("tier:")
    assert lines[6]["reason"] == "Has 2 cells; the header has 6."
    assert "Matches several customers" in lines[7]["reason"]
    assert str(ann["id"]) in lines[7]["reason"] and str(bo["id"]) in lines[7]["reason"]
    assert lines[8]["action"] == "unchanged"
    assert lines[9] == {"row": 9, "line": 10, "action": "created", "customer_id": None}
    assert count(Customer) == before


def test_real_run_imports_and_is_idempotent(admin, agent, tier, stored):
    ann, _bo = stored
    response = post(admin, FILE, import_id="crm-2026-11")

    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "completed" and body["percent"] == 100.0
    assert (body["created"], body["updated"], body["unchanged"], body["refused"]) == (2, 2, 1, 4)
    assert [r["row"] for r in body["refusals"]] == [4, 5, 6, 7]
    shown = agent.get(f"/api/v1/customers/{ann['id']}").json
    assert shown["city"] == "Oslo" and shown["extra"] == {"tier": "gold"}
    [new] = agent.get("/api/v1/customers", query_string={"q": "+4722334455"}).json
    assert (new["first_name"], new["city"], new["extra"]) == ("Same", "Bergen", {"tier": "silver"})
    assert new["phones"] == ["+4722334455"] and new["emails"] == ["new@example.com"]
    assert agent.get("/api/v1/customers", query_string={"q": "multi"}).json[0][
        "first_name"] == "Multi\nLine"
    # Found by name prefix: the search keys were written too.
    assert [c["id"] for c in agent.get("/api/v1/customers",
                                       query_string={"q": "same per"}).json] == [new["id"]]

    again = post(admin, FILE, import_id="crm-2026-11")
    assert again.status_code == 200 and again.json["created"] == 2
    assert len(agent.get("/api/v1/customers", query_string={"q": "+4722334455"}).json) == 1
    other = post(admin, FILE + "Extra,Line,x@example.com,,,\n", import_id="crm-2026-11")
    assert other.status_code == 409
    progress = admin.get(f"{IMPORTS}/crm-2026-11")
    assert progress.status_code == 200 and progress.json["processed_lines"] == 9
    assert admin.get(f"{IMPORTS}/nope").status_code == 404


def test_an_interrupted_import_resumes_where_it_stopped(app, admin, agent, stored):
    from datetime import timedelta

    from context_service.extensions import db
    from context_service.models import utcnow

    rows = "".join(f"P{i},Person,p{i}@example.com\n" for i in range(5))
    text = "first_name,last_name,email\n" + rows
    app.config["IMPORT_BATCH_ROWS"] = 2
    # A run that got through its first batch and died: its progress row says 2 of 5.
    first = "first_name,last_name,email\n" + rows
    with app.app_context():
        from context_service.domain import imports

        parsed = imports.prepare(db.session, first.encode())
        row, _ = imports.begin(db.session, "resume-me", first.encode(), parsed, "admin")
        result = imports.plan(db.session, parsed.lines(0, 2), parsed.defined, {}, lock=True)
        imports._write(db.session, imports.Writer(db.session), result, "admin", "resume-me")
        row = db.session.get(CustomerImport, "resume-me")
        row.processed_lines, row.created = 2, 2
        db.session.commit()
    running = post(admin, text, import_id="resume-me")
    assert running.status_code == 409 and "is running" in running.json["detail"]
    with app.app_context():
        row = db.session.get(CustomerImport, "resume-me")
        row.heartbeat_at = utcnow() - timedelta(minutes=5)
        db.session.commit()

    response = post(admin, text, import_id="resume-me")

    assert response.status_code == 201, response.json
    assert (response.json["created"], response.json["processed_lines"]) == (5, 5)
    for i in range(5):
        found = agent.get("/api/v1/customers", query_string={"q": f"p{i}@example.com"}).json
        assert len(found) == 1, i


@pytest.mark.parametrize("text, status, field", [
    ("", 422, "body"),
    ("first_name,shoe_size\nAnn,41\n", 422, "columns"),
    ("first_name,first_name\nAnn,Ann\n", 422, "columns"),
    ("street,city\nMain St,Oslo\n", 422, "columns"),
    ('first_name\n"Ann\n', 422, "body"),
])
def test_files_that_cannot_be_read_are_refused_whole(admin, text, status, field):
    response = post(admin, text, import_id="bad")
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.json["errors"]
    assert admin.get(f"{IMPORTS}/bad").status_code == 404


def test_not_csv_not_utf8_and_no_id(admin):
    response = admin.post(IMPORTS, json={"first_name": "Ann"}, query_string={"import_id": "x"})
    assert response.status_code == 415
    latin = admin.post(IMPORTS, data="first_name\nJosé\n".encode("latin-1"), headers=CSV,
                       query_string={"import_id": "x"})
    assert latin.status_code == 422 and "UTF-8" in latin.json["detail"]
    assert post(admin, "first_name\nAnn\n").status_code == 422


def test_bad_lines_are_refused_with_reasons(admin):
    text = ("first_name,email,phone,preferred_language,extra\n"
            "A,not-an-email,,,\n"
            "B,,,english!,\n"
            "C,,,,[1]\n"
            "D,,,,\"{\"\"k\"\": {\"\"nested\"\": 1}}\"\n"
            ",,,,\n"
            ",,,en,\n"
            "E,e@example.com,+1 415 555 0100,en,\"{\"\"note\"\": \"\"kept\"\"}\"\n")
    body = post(admin, text, dry_run="true").json
    reasons = {line["row"]: line.get("reason") for line in body["lines"]}
    assert "not an email address" in reasons[1]
    assert "preferred_language" in reasons[2]
    assert reasons[3] == "extra: not a JSON object of at most 50 entries."
    assert "'k'" in reasons[4]
    assert reasons[5] == "No name, email or phone: nothing to create or match."
    assert body["total_lines"] == 6 and body["created"] == 1  # the blank line is no line


def test_only_admins_import_and_export(agent, connector):
    for api in (agent, connector):
        assert post(api, "first_name\nAnn\n", import_id="x").status_code == 403
        assert api.get(EXPORT).status_code == 403
        assert api.get(f"{IMPORTS}/x").status_code == 403


def test_export_streams_every_customer_and_imports_again(admin, tier, make_customer):
    make_customer(first_name="=cmd", last_name="Lee", emails=["ann@example.com"],
                  phones=["+1 415 555 0100", "+47 22 33 44 55"], extra={"tier": "gold",
                                                                       "note": "x"})
    for i in range(3):
        make_customer(first_name=f"P{i}")

    response = admin.get(EXPORT)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 4
    first = rows[0]
    assert first["first_name"] == "'=cmd"  # no spreadsheet formula
    assert first["phones"] == "+14155550100; +4722334455"
    assert first["tier"] == "gold" and first["extra"] == '{"note": "x"}'
    again = post(admin, response.get_data(as_text=True), dry_run="true").json
    # Matched by address: the customer with addresses is unchanged; rows without any
    # address would be new customers (ids are not matched).
    assert (again["refused"], again["unchanged"], again["created"]) == (0, 1, 3)
