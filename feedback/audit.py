"""The audit log: append-only records of sign-ins, personal-data views, prints and exports."""

from feedback import audit_dao
from feedback.db import reading, transaction


def record(action, user=None, subject=None, detail=None, actor=None):
    """Append one event in its own transaction (so it stands even if the request fails later)."""
    if actor is None:
        from feedback.auth import current_user

        user = user or current_user()
        actor = user.email if user else "anonymous"
    with transaction() as session:
        audit_dao.add_event(session, actor, action, subject, detail)


def recent(limit=500, subject=None):
    """Return the newest events first (only those about ``subject``, if given)."""
    with reading() as session:
        return audit_dao.newest_events(session, limit, subject)
