"""Queries for chat conversations in progress (the chat API, its storage and its job ask here)."""

import hashlib
import json
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import select

from feedback.models import ChatConversation, Instrument


def conversation_id(token):
    """Return the stored id for the token the widget holds (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_conversation(session, token, instrument_id, service_slug, state, now):
    session.add(
        ChatConversation(
            id=conversation_id(token),
            instrument_id=instrument_id,
            service_slug=service_slug,
            state=json.dumps(state),
            started_at=now,
            updated_at=now,
        )
    )


def live_conversation(session, token, now, resume_minutes):
    """Return the conversation for a token if it is still within the resume window, or None."""
    row = session.get(ChatConversation, conversation_id(token))
    if row is None:
        return None
    updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=now.tzinfo)
    return row if now - updated <= timedelta(minutes=resume_minutes) else None


def instrument_of(session, row):
    """Return the instrument version a conversation was started on."""
    return session.get(Instrument, row.instrument_id)


def advance(session, row, new_state, now):
    """Save the next state if nobody else moved the conversation on first; return whether saved."""
    result = session.execute(
        update(ChatConversation)
        .where(ChatConversation.id == row.id, ChatConversation.state == row.state)
        .values(state=json.dumps(new_state), updated_at=now)
    )
    return result.rowcount == 1


def remove(session, row):
    """Delete a conversation as it was read; return False if another request got there first
    (it finished or left the same chat a moment before), so it is stored once."""
    result = session.execute(
        delete(ChatConversation).where(ChatConversation.id == row.id, ChatConversation.state == row.state)
    )
    return result.rowcount == 1


def stale_conversation_ids(session, before):
    """Return the ids of conversations last touched before a time (abandoned), oldest first,
    leaving out those set aside because they could not be stored."""
    query = (
        select(ChatConversation.id)
        .where(ChatConversation.updated_at < before, ChatConversation.set_aside == False)  # noqa: E712
        .order_by(ChatConversation.updated_at)
    )
    return list(session.exec(query))


def stale_conversation(session, conversation_id, before):
    """Return one abandoned conversation if it is still there and still stale, or None."""
    row = session.get(ChatConversation, conversation_id)
    if row is None or row.set_aside:
        return None
    updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=before.tzinfo)
    return row if updated < before else None


def set_aside(session, conversation_id):
    """Keep a conversation that could not be stored out of the next runs."""
    session.execute(
        update(ChatConversation).where(ChatConversation.id == conversation_id).values(set_aside=True)
    )
