"""gunicorn settings. gevent workers: an open WebSocket is a greenlet, not a thread.

Each worker serves HTTP requests and agents' streams cooperatively (GUNICORN_CONNECTIONS at
once): a stream waiting for its next push holds no thread, so thousands of agents can keep
theirs open while the API answers. psycopg 3 waits on gevent's patched sockets (it sees the
patching and picks its green wait function), SQLite's calls are short and run in turn.
GUNICORN_WORKER_CLASS=gthread brings back a thread per request and per stream.
"""

import os

WORKER_CLASS = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
if WORKER_CLASS == "gevent":
    # First, before anything imports socket, ssl, threading or psycopg: every module the
    # workers use then sees the cooperative versions (gunicorn's worker patches again).
    from gevent import monkey

    monkey.patch_all()

import gc  # noqa: E402 - after the patching above
import shutil  # noqa: E402
import tempfile  # noqa: E402

# prometheus_client in multiprocess mode (context_service/metrics.py): every worker writes
# its counters here, any worker answers /metrics for all. Set before the app is imported.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="cc-metrics-")

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
worker_class = WORKER_CLASS
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
# gthread only: threads per worker (each open stream holds one there).
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
# gevent only: connections a worker serves at once, streams and HTTP requests together.
worker_connections = int(os.environ.get("GUNICORN_CONNECTIONS", "10000"))
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


def post_worker_init(_worker):
    """Keep the garbage collector's full passes out of pushes and requests.

    A full pass walks every tracked object: with 1,000 streams open it stalled the worker
    50-110 ms (measured), a few times a minute, and every frame of a push caught in it
    waited that long. What the worker built at start-up (modules, mappers, compiled
    statements) lives as long as it does: frozen, it is never walked again. Full passes
    then come after 1,000 middle-generation passes instead of 10, minutes apart rather than
    seconds; the young passes, which free most cycles, run as before.
    """
    gc.freeze()
    gc.set_threshold(700, 10, 1000)


def child_exit(_server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
