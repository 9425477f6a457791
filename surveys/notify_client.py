"""Text messages and emails through GOV.UK Notify with the official client
(notifications-python-client), and what Notify's answers mean for a message.

Notify's errors fall in three kinds: try again later (429 rate limit, 5xx, no answer), never
(400: a bad number, template or personalisation; the reason is kept), and stop everything (403:
the key is wrong or revoked).
"""

from dataclasses import dataclass
from datetime import timedelta

from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

# Notify's statuses for texts and emails; the settled ones are not asked about again.
DELIVERED = "delivered"
FAILURES = ("permanent-failure", "temporary-failure", "technical-failure")
SETTLED = (DELIVERED, *FAILURES)


class NotifyNotConfigured(RuntimeError):
    """FEEDBACK_NOTIFY_API_KEY is not set."""


class NotifyRefused(Exception):
    """Notify will never send this message; ``reason`` is Notify's."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class NotifyLater(Exception):
    """Notify could not take the message now; try again after ``wait``. ``stop`` says whether
    the rest of the run should wait too (a rate or daily limit), not only this message."""

    def __init__(self, reason, wait, stop=False):
        super().__init__(reason)
        self.reason, self.wait, self.stop = reason, wait, stop


class NotifyAuthError(RuntimeError):
    """Notify refused the API key: nothing can be sent until it is fixed."""


@dataclass(frozen=True)
class Outgoing:
    """One message as it goes to Notify (in memory only: it holds the number or address)."""

    message_id: int
    kind: str
    channel: str
    to: str
    template_id: str
    personalisation: dict
    text: str = ""  # a text message as it will read (to check its length); blank for an email

    @property
    def reference(self):
        return reference(self.message_id)


def reference(message_id):
    """Return the reference Notify keeps with a message: ours, with nothing personal in it."""
    return f"sfb-message-{message_id}"


def client(config):
    """Return a Notify client from FEEDBACK_NOTIFY_API_KEY and FEEDBACK_NOTIFY_BASE_URL."""
    if not config.get("NOTIFY_API_KEY"):
        raise NotifyNotConfigured(
            "FEEDBACK_NOTIFY_API_KEY is not set, so invitations cannot be sent "
            "by text message or email; the README says how to connect Notify"
        )
    return NotificationsAPIClient(config["NOTIFY_API_KEY"], base_url=config["NOTIFY_BASE_URL"], timeout=20)


def send(api, outgoing):
    """Send one message; return Notify's id, or raise NotifyRefused, NotifyLater or NotifyAuthError."""
    try:
        if outgoing.channel == "sms":
            response = api.send_sms_notification(
                outgoing.to,
                outgoing.template_id,
                personalisation=outgoing.personalisation,
                reference=outgoing.reference,
            )
        else:
            response = api.send_email_notification(
                outgoing.to,
                outgoing.template_id,
                personalisation=outgoing.personalisation,
                reference=outgoing.reference,
            )
    except HTTPError as error:
        raise classify(error) from None
    return response["id"]


def status(api, notify_id):
    """Return Notify's status for a message, or raise as ``send`` does."""
    try:
        return api.get_notification_by_id(notify_id)["status"]
    except HTTPError as error:
        raise classify(error) from None


def find(api, reference):
    """Return (id, status) of the message Notify holds with our reference, or None: asked before
    trying a message again whose earlier attempt got no clear answer, so it never goes twice."""
    try:
        found = api.get_all_notifications(reference=reference).get("notifications") or []
    except HTTPError as error:
        raise classify(error) from None
    return (found[0]["id"], found[0]["status"]) if found else None


def classify(error):
    """Return the exception that says what a Notify error means for the message."""
    code, reason = error.status_code, f"{error.status_code} {describe(error)}"[:300]
    if code == 403:
        return NotifyAuthError(f"GOV.UK Notify refused the API key: {reason}")
    if code == 429:
        daily = "send limits" in reason.lower() or "TooManyRequests" in _errors(error)
        return NotifyLater(reason, timedelta(hours=1) if daily else timedelta(minutes=1), stop=True)
    if code >= 500:
        return NotifyLater(reason, timedelta(minutes=1))
    return NotifyRefused(reason)


def describe(error):
    """Return Notify's own words for an error, never the request (which holds the number)."""
    messages = [m.get("message", "") for m in (error.message or []) if isinstance(m, dict)]
    text = "; ".join(messages) if messages else str(error.message)
    return text.replace("\n", " ")[:250]


def _errors(error):
    return " ".join(m.get("error", "") for m in (error.message or []) if isinstance(m, dict))
