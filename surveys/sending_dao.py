"""Queries for appointments, the messages sent about them and the do-not-contact list."""

from sqlalchemy import case, func, insert, update
from sqlmodel import select

from feedback.models import (
    Appointment,
    District,
    DoNotContact,
    Instrument,
    Invitation,
    InvitationMessage,
    Service,
)


def known_source_keys(session, keys):
    """Return which of these appointment keys are already stored."""
    found = set()
    keys = list(keys)
    for start in range(0, len(keys), 500):
        found.update(
            session.exec(
                select(Appointment.source_key).where(Appointment.source_key.in_(keys[start : start + 500]))
            )
        )
    return found


def blocked(session, hashes):
    """Return which of these contact hashes are on the do-not-contact list."""
    found = set()
    hashes = list(hashes)
    for start in range(0, len(hashes), 500):
        found.update(
            session.exec(
                select(DoNotContact.key_hash).where(DoNotContact.key_hash.in_(hashes[start : start + 500]))
            )
        )
    return found


def add_appointments(session, rows):
    """Insert appointments given as dicts of columns."""
    if rows:
        session.execute(insert(Appointment), rows)


def add_do_not_contact(session, key_hash, source, now):
    """Put a contact hash on the do-not-contact list (once); return whether it was new."""
    if session.get(DoNotContact, key_hash) is not None:
        return False
    session.add(DoNotContact(key_hash=key_hash, source=source, added_at=now))
    session.flush()
    return True


def services_by_slug(session):
    """Return {slug: name} of every service."""
    return {row.slug: row.name for row in session.exec(select(Service.slug, Service.name))}


def district_slugs(session):
    """Return the slug of every district."""
    return frozenset(session.exec(select(District.slug)))


def instrument_slugs(session):
    """Return the slug of every survey (instrument)."""
    return frozenset(session.exec(select(Instrument.slug)))


def to_invite(session, now, limit):
    """Return appointments waiting for their invitation whose time has come, oldest first."""
    return list(
        session.exec(
            select(Appointment)
            .where(Appointment.stage == "waiting", Appointment.next_at <= now)
            .order_by(Appointment.next_at, Appointment.id)
            .limit(limit)
        )
    )


def to_remind(session, now, limit):
    """Return [(appointment, invitation)] invited long enough ago for a reminder, oldest first."""
    return list(
        session.exec(
            select(Appointment, Invitation)
            .join(Invitation, Invitation.id == Appointment.invitation_id)
            .where(Appointment.stage == "invited", Appointment.next_at <= now)
            .order_by(Appointment.next_at, Appointment.id)
            .limit(limit)
        )
    )


def to_retry(session, now, limit):
    """Return [(message, appointment)] that Notify asked us to try again, whose time has come."""
    return list(
        session.exec(
            select(InvitationMessage, Appointment)
            .join(Appointment, Appointment.id == InvitationMessage.appointment_id)
            .where(InvitationMessage.status == "retry", InvitationMessage.retry_at <= now)
            .order_by(InvitationMessage.retry_at, InvitationMessage.id)
            .limit(limit)
        )
    )


def stuck(session, before):
    """Return messages claimed before ``before`` and never recorded (their process stopped)."""
    return list(
        session.exec(
            select(InvitationMessage).where(
                InvitationMessage.status == "sending", InvitationMessage.claimed_at < before
            )
        )
    )


def claim_retry(session, message_id, attempts, now):
    """Take a message to try again, unless another process just did; return whether we have it."""
    result = session.execute(
        update(InvitationMessage)
        .where(
            InvitationMessage.id == message_id,
            InvitationMessage.status == "retry",
            InvitationMessage.attempts == attempts,
        )
        .values(status="sending", attempts=attempts + 1, claimed_at=now)
    )
    return result.rowcount == 1


def add_invitation(session, invitation, message):
    """Add a new invitation and the message that sends it (written at the next flush)."""
    session.add_all([invitation, message])


def add_message(session, message):
    """Add a new message about an appointment (written at the next flush)."""
    session.add(message)


def message(session, message_id):
    """Return the message with this id, or None."""
    return session.get(InvitationMessage, message_id)


def invitation(session, invitation_id):
    """Return the invitation with this id, or None."""
    return session.get(Invitation, invitation_id)


def messages(session, ids):
    """Return {id: message} for these ids."""
    return {m.id: m for m in session.exec(select(InvitationMessage).where(InvitationMessage.id.in_(ids)))}


