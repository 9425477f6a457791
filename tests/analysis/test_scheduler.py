"""The scheduler: jobs persist in the database and a run missed during downtime happens once."""

import time
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from feedback import scheduler
from feedback.models import JobRun
from tests.conftest import create_response, rows


def wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def make_overdue(app, job_id, when):
    """Set a stored job's next run time, as if that time had passed with no scheduler running."""
    store = SQLAlchemyJobStore(engine=app.extensions["feedback.engine"])
    store.start(BackgroundScheduler(timezone=UTC), "default")  # never started itself
    job = store.lookup_job(job_id)
    job._modify(next_run_time=when)
    store.update_job(job)


def test_jobs_are_stored_and_a_missed_run_is_caught_up_once_after_restart(app):
    create_response(answers={"overall": "good"})
    first = scheduler.start(app)
    assert {job.id for job in first.get_jobs()} == {"refresh_kpis", "monthly_report", "close_stale_chats",
                                                    "letters_due", "apply_retention"}
    first.shutdown()
    # While the service is down, the nightly run's time passes.
    make_overdue(app, "refresh_kpis", datetime.now(UTC) - timedelta(hours=5))
    assert rows(JobRun) == []

    second = scheduler.start(app)
    try:
        assert wait_for(lambda: [r.status for r in rows(JobRun)] == ["ok"])
        time.sleep(1)  # a second, duplicate run would have shown by now
        runs = rows(JobRun)
        assert [(r.job_id, r.status) for r in runs] == [("refresh_kpis", "ok")]
        assert second.get_job("refresh_kpis").next_run_time > datetime.now(UTC)
    finally:
        second.shutdown()


def test_a_restart_with_nothing_missed_runs_nothing(app):
    scheduler.start(app).shutdown()
    again = scheduler.start(app)
    try:
        time.sleep(1)
        assert rows(JobRun) == []
    finally:
        again.shutdown()
