"""Queries for instruments, services, invitations and responses."""

import functools
import json

from sqlalchemy import insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
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


def services_by_name(session):
    """Return every service, in order of name."""
    return list(session.exec(select(Service).order_by(Service.name)))


def districts_by_name(session):
    """Return every district, in order of name."""
    return list(session.exec(select(District).order_by(District.name)))


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


@functools.cache
def _new_response(dialect_name):
    # Built once per dialect (and compiled once): a second answer with the same submission id
    # (a double click, a retry) inserts nothing and returns no id.
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = Response.__table__
    return (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=[table.c.submission_id])
        .returning(table.c.id)
    )


_NEW_ANSWERS = insert(Answer.__table__)


def insert_response(session, columns, answers, comments):
    """Store a response (its columns as a dict) with answers {key: code} and comments
    [collect.NewComment]: one statement for the response and one for its answers, no object
    loaded. Return the response's id, or None if its submission id was already stored."""
    statement = _new_response(session.get_bind().dialect.name)
    response_id = session.execute(statement, columns).scalar()
    if response_id is None:
        return None
    if answers:
        session.execute(
            _NEW_ANSWERS,
            [{"response_id": response_id, "question_key": k, "value": v} for k, v in answers.items()],
        )
    if comments:
        _add_comments(session, response_id, comments)
    return response_id


def add_response(session, response, answers, comments):
    """Store a Response (not yet added) with answers and comments as insert_response does; return
    it with its id. Raises IntegrityError if its submission id is already stored."""
    columns = response.model_dump(exclude={"id"})
    response.id = insert_response(session, columns, answers, comments)
    if response.id is None:
        raise IntegrityError("INSERT INTO response", columns["submission_id"], "submission id already stored")
    return response


def _add_comments(session, response_id, comments):
    stored = [
        Comment(
            response_id=response_id,
            question_key=comment.question_key,
            text=comment.text,
            polarity=comment.polarity,
            flagged=comment.flagged,
            help_shown=comment.help_shown,
        )
        for comment in comments
    ]
    session.add_all(stored)
    session.flush()
    # every comment gets its themes when it is stored
    from analysis import triage

    triage.tag_new_comments(session, stored)
