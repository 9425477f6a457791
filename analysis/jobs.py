"""Scheduled jobs: short functions with stable ids, registered in JOBS with a comment each.

Each run is recorded in `job_run` under a key (the day, or the month) that is unique per job,
so a run happens once even when two processes' schedulers fire together; a second attempt
with the same key is skipped and says so.
"""

import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from flask import current_app, has_request_context, render_template
from sqlalchemy.exc import IntegrityError

from analysis import charts, dao, measures, scorecard
from feedback.db import reading, transaction
from feedback.models import JobRun, utcnow

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")
RECENT_MONTHS = 3  # this month and the two before, so late answers still count


def london_today():
    """Return today's date in England."""
    return datetime.now(LONDON).date()


def rebuild(months):
    """Rebuild the KPI snapshots of the given months, a whole month per transaction.

    What every month reads (the answers' counts by month, the waiting list's schedules) is
    read once, before the first month, not once per month.
    """
    written = 0
    with reading() as session:
        shared = dao.rebuild_inputs(session, months)
    for month in months:
        with transaction() as session:
            session.info.update(shared)
            written += dao.rebuild_month(session, dao.plans(session), month, utcnow())
    return written


def refresh_kpis(today=None):
    """Rebuild the KPI snapshots of this month and the previous two."""
    today = today or london_today()
    written = rebuild(measures.previous_months(today.replace(day=1), RECENT_MONTHS))
    return f"{written} snapshot rows for {RECENT_MONTHS} months"


def monthly_report(today=None):
    """Finalise last month's snapshots and store the board report for it."""
    today = today or london_today()
    month = measures.previous_months(today.replace(day=1), 2)[0]
    rebuild([month])
    html = render_report(month)
    with transaction() as session:
        dao.save_report(session, month, html)
    return f"board report for {month:%B %Y}"


def render_report(month):
    """Return the print-ready board report for a month as HTML."""
    months = measures.previous_months(month, 12)
    with reading() as session:
        plans = dao.plans(session)
        counts = dao.snapshot_counts(session, months)
        manual = dao.manual_values(session, months)
    card = scorecard.scorecard(plans, month, counts, manual)
    exceptions = scorecard.exceptions(card)
    chart_list = []
    for index, figure in enumerate(exceptions):
        trend = scorecard.series(figure.plan, figure.kpi, months, counts, manual)
        chart_list.append(charts.line_chart(
            [f"{f.month:%b %y}" for f in trend], [f.value for f in trend], [f.target for f in trend],
            title=f"{figure.kpi.ref}: twelve months against target",
            description=f"{figure.kpi.wording}. Values: " + ", ".join(
                f"{f.month:%b %Y} {'no data' if f.value is None else f'{f.value:.0f}%'}" for f in trend),
            chart_id=f"chart-{index}"))
    return render_template("dashboard/report.html", month=month, card=card,
                           exceptions=list(zip(exceptions, chart_list, strict=True)),
                           generated=utcnow())


def close_stale_chats(now=None):
    """Store chats left unfinished past the resume window as partial responses."""
    from bot import dao as chat_dao
    from bot import storage
    from surveys.collect import now_utc

    now = now or now_utc()
    cutoff = now - timedelta(minutes=current_app.config["CHAT_RESUME_MINUTES"])
    stored = 0
    with transaction() as session:
        for row in chat_dao.stale_conversations(session, cutoff):
            stored += storage.store_conversation(session, row, storage.parse_state(row), now,
                                                 partial=True)
    return f"{stored} abandoned chats stored as partial responses"


def letters_due(today=None):
    """Count the waiting-list letters due and overdue this morning (references only)."""
    from feedback.waitlist import tracker

    today = today or london_today()
    with reading() as session:
        found = tracker.families(session, today)
    due = sum(len(f.due) for f in found)
    overdue = sum(len(f.overdue) for f in found)
    return f"{due} letters due, {overdue} overdue"


