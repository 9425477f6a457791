"""GOV.UK Notify's callbacks: delivery receipts for our texts and emails, and received texts
(a reply of STOP puts the number on the do-not-contact list).

Notify sends ``Authorization: Bearer <token>`` with each callback, the token set in its API
integration settings; it must equal FEEDBACK_NOTIFY_CALLBACK_TOKEN. Without that setting the
callbacks refuse everything (the delivery job still asks Notify instead).
"""

import hmac
import logging
import re

from flask import Blueprint, current_app, jsonify, request

from feedback import clock, ratelimit
from feedback.db import transaction
from feedback.extensions import csrf
from surveys import appointments, contact, sending
from surveys import sending_dao as dao

bp = Blueprint("notify_callbacks", __name__, url_prefix="/notify")
csrf.exempt(bp)  # Notify posts with its bearer token, never a cookie
log = logging.getLogger(__name__)
STOP = re.compile(r"\W*(stop|stop all|unsubscribe|end|cancel)\W*", re.IGNORECASE)


def _answer(status, message):
    response = jsonify({"result": message})
    response.status_code = status
    return response


@bp.before_request
def require_notify_token():
    """Let through only Notify, with the configured bearer token."""
    if ratelimit.over_limit("notify-callback-miss", "RATE_LIMIT_TOKEN_MISSES", count=False):
        return _answer(429, "too many requests with a wrong token")
    expected = current_app.config.get("NOTIFY_CALLBACK_TOKEN") or ""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), expected):
        ratelimit.over_limit("notify-callback-miss", "RATE_LIMIT_TOKEN_MISSES")
        return _answer(401, "a callback needs the bearer token set as FEEDBACK_NOTIFY_CALLBACK_TOKEN")
    return None


@bp.post("/delivery-status")
def delivery_status():
    """Record the delivery status of a text message or email we sent."""
    body = request.get_json(silent=True) or {}
    notify_id, status = str(body.get("id", ""))[:36], str(body.get("status", ""))[:30]
    with transaction() as session:
        message = dao.message_by_notify_id(session, notify_id) if notify_id else None
        if message is None:
            return _answer(200, "not one of ours")  # a letter, or a message since erased: nothing to do
        changed = sending.record_status(session, message, status, clock.now())
    return _answer(200, "recorded" if changed else "no change")


@bp.post("/received-text")
def received_text():
    """A reply to one of our texts: STOP (or similar) means no more messages to that number."""
    body = request.get_json(silent=True) or {}
    text, number = str(body.get("message", ""))[:200], str(body.get("source_number", ""))[:20]
    if not STOP.fullmatch(text):
        return _answer(200, "not a request to stop")
    mobile = appointments.normalise_mobile(number)
    if mobile is None:
        return _answer(200, "not a UK mobile number")
    try:
        keys = contact.configured_keys()
    except contact.DataKeyError:
        log.error("a STOP reply could not be recorded: FEEDBACK_DATA_KEY is not set")
        return _answer(503, "not recorded; try again later")
    with transaction() as session:
        dao.add_do_not_contact(session, contact.contact_hash(keys, mobile), "stop", clock.now())
    log.info("a STOP reply put a number on the do-not-contact list")
    return _answer(200, "recorded")
