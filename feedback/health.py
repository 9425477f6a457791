"""Is the service well: the database, the scheduler's heartbeat and each job's last runs.

`/healthz` answers JSON for a monitor (503 when the database is down); staff pages show a banner
when the scheduler has stopped reporting or a job keeps failing. When the database is down,
every page answers a plain 503 with Retry-After (JSON under the APIs) and the log gets one line
now and then, not one traceback per request.
"""

import logging

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from feedback import clock, dao, jobs, logs
from feedback.db import reading
from feedback.errors import render_error

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
DATABASE_ERRORS = (OperationalError, InterfaceError, PoolTimeoutError, DisconnectionError)
RETRY_AFTER_SECONDS = 30


@bp.get("/healthz")
def healthz():
    """Say whether the database answers, when the scheduler last beat and how each job went."""
    try:
        with reading() as session:
            dao.database_answers(session)
        summary = jobs.health(current_app, clock.now())
    except DATABASE_ERRORS as error:
        logs.throttled(log, "database", "health check: the database is down (%s)", type(error).__name__)
        response = jsonify(database="down", scheduler_heartbeat_age_s=None, jobs={})
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return jsonify(database="ok", **summary)


def job_warnings():
    """Return the sentences for the staff banner (none when the check itself cannot run)."""
    if not current_app.config["SCHEDULER_WATCH"]:
        return []
    try:
        return jobs.warnings(
            jobs.health(current_app, clock.now()), current_app.config["SCHEDULER_HEARTBEAT_LIMIT_S"]
        )
    except DATABASE_ERRORS:
        return []


def database_unavailable(error):
    """Answer a plain 503 when the database is down, locked past its timeout or hung."""
    logs.throttled(
        log,
        "database",
        "database unavailable for %s %s: %s",
        request.method,
        request.endpoint or "an unknown address",
        jobs.describe(error),
    )
    if request.method == "POST" and not request.path.startswith(("/chat/api/", "/api/")):
        body = "Your answers have not been sent. Please wait a minute, then send them again."
    else:
        body = "Please try again in a few minutes."
    response, status = render_error(503, body=body)
    response = current_app.make_response((response, status))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    """Register the health page, the outage handler and the banner's template function."""
    app.register_blueprint(bp)
    for error_class in DATABASE_ERRORS:
        app.register_error_handler(error_class, database_unavailable)
    app.jinja_env.globals["job_warnings"] = job_warnings
