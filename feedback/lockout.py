"""Failed passwords and codes per account: a growing wait, then a lock only an administrator lifts.

Counted in the database, so every worker on every machine sees the same count. An attempt is
counted *before* the password is checked (and forgiven once sign-in succeeds), so attempts made
at the same moment on several workers cannot slip past the count. Rows are keyed by an HMAC of
the email address: an address with no account is slowed and locked exactly as a real one is, so
the waits do not tell anyone which addresses have accounts.

With the defaults an account gets 5 tries, then waits of 15 s, 30 s, 1 min ... up to 15 min, and is
locked at the 10th failure in a row: at most 10 guesses, far below ASVS's 100 an hour.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, timedelta

from flask import current_app

from feedback import clock, staff_dao
from feedback.db import transaction

FREE_TRIES = 5  # failures in a row before the first wait (FEEDBACK_LOCKOUT_FREE_TRIES)
FIRST_WAIT = 15  # seconds, doubled after each further failure
LONGEST_WAIT = 15 * 60
FORGET_AFTER = timedelta(hours=24)  # a quiet day starts the count again
FORGET_LOCKED_AFTER = timedelta(days=30)  # locks of addresses nobody unlocks are tidied away


def wait_after(failures, free_tries=FREE_TRIES):
    """Return the seconds to wait after ``failures`` failures in a row."""
    if failures < free_tries:
        return 0
    return min(FIRST_WAIT * 2 ** min(failures - free_tries, 16), LONGEST_WAIT)


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may be checked: ``locked``, or a ``wait`` in seconds, or neither."""

    locked: bool = False
    wait: int = 0

    @property
    def allowed(self):
        return not self.locked and self.wait == 0


def key_for(email):
    """Return the HMAC that stands for an email address in the failure table."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"sign-in\0" + email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _aware(moment):
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment  # SQLite gives naive UTC


def claim_attempt(email, lock_after=None):
    """Count an attempt for ``email`` before its password or code is checked; return a Verdict.

    A refused attempt (locked, or too soon) is not counted and changes nothing.
    """
    lock_after = lock_after or current_app.config["LOCKOUT_AFTER"]
    key, now = key_for(email), clock.now()
    with transaction() as session:
        row = staff_dao.failures_locked_for_update(session, key, now)
        if row.locked_at is None and now - _aware(row.last_failed_at) > FORGET_AFTER:
            row.failures = 0
        if row.locked_at is not None or row.failures >= lock_after:
            return Verdict(locked=True)
        free_tries = current_app.config["LOCKOUT_FREE_TRIES"]
        remaining = wait_after(row.failures, free_tries) - (now - _aware(row.last_failed_at)).total_seconds()
        if remaining > 0:
            return Verdict(wait=int(remaining) + 1)
        row.failures += 1
        row.last_failed_at = now
        staff_dao.save_failures(session, row)
        staff_dao.forget_old_failures(session, now - FORGET_AFTER, now - FORGET_LOCKED_AFTER)
    return Verdict()


def failed(email, lock_after=None):
    """The claimed attempt failed; lock the address if that was one too many. Return whether it is
    now locked."""
    lock_after = lock_after or current_app.config["LOCKOUT_AFTER"]
    with transaction() as session:
        row = staff_dao.failures(session, key_for(email))
        if row is None or row.failures < lock_after or row.locked_at is not None:
            return False
        row.locked_at = clock.now()
        staff_dao.save_failures(session, row)
    return True


def password_right(email):
    """The password was right and a code is still to come: take back the attempt counted for it,
    leaving the failures before it (a right password does not clear wrong codes)."""
    with transaction() as session:
        row = staff_dao.failures(session, key_for(email))
        if row is not None and row.failures > 0:
            row.failures -= 1
            staff_dao.save_failures(session, row)


def succeeded(email):
    """Sign-in succeeded: forgive the failures counted for the address."""
    with transaction() as session:
        staff_dao.forget_failures(session, key_for(email))


def unlock(session, email):
    """Lift a lock (and the count) for an address; return whether there was anything to lift."""
    return staff_dao.forget_failures(session, key_for(email))


def locked_emails(session, emails):
    """Return which of these addresses are locked."""
    keys = {key_for(email): email for email in emails}
    if not keys:
        return set()
    return {keys[key] for key in staff_dao.locked_keys(session, keys)}


def failures_of(session, email):
    """Return how many failures in a row are counted for an address."""
    row = staff_dao.failures(session, key_for(email))
    return row.failures if row else 0