def apply_retention(now=None):
    """Delete comments, ended waiting-list entries and audit events past their retention."""
    from feedback import retention
    from surveys.collect import now_utc

    config = current_app.config
    return retention.apply(now or now_utc(), config["RETENTION_COMMENT_MONTHS"],
                           config["RETENTION_WAITLIST_MONTHS"], config["RETENTION_AUDIT_MONTHS"])


@dataclass(frozen=True)
class Job:
    function: object
    trigger: object
    run_key: object  # today -> the key that makes one run per period
    description: str


JOBS = {
    # Nightly, after the day's answers are in: the dashboard is never more than a day old.
    "refresh_kpis": Job(refresh_kpis, CronTrigger(hour=2, minute=15, timezone=LONDON),
                        lambda today: today.isoformat(),
                        "Recompute this month's and the previous two months' KPI snapshots"),
    # On the 1st: last month is final and the board's report is written.
    "monthly_report": Job(monthly_report, CronTrigger(day=1, hour=3, minute=0, timezone=LONDON),
                          lambda today: today.strftime("%Y-%m"),
                          "Finalise last month and write the monthly board report"),
    # Each morning before the ASD team starts: what letters are due and overdue.
    "letters_due": Job(letters_due, CronTrigger(hour=6, minute=30, timezone=LONDON),
                       lambda today: today.isoformat(), "List the waiting-list letters due today"),
    # Nightly, after the KPIs: delete what has been kept long enough (figures stay).
    "apply_retention": Job(apply_retention, CronTrigger(hour=3, minute=30, timezone=LONDON),
                           lambda today: today.isoformat(), "Delete data past its retention period"),
    # Every 15 minutes: chats left past the resume window count, marked partial.
    "close_stale_chats": Job(close_stale_chats, CronTrigger(minute="*/15", timezone=LONDON),
                             lambda today: datetime.now(LONDON).strftime("%Y-%m-%dT%H:%M"),
                             "Store abandoned chats as partial responses"),
}


def run(name, run_key=None):
    """Run a job once for its key; return a one-line outcome. Errors are logged and re-raised."""
    job = JOBS[name]
    key = run_key or job.run_key(london_today())
    try:
        with transaction() as session:
            record = JobRun(job_id=name, run_key=key)
            session.add(record)
    except IntegrityError:
        log.info("job %s already ran for %s; skipped", name, key)
        return f"{name}: already ran for {key}, skipped"
    started = time.perf_counter()
    try:
        with _addresses():
            outcome = job.function()
    except Exception as error:
        _finish(record.id, "failed", repr(error)[:500])
        log.exception("job %s failed", name)
        raise
    _finish(record.id, "ok", outcome)
    seconds = time.perf_counter() - started
    log.info("job %s: %s in %.2fs", name, outcome, seconds)
    return f"{name}: {outcome} in {seconds:.2f}s"


def _addresses():
    """Let a job outside a web request build the service's addresses (the board report links its
    stylesheet) from BASE_URL, as it would inside one."""
    if has_request_context():
        return contextlib.nullcontext()
    return current_app.test_request_context(base_url=current_app.config["BASE_URL"])


def _finish(run_id, status, detail):
    with transaction() as session:
        record = session.get(JobRun, run_id)
        record.status, record.detail, record.finished_at = status, detail, utcnow()


def scheduled(name):
    """Entry point for the scheduler: run a job inside the scheduler's app context."""
    from feedback import scheduler

    with scheduler.app().app_context():
        run(name)


def last_runs(session):
    """Return {job id: its latest JobRun}."""
    from sqlmodel import select

    latest = {}
    for record in session.exec(select(JobRun).order_by(JobRun.started_at)):
        latest[record.job_id] = record
    return latest


def manual_key():
    """Return a run key for a run started by hand (never collides with a scheduled one)."""
    return "manual-" + datetime.now(LONDON).strftime("%Y%m%dT%H%M%S.%f")



