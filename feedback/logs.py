"""The application log: one line per event on standard error, for the host to collect.

Nothing personal is written: log lines name jobs, counts and outcomes, never a family's details,
a comment's words or a client's address.
"""

import logging
import os


def configure(level=None):
    """Send the app's log lines to standard error at FEEDBACK_LOG_LEVEL (INFO by default)."""
    level = level or os.environ.get("FEEDBACK_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # SQL statements (and their parameters) are not part of the application log.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
