"""The job runner: jobs that packages declare, and a record of every run in ``job_run``.

A job runs once per period: its run key is the time it last fell due, written with the job's
``key_format`` (the day, the month, the quarter hour). A period counts as done only when a run
of it finished ok. A failed run is tried again after a backoff that doubles up to an hour; a
run still "running" past its time limit, or whose process on this machine has died, is claimed
again. Two schedulers firing together still do the work once: a first attempt is a unique row,
a later one a conditional update of it.
"""

import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, has_request_context
from sqlalchemy.exc import IntegrityError, SQLAlchemyError, StatementError

from feedback import clock, dao
from feedback.db import reading, transaction

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
LOOKBACKS = (timedelta(hours=1), timedelta(days=2), timedelta(days=35), timedelta(days=400))


@dataclass(frozen=True)
class Job:
    """A scheduled job: what it runs, when, and what counts as one run."""

    name: str
    function: Callable[[], str]  # returns a one-line outcome with counts
    trigger: object  # an APScheduler trigger, in England's time
    key_format: str  # strftime of the time it fell due: one run per distinct value
    description: str
    time_limit: timedelta = timedelta(minutes=30)


class JobFailed(Exception):
    """A job raised; the run is recorded as failed and will be tried again."""


def init_app(app, jobs):
    """Give the app its jobs (each package declares its own; the app factory gathers them)."""
    app.extensions["feedback.jobs"] = {job.name: job for job in jobs}


def registry(app=None):
    """Return {name: Job} for the app."""
    return (app or current_app).extensions["feedback.jobs"]


