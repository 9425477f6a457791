"""The application log: one line per event on standard error, for the host to collect.

Nothing personal is written: log lines name jobs, counts and outcomes, never a family's details,
a comment's words, a conversation's token or a client's address. Errors that repeat (a database
outage seen by every request) are written once a window, with how many were left out.
"""

import logging
import os
import threading
import time

THROTTLE_SECONDS = 10
_throttle_lock = threading.Lock()
_windows = {}  # key -> [window started, lines left out]


def configure(level=None):
    """Send the app's log lines to standard error at FEEDBACK_LOG_LEVEL (INFO by default)."""
    level = level or os.environ.get("FEEDBACK_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # SQL statements (and their parameters) are not part of the application log.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    # Alembic's notes on every command that checks the schema's version are not news.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler says when each run of its internal catch-up starts and ends; the runner says
    # what each job did.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)


def throttled(logger, key, message, *args, seconds=THROTTLE_SECONDS, level=logging.ERROR):
    """Log a line unless one with the same key was logged in the last ``seconds``."""
    now = time.monotonic()
    with _throttle_lock:
        window = _windows.get(key)
        if window is not None and now - window[0] < seconds:
            window[1] += 1
            return False
        left_out = window[1] if window else 0
        _windows[key] = [now, 0]
    if left_out:
        message += f" ({left_out} more like this in the last window)"
    logger.log(level, message, *args)
    return True
