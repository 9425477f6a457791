"""Turn a finished or abandoned conversation into one stored response (channel "chat")."""

import json

from bot import dao
from surveys import collect
from surveys import dao as survey_dao


def store_conversation(session, row, state, now, partial):
    """Store the conversation's answers as a response and forget the conversation.

    Returns whether a response was stored by this call (an abandoned chat with no answers stores
    none, and nor does a second request for a chat another request has just stored).
    """
    if not dao.remove(session, row):
        return False  # stored by a request a moment before this one
    if not state["answers"] and not state["comments"]:
        return False
    instrument = dao.instrument_of(session, row)
    service = survey_dao.service(session, row.service_slug)
    definition = survey_dao.definition_of(instrument)
    submission = collect.Submission(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        service_slug=service.slug,
        provider_slug=service.provider_slug,
        district_slug=None,
        channel="chat",
        easy_read=True,
        language=state.get("lang", "en"),
    )
    # The chat's state keeps each comment as a JSON list: [key, text, polarity, flagged, help shown].
    comments = [collect.NewComment(*c) for c in state["comments"]]
    collect.store_answers(
        session,
        definition,
        submission,
        submission_id(row.id),
        state["answers"],
        comments,
        now,
        partial=partial,
    )
    return True


def parse_state(row):
    return json.loads(row.state)


def submission_id(conversation_id):
    """Return the submission id a conversation is stored under (one response per chat)."""
    return conversation_id[:36]
