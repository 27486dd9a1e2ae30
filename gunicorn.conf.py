"""gunicorn settings. gthread workers: each open WebSocket holds one thread, not a process."""

import os
import shutil
import tempfile

# prometheus_client in multiprocess mode (context_service/metrics.py): every worker writes
# its counters here, any worker answers /metrics for all. Set before the app is imported.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="cc-metrics-")

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
timeout = 60
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "10"))
accesslog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Never log the Authorization header or query strings that might carry secrets.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'
# Escaped request fields in the access log; gunicorn's own errors as problem+json.
logger_class = "context_service.server.AccessLogger"


def on_starting(_server):
    from context_service import server

    server.install()
    # A directory left by an earlier run would count its workers too.
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)


def child_exit(_server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
