"""The audit log: append-only records of sign-ins, personal-data views, prints and exports."""

from sqlmodel import select

from feedback.db import reading, transaction
from feedback.models import AuditEvent


def record(action, user=None, subject=None, detail=None, actor=None):
    """Append one event in its own transaction (so it stands even if the request fails later)."""
    if actor is None:
        from feedback.auth import current_user

        user = user or current_user()
        actor = user.email if user else "anonymous"
    with transaction() as session:
        session.add(AuditEvent(actor=actor, action=action, subject=subject, detail=detail))


def recent(limit=500, subject=None):
    """Return the newest events first (only those about ``subject``, if given)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if subject is not None:
        query = query.where(AuditEvent.subject == subject)
    with reading() as session:
        return list(session.exec(query))
