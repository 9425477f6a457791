"""The database engine and the one transaction style used across the codebase.

Writes go through ``transaction()``, which commits on success and rolls back on error.
On SQLite a write transaction starts with ``BEGIN IMMEDIATE`` so that concurrent writers
queue on the busy timeout instead of failing with "database is locked" mid-transaction.
"""

from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine, event
from sqlmodel import Session

BUSY_TIMEOUT_MS = 10_000


def database_url(app):
    """Return the configured database URL, defaulting to SQLite in the instance folder."""
    if app.config.get("DATABASE_URL"):
        return app.config["DATABASE_URL"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / 'feedback.sqlite3'}"


def make_engine(url):
    """Create an engine; SQLite gets WAL, a busy timeout, foreign keys and IMMEDIATE writes."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine):
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's begin event below issue BEGIN, as SQLAlchemy's docs advise.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def init_app(app):
    """Bind an engine to the app."""
    engine = make_engine(database_url(app))
    app.extensions["feedback.engine"] = engine
    app.extensions["feedback.write_engine"] = engine.execution_options(sqlite_immediate=True)


def get_engine():
    """Return the current app's engine."""
    return current_app.extensions["feedback.engine"]


@contextmanager
def transaction():
    """Yield a session in a write transaction; commit at the end, roll back on error."""
    engine = current_app.extensions["feedback.write_engine"]
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def reading():
    """Yield a session for reads; nothing it does is committed."""
    with Session(get_engine()) as session:
        yield session
