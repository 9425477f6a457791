"""The surveys package's scheduled jobs: send invitations by text message and email, and ask
GOV.UK Notify what became of them."""

from apscheduler.triggers.cron import CronTrigger
from flask import current_app

from feedback import clock
from feedback.db import reading
from feedback.jobs import Job
from surveys import contact, intake, notify_client, sending, sending_policy
from surveys import sending_dao as dao
from surveys.throttle import Throttle


def settings(now):
    """Return what a sending run needs, from the app's config."""
    config = current_app.config
    return sending.Settings(
        intake.policy(), contact.configured_keys(), config["BASE_URL"], config["INVITATION_DAYS"], now
    )


def throttle():
    """Return the throttle that keeps requests under Notify's limit (FEEDBACK_NOTIFY_PER_MINUTE)."""
    return Throttle(current_app.config["NOTIFY_PER_MINUTE"])


def send_invitations():
    """Send the invitations and reminders due, within sending hours; erase contact details done with."""
    hours = sending_policy.parse_hours(current_app.config["SEND_HOURS"])
    now = clock.now()
    if not sending_policy.within_hours(now.astimezone(clock.LONDON), hours):
        return f"outside sending hours ({hours[0]:02d}-{hours[1]:02d} UK time): nothing sent"
    with reading() as session:
        held = dao.held_contacts(session)
    if not held:
        return "no appointments waiting"
    apis = [notify_client.client(current_app.config) for _ in range(sending.SENDERS)]
    run = sending.run(apis, settings(now), throttle())
    counts = ", ".join(f"{name} {n}" for name, n in sorted(run.counts.items()) if n) or "nothing due"
    if run.stop:
        # Recorded as failed, so the runner tries again with backoff and staff see it if it goes on.
        raise SendingStopped(f"stopped: {run.stop}; {counts}")
    return counts


class SendingStopped(RuntimeError):
    """Notify refused the key or asked us to wait: the messages not sent wait for the next run."""


def check_deliveries():
    """Ask GOV.UK Notify about messages whose delivery is not yet known (when no callback came)."""
    with reading() as session:
        if not dao.unsettled(session, clock.now() - sending.STATUS_DAYS, 1):
            return "none to check"
    seen = sending.check_statuses(notify_client.client(current_app.config), throttle(), clock.now())
    return ", ".join(f"{status} {n}" for status, n in sorted(seen.items())) or "none to check"


JOBS = [
    # Every 10 minutes: invitations after appointments, reminders, retries; contact details erased
    # once done with. Outside sending hours (FEEDBACK_SEND_HOURS) a run sends nothing.
    Job(
        "send_invitations",
        send_invitations,
        CronTrigger(minute="*/10", timezone=clock.LONDON),
        "%Y-%m-%dT%H:%M",
        "Send survey invitations and reminders by text message and email",
    ),
    # Hourly: delivery status for messages whose callback never came (or with no callback set up).
    Job(
        "check_deliveries",
        check_deliveries,
        CronTrigger(minute=35, timezone=clock.LONDON),
        "%Y-%m-%dT%H",
        "Ask GOV.UK Notify whether invitations were delivered",
    ),
]
