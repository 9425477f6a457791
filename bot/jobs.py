"""The chat's scheduled job: store chats that were left unfinished."""

import logging
from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger
from flask import current_app
from sqlalchemy.exc import OperationalError

from bot import dao, storage
from feedback import clock
from feedback.db import transaction
from feedback.jobs import Job

log = logging.getLogger(__name__)


def close_stale_chats(now=None):
    """Store chats left unfinished past the resume window as partial responses.

    Each chat is stored in its own transaction: one that cannot be stored is set aside and
    logged (by a short prefix of its id, never its token or answers), and the others still are.
    """
    now = now or clock.now()
    cutoff = now - timedelta(minutes=current_app.config["CHAT_RESUME_MINUTES"])
    with transaction() as session:
        ids = dao.stale_conversation_ids(session, cutoff)
    stored = set_aside = 0
    for conversation_id in ids:
        try:
            with transaction() as session:
                row = dao.stale_conversation(session, conversation_id, cutoff)
                kept = row is not None and storage.store_conversation(
                    session, row, storage.parse_state(row), now, partial=True
                )
            stored += kept  # counted once committed
        except OperationalError:
            raise  # the database is down or busy: the whole run fails and is tried again
        except Exception as error:
            with transaction() as session:
                dao.set_aside(session, conversation_id)
            set_aside += 1
            log.warning(
                "abandoned chat %s set aside: it could not be stored (%s)",
                conversation_id[:8],
                type(error).__name__,
            )
    aside = f", {set_aside} set aside" if set_aside else ""
    return f"{stored} abandoned chats stored as partial responses{aside}"


JOBS = [
    # Every 15 minutes: chats left past the resume window count, marked partial.
    Job(
        "close_stale_chats",
        close_stale_chats,
        CronTrigger(minute="*/15", timezone=clock.LONDON),
        "%Y-%m-%dT%H:%M",
        "Store abandoned chats as partial responses",
        timedelta(minutes=10),
    ),
]
