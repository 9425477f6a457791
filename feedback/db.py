"""The database engine and the one transaction style used across the codebase.

Writes go through ``transaction()``, which commits on success and rolls back on error.
On SQLite a write transaction starts with ``BEGIN IMMEDIATE`` so that concurrent writers
queue on the busy timeout instead of failing with "database is locked" mid-transaction.

A database that is down or hung must refuse in seconds, not hold every worker thread: SQLite
writers wait ``DB_BUSY_TIMEOUT_MS`` for the lock; on PostgreSQL a connection attempt gives up
after ``DB_CONNECT_TIMEOUT_S``, a wait for the pool after ``DB_POOL_TIMEOUT_S``, and a statement
after ``DB_STATEMENT_TIMEOUT_S`` (the server cancels it; if the server itself has stopped
answering, ``Deadlines`` cuts the connection). SQL parameters never appear in error messages.
"""

import contextlib
import fcntl
import os
import socket
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlmodel import Session

PING_SECONDS = 1.5  # a pooled connection that does not answer SELECT 1 in this time is dropped


def database_url(app):
    """Return the configured database URL, defaulting to SQLite in the instance folder."""
    if app.config.get("DATABASE_URL"):
        return app.config["DATABASE_URL"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / 'feedback.sqlite3'}"


def make_engine(url, statement_timeout_s=8.0, connect_timeout_s=2, pool_timeout_s=2.0, busy_timeout_ms=5000):
    """Create an engine; SQLite gets WAL, a busy timeout, foreign keys and IMMEDIATE writes;
    PostgreSQL gets connect, pool and statement timeouts."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        engine = create_engine(
            url,
            hide_parameters=True,
            pool_timeout=pool_timeout_s,
            connect_args={
                "connect_timeout": max(int(connect_timeout_s), 2),
                "options": f"-c statement_timeout={int(statement_timeout_s * 1000)}",
            },
        )
        _watch_postgres(engine, Deadlines(), statement_timeout_s)
        return engine
    engine = create_engine(url, hide_parameters=True, connect_args={"check_same_thread": False})
    _configure_sqlite(engine, busy_timeout_ms)
    return engine


def _configure_sqlite(engine, busy_timeout_ms):
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's begin event below issue BEGIN, as SQLAlchemy's docs advise.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Deadlines:
    """Cut the connection under a statement that has run past its deadline.

    PostgreSQL's statement_timeout is enforced by the server; a server that has stopped (SIGSTOP,
    a frozen machine) answers nothing, and the kernel still accepts what is sent, so the client
    would wait for ever. A watcher thread shuts down the socket of any statement past its
    deadline: the driver then fails at once with a lost connection, which the pool replaces.
    """

    def __init__(self, every=0.2):
        self._every = every
        self._lock = threading.Lock()
        self._active = {}  # id(dbapi connection) -> (deadline, socket fd, the connection)
        self._thread = None
        self._pid = None

    def start(self, dbapi_connection, seconds):
        """Give a connection's statement ``seconds`` from now."""
        entry = (time.monotonic() + seconds, dbapi_connection.fileno(), dbapi_connection)
        with self._lock:
            self._active[id(dbapi_connection)] = entry
            if self._thread is None or self._pid != os.getpid():  # a new process after fork
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._watch, name="db-deadlines", daemon=True)
                self._thread.start()

    def stop(self, dbapi_connection):
        with self._lock:
            self._active.pop(id(dbapi_connection), None)

    def _watch(self):
        while True:
            time.sleep(self._every)
            now = time.monotonic()
            with self._lock:
                late = [key for key, (deadline, _fd, _connection) in self._active.items() if deadline <= now]
                late = [self._active.pop(key) for key in late]
            for _deadline, fd, connection in late:
                if _still_holds(connection, fd):
                    _cut(fd)


def _still_holds(connection, fd):
    """Whether ``connection`` is open and still on socket ``fd``: once a connection is closed the
    operating system gives its number to the next socket or file opened, which must not be cut."""
    try:
        return not connection.closed and connection.fileno() == fd
    except Exception:
        return False


def _cut(fd):
    """Shut down the socket behind ``fd`` (a duplicate is used, so the driver's own is untouched)."""
    with contextlib.suppress(OSError):
        duplicate = socket.socket(fileno=os.dup(fd))
        with contextlib.suppress(OSError):
            duplicate.shutdown(socket.SHUT_RDWR)
        duplicate.close()


