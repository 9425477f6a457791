"""The APScheduler instance: one per deployment, its job store in the application's database.

`feedback serve` starts one `feedback scheduler` process beside its web workers; with several
web machines, set FEEDBACK_SCHEDULER=off on them and run one `feedback scheduler` elsewhere.
Jobs persist in the `apscheduler_jobs` table, so a run missed while the service was down is
caught up once at the next start (coalesce, no misfire limit). Should two schedulers fire
together anyway, the job_run key in analysis.jobs lets only one of them do the work.
"""

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from analysis.jobs import JOBS, LONDON

_state = {}


def app():
    """Return the app the scheduler runs its jobs in."""
    return _state["app"]


def register(scheduler):
    """Add each job unless the store already has it unchanged, so a missed run's time is kept."""
    for name, job in JOBS.items():
        existing = scheduler.get_job(name)
        if existing is None or str(existing.trigger) != str(job.trigger):
            scheduler.add_job("analysis.jobs:scheduled", trigger=job.trigger, args=[name], id=name,
                              name=job.description, replace_existing=True)


def build(engine):
    """Return a scheduler (not started) whose jobs live in the database behind ``engine``."""
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)},
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        timezone=LONDON,
    )


def start(flask_app):
    """Start a background scheduler for the app and return it."""
    _state["app"] = flask_app
    scheduler = build(flask_app.extensions["feedback.engine"])
    # Paused while jobs are registered: get_job only sees the store once started.
    scheduler.start(paused=True)
    register(scheduler)
    scheduler.resume()
    return scheduler
