"""Retention: delete what has been kept long enough, and record what was deleted.

Monthly KPI snapshots are kept: they hold counts, not people or words.
"""

from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger
from flask import current_app

from feedback import audit, audit_dao, clock, dao
from feedback.db import transaction
from feedback.jobs import Job


def apply(now, comment_months, waitlist_months, audit_months):
    """Delete old comments, old waiting-list entries (after the wait ended), old audit events."""

    def before(months):
        return now - timedelta(days=round(months * 30.44))

    with transaction() as session:
        comments = dao.delete_comments_before(session, before(comment_months))
        families = dao.delete_families_whose_wait_ended_before(session, before(waitlist_months).date())
        events = audit_dao.delete_events_before(session, before(audit_months))
    summary = f"{comments} comments, {families} waiting-list families, {events} audit events"
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
