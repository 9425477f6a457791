"""Queries for the demonstration year (feedback demo): what it is generated against, and the bulk
inserts and the clearing of responses, answers, comments and invitations."""

from sqlalchemy import delete, func, insert
from sqlmodel import select

from feedback.models import (
    Answer,
    AnswerTally,
    Appointment,
    Comment,
    District,
    Invitation,
    InvitationMessage,
    MonthTally,
    Response,
    ResponseTally,
    Service,
)


def service_providers(session):
    """Return {service slug: its provider's slug}."""
    return dict(session.execute(select(Service.slug, Service.provider_slug)).all())


def district_slugs(session):
    """Return the districts' slugs, sorted."""
    return sorted(session.execute(select(District.slug)).scalars())


def response_total(session):
    """Return how many responses the database holds."""
    return session.execute(select(func.count()).select_from(Response)).scalar_one()


def delete_responses_and_invitations(session):
    """Delete every response, answer, comment and invitation (and the appointments and messages
    the invitations were sent for, and the tallies the KPI rebuild counted from them)."""
    tallies = (AnswerTally, ResponseTally, MonthTally)
    for model in (InvitationMessage, Appointment, Answer, Comment, Response, Invitation, *tallies):
        session.execute(delete(model))


def insert_responses(session, rows):
    """Insert response rows (dicts) in one statement; return their ids, in the rows' order."""
    statement = insert(Response).returning(Response.id, sort_by_parameter_order=True)
    return session.execute(statement, rows).scalars().all()


def insert_answers(session, rows):
    """Insert answer rows (dicts) in one statement."""
    if rows:
        session.execute(insert(Answer), rows)


def insert_comments(session, rows):
    """Insert comment rows (dicts) in one statement."""
    if rows:
        session.execute(insert(Comment), rows)


def insert_invitations(session, rows):
    """Insert invitation rows (dicts) in one statement."""
    if rows:
        session.execute(insert(Invitation), rows)
