"""Sending invitations by text message and email through GOV.UK Notify: the steps of the
`send_invitations` job.

No network call happens inside a database transaction. Each batch is claimed in one short
transaction (a message row, unique per appointment and kind, marked "sending"), sent, then
recorded in another. So two schedulers, or a run retried after a crash, never send one
appointment the same message twice: the unique row stops a second claim, and a message claimed
but never recorded (its process died) is looked up at Notify by its reference before it is tried
again. Contact details are decrypted only in memory, for the request that needs them.
"""

import queue
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy.exc import IntegrityError

from feedback.clock import LONDON
from feedback.dao import as_utc
from feedback.db import reading, transaction
from feedback.models import Invitation, InvitationMessage
from surveys import contact, notify_client, sending_policy, tokens
from surveys import sending_dao as dao
from surveys.notify_client import Outgoing

BATCH = 200  # messages claimed and recorded per transaction
STUCK_AFTER = timedelta(minutes=10)  # a claimed message unrecorded this long: its process stopped
MAX_ATTEMPTS = 6
SENDERS = 4  # requests to Notify in flight at once
MAX_WAIT = timedelta(hours=1)
STATUS_DAYS = timedelta(days=7)  # Notify keeps a message's status for 7 days


@dataclass(frozen=True)
class Settings:
    """What a run needs besides Notify: policy, keys, where links point, and when it is."""

    policy: sending_policy.Policy
    keys: contact.ContactKeys
    base_url: str
    link_days: int
    now: object  # aware UTC datetime: the run's time

    def link(self, token, respondent, language="en"):
        """Return the single-use link for a token: the easy read version for young people, and the
        survey in the appointment's language (where it has been translated; English otherwise)."""
        args = {"easy": "1"} if respondent == "young_person" else {}
        if language != "en":
            args["lang"] = language
        return f"{self.base_url.rstrip('/')}/i/{token}{'?' + urlencode(args) if args else ''}"

    def stop_link(self, token):
        return f"{self.base_url.rstrip('/')}/i/{token}/stop"


@dataclass
class Claimed:
    """A message claimed for sending (in memory only)."""

    outgoing: Outgoing
    check_first: bool = False  # an earlier attempt got no clear answer: ask Notify before sending


@dataclass
class Result:
    message_id: int
    outcome: str  # sent, refused, retry
    notify_id: str | None = None
    reason: str | None = None
    wait: timedelta | None = timedelta(0)  # None: may be tried again at once


@dataclass
class Run:
    """One run's counts and whether Notify asked it to stop."""

    counts: Counter = field(default_factory=Counter)
    stop: str | None = None
    stop_wait: timedelta = timedelta(minutes=1)  # how long the messages not tried wait


def backoff(attempts, wait):
    """Return how long to wait before trying a message again after ``attempts`` tries."""
    return min(max(wait, timedelta(minutes=1) * 2 ** max(attempts - 1, 0)), MAX_WAIT)


def run(apis, settings, throttle):
    """Send every invitation and reminder due now; return the run's counts.

    ``apis`` are Notify clients, one per request in flight (a client is not thread-safe): a few
    requests at once hide the network's wait, while the throttle keeps to Notify's limit.
    """
    outcome = Run()
    with transaction() as session:
        outcome.counts["erased"] += dao.erase_expired(
            session, settings.now - settings.policy.keep_contact, settings.now
        )
        outcome.counts["erased"] += dao.erase_answered(session, settings.now)
    reconcile(apis[0], settings, throttle, outcome)
    clients = queue.SimpleQueue()
    for api in apis:
        clients.put(api)
    with ThreadPoolExecutor(max_workers=len(apis), thread_name_prefix="notify") as pool:
        for claim in (claim_retries, claim_invitations, claim_reminders):
            while outcome.stop is None:
                counts = Counter()
                try:
                    with transaction() as session:
                        batch = claim(session, settings, counts)
                except IntegrityError:
                    continue  # another scheduler claimed some of these first: look again
                outcome.counts.update(counts)
                if not batch:
                    break
                results = list(pool.map(lambda item: _deliver_with(clients, item, throttle, outcome), batch))
                with transaction() as session:
                    record(session, settings, results, outcome.counts)
    return outcome


def _deliver_with(clients, item, throttle, outcome):
    api = clients.get()
    try:
        return _deliver(api, item, throttle, outcome)
    finally:
        clients.put(api)


def _outgoing(settings, services, appointment, message, details, kind):
    """Return the message to send: the template in the appointment's language (English if a text
    in that language would not fit in two fragments with this link), and its personalisation."""
    policy, sms = settings.policy, appointment.channel == "sms"
    name = services.get(appointment.service_slug, appointment.service_slug)
    values = {
        "service": policy.short_name(appointment.service_slug, name) if sms else name,
        "link": settings.link(details["token"], appointment.respondent_type, appointment.language),
    }
    if not sms:
        values["stop_link"] = settings.stop_link(details["token"])
    template = policy.template(appointment.service_slug, appointment.channel, appointment.language, kind)
    text = template.render(values) if sms else ""
    if sms and sending_policy.fragments(text) > sending_policy.MAX_FRAGMENTS:
        template = policy.template(appointment.service_slug, "sms", "en", kind)
        text = template.render(values)
    return Outgoing(message.id, kind, appointment.channel, details["to"], template.id, values, text)


