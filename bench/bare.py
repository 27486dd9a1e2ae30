"""The framework ceiling: a bare Flask endpoint that takes and answers JSON, nothing else.

`bench/run.py` serves it with the same gunicorn settings (gunicorn.conf.py, workers,
threads) as the service and interleaves it with the service's ingest, so their ratio says
how much of the framework's throughput the data path keeps.
"""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/contact-events")
def contact_event():
    event = request.get_json()
    return jsonify({"event_id": event["event_id"], "source": event["source"],
                    "type": event["type"], "activity": None}), 201


@app.get("/readyz")
def readyz():
    return jsonify({"status": "ok"})
