"""Shared fixtures: an app on a fresh database per test, a client, and small factories."""

import itertools
import os
import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from flask import g
from sqlalchemy import make_url
from sqlalchemy.pool import NullPool

from feedback import clock, create_app
from feedback.db import reading, transaction
from feedback.initialise import initialise
from feedback.models import Invitation
from surveys import tokens
from surveys.collect import NewComment


def _config(database_url, **overrides):
    return {"ENV_NAME": "test", "DATABASE_URL": database_url, **overrides}


# FEEDBACK_TEST_DATABASE_URL (a PostgreSQL server, e.g. postgresql://feedback@127.0.0.1:54329/postgres)
# runs the whole suite on PostgreSQL: each test gets its own database copied from a template.
POSTGRES_URL = os.environ.get("FEEDBACK_TEST_DATABASE_URL")
ON_POSTGRES = bool(POSTGRES_URL)
_database_names = itertools.count()


def _postgres_admin():
    from sqlalchemy import create_engine

    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _postgres_url(name):
    return (
        make_url(POSTGRES_URL)
        .set(drivername="postgresql+psycopg", database=name)
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """An initialised database, copied for each test so that set-up runs once."""
    if ON_POSTGRES:
        name = f"feedback_template_{os.getpid()}"
        admin = _postgres_admin()
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        url = _postgres_url(name)
    else:
        path = tmp_path_factory.mktemp("template") / "feedback.sqlite3"
        url = f"sqlite:///{path}"
    app = create_app(_config(url))
    with app.app_context():
        assert initialise(echo=lambda _line: None) == []
        app.extensions["feedback.engine"].dispose()
    if not ON_POSTGRES:
        yield path
        return
    yield name
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


def _fresh_database(template, tmp_path):
    """Return the URL of a new copy of the template database for one test, and how to drop it."""
    if not ON_POSTGRES:
        path = tmp_path / "feedback.sqlite3"
        shutil.copy(template, path)
        return f"sqlite:///{path}", lambda: None
    name = f"feedback_test_{os.getpid()}_{next(_database_names)}"
    admin = _postgres_admin()
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {template}")

    def drop():
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()

    return _postgres_url(name), drop


@pytest.fixture
def app(template_database, tmp_path):
    """A test app on its own copy of the initialised database."""
    url, drop = _fresh_database(template_database, tmp_path)
    app = create_app(_config(url, INSTANCE_PATH=str(tmp_path)))

    def fresh_g():
        # The test's own context (below) would otherwise share g across requests, which
        # in production are separate; start each request with an empty g as it would.
        g._get_current_object().__dict__.clear()

    app.before_request_funcs.setdefault(None, []).insert(0, fresh_g)

    with app.test_request_context():  # so tests can build URLs with url_for
        yield app
    app.extensions["feedback.engine"].dispose()
    drop()


@pytest.fixture
def frozen_clock():
    """Freeze the one clock (feedback.clock): ``frozen_clock(aware datetime)``; thawed after the test."""

    def freeze(instant):
        clock.freeze(instant)
        return instant

    yield freeze
    clock.thaw()


@pytest.fixture
def client(app):
    return app.test_client()


def parse(response):
    """Return the parsed HTML of a response."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def form_fields(response):
    """Return the hidden fields (CSRF token, submission id) of the survey form on a page."""
    page = parse(response)
    return {field["name"]: field.get("value", "") for field in page.select("form input[type=hidden]")}


def create_invitation(**overrides):
    """Store an invitation and return (token, invitation)."""
    token, token_hash = tokens.new_token()
    now = datetime.now(UTC)
    fields = {
        "token_hash": token_hash,
        "instrument_slug": "service-experience",
        "service_slug": "camhs",
        "district_slug": "preston",
        "appointment_date": date(2026, 10, 14),
        "created_at": now,
        "expires_at": now + timedelta(days=14),
    }
    fields.update(overrides)
    with transaction() as session:
        invitation = Invitation(**fields)
        session.add(invitation)
    return token, invitation


def rows(model, **filters):
    """Return every stored row of a model matching the column filters."""
    from sqlmodel import select

    query = select(model)
    for column, value in filters.items():
        query = query.where(getattr(model, column) == value)
    with reading() as session:
        return list(session.exec(query))


def create_response(
    slug="service-experience",
    answers=None,
    month=None,
    service="camhs",
    district="preston",
    comment=None,
    **overrides,
):
    """Store a response with its answers (and optional comment); return it."""
    import uuid

    from feedback.models import Response
    from surveys import dao

    with transaction() as session:
        instrument = dao.latest_instrument(session, slug)
        provider = dao.service(session, service).provider_slug
        fields = {
            "submission_id": str(uuid.uuid4()),
            "instrument_id": instrument.id,
            "instrument_slug": slug,
            "instrument_version": instrument.version,
            "channel": "form",
            "service_slug": service,
            "provider_slug": provider,
            "district_slug": district,
            "respondent_type": instrument.respondent_type,
            "month": month or date(2026, 10, 1),
        }
        fields.update(overrides)
        comments = [NewComment("comment", comment, 0.0)] if comment else []
        return dao.add_response(session, Response(**fields), answers or {}, comments)


def create_staff(email="commissioner@example.org", role="commissioner", password="a long enough passphrase"):
    """Store a staff account; return (email, password)."""
    from feedback import auth
    from feedback.models import StaffUser

    with transaction() as session:
        session.add(StaffUser(email=email, role=role, password_hash=auth.hash_password(password)))
    return email, password


def sign_in(client, email="commissioner@example.org", password="a long enough passphrase"):
    """Sign a test client in through the login form."""
    page = client.get("/dashboard/login")
    fields = form_fields(page)
    return client.post("/dashboard/login", data={**fields, "email": email, "password": password})


# The application log of the whole run, searched at the end for the personal data the tests
# stored (the waiting-list details pass through crypto.seal, which is watched for the values).
PERSONAL_FIELDS = (
    "child_name",
    "parent_name",
    "nhs_number",
    "address_line_1",
    "address_line_2",
    "postcode",
    "mobile",
    "email",
)  # and the contact details held to send invitations (surveys.contact)
_personal_values = set()
_log_path = None


@pytest.fixture(scope="session", autouse=True)
def application_log(tmp_path_factory):
    """Write every log line of the run (INFO and above) to one file, as a deployment would."""
    import logging

    from feedback.waitlist import crypto

    global _log_path
    _log_path = tmp_path_factory.mktemp("log") / "application.log"
    handler = logging.FileHandler(_log_path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    real_seal = crypto.seal

    def watched_seal(fernet, personal):
        _personal_values.update(str(personal.get(f)) for f in PERSONAL_FIELDS if personal.get(f))
        return real_seal(fernet, personal)

    crypto.seal = watched_seal
    yield _log_path
    crypto.seal = real_seal
    root.removeHandler(handler)
    root.setLevel(old_level)
    handler.close()


def personal_data_in_log():
    """Return the stored personal values that appear in the application log (none, we hope)."""
    if _log_path is None or not _log_path.exists():
        return []
    text = _log_path.read_text(encoding="utf-8").lower()
    return sorted(v for v in _personal_values if len(v) >= 4 and v.lower() in text)


def pytest_sessionfinish(session, exitstatus):
    found = personal_data_in_log()
    if found:
        session.exitstatus = 1
        print(
            f"\nThe application log holds personal data from the tests: {len(found)} value(s), "
            f"for example {found[0][:3]}…"
        )
    elif _personal_values:
        print(f"\nApplication log checked: none of {len(_personal_values)} personal values appear in it.")


def everything_stored(app):
    """Return every byte the database holds for this test: the SQLite file and its log, or on
    PostgreSQL the text of every row of every table."""
    from sqlalchemy import inspect, text

    engine = app.extensions["feedback.engine"]
    if not ON_POSTGRES:
        engine.dispose()
        from pathlib import Path

        path = Path(make_url(app.config["DATABASE_URL"]).database)
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        return "\n".join(
            str(row[0])
            for table in tables
            for row in connection.execute(text(f'SELECT t::text FROM "{table}" t'))  # noqa: S608
        ).encode()
