"""Queries for instruments, services, invitations and responses."""

import functools
import json

from sqlalchemy import func, update
from sqlmodel import select

from feedback.models import Answer, Comment, District, Instrument, Invitation, Response, Service
from surveys import definitions


def latest_instrument(session, slug):
    """Return the newest version of an instrument, or None."""
    return session.exec(
        select(Instrument).where(Instrument.slug == slug).order_by(Instrument.version.desc()).limit(1)
    ).first()


def save_instrument_version(session, definition):
    """Store a definition as a new version if its wording changed; return (row, created)."""
    digest = definitions.content_hash(definition)
    current = latest_instrument(session, definition.slug)
    if current is not None and current.content_hash == digest:
        return current, False
    row = Instrument(
        slug=definition.slug,
        version=(current.version + 1) if current else 1,
        title=definition.title,
        respondent_type=definition.respondent_type,
        content_hash=digest,
        definition=definitions.canonical_json(definition),
    )
    session.add(row)
    session.flush()
    return row, True


def latest_definitions(session):
    """Return the newest Definition of every instrument."""
    rows = session.exec(select(Instrument).order_by(Instrument.slug, Instrument.version)).all()
    latest = {row.slug: row for row in rows}
    return [definition_of(row) for row in latest.values()]


def definition_of(instrument):
    """Return the Definition stored with an instrument version."""
    return _parsed(instrument.definition)


@functools.lru_cache(maxsize=128)
def _parsed(stored_json):
    # A version's wording never changes, so its parsed form can be reused on every request.
    return definitions.from_dict(json.loads(stored_json))


def service(session, slug):
    """Return a service by slug, or None."""
    return session.get(Service, slug) if slug else None


def district(session, slug):
    """Return a district by slug, or None."""
    return session.get(District, slug) if slug else None


def invitation_by_hash(session, token_hash):
    """Return the invitation with this token hash, or None."""
    return session.exec(select(Invitation).where(Invitation.token_hash == token_hash)).first()


def add_invitations(session, rows):
    """Store invitations (already hashed)."""
    session.add_all(rows)
    session.flush()


def claim_invitation(session, invitation_id):
    """Mark an invitation used if it was not; return whether this call claimed it."""
    result = session.execute(
        update(Invitation).where(Invitation.id == invitation_id, Invitation.used.is_(False)).values(used=True)
    )
    return result.rowcount == 1


def submission_exists(session, submission_id):
    """Return whether a response with this submission id is already stored."""
    found = session.exec(select(Response.id).where(Response.submission_id == submission_id)).first()
    return found is not None


def add_response(session, response, answers, comments):
    """Store a response with answers {key: code} and comments [(key, text, polarity[, flagged,
    help_shown])]."""
    session.add(response)
    session.flush()
    session.add_all(Answer(response_id=response.id, question_key=k, value=v) for k, v in answers.items())
    stored = []
    for key, text, score, *flags in comments:
        flagged, help_shown = ([*flags, False, False])[:2]
        stored.append(
            Comment(
                response_id=response.id,
                question_key=key,
                text=text,
                polarity=score,
                flagged=flagged,
                help_shown=help_shown,
            )
        )
    session.add_all(stored)
    if stored:  # every comment gets its themes when it is stored
        from analysis import triage

        triage.tag_new_comments(session, stored)
    return response


def count_responses(session, **filters):
    """Return how many responses match the given column filters."""
    query = select(func.count()).select_from(Response)
    for column, value in filters.items():
        query = query.where(getattr(Response, column) == value)
    return session.exec(query).one()
