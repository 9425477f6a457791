"""Queries of the core package: job runs, the scheduler's heartbeat, staff accounts by address."""

from datetime import UTC

from sqlalchemy import func, update
from sqlmodel import select

from feedback.models import JobRun, SchedulerHeartbeat, StaffUser


def as_utc(moment):
    """Return a stored time as an aware UTC datetime (older rows may have been stored naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def job_run(session, job_id, run_key):
    """Return the run of a job for a key, or None."""
    return session.exec(select(JobRun).where(JobRun.job_id == job_id, JobRun.run_key == run_key)).first()


def add_job_run(session, job_id, run_key, owner, now):
    """Record a first attempt at a job's key (the unique key refuses a second; flushed at once)."""
    record = JobRun(job_id=job_id, run_key=run_key, owner=owner, started_at=now)
    session.add(record)
    session.flush()
    return record


def reclaim_job_run(session, record, owner, now):
    """Start another attempt at a failed or abandoned run, unless another process just did."""
    result = session.execute(
        update(JobRun)
        .where(JobRun.id == record.id, JobRun.attempts == record.attempts, JobRun.status == record.status)
        .values(
            status="running",
            attempts=record.attempts + 1,
            owner=owner,
            started_at=now,
            finished_at=None,
            retry_at=None,
        )
    )
    if result.rowcount != 1:
        return None
    session.expire(record)
    return session.get(JobRun, record.id)


def finish_job_run(session, run_id, status, detail, now, failures=0, retry_at=None):
    """Record how an attempt ended."""
    session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(status=status, detail=detail, finished_at=now, failures=failures, retry_at=retry_at)
    )


def latest_runs(session, job_ids):
    """Return {job id: its latest run} for the jobs that have run."""
    newest = (
        select(JobRun.job_id, func.max(JobRun.started_at).label("started"))
        .where(JobRun.job_id.in_(job_ids))
        .group_by(JobRun.job_id)
        .subquery()
    )
    query = select(JobRun).join(
        newest, (JobRun.job_id == newest.c.job_id) & (JobRun.started_at == newest.c.started)
    )
    return {record.job_id: record for record in session.exec(query)}


def last_ok(session, job_ids):
    """Return {job id: when its last successful run finished}."""
    query = (
        select(JobRun.job_id, func.max(JobRun.finished_at))
        .where(JobRun.job_id.in_(job_ids), JobRun.status == "ok")
        .group_by(JobRun.job_id)
    )
    return {job_id: as_utc(finished) for job_id, finished in session.exec(query)}


def beat(session, owner, now):
    """Record that the scheduler is alive."""
    session.merge(SchedulerHeartbeat(id=1, beat_at=now, owner=owner))


def heartbeat(session):
    """Return the scheduler's last heartbeat row, or None if it has never run."""
    return session.get(SchedulerHeartbeat, 1)


def staff_user_by_email(session, email):
    """Return the staff account with this address, or None."""
    return session.exec(select(StaffUser).where(StaffUser.email == email)).first()


def staff_in_domain(session, domain):
    """Return [(email, role)] of the active accounts whose address is in ``domain``."""
    query = (
        select(StaffUser.email, StaffUser.role)
        .where(StaffUser.email.endswith(f"@{domain}"), StaffUser.active == True)  # noqa: E712
        .order_by(StaffUser.id)
    )
    return list(session.exec(query))
