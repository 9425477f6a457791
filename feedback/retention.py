"""Retention: delete what has been kept long enough, and record what was deleted.

Monthly KPI snapshots are kept: they hold counts, not people or words.
"""

from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger
from flask import current_app
from sqlalchemy import delete, or_, select

from feedback import audit, clock
from feedback.db import transaction
from feedback.jobs import Job
from feedback.models import AuditEvent, Comment, Letter, WaitingListEntry


def apply(now, comment_months, waitlist_months, audit_months):
    """Delete old comments, old waiting-list entries (after the wait ended), old audit events."""

    def before(months):
        return now - timedelta(days=round(months * 30.44))

    with transaction() as session:
        comments = session.execute(delete(Comment).where(Comment.created_at < before(comment_months)))
        ended = before(waitlist_months).date()
        stale = select(WaitingListEntry.id).where(
            or_(WaitingListEntry.discharged_on < ended, WaitingListEntry.first_appointment < ended)
        )
        ids = list(session.execute(stale).scalars())
        session.execute(delete(Letter).where(Letter.entry_id.in_(ids)))
        session.execute(delete(WaitingListEntry).where(WaitingListEntry.id.in_(ids)))
        events = session.execute(delete(AuditEvent).where(AuditEvent.at < before(audit_months)))
    summary = (
        f"{comments.rowcount} comments, {len(ids)} waiting-list families, {events.rowcount} audit events"
    )
    audit.record("data_deletion", actor="retention job", detail=summary)
    return summary


def apply_retention():
    """Delete comments, ended waiting-list entries and audit events past their retention."""
    config = current_app.config
    return apply(
        clock.now(),
        config["RETENTION_COMMENT_MONTHS"],
        config["RETENTION_WAITLIST_MONTHS"],
        config["RETENTION_AUDIT_MONTHS"],
    )


JOBS = [
    # Nightly, after the KPIs: delete what has been kept long enough (figures stay).
    Job(
        "apply_retention",
        apply_retention,
        CronTrigger(hour=3, minute=30, timezone=clock.LONDON),
        "%Y-%m-%d",
        "Delete data past its retention period",
    ),
]
