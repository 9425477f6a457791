"""Themes in use: the configured codebook, and tagging comments as they are stored."""

import logging

from flask import current_app

from analysis import themes, triage_dao
from feedback import clock

log = logging.getLogger(__name__)


def codebook():
    """Return the configured codebook (FEEDBACK_THEMES_FILE, else the shipped one), or None if it
    cannot be loaded: comments are then stored unthemed and the re-theming job themes them later."""
    path = current_app.config.get("THEMES_FILE") or themes.CODEBOOK_FILE
    try:
        return themes.load(path)
    except (OSError, themes.ThemeFileError) as error:
        log.error("Theme codebook not loaded: %s", error)
        return None


def tag_new_comments(session, comments):
    """Give comments just added to the session their themes (in the caller's transaction)."""
    book = codebook()
    if book is None or not comments:
        return
    session.flush()
    now = clock.now()
    for comment in comments:
        triage_dao.tag_comment(session, comment, book, now)


def retheme_comments():
    """Theme every comment the current codebook has not themed yet, keeping staff corrections."""
    from feedback.db import transaction

    book = codebook()
    if book is None:
        raise themes.ThemeFileError("the theme codebook could not be loaded (see the log)")
    total = 0
    while True:
        with transaction() as session:
            done = triage_dao.retheme(session, book, clock.now())
        total += done
        if not done:
            return f"{total} comments themed with codebook {book.version}"
