"""Queries for the audit log: append an event, read the newest, delete those past retention."""

from sqlalchemy import delete
from sqlmodel import select

from feedback.models import AuditEvent


def add_event(session, actor, action, subject=None, detail=None):
    """Append one event."""
    session.add(AuditEvent(actor=actor, action=action, subject=subject, detail=detail))


def newest_events(session, limit, subject=None):
    """Return up to ``limit`` events, newest first (only those about ``subject``, if given)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if subject is not None:
        query = query.where(AuditEvent.subject == subject)
    return list(session.exec(query))


def delete_events_before(session, moment):
    """Delete the events recorded before ``moment``; return how many."""
    return session.execute(delete(AuditEvent).where(AuditEvent.at < moment)).rowcount
