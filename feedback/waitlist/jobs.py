"""The waiting list's scheduled jobs: count the letters due each morning; ask GOV.UK Notify what
became of the letters sent through it."""

from apscheduler.triggers.cron import CronTrigger
from flask import current_app

from feedback import clock
from feedback.db import reading, transaction
from feedback.jobs import Job
from feedback.waitlist import tracker


def store_next_letters(batch=5000):
    """Work out and store the next letter of every family whose stored one is out of date (all of
    them after migration 0017 or a change to the letter policy; those an import or the demo just
    wrote), in transactions of ``batch`` families, so that the letters due are a query; return
    how many were stored."""
    total = 0
    while True:
        with transaction() as session:
            stored = tracker.refresh_next_letters(session, limit=batch)
        total += stored
        if stored < batch:
            return total


def letters_due(today=None):
    """Count the waiting-list letters due and overdue this morning (references only), after
    bringing any out-of-date stored next letters up to date."""
    today = today or clock.today()
    store_next_letters()
    with reading() as session:
        found = tracker.due_families(session, today)
    due = sum(len(f.due) for f in found)
    overdue = sum(len(f.overdue) for f in found)
    return f"{due} letters due, {overdue} overdue"


def letter_statuses():
    """Record GOV.UK Notify's status of each letter sent through it and not yet settled."""
    from feedback.waitlist import notify, sending

    if not current_app.config.get("NOTIFY_API_KEY"):
        return "GOV.UK Notify is not configured: nothing to check"
    seen = sending.check_statuses(notify.client())
    return ", ".join(f"{count} {status}" for status, count in sorted(seen.items())) or "none to check"


JOBS = [
    # Each morning before the ASD team starts: what letters are due and overdue.
    Job(
        "letters_due",
        letters_due,
        CronTrigger(hour=6, minute=30, timezone=clock.LONDON),
        "%Y-%m-%d",
        "List the waiting-list letters due today",
    ),
    # Each morning: what became of letters sent through GOV.UK Notify (a failed one is due again).
    Job(
        "letter_statuses",
        letter_statuses,
        CronTrigger(hour=7, minute=0, timezone=clock.LONDON),
        "%Y-%m-%d",
        "Record GOV.UK Notify's status of the letters sent through it",
    ),
]
