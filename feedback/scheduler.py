"""The scheduler process: APScheduler with its job store in the database, watched.

`feedback serve` starts one `feedback scheduler` process beside its web workers and restarts it
if it stops; with several web machines, set FEEDBACK_SCHEDULER=off on them and run one
`feedback scheduler` elsewhere. Jobs persist in the `apscheduler_jobs` table (coalesced, no
misfire limit). Every minute the scheduler also looks in `job_run` for a period that did not
finish (failed, abandoned, or missed while the service was down) and runs it; the runner's
claim lets only one process do each period's work. The main thread writes a heartbeat and ends
the process if APScheduler's thread has died or the parent that started it has gone.
The catch-up runs the jobs itself (see catch_up), so the same job may be asked for twice at
once: the runner's claim lets one of them work.
"""

import contextlib
import ctypes
import logging
import os
import signal
import time
from datetime import timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import SQLAlchemyError

from feedback import clock, dao, jobs
from feedback.db import transaction

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
_state = {}  # the app the scheduled entry point runs jobs in: one per scheduler process


class PatientJobStore(SQLAlchemyJobStore):
    """The job store, retried while the database is locked or unreachable.

    APScheduler's thread dies of an exception from ``update_job`` or ``get_next_run_time``;
    here they wait and retry, then give up quietly (the job is still due, so it is submitted
    again; the runner's claim stops it running twice).
    """

    attempts = 5

    def _patiently(self, call, *args):
        for attempt in range(self.attempts):
            try:
                return call(*args)
            except SQLAlchemyError as error:
                if attempt == self.attempts - 1:
                    raise
                log.warning("job store busy (%s); trying again", type(error).__name__)
                time.sleep(min(2**attempt, 8))
        return None

    def update_job(self, job):
        try:
            self._patiently(super().update_job, job)
        except SQLAlchemyError as error:
            log.error("job store: could not save the next run of %s (%s)", job.id, type(error).__name__)

    def remove_job(self, job_id):
        try:
            self._patiently(super().remove_job, job_id)
        except SQLAlchemyError as error:
            log.error("job store: could not remove %s (%s)", job_id, type(error).__name__)

    def get_next_run_time(self):
        try:
            return self._patiently(super().get_next_run_time)
        except SQLAlchemyError:
            return clock.london_now() + timedelta(seconds=30)  # wake up and look again


def scheduled(name):
    """Entry point for APScheduler: run a job in the scheduler's app. A failure is already logged
    and recorded by the runner, so it is not raised again into APScheduler's log."""
    app = _state["app"]
    with app.app_context():
        try:
            jobs.run(name, app=app)
        except jobs.JobFailed:
            pass
        except SQLAlchemyError as error:
            log.error("job %s could not start (%s); it will be tried again", name, jobs.describe(error))


def catch_up():
    """Run every job whose current period has not finished and may be tried now.

    The jobs run here, one after another, rather than being brought forward in APScheduler:
    changing a job from inside a job deadlocks APScheduler's shutdown.
    """
    app = _state["app"]
    with app.app_context():
        try:
            names = jobs.needing_a_run(app, clock.now())
        except SQLAlchemyError as error:
            log.warning("could not look for unfinished jobs (%s)", type(error).__name__)
            return
    for name in names:
        scheduled(name)


def register(scheduler, registry):
    """Add each job unless the store already has it unchanged, so a missed run's time is kept."""
    for name, job in registry.items():
        existing = scheduler.get_job(name)
        if (
            existing is None
            or str(existing.trigger) != str(job.trigger)
            or existing.func_ref != "feedback.scheduler:scheduled"
        ):
            scheduler.add_job(
                "feedback.scheduler:scheduled",
                trigger=job.trigger,
                args=[name],
                id=name,
                name=job.description,
                replace_existing=True,
            )


def build(engine):
    """Return a scheduler (not started) whose jobs live in the database behind ``engine``."""
    # Its warnings (a run skipped while the catch-up runs it, a run time missed while down) are
    # what the runner handles and logs in its own words.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    return BackgroundScheduler(
        jobstores={"default": PatientJobStore(engine=engine), "watch": MemoryJobStore()},
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        timezone=clock.LONDON,
    )


def start(flask_app):
    """Start a background scheduler for the app and return it."""
    scheduler = build(flask_app.extensions["feedback.engine"])
    _state["app"] = flask_app
    # Paused while jobs are registered: get_job only sees the store once started.
    _start_store(scheduler)
    register(scheduler, jobs.registry(flask_app))
    scheduler.add_job(
        catch_up,
        "interval",
        seconds=flask_app.config["JOB_CATCH_UP_SECONDS"],
        id="catch_up",
        jobstore="watch",
        next_run_time=clock.london_now(),
    )
    scheduler.resume()
    return scheduler


def _start_store(scheduler, attempts=8):
    """Start the scheduler (paused), trying again while the database is locked: starting makes
    the job store's table, and on SQLite a scheduler starting beside another's first writes is
    refused at once ("database is locked") when the file changed between its look and its write."""
    for attempt in range(1, attempts + 1):
        try:
            scheduler.start(paused=True)
            return
        except SQLAlchemyError as error:
            if attempt == attempts:
                raise
            log.warning("scheduler's job store not started (%s); trying again", type(error).__name__)
            time.sleep(0.25 * attempt)


def die_with_parent(parent_pid):
    """Ask Linux to end this process when its parent ends; return False if it already has."""
    # Not on Linux: watch() notices the parent has gone within a second.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    return os.getppid() == parent_pid


def beat(app):
    """Write the heartbeat; a locked or unreachable database only costs one line in the log."""
    with app.app_context():
        try:
            with transaction() as session:
                dao.beat(session, jobs.owner(), clock.now())
        except SQLAlchemyError as error:
            log.warning("scheduler heartbeat not written (%s)", type(error).__name__)


def watch(app, scheduler, stop, parent_pid=None):
    """Beat until ``stop`` is set; return an exit status if the scheduler must end instead."""
    every = app.config["SCHEDULER_HEARTBEAT_SECONDS"]
    next_beat = 0.0
    while not stop.is_set():
        if not scheduler._thread.is_alive():  # APScheduler exposes no public liveness check
            log.error("the scheduler's thread has stopped; ending so that it is started again")
            return 1
        if parent_pid and os.getppid() != parent_pid:
            log.warning("the server that started the scheduler has gone; ending")
            return 0
        if time.monotonic() >= next_beat:
            beat(app)
            next_beat = time.monotonic() + every
        stop.wait(1)
    return 0