def _blocked(session, settings, details):
    hashes = {i: contact.contact_hash(settings.keys, d["to"]) for i, d in details.items()}
    listed = dao.blocked(session, set(hashes.values()))
    return {i for i, h in hashes.items() if h in listed}


def claim_invitations(session, settings, counts):
    """Claim a batch of first invitations: make each its single-use link; return [Claimed]."""
    found = dao.to_invite(session, settings.now, BATCH)
    details = {a.id: contact.unseal(settings.keys, a.contact) for a in found}
    blocked = _blocked(session, settings, details)
    made = []
    for appointment in found:
        if appointment.id in blocked:
            dao.erase(appointment, settings.now)
            counts["opted out"] += 1
            continue
        token, token_hash = tokens.new_token()
        day = as_utc(appointment.appointment_at).astimezone(LONDON).date()
        invitation = Invitation(
            token_hash=token_hash,
            instrument_slug=appointment.instrument_slug,
            service_slug=appointment.service_slug,
            district_slug=appointment.district_slug,
            appointment_date=day,
            month=day.replace(day=1),
            created_at=settings.now,
            expires_at=tokens.expiry(settings.now, settings.link_days),
            delivery="pending",
        )
        message = InvitationMessage(
            appointment_id=appointment.id,
            kind="invitation",
            channel=appointment.channel,
            attempts=1,
            claimed_at=settings.now,
        )
        dao.add_invitation(session, invitation, message)
        made.append((appointment, invitation, message, token))
    session.flush()
    services, claimed = dao.services_by_slug(session), []
    for appointment, invitation, message, token in made:
        to = details[appointment.id]["to"]
        appointment.invitation_id, appointment.stage = invitation.id, "sending"
        appointment.contact = contact.seal(settings.keys, appointment.channel, to, token)
        claimed.append(
            Claimed(
                _outgoing(settings, services, appointment, message, {"to": to, "token": token}, "invitation")
            )
        )
    return claimed


def claim_reminders(session, settings, counts):
    """Claim a batch of reminders for invitations not answered; return [Claimed]."""
    found = dao.to_remind(session, settings.now, BATCH)
    details = {a.id: contact.unseal(settings.keys, a.contact) for a, _ in found if a.contact}
    blocked = _blocked(session, settings, details)
    made = []
    for appointment, invitation in found:
        reason = (
            "answered"
            if invitation.used
            else "opted out"
            if appointment.id in blocked
            else "link expired"
            if tokens.state(invitation, settings.now) == "expired"
            else "no contact"
            if appointment.id not in details
            else None
        )
        if reason:
            dao.erase(appointment, settings.now)
            counts[f"no reminder ({reason})"] += 1
            continue
        message = InvitationMessage(
            appointment_id=appointment.id,
            kind="reminder",
            channel=appointment.channel,
            attempts=1,
            claimed_at=settings.now,
        )
        dao.add_message(session, message)
        appointment.stage = "sending"
        made.append((appointment, message))
    session.flush()
    services = dao.services_by_slug(session)
    return [Claimed(_outgoing(settings, services, a, m, details[a.id], "reminder")) for a, m in made]


def claim_retries(session, settings, counts):
    """Claim messages Notify asked us to try again; return [Claimed] (each looked up first)."""
    services, claimed = None, []
    for message, appointment in dao.to_retry(session, settings.now, BATCH):
        if appointment.contact is None:
            message.status, message.reason, message.retry_at = "refused", "contact details erased", None
            continue
        if not dao.claim_retry(session, message.id, message.attempts, settings.now):
            continue
        services = services or dao.services_by_slug(session)
        details = contact.unseal(settings.keys, appointment.contact)
        claimed.append(
            Claimed(
                _outgoing(settings, services, appointment, message, details, message.kind), check_first=True
            )
        )
        counts["tried again"] += 1
    return claimed


