"""Queries of the core package: job runs, the scheduler's heartbeat, the database's health, reference
data (services, providers, districts) and retention. Staff accounts are in feedback.staff_dao, the
audit log in feedback.audit_dao, API tokens in feedback.api_token_dao."""

from datetime import UTC

from sqlalchemy import delete, func, or_, text, update
from sqlmodel import select

from feedback.models import (
    Comment,
    District,
    JobRun,
    Letter,
    Provider,
    SchedulerHeartbeat,
    Service,
    WaitingListEntry,
)


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


def database_answers(session):
    """Ask the database the simplest question (raises if it is down)."""
    session.execute(text("SELECT 1"))


# Reference data: providers, districts and services


def save_reference(session, providers, districts, services):
    """Insert or update providers, districts and services (lists of plain dicts), in that order."""
    for model, rows in ((Provider, providers), (District, districts), (Service, services)):
        for row in rows:
            session.merge(model(**row))
        session.flush()


def service_slugs(session):
    """Return the set of every service's slug."""
    return set(session.exec(select(Service.slug)))


def services_by_name(session):
    """Return [(slug, name)] of every service, ordered by name."""
    return [
        (slug, name) for slug, name in session.exec(select(Service.slug, Service.name).order_by(Service.name))
    ]


# Retention: what has been kept long enough


def delete_comments_before(session, moment):
    """Delete the comments written before ``moment``; return how many."""
    return session.execute(delete(Comment).where(Comment.created_at < moment)).rowcount


def delete_families_whose_wait_ended_before(session, day):
    """Delete the waiting-list entries (and their letters) of families discharged or first seen
    before ``day``; return how many families."""
    ended = select(WaitingListEntry.id).where(
        or_(WaitingListEntry.discharged_on < day, WaitingListEntry.first_appointment < day)
    )
    ids = list(session.execute(ended).scalars())
    session.execute(delete(Letter).where(Letter.entry_id.in_(ids)))
    session.execute(delete(WaitingListEntry).where(WaitingListEntry.id.in_(ids)))
    return len(ids)