def owner():
    """Return who is running: this machine and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def last_due(trigger, now):
    """Return the last time ``trigger`` fired at or before ``now``, or None within 400 days."""
    for lookback in LOOKBACKS:
        fire = trigger.get_next_fire_time(None, now - lookback)
        if fire is None or fire > now:
            continue
        while True:
            following = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
            if following is None or following > now:
                return fire
            fire = following
    return None


def due_key(job, now):
    """Return the run key of the period a job is in now (None if it has never fallen due)."""
    fire = last_due(job.trigger, now.astimezone(clock.LONDON))
    return fire.astimezone(clock.LONDON).strftime(job.key_format) if fire else None


def manual_key(now=None):
    """Return a run key for a run started by hand (never collides with a scheduled one)."""
    return "manual-" + (now or clock.now()).astimezone(clock.LONDON).strftime("%Y%m%dT%H%M%S.%f")


def backoff(failures, base_seconds):
    """Return how long to wait before trying a run again after ``failures`` failures in a row."""
    return min(timedelta(seconds=base_seconds * 2 ** max(failures - 1, 0)), MAX_BACKOFF)


def process_alive(run_owner):
    """Return False only when the run's owner is a process on this machine that has gone."""
    host, _, pid = (run_owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claimable(record, job, now):
    """Return whether a recorded run may be attempted again now."""
    if record.status == "failed":
        return record.retry_at is None or dao.as_utc(record.retry_at) <= now
    if record.status == "running":
        abandoned = dao.as_utc(record.started_at) + job.time_limit <= now
        return abandoned or not process_alive(record.owner)
    return False


def claim(session, job, key, now, by):
    """Return the run this process now owns for ``key``, or None if it is done or someone has it."""
    record = dao.job_run(session, job.name, key)
    if record is None:
        return dao.add_job_run(session, job.name, key, by, now)
    if not claimable(record, job, now):
        return None
    return dao.reclaim_job_run(session, record, by, now)


def run(name, run_key=None, app=None):
    """Run a job once for its key; return a one-line outcome.

    A failure is logged in one line, stored with its run and raised as JobFailed.
    """
    app = app or current_app
    job = registry(app)[name]
    now = clock.now()
    key = run_key or due_key(job, now) or manual_key(now)
    try:
        with transaction() as session:
            record = claim(session, job, key, now, owner())
    except IntegrityError:
        record = None  # another process inserted the same key a moment before
    if record is None:
        log.info("job %s: %s is done or running elsewhere; skipped", name, key)
        return f"{name}: {key} is done or running elsewhere, skipped"
    started = time.perf_counter()
    try:
        with _addresses(app):
            outcome = job.function()
    except Exception as error:
        failures = record.failures + 1
        retry_at = clock.now() + backoff(failures, app.config["JOB_RETRY_SECONDS"])
        detail = describe(error)
        _finish(record.id, "failed", detail, failures, retry_at)
        log.error(
            "job %s failed for %s (%d in a row) after %.2fs: %s; next try after %s",
            name,
            key,
            failures,
            time.perf_counter() - started,
            detail,
            f"{retry_at:%H:%M:%S}",
        )
        raise JobFailed(f"{name}: failed for {key}: {detail}") from None
    seconds = time.perf_counter() - started
    _finish(record.id, "ok", outcome[:500], 0, None)
    log.info("job %s: %s (%s) in %.2fs", name, outcome, key, seconds)
    return f"{name}: {outcome} in {seconds:.2f}s"


def describe(error):
    """Return one line about an error: its kind and first line, never SQL or its parameters."""
    if isinstance(error, StatementError) and error.orig is not None:
        error = error.orig
    first = (str(error).splitlines() or [""])[0].replace("\x00", "")
    return f"{type(error).__name__}: {first}"[:300]


def _finish(run_id, status, detail, failures, retry_at):
    try:
        with transaction() as session:
            dao.finish_job_run(session, run_id, status, detail, clock.now(), failures, retry_at)
    except SQLAlchemyError as error:
        # The run stays "running"; it is claimed again once its time limit has passed.
        log.error("job run %s could not be recorded as %s: %s", run_id, status, describe(error))


def _addresses(app):
    """Let a job outside a web request build the service's addresses (the board report links its
    stylesheet) from BASE_URL, as it would inside one."""
    if has_request_context():
        return contextlib.nullcontext()
    return app.test_request_context(base_url=app.config["BASE_URL"])


def needing_a_run(app, now):
    """Return the names of jobs whose current period has not finished and may be tried now."""
    jobs = registry(app)
    names = []
    with reading() as session:
        for name, job in jobs.items():
            key = due_key(job, now)
            if key is None:
                continue
            record = dao.job_run(session, name, key)
            if record is None or claimable(record, job, now):
                names.append(name)
    return names


def health(app, now):
    """Return what /healthz and `feedback jobs list` show of the scheduler and each job."""
    names = list(registry(app))
    with reading() as session:
        beat = dao.heartbeat(session)
        latest = dao.latest_runs(session, names)
        last_ok = dao.last_ok(session, names)
    age = round((now - dao.as_utc(beat.beat_at)).total_seconds()) if beat else None
    jobs = {}
    for name in names:
        record = latest.get(name)
        failed = record is not None and record.status == "failed"
        jobs[name] = {
            "last_ok": _iso(last_ok.get(name)),
            "last_error": _iso(record.finished_at) if failed else None,
            "error": (record.detail or "").split(":")[0] if failed else None,
            "failures": record.failures if failed else 0,
            "running": record is not None and record.status == "running",
        }
    return {"scheduler_heartbeat_age_s": age, "jobs": jobs}


def _iso(moment):
    return dao.as_utc(moment).isoformat(timespec="seconds") if moment else None


def warnings(summary, heartbeat_limit_s=3600):
    """Return the plain sentences staff see in a banner when the jobs need attention."""
    found = []
    age = summary["scheduler_heartbeat_age_s"]
    if age is None:
        found.append("The scheduler has not run yet, so figures, letters and clean-up are not updated.")
    elif age > heartbeat_limit_s:
        found.append(f"The scheduler last reported {age // 60} minutes ago: scheduled jobs are not running.")
    for name, state in summary["jobs"].items():
        if state["failures"] >= 2:
            found.append(
                f"The job {name} has failed {state['failures']} times in a row "
                f"(last at {state['last_error']}); it is being tried again."
            )
    return found