def _deliver(api, item, throttle, outcome):
    """Send one claimed message (unless Notify already has it, or the run was told to stop)."""
    outgoing = item.outgoing
    if outcome.stop:
        return Result(
            outgoing.message_id, "retry", reason=f"not tried: {outcome.stop}"[:300], wait=outcome.stop_wait
        )
    try:
        if item.check_first:
            throttle.wait()
            found = notify_client.find(api, outgoing.reference)
            if found:
                return Result(outgoing.message_id, "sent", notify_id=found[0])
        fragments = sending_policy.fragments(outgoing.text) if outgoing.channel == "sms" else 1
        if fragments > sending_policy.MAX_FRAGMENTS:
            return Result(outgoing.message_id, "refused", reason=f"the text would take {fragments} fragments")
        throttle.wait()
        return Result(outgoing.message_id, "sent", notify_id=notify_client.send(api, outgoing))
    except notify_client.NotifyRefused as error:
        return Result(outgoing.message_id, "refused", reason=error.reason)
    except notify_client.NotifyLater as error:
        if error.stop:
            outcome.stop, outcome.stop_wait = f"GOV.UK Notify asked us to wait ({error.reason})", error.wait
        return Result(outgoing.message_id, "retry", reason=error.reason, wait=error.wait)
    except notify_client.NotifyAuthError as error:
        outcome.stop, outcome.stop_wait = str(error), timedelta(minutes=10)
        return Result(outgoing.message_id, "retry", reason=str(error)[:300], wait=timedelta(minutes=10))


def record(session, settings, results, counts):
    """Record what Notify said about each message, and what follows for its appointment."""
    found = dao.messages(session, [r.message_id for r in results])
    appointments = dao.appointments(session, {m.appointment_id for m in found.values()})
    policy, now = settings.policy, settings.now
    for result in results:
        message = found[result.message_id]
        appointment = appointments[message.appointment_id]
        if result.outcome == "retry" and message.attempts >= MAX_ATTEMPTS:
            result = Result(
                result.message_id,
                "refused",
                reason=f"gave up after {message.attempts} tries: {result.reason}"[:300],
            )
        counts[f"{message.kind} {result.outcome}"] += 1
        message.reason = result.reason
        if result.outcome == "sent":
            message.status, message.notify_id, message.sent_at = "sent", result.notify_id, now
            message.retry_at = None
            if message.kind == "invitation":
                appointment.stage, appointment.next_at = "invited", now + policy.reminder_after
            else:
                dao.erase(appointment, now)  # the last message has gone
        elif result.outcome == "retry":
            wait = timedelta(0) if result.wait is None else backoff(message.attempts, result.wait)
            message.status, message.retry_at = "retry", now + wait
        else:
            message.status, message.retry_at = "refused", None
            _failed(session, appointment, message, now)


def _failed(session, appointment, message, now):
    if message.kind == "invitation" and appointment.invitation_id:
        invitation = dao.invitation(session, appointment.invitation_id)
        if invitation.delivery != "delivered":
            invitation.delivery = "failed"
    dao.erase(appointment, now)


def reconcile(api, settings, throttle, outcome):
    """Settle messages claimed but never recorded: Notify has them (sent) or not (try again)."""
    with transaction() as session:
        stuck = [
            (m.id, notify_client.reference(m.id)) for m in dao.stuck(session, settings.now - STUCK_AFTER)
        ]
    results = []
    for message_id, reference in stuck:
        try:
            throttle.wait()
            found = notify_client.find(api, reference)
        except (notify_client.NotifyLater, notify_client.NotifyRefused):
            continue  # asked again next run
        results.append(
            Result(message_id, "sent", notify_id=found[0])
            if found
            else Result(message_id, "retry", reason="no answer recorded; Notify does not have it", wait=None)
        )  # safe to send now: checked again just before
        outcome.counts["reconciled"] += 1
    if results:
        with transaction() as session:
            record(session, settings, results, outcome.counts)


def record_status(session, message, status, now):
    """Record a delivery status from Notify (callback or asking); return whether it changed."""
    if message.status == status or message.status == notify_client.DELIVERED:
        return False
    if status not in notify_client.SETTLED:
        return False  # created, sending, pending: still on its way
    message.status, message.status_at = status, now
    appointment = dao.appointments(session, [message.appointment_id])[message.appointment_id]
    invitation = dao.invitation(session, appointment.invitation_id) if appointment.invitation_id else None
    if invitation is not None and status == notify_client.DELIVERED:
        invitation.delivery = "delivered"
    elif invitation is not None and message.kind == "invitation" and invitation.delivery != "delivered":
        invitation.delivery = "failed"
    if status == "permanent-failure":
        dao.erase(appointment, now)  # no reminder to a number or address that does not exist
    return True


def check_statuses(api, throttle, now, limit=5000):
    """Ask Notify about messages sent in the last 7 days whose delivery is not yet known."""
    with reading() as session:
        pending = [(m.id, m.notify_id) for m in dao.unsettled(session, now - STATUS_DAYS, limit)]
    seen = Counter()
    for message_id, notify_id in pending:
        try:
            throttle.wait()
            status = notify_client.status(api, notify_id)
        except (notify_client.NotifyLater, notify_client.NotifyRefused):
            seen["unknown"] += 1
            continue
        with transaction() as session:
            message = dao.message(session, message_id)
            record_status(session, message, status, now)
        seen[status] += 1
    return seen
