"""The waiting list's scheduled job: count the letters due each morning."""

from apscheduler.triggers.cron import CronTrigger

from feedback import clock
from feedback.db import reading
from feedback.jobs import Job
from feedback.waitlist import tracker


def letters_due(today=None):
    """Count the waiting-list letters due and overdue this morning (references only)."""
    today = today or clock.today()
    with reading() as session:
        found = tracker.families(session, today)
    due = sum(len(f.due) for f in found)
    overdue = sum(len(f.overdue) for f in found)
    return f"{due} letters due, {overdue} overdue"


JOBS = [
    # Each morning before the ASD team starts: what letters are due and overdue.
    Job("letters_due", letters_due, CronTrigger(hour=6, minute=30, timezone=clock.LONDON), "%Y-%m-%d",
        "List the waiting-list letters due today"),
]
