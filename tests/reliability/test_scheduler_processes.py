"""Two scheduler processes at once still run each job once; a run missed while down happens once."""

import time
from datetime import datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import func, select

from analysis.jobs import JOBS, LONDON
from feedback import scheduler
from feedback.db import reading
from feedback.models import JobRun


def _runs():
    with reading() as session:
        query = select(JobRun.job_id, JobRun.run_key, func.count()).group_by(JobRun.job_id, JobRun.run_key)
        return {(job, key): n for job, key, n in session.execute(query)}


def _store_jobs_missed_an_hour_ago(app):
    """Register the jobs as a scheduler would, then set each next run an hour in the past, as if
    the service had been down when they were due."""
    engine = app.extensions["feedback.engine"]
    registering = scheduler.build(engine)
    registering.start(paused=True)
    scheduler.register(registering)
    registering.shutdown(wait=False)
    # Change the stored jobs directly, with no scheduler running in this process.
    store = SQLAlchemyJobStore(engine=engine)
    store.start(registering, "default")
    missed = datetime.now(LONDON) - timedelta(hours=1)
    for name in JOBS:
        job = store.lookup_job(name)
        job._modify(next_run_time=missed)
        store.update_job(job)


def test_two_schedulers_run_each_missed_job_exactly_once(app, processes):
    _store_jobs_missed_an_hour_ago(app)
    first, second = processes("scheduler"), processes("scheduler")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and {job for job, _ in _runs()} != set(JOBS):
        time.sleep(0.2)
    time.sleep(3)  # time for a second run, were there to be one
    runs = _runs()
    assert {job for job, _ in runs} == set(JOBS), (runs, first.output(), second.output())
    assert set(runs.values()) == {1}, runs  # one run per job and key, across both processes
    with reading() as session:
        failed = [(r.job_id, r.detail) for r in session.execute(select(JobRun)).scalars() if r.status != "ok"]
    assert failed == [], failed
    both = first.output() + second.output()
    assert "Traceback" not in both and "database is locked" not in both, both[-3000:]


def test_a_restarted_scheduler_does_not_run_a_finished_job_again(app, processes):
    _store_jobs_missed_an_hour_ago(app)
    first = processes("scheduler")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and {job for job, _ in _runs()} != set(JOBS):
        time.sleep(0.2)
    first.stop()
    before = _runs()
    again = processes("scheduler")
    time.sleep(4)
    again.stop()
    assert _runs() == before  # the missed runs were caught up once; nothing is due now
