"""Sending waiting-list letters through GOV.UK Notify's precompiled-letter API, with the official
client (notifications-python-client), and reading back what became of them.

Each letter goes as its own A4 PDF. A letter Notify accepts is recorded as sent, with Notify's id;
the status job asks Notify about letters not yet settled. A letter that fails (Notify's checks,
a technical failure, returned by the post) no longer counts as sent, so it shows as due, and
overdue, again.
"""

import io

from flask import current_app
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

# Notify's letter statuses, in words for the family's timeline.
STATUS_WORDS = {
    "accepted": "accepted by GOV.UK Notify",
    "pending-virus-check": "accepted by GOV.UK Notify",
    "received": "received by the printer",
    "validation-failed": "failed Notify's checks",
    "virus-scan-failed": "failed Notify's checks",
    "technical-failure": "not sent (technical failure)",
    "permanent-failure": "returned by the post",
    "returned-letter": "returned by the post",
    "cancelled": "cancelled",
}
FAILED = {
    "validation-failed",
    "virus-scan-failed",
    "technical-failure",
    "permanent-failure",
    "returned-letter",
    "cancelled",
}
SETTLED = FAILED | {"received"}


class NotifyUnavailable(RuntimeError):
    """Notify is not configured, or refused the request; the message says which."""


def client(config=None):
    """Return a Notify client from FEEDBACK_NOTIFY_API_KEY and FEEDBACK_NOTIFY_BASE_URL."""
    config = config or current_app.config
    if not config.get("NOTIFY_API_KEY"):
        raise NotifyUnavailable(
            "FEEDBACK_NOTIFY_API_KEY is not set, so letters cannot go through "
            "GOV.UK Notify; print them instead"
        )
    return NotificationsAPIClient(config["NOTIFY_API_KEY"], base_url=config["NOTIFY_BASE_URL"], timeout=30)


def failed(letter):
    """Return whether a recorded letter went through Notify and failed."""
    return getattr(letter, "notify_status", None) in FAILED


def send(api, reference, sequence, pdf):
    """Send one letter's PDF; return Notify's id. The reference holds no personal data."""
    try:
        response = api.send_precompiled_letter_notification(
            reference=f"{reference}-{sequence}", pdf_file=io.BytesIO(pdf)
        )
    except HTTPError as error:
        raise NotifyUnavailable(
            f"GOV.UK Notify refused letter {sequence} for {reference}: {error.status_code} {_message(error)}"
        ) from None
    return response["id"]


def status(api, notify_id):
    """Return Notify's current status for a letter."""
    try:
        return api.get_notification_by_id(notify_id)["status"]
    except HTTPError as error:
        raise NotifyUnavailable(f"GOV.UK Notify did not say: {error.status_code} {_message(error)}") from None


def _message(error):
    messages = [m.get("message", "") for m in (error.message or []) if isinstance(m, dict)]
    return "; ".join(messages) or str(error.message)
