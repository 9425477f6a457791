"""Queries for the shared rate limits: one row of hits per (key, one-minute window)."""

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from feedback.models import RateWindow

# The same text on SQLite (3.35 or later) and PostgreSQL: one statement counts the hit and says
# how many the window now holds, so two workers' hits at the same moment both count.
_ADD_HIT = text(
    "INSERT INTO rate_window (key_hash, minute, hits) VALUES (:key_hash, :minute, 1) "
    "ON CONFLICT (key_hash, minute) DO UPDATE SET hits = rate_window.hits + 1 "
    "RETURNING hits"
)


def _insert(session, model):
    """Return an INSERT for ``model`` that can say what to do on a conflict (SQLite or PostgreSQL)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def insert_ignoring_duplicates(session, model):
    """Return an INSERT for ``model`` that does nothing when the row exists."""
    return _insert(session, model).on_conflict_do_nothing()


def add_hit(session, key_hash, minute, keep_windows):
    """Count one hit in a window (in the caller's write transaction); return the window's hits.

    The first hit of a window tidies away windows more than ``keep_windows`` minutes old.
    """
    hits = session.execute(_ADD_HIT, {"key_hash": key_hash, "minute": minute}).scalar_one()
    if hits == 1:
        session.execute(delete(RateWindow).where(RateWindow.minute < minute - keep_windows))
    return hits


def hits(session, key_hash, minute):
    """Return the hits counted in a window so far (0 if none)."""
    return session.execute(
        select(func.coalesce(func.sum(RateWindow.hits), 0)).where(
            RateWindow.key_hash == key_hash, RateWindow.minute == minute
        )
    ).scalar_one()
