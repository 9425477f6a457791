"""A month's counts are read with the planner settings they need on PostgreSQL, and only there,
in one snapshot (REPEATABLE READ), so the responses marked counted are those counted.

With PostgreSQL's defaults the month's GROUP BY scans every answer, sorts on disk and compiles
the query (17 s on 10,000,000 responses against 1.9 s: bench/postgres.py), so the rebuild sets
its own for the transaction that reads the counts and leaves every other transaction alone.
"""

from datetime import date

import pytest
from sqlalchemy import text

from analysis import dao
from feedback.db import reading, transaction


def _setting(session, name):
    return session.execute(text(f"SHOW {name}")).scalar_one()


def test_the_settings_hold_for_the_transaction_that_reads_the_counts_and_no_other(app):
    with app.app_context():
        with reading() as session:
            if session.get_bind().dialect.name != "postgresql":
                pytest.skip("planner settings are PostgreSQL's (run with FEEDBACK_TEST_DATABASE_URL)")
            before = _setting(session, "jit"), _setting(session, "work_mem")
            isolation = _setting(session, "transaction_isolation")
        with transaction() as session:
            dao.prepare_month_counts(session)
            assert _setting(session, "jit") == "off"
            assert _setting(session, "work_mem") == "128MB"
            assert _setting(session, "random_page_cost") == "1.1"
            assert _setting(session, "transaction_isolation") == "repeatable read"
        with reading() as session:
            assert (_setting(session, "jit"), _setting(session, "work_mem")) == before
            assert _setting(session, "transaction_isolation") == isolation


def test_on_sqlite_the_counts_are_read_as_they_are(app):
    with app.app_context(), transaction() as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("the SQLite case")
        dao.prepare_month_counts(session)  # no statement SQLite would refuse
        assert dao.new_answer_counts(session, dao.uncounted_batch(date(2026, 10, 1), 10)) == []
