"""Queries for chat conversations in progress."""

import hashlib
import json
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import select

from feedback.models import ChatConversation


def conversation_id(token):
    """Return the stored id for the token the widget holds (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_conversation(session, token, instrument_id, service_slug, state, now):
    session.add(ChatConversation(id=conversation_id(token), instrument_id=instrument_id,
                                 service_slug=service_slug, state=json.dumps(state),
                                 started_at=now, updated_at=now))


def live_conversation(session, token, now, resume_minutes):
    """Return the conversation for a token if it is still within the resume window, or None."""
    row = session.get(ChatConversation, conversation_id(token))
    if row is None:
        return None
    updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=now.tzinfo)
    return row if now - updated <= timedelta(minutes=resume_minutes) else None


def advance(session, row, new_state, now):
    """Save the next state if nobody else moved the conversation on first; return whether saved."""
    result = session.execute(
        update(ChatConversation)
        .where(ChatConversation.id == row.id, ChatConversation.state == row.state)
        .values(state=json.dumps(new_state), updated_at=now)
    )
    return result.rowcount == 1


def remove(session, row):
    session.execute(delete(ChatConversation).where(ChatConversation.id == row.id))


def stale_conversations(session, before):
    """Return conversations last touched before a time (abandoned)."""
    return list(session.exec(select(ChatConversation).where(ChatConversation.updated_at < before)))
