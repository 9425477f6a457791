"""The scheduler: jobs persist in the database, an unfinished period is caught up once, the job
store outlasts a locked database, and the watcher ends a scheduler that can no longer work."""

import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

from feedback import clock, dao, jobs, scheduler
from feedback.db import reading, transaction
from feedback.models import JobRun
from tests.conftest import create_response, rows

ALL_JOBS = {
    "refresh_kpis",
    "refresh_this_month",
    "monthly_report",
    "close_stale_chats",
    "letters_due",
    "apply_retention",
}


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def finished():
    return {(r.job_id, r.run_key): (r.status, r.attempts) for r in rows(JobRun)}


def test_a_first_start_runs_each_job_s_current_period_once_and_a_restart_runs_nothing_again(app):
    create_response(answers={"overall": "good"})
    every_job = set(jobs.registry(app))
    first = scheduler.start(app)
    try:
        assert {job.id for job in first.get_jobs("default")} == every_job
        assert wait_for(lambda: {job for job, _ in finished()} == every_job)
        assert wait_for(lambda: {state for state, _ in finished().values()} == {"ok"})
    finally:
        first.shutdown()
    before = finished()
    again = scheduler.start(app)
    try:
        time.sleep(1.5)  # a second, duplicate run would have shown by now
    finally:
        again.shutdown()
    assert finished() == before
    assert set(before.values()) == {("ok", 1)}


def test_a_failed_period_is_tried_again_by_the_catch_up_and_finishes(app):
    name = "letters_due"
    key = jobs.due_key(jobs.registry(app)[name], clock.now())
    with transaction() as session:
        record = dao.add_job_run(session, name, key, "elsewhere:1", clock.now())
        dao.finish_job_run(session, record.id, "failed", "RuntimeError: boom", clock.now(), 1, clock.now())
    running = scheduler.start(app)
    try:
        assert wait_for(lambda: finished().get((name, key)) == ("ok", 2))
    finally:
        running.shutdown()


class FlakyStore(scheduler.PatientJobStore):
    def __init__(self, failures, **kwargs):
        super().__init__(**kwargs)
        self.failures = failures

    def lookup_job(self, job_id):
        return None


def test_the_job_store_waits_out_a_locked_database_instead_of_killing_the_scheduler(app, monkeypatch):
    calls = []

    def locked_then_fine(self, job):
        calls.append(job)
        if len(calls) < 3:
            raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(scheduler.SQLAlchemyJobStore, "update_job", locked_then_fine)
    monkeypatch.setattr(scheduler.time, "sleep", lambda _seconds: None)
    store = scheduler.PatientJobStore(engine=app.extensions["feedback.engine"])
    store.update_job("a job")
    assert len(calls) == 3


def test_a_job_store_that_stays_locked_is_given_up_quietly_and_looked_at_again_soon(app, monkeypatch):
    def locked(*_args):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(scheduler.SQLAlchemyJobStore, "update_job", locked)
    monkeypatch.setattr(scheduler.SQLAlchemyJobStore, "get_next_run_time", locked)
    monkeypatch.setattr(scheduler.time, "sleep", lambda _seconds: None)
    store = scheduler.PatientJobStore(engine=app.extensions["feedback.engine"])
    store.update_job(type("Job", (), {"id": "refresh_kpis"})())  # no exception reaches APScheduler
    soon = store.get_next_run_time()
    assert 0 < (soon - clock.london_now()).total_seconds() <= 30


def test_the_watcher_beats_and_ends_a_scheduler_whose_thread_has_died(app):
    class DeadThread:
        def is_alive(self):
            return False

    running = scheduler.start(app)
    try:
        stop = threading.Event()
        threading.Timer(1.5, stop.set).start()
        assert scheduler.watch(app, running, stop) == 0  # alive: it beats until stopped
        with reading() as session:
            assert dao.heartbeat(session).owner == jobs.owner()
        real = running._thread
        running._thread = DeadThread()
        try:
            assert scheduler.watch(app, running, threading.Event()) == 1
        finally:
            running._thread = real
    finally:
        running.shutdown()


def test_the_watcher_ends_the_scheduler_when_its_parent_has_gone(app):
    running = scheduler.start(app)
    try:
        assert scheduler.watch(app, running, threading.Event(), parent_pid=1) == 0
    finally:
        running.shutdown()


@pytest.fixture(autouse=True)
def _quick_catch_up(app):
    app.config["JOB_CATCH_UP_SECONDS"] = 1


def test_a_scheduler_starting_while_the_database_is_locked_tries_again_and_starts(app, monkeypatch):
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    real_start, refused = SQLAlchemyJobStore.start, []

    def start_once_refused(store, *args):
        if not refused:  # as when another scheduler wrote between this one's look and its write
            refused.append(1)
            raise OperationalError("CREATE TABLE", {}, Exception("database is locked"))
        return real_start(store, *args)

    monkeypatch.setattr(SQLAlchemyJobStore, "start", start_once_refused)
    running = scheduler.start(app)
    try:
        assert refused == [1]
        assert running.running
        assert running.get_job("catch_up") is not None
    finally:
        running.shutdown()
