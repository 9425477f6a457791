"""Sending the day's letters through GOV.UK Notify and checking what became of them: the steps
the `feedback letters send` command and the status job take. Network calls happen outside any
database transaction; each accepted letter is recorded in its own short one."""

from collections import Counter

from flask import current_app

from feedback import audit, clock
from feedback.db import reading, transaction
from feedback.waitlist import dao, layout, notify, tracker


def send_due(api, on, sent_by, fernet, reference=None):
    """Send every letter due on ``on`` (or one family's); return (sent, problems)."""
    with reading() as session:
        found = tracker.letters_to_send(session, on, fernet, reference)
    sender, sent, problems = current_app.config["PARTNERSHIP_NAME"], 0, []
    for fam, due, content in found:
        pdf = layout.pdf_bytes([content], sender, title=f"Letter {due.sequence} about your child's wait")
        try:
            notify_id = notify.send(api, fam.row.reference, due.sequence, pdf)
        except notify.NotifyUnavailable as error:
            problems.append(str(error))
            continue
        with transaction() as session:
            tracker.mark_sent(
                session, fam.row.reference, due.sequence, on, sent_by, today=on, notify_id=notify_id
            )
        sent += 1
    if found:
        audit.record(
            "letters_notify",
            actor=sent_by,
            subject=reference or "all due",
            detail=f"{sent} sent through GOV.UK Notify, {len(problems)} refused",
        )
    return sent, problems


def check_statuses(api):
    """Ask Notify about every letter not yet settled; return a Counter of their statuses."""
    with reading() as session:
        pending = dao.unsettled_notify_letters(session)
    seen, now = Counter(), clock.now()
    for letter_id, notify_id in pending:
        try:
            status = notify.status(api, notify_id)
        except notify.NotifyUnavailable:
            seen["unknown"] += 1
            continue
        with transaction() as session:
            tracker.record_notify_status(session, letter_id, status, now)
        seen[status] += 1
    return seen
