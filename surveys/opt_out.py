"""The "stop these messages" link on a survey page reached from a text message or email: it puts
the number or address on the do-not-contact list (a keyed hash only) and erases the appointment's
contact details, so no reminder follows. A GET shows the question; only the POST changes anything.
"""

from flask import render_template
from flask_wtf import FlaskForm

from feedback import clock, ratelimit
from feedback.db import reading, transaction
from feedback.errors import render_error
from surveys import contact, dao, tokens
from surveys import sending_dao as sending


class StopForm(FlaskForm):
    """Only the CSRF token: the link itself says which messages."""


def stop_messages(token):
    """Ask, then stop the messages about the appointment this link was sent for."""
    if ratelimit.over_limit("token-miss-check", "RATE_LIMIT_TOKEN_MISSES", count=False):
        return render_error(429)
    invite = None
    if tokens.well_formed(token):
        with reading() as session:
            invite = dao.invitation_by_hash(session, tokens.hash_token(token))
    if invite is None:
        ratelimit.over_limit("token-miss-check", "RATE_LIMIT_TOKEN_MISSES")  # count the miss
        return render_error(
            404, "This link does not work", "Check you copied the whole link from the message."
        )
    form = StopForm()
    if not form.validate_on_submit():
        return render_template("surveys/stop.html", form=form, done=None)
    return render_template("surveys/stop.html", form=None, done=_stop(invite.id))


def _stop(invitation_id):
    """Return "listed" (the number or address will get nothing more), "erased" (we no longer hold
    it) or "not_sent" (the link was not sent by text or email)."""
    with transaction() as session:
        appointment = sending.appointment_by_invitation(session, invitation_id)
        if appointment is None:
            return "not_sent"
        if appointment.contact is None:
            return "erased"
        keys = contact.configured_keys()
        to = contact.unseal(keys, appointment.contact)["to"]
        sending.add_do_not_contact(session, contact.contact_hash(keys, to), "link", clock.now())
        sending.erase(appointment, clock.now())
    return "listed"