def appointments(session, ids):
    """Return {id: appointment} for these ids."""
    return {a.id: a for a in session.exec(select(Appointment).where(Appointment.id.in_(ids)))}


def erase(appointment, now):
    """Forget an appointment's contact details (and its link's token); nothing more goes to it."""
    appointment.contact = None
    appointment.erased_at = appointment.erased_at or now
    appointment.stage = "done"
    appointment.next_at = None


def erase_answered(session, now):
    """Erase the contact details of invited appointments whose survey was answered; return how many."""
    answered = select(Invitation.id).where(Invitation.used.is_(True))
    result = session.execute(
        update(Appointment)
        .where(Appointment.stage == "invited", Appointment.invitation_id.in_(answered))
        .values(stage="done", contact=None, erased_at=now, next_at=None)
    )
    return result.rowcount


def erase_expired(session, before, now):
    """Erase every contact held for an appointment before ``before``; give up messages that were
    waiting to be tried again. Return how many appointments were erased."""
    old = select(Appointment.id).where(Appointment.appointment_at < before, Appointment.contact.is_not(None))
    session.execute(
        update(InvitationMessage)
        .where(InvitationMessage.status == "retry", InvitationMessage.appointment_id.in_(old))
        .values(status="refused", reason="not sent in time: contact details erased", retry_at=None)
    )
    result = session.execute(
        update(Appointment)
        .where(Appointment.appointment_at < before, Appointment.contact.is_not(None))
        .values(stage="done", contact=None, erased_at=now, next_at=None)
    )
    return result.rowcount


def unsettled(session, since, limit):
    """Return messages accepted by Notify since ``since`` whose delivery is not yet known."""
    return list(
        session.exec(
            select(InvitationMessage)
            .where(InvitationMessage.status == "sent", InvitationMessage.sent_at >= since)
            .order_by(InvitationMessage.sent_at)
            .limit(limit)
        )
    )


def message_by_notify_id(session, notify_id):
    """Return the message Notify knows by this id, or None."""
    return session.exec(select(InvitationMessage).where(InvitationMessage.notify_id == notify_id)).first()


def invitation_of(session, appointment_id):
    """Return the invitation made for an appointment, or None."""
    return session.exec(
        select(Invitation)
        .join(Appointment, Appointment.invitation_id == Invitation.id)
        .where(Appointment.id == appointment_id)
    ).first()


def appointment_by_invitation(session, invitation_id):
    """Return the appointment an invitation was made for, or None (a card or CSV link)."""
    return session.exec(select(Appointment).where(Appointment.invitation_id == invitation_id)).first()


def weekly_counts(session, service_slug, since):
    """Return [(week start, sent, delivered, answered)] of invitations sent by text message or
    email for a service, a row per week (Monday) with any sent."""
    week = (
        func.date(InvitationMessage.sent_at, "-6 days", "weekday 1")
        if _sqlite(session)
        else func.date_trunc("week", InvitationMessage.sent_at)
    )
    query = (
        select(
            week.label("week"),
            func.count(),
            func.sum(case((Invitation.delivery == "delivered", 1), else_=0)),
            func.sum(case((Invitation.used.is_(True), 1), else_=0)),
        )
        .select_from(InvitationMessage)
        .join(Appointment, Appointment.id == InvitationMessage.appointment_id)
        .join(Invitation, Invitation.id == Appointment.invitation_id)
        .where(
            InvitationMessage.kind == "invitation",
            InvitationMessage.sent_at.is_not(None),
            InvitationMessage.sent_at >= since,
            Appointment.service_slug == service_slug,
        )
        .group_by(week)
        .order_by(week)
    )
    return [(_day(w), int(s), int(d or 0), int(a or 0)) for w, s, d, a in session.execute(query)]


def _sqlite(session):
    return session.get_bind().dialect.name == "sqlite"


def _day(value):
    from datetime import date, datetime

    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def message_counts(session):
    """Return {(kind, status): count} over every message (for the command line and the demo)."""
    rows = session.exec(
        select(InvitationMessage.kind, InvitationMessage.status, func.count()).group_by(
            InvitationMessage.kind, InvitationMessage.status
        )
    )
    return {(kind, status): n for kind, status, n in rows}


def held_contacts(session):
    """Return how many appointments still hold contact details."""
    return session.exec(
        select(func.count()).select_from(Appointment).where(Appointment.contact.is_not(None))
    ).one()
