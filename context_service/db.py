"""The database extension: one engine per app, one session per app context.

Routes are the unit of work: domain code adds and flushes, the route commits,
and whatever is left uncommitted is rolled back when the context ends.
"""

import os
import threading
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app, g, request

# Set for GET/HEAD requests: on SQLite they begin a plain (shared) read transaction.
_read_only: ContextVar[bool] = ContextVar("read_only", default=False)
WRITER_WAIT_SECONDS = 30  # as long as SQLite's own busy timeout


@contextmanager
def reading():
    """Transactions begun inside only read (outside requests: background jobs)."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def normalise_url(url: str) -> str:
    """Accept the common `postgres://` / `postgresql://` forms and pick psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _configure_sqlite(engine: sa.Engine) -> None:
    """Serialise writers up front so a read never has to upgrade to a write lock.

    pysqlite's own transaction handling begins lazily and deadlocks under
    concurrent writers; this is SQLAlchemy's documented recipe.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # SQLite's advice for WAL: commits no longer wait for a disk flush each (which held
        # the one worker still), and the file is never corrupted; a power cut may undo the
        # last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    # Writers of this process queue on a lock, in turn, rather than in SQLite's busy loop,
    # whose growing sleeps gave some writers seconds of wait under load. SQLite's own lock
    # still guards against other processes; a lock not had in time is waited for there.
    writer = threading.Lock()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        if _read_only.get():
            conn.exec_driver_sql("BEGIN")
            return
        conn.info["writer"] = writer.acquire(timeout=WRITER_WAIT_SECONDS)
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    def _end(conn, *_args):
        if conn.info.pop("writer", False):
            writer.release()

    for name in ("commit", "rollback"):
        sa.event.listen(engine, name, _end)


def make_engine(url: str) -> sa.Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    # Greenlets (gevent workers) wait their turn for a connection: a few suffice for the
    # statements in flight, and several processes and instances share max_connections.
    return sa.create_engine(url, pool_pre_ping=True,
                            pool_size=int(os.environ.get("DATABASE_POOL_SIZE", "10")),
                            max_overflow=int(os.environ.get("DATABASE_MAX_OVERFLOW", "10")))


class Database:
    """Flask extension handing out request-scoped sessions; state lives on each app."""

    def init_app(self, app: Flask) -> None:
        engine = app.config.get("ENGINE") or make_engine(app.config["DATABASE_URL"])
        bind = app.config.get("TEST_CONNECTION") or engine
        extra = {"join_transaction_mode": "create_savepoint"} if bind is not engine else {}
        app.extensions["database"] = {
            "engine": engine,
            "factory": so.sessionmaker(bind=bind, expire_on_commit=False, **extra),
        }
        app.teardown_appcontext(self._remove)
        app.before_request(self._mark_read_only)

    def new_session(self, app: Flask | None = None) -> so.Session:
        """A session outside any request (sweeper, CLI, stream threads)."""
        return (app or current_app).extensions["database"]["factory"]()

    @property
    def session(self) -> so.Session:
        if "db_session" not in g:
            g.db_session = self.new_session()
        return g.db_session

    @staticmethod
    def _mark_read_only() -> None:
        _read_only.set(request.method in ("GET", "HEAD"))

    @staticmethod
    def _remove(_exc=None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
