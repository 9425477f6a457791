"""Real scheduler processes: each period done once by two schedulers, a killed run finished by the
next, a 15-second write lock survived, and `feedback serve` keeping exactly one scheduler alive
(restarted when killed, gone when the server is killed)."""

import contextlib
import os
import signal
import time

import pytest
from sqlalchemy import delete, func, select, text

from feedback import clock, dao, jobs
from feedback.db import reading, transaction
from feedback.models import JobRun
from tests.conftest import ON_POSTGRES

QUICK = {"FEEDBACK_JOB_CATCH_UP_SECONDS": "1", "FEEDBACK_SCHEDULER_HEARTBEAT_SECONDS": "1"}


def wait_for(condition, seconds=60, every=0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def _runs():
    with reading() as session:
        query = select(JobRun.job_id, JobRun.run_key, JobRun.status, JobRun.attempts)
        return {(job, key): (status, attempts) for job, key, status, attempts in session.execute(query)}


def _all_done(app):
    runs = _runs()
    return {job for job, _ in runs} == set(jobs.registry(app)) and {
        status for status, _ in runs.values()
    } == {"ok"}


def _heartbeat():
    with reading() as session:
        beat = dao.heartbeat(session)
        return (beat.owner, dao.as_utc(beat.beat_at)) if beat else (None, None)


def test_two_schedulers_do_each_job_s_period_exactly_once(app, processes):
    first, second = processes("scheduler", extra_env=QUICK), processes("scheduler", extra_env=QUICK)
    assert wait_for(lambda: _all_done(app)), (_runs(), first.output()[-2000:])
    time.sleep(3)  # time for a second run, were there to be one
    with reading() as session:
        counts = session.execute(
            select(JobRun.job_id, JobRun.run_key, func.count()).group_by(JobRun.job_id, JobRun.run_key)
        ).all()
    assert {n for _, _, n in counts} == {1}
    assert {attempts for _, attempts in _runs().values()} == {1}
    both = first.output() + second.output()
    assert "Traceback" not in both, both[-3000:]


def test_a_run_killed_midway_is_claimed_again_and_finished_by_the_next_scheduler(app, processes):
    # What kill -9 leaves: a run marked "running" by a process of this machine that is gone.
    gone = processes("--help")
    gone.popen.wait()
    key = jobs.due_key(jobs.registry(app)["monthly_report"], clock.now())
    with transaction() as session:
        dao.add_job_run(
            session, "monthly_report", key, f"{jobs.owner().split(':')[0]}:{gone.popen.pid}", clock.now()
        )
    scheduler = processes("scheduler", extra_env=QUICK)
    assert wait_for(lambda: _runs().get(("monthly_report", key)) == ("ok", 2)), scheduler.output()[-2000:]


@pytest.mark.skipif(not ON_POSTGRES, reason="holding one table's lock needs PostgreSQL")
def test_a_scheduler_killed_during_a_job_leaves_it_to_the_next_one_which_finishes_it(app, processes):
    key = jobs.due_key(jobs.registry(app)["refresh_kpis"], clock.now())
    engine = app.extensions["feedback.engine"]
    with engine.connect() as holder:
        holder.execute(text("LOCK TABLE kpi_snapshot IN EXCLUSIVE MODE"))  # the rebuild waits here
        first = processes("scheduler", extra_env=QUICK)
        assert wait_for(lambda: _runs().get(("refresh_kpis", key)) == ("running", 1)), first.output()
        first.kill()
        second = processes("scheduler", extra_env=QUICK)
        assert wait_for(lambda: _runs().get(("refresh_kpis", key), ("", 0))[1] == 2), second.output()
        holder.rollback()
    assert wait_for(lambda: _runs().get(("refresh_kpis", key)) == ("ok", 2)), second.output()[-2000:]


def test_a_write_lock_held_for_15_seconds_does_not_stop_later_jobs(app, processes):
    scheduler = processes("scheduler", extra_env=QUICK)
    assert wait_for(lambda: _all_done(app)), scheduler.output()[-2000:]
    with transaction() as session:  # letters_due falls due again, as it does each morning
        session.execute(delete(JobRun).where(JobRun.job_id == "letters_due"))
    with app.extensions["feedback.write_engine"].connect() as holder:
        if ON_POSTGRES:
            holder.execute(
                text("LOCK TABLE job_run, scheduler_heartbeat, apscheduler_jobs IN EXCLUSIVE MODE")
            )
        else:
            holder.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the database's one write lock
        time.sleep(15)
        holder.rollback()
    assert wait_for(lambda: _all_done(app), seconds=60), scheduler.output()[-3000:]
    # Later jobs still run: another falls due after the lock, and the heartbeat goes on.
    with transaction() as session:
        session.execute(delete(JobRun).where(JobRun.job_id == "refresh_kpis"))
    assert wait_for(lambda: _all_done(app), seconds=30), scheduler.output()[-3000:]
    assert wait_for(lambda: (clock.now() - _heartbeat()[1]).total_seconds() < 3, seconds=10)
    assert scheduler.popen.poll() is None
    assert "Traceback" not in scheduler.output(), scheduler.output()[-3000:]


def _alive(pid):
    """Return whether a process runs (a zombie waiting for its parent does not count)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in status)
    except FileNotFoundError:
        return False


def _scheduler_pid(excluding=None):
    owner, _ = _heartbeat()
    if owner is None:
        return None
    pid = int(owner.rsplit(":", 1)[1])
    return pid if pid != excluding and _alive(pid) else None


def test_serve_restarts_its_killed_scheduler_and_leaves_none_behind_when_killed(app, processes):
    server = processes.serve(extra_env={**QUICK, "FEEDBACK_SCHEDULER": "on"})
    assert wait_for(lambda: _scheduler_pid() is not None, seconds=30), server.output()
    first = _scheduler_pid()
    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: _scheduler_pid(excluding=first) is not None, seconds=30), server.output()
    second = _scheduler_pid(excluding=first)
    assert "the scheduler process stopped" in server.output()
    # kill -9 of the server's master process alone: its scheduler must not live on.
    os.kill(server.popen.pid, signal.SIGKILL)
    server.popen.wait()
    assert wait_for(lambda: not _alive(second), seconds=10), f"scheduler {second} outlived its server"


@pytest.fixture(autouse=True)
def _no_stray_lock_holders(app):
    yield
    with contextlib.suppress(Exception):
        app.extensions["feedback.engine"].dispose()


def test_stopping_the_server_stops_its_scheduler_once_without_restarting_it(app, processes):
    server = processes.serve(extra_env={**QUICK, "FEEDBACK_SCHEDULER": "on"})
    assert wait_for(lambda: _scheduler_pid() is not None, seconds=30), server.output()
    scheduler = _scheduler_pid()
    os.kill(server.popen.pid, signal.SIGTERM)  # as systemd or Ctrl+C stops it: the master only
    server.popen.wait(timeout=60)
    assert not _alive(scheduler)
    assert "the scheduler process stopped" not in server.output()  # a worker's exit did not end it
