"""The one clock: now (UTC) and today in England.

Every module asks this one for the time, so a test freezes time in one place
(the ``frozen_clock`` fixture in tests/conftest.py sets ``now`` to a fixed instant).
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def _system_now():
    return datetime.now(UTC)


_source = [_system_now]  # replaced only by tests, through freeze()


def now():
    """Return the current time, timezone-aware, in UTC."""
    return _source[0]()


def today():
    """Return today's date in England."""
    return now().astimezone(LONDON).date()


def london_now():
    """Return the current time in England (for schedules and letters' dates)."""
    return now().astimezone(LONDON)


def freeze(instant):
    """Make now() return ``instant`` (aware) until thaw(); for tests."""
    if instant.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _source[0] = lambda: instant


def thaw():
    """Return to the system clock."""
    _source[0] = _system_now