def _watch_postgres(engine, deadlines, statement_timeout_s):
    # Statements get the server's timeout plus a little, so the server normally cancels first.
    limit = statement_timeout_s + 2

    @event.listens_for(engine, "checkout")
    def ping(dbapi_connection, _record, _proxy):
        # SQLAlchemy's pool_pre_ping would wait for ever on a hung server; this one has a deadline.
        deadlines.start(dbapi_connection, PING_SECONDS)
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as error:
            raise DisconnectionError("the pooled connection did not answer") from error
        finally:
            deadlines.stop(dbapi_connection)

    @event.listens_for(engine, "before_cursor_execute")
    def before(connection, _cursor, _statement, _parameters, _context, _many):
        deadlines.start(connection.connection.dbapi_connection, limit)

    @event.listens_for(engine, "after_cursor_execute")
    def after(connection, _cursor, _statement, _parameters, _context, _many):
        deadlines.stop(connection.connection.dbapi_connection)

    @event.listens_for(engine, "checkin")
    def returned(dbapi_connection, _record):
        # Back in the pool (or closed), so no statement of its is running.
        if dbapi_connection is not None:
            deadlines.stop(dbapi_connection)

    @event.listens_for(engine, "handle_error")
    def failed(context):
        if context.connection is not None and context.connection.connection is not None:
            with contextlib.suppress(Exception):
                deadlines.stop(context.connection.connection.dbapi_connection)


class WriterQueue:
    """Writers to one SQLite file take turns here before SQLite's own lock.

    SQLite has one writer at a time, and a writer that finds it busy sleeps in SQLite's busy
    handler (1, 2, 5, 10 ... 100 ms) however soon the lock is free: with two web workers of four
    threads, one survey answer in a hundred took 135-140 ms (bench/run.py). Here the threads of a
    process queue on a lock, and processes on an flock of a file beside the database, tried every
    0.1-0.5 ms, so the next writer starts soon after the last commits: 30-33 ms. (A blocking
    flock hands over sooner still but cannot give up: a stopped process holding it would hold
    every writer for ever.) A writer that cannot have its turn within the busy timeout fails as
    SQLite would ("database is locked"). The kernel releases a killed process's flock. A
    transaction inside another of the same thread takes no second turn.
    """

    def __init__(self, path, timeout_s):
        self.path, self.timeout_s = path, timeout_s
        self._threads = threading.Lock()
        self._depth = threading.local()
        self._fd, self._pid = None, None

    @contextmanager
    def turn(self):
        depth = getattr(self._depth, "value", 0)
        if depth:
            self._depth.value = depth + 1
            try:
                yield
            finally:
                self._depth.value = depth
            return
        deadline = time.monotonic() + self.timeout_s
        if not self._threads.acquire(timeout=self.timeout_s):
            raise _locked()
        try:
            fd = self._file()
            self._take(fd, deadline)
            self._depth.value = 1
            try:
                yield
            finally:
                self._depth.value = 0
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _file(self):
        if self._pid != os.getpid():  # a forked child opens its own: a shared one shares the flock
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @staticmethod
    def _take(fd, deadline):
        pause = 0.0001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _locked() from None
                time.sleep(pause)
                pause = min(pause * 2, 0.0005)


def _locked():
    return OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))


_QUEUES = {}  # database file -> WriterQueue: every app of a process on one file shares one
_QUEUES_LOCK = threading.Lock()


def writer_queue(url, timeout_s):
    """Return the queue of writers for a SQLite file (None for another database, or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = str(Path(parsed.database).resolve()) + "-writers"
    with _QUEUES_LOCK:
        if path not in _QUEUES:
            _QUEUES[path] = WriterQueue(path, timeout_s)
        return _QUEUES[path]


def init_app(app):
    """Bind an engine to the app."""
    config = app.config
    url = database_url(app)
    engine = make_engine(
        url,
        config["DB_STATEMENT_TIMEOUT_S"],
        config["DB_CONNECT_TIMEOUT_S"],
        config["DB_POOL_TIMEOUT_S"],
        config["DB_BUSY_TIMEOUT_MS"],
    )
    app.extensions["feedback.engine"] = engine
    app.extensions["feedback.write_engine"] = engine.execution_options(sqlite_immediate=True)
    app.extensions["feedback.writers"] = writer_queue(url, config["DB_BUSY_TIMEOUT_MS"] / 1000)


def get_engine():
    """Return the current app's engine."""
    return current_app.extensions["feedback.engine"]


@contextmanager
def transaction():
    """Yield a session in a write transaction; commit at the end, roll back on error. On SQLite
    the transaction first takes its turn among the file's writers (WriterQueue)."""
    engine = current_app.extensions["feedback.write_engine"]
    writers = current_app.extensions["feedback.writers"]
    turn = writers.turn() if writers else contextlib.nullcontext()
    with turn, Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def reading():
    """Yield a session for reads; nothing it does is committed."""
    with Session(get_engine()) as session:
        yield session
