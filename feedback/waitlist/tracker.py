"""What the ASD team asks of the waiting list: who is due a letter, one family's story, sending."""

import dataclasses
import statistics
from dataclasses import dataclass
from datetime import date

from flask import current_app

from feedback import clock
from feedback.waitlist import crypto, dao, estimate, letters, notify, schedule


class LetterRefused(ValueError):
    """A letter cannot be recorded as sent; the message says why."""


def policy():
    """Return the letter policy (FEEDBACK_LETTER_POLICY, or the packaged policy.toml)."""
    cached = current_app.extensions.get("feedback.letter_policy")
    if cached is None:
        cached = schedule.load_policy(current_app.config.get("LETTER_POLICY") or schedule.POLICY_FILE)
        current_app.extensions["feedback.letter_policy"] = cached
    return cached


@dataclass
class WaitingFamily:
    """A family on the waiting list with its letters worked out for a day.

    ``due`` holds the one letter to send (or none): the latest letter due, which replaces the
    earlier ones still outstanding (``outstanding``). ``overdue`` holds it too when the earliest
    outstanding letter is overdue.
    """

    row: object
    entry: schedule.Entry
    sent: list
    due: list
    overdue: list
    upcoming: object
    weeks_waited: int
    personal: dict | None = None
    outstanding: list = dataclasses.field(default_factory=list)

    @property
    def waiting(self):
        return schedule.stopped_on(self.entry) is None


def _sent_sequences(sent):
    """Return the numbers of the letters sent (a letter that failed in Notify was not)."""
    return [letter.sequence for letter in sent if not notify.failed(letter)]


def family(row, sent, on, pol, bank_holidays, fernet=None):
    """Work out one entry's letters for ``on``; decrypt personal details when given a key."""
    entry = dao.as_schedule_entry(row)
    sequences = _sent_sequences(sent)
    scheduled = schedule.scheduled_letters(entry, pol)
    outstanding = [
        d
        for d in schedule.letters_due(entry, pol, on, sequences, scheduled)
        if d.sequence > max(sequences, default=0)
    ]
    first_type = scheduled[0].letter_type if scheduled else None
    to_send = schedule.letter_to_send(outstanding, sequences, first_type)
    due = [to_send] if to_send else []
    late = outstanding and schedule.is_overdue(outstanding[0], on, pol.overdue_working_days, bank_holidays)
    return WaitingFamily(
        row,
        entry,
        sent,
        due,
        due if late else [],
        schedule.next_letter(entry, pol, on, sequences, scheduled),
        schedule.weeks_waited(entry, on),
        crypto.unseal(fernet, row.personal) if fernet else None,
        outstanding,
    )


def families(session, on, pathway=None, district=None, fernet=None):
    """Return every family on the list (optionally one pathway or district) for a day."""
    pol = policy()
    rows = dao.all_entries(session, pathway, district, personal=fernet is not None)
    sent = dao.sent_letters(session)
    holidays = bank_holidays(on)
    return [family(r, sent.get(r.id, []), on, pol, holidays, fernet) for r in rows]


def due_families(session, on, reference=None):
    """Return the families with a letter to send on ``on`` (or one family's), oldest referral
    first: those of ``families`` with a letter due, found by a query on each entry's stored next
    letter rather than by working out the whole list. Entries whose stored next letter is out of
    date (``refresh_next_letters`` has not run since they changed) are worked out in full."""
    pol = policy()
    rows, sent = dao.letter_candidates(session, on, pol.fingerprint, reference)
    holidays = bank_holidays(on)
    found = (family(r, sent.get(r.id, []), on, pol, holidays) for r in rows)
    return [f for f in found if f.due]


# Entries brought up to date by a write that is about something else (a batch marked sent, a
# Notify status): enough for what that write changed, never the whole list in one transaction
# (just after migration 0017 every entry is stale). Any left stale are still worked out in full
# when letters are due, and by the next import.
REFRESH_IN_PASSING = 5000


def refresh_next_letters(session, entry_ids=None, limit=None):
    """Work out and store the day the next letter falls due, for every entry whose stored one is
    out of date (new, changed, written to, a letter failed, or the policy changed) or for the
    given entries (at most ``limit``); return how many were stored. Run in the write that
    changed them."""
    pol = policy()
    rows, sent = dao.stale_entries(session, pol.fingerprint, entry_ids, limit)
    values = [
        {
            "id": row.id,
            "next_letter_due": schedule.next_letter_due(
                dao.as_schedule_entry(row), pol, _sent_sequences(sent.get(row.id, []))
            ),
            "letters_policy": pol.fingerprint,
        }
        for row in rows
    ]
    dao.store_next_letters(session, values)
    return len(values)


def bank_holidays(on):
    """Return England's bank holidays around a day (enough for any letter still overdue)."""
    return schedule.england_bank_holidays(range(on.year - 2, on.year + 2))


def wait_spread(weeks):
    """Return (median, 90th percentile) weeks waited, or None with fewer than five families."""
    if len(weeks) < 5:
        return None
    deciles = statistics.quantiles(weeks, n=10, method="inclusive")
    return statistics.median(weeks), deciles[-1]


def expected_waits(session, rows, on):
    """Estimate each family's remaining wait as it stands on ``on``: {entry id: estimate}.

    A family's place is among those waiting on its pathway that day, oldest referral first; the
    pace is how many left that pathway's queue each recent week (see ``estimate``).
    """
    rules = policy().estimate_rules
    weeks = max(rules.windows_weeks)
    estimates = {}
    for pathway in {row.pathway for row in rows}:
        queue = dao.all_entries(session, pathway)
        stops = [schedule.stopped_on(dao.as_schedule_entry(r)) for r in queue]
        ahead = estimate.ahead_in_queue([r.referral_date for r in queue], stops, on)
        weekly = estimate.weekly_departures(sorted(s for s in stops if s), on, weeks)
        place = {r.id: n for r, n in zip(queue, ahead, strict=True) if n is not None}
        for row in rows:
            if row.pathway == pathway and row.id in place:
                estimates[row.id] = estimate.estimate(place[row.id], weekly, on, rules)
    return estimates


def expected_wait(session, row, on):
    """Estimate one family's remaining wait, or None when the child is not waiting."""
    return expected_waits(session, [row], on).get(row.id)


def backtest(session, today):
    """Replay every pathway's history: the estimates its letters would have given against when
    children were seen (see ``estimate.backtest``). Returns the figures for the whole list."""
    pol = policy()
    rows = dao.all_entries(session)
    judged = estimate.Judged()
    for pathway in sorted({row.pathway for row in rows}):
        interval = pol.pathways[pathway].interval_months

        def letter_days(referral, stop, interval=interval):
            return schedule.letter_days(referral, interval, stop)

        waits = [dao.as_schedule_entry(r) for r in rows if r.pathway == pathway]
        judged = judged.add(estimate.backtest(waits, pol.estimate_rules, today, letter_days))
    return judged.figures()


def mark_sent(session, reference, sequence, sent_on: date, sent_by, today=None, notify_id=None):
    """Record a letter as sent, refusing duplicates, letters not due and families already seen."""
    row = dao.entry(session, reference)
    if row is None:
        raise LetterRefused(f"there is no family with reference {reference}")
    entry = dao.as_schedule_entry(row)
    existing = dao.letter(session, row, sequence)
    if existing is not None and not notify.failed(existing):
        raise LetterRefused(f"letter {sequence} for {reference} is already recorded as sent")
    letter = next((d for d in schedule.scheduled_letters(entry, policy()) if d.sequence == sequence), None)
    if letter is None:
        stopped = schedule.stopped_on(entry)
        if stopped is not None:
            raise LetterRefused(
                f"{reference} stopped waiting on {stopped:%d %B %Y} (seen or "
                f"discharged), so letter {sequence} is not needed"
            )
        raise LetterRefused(f"letter {sequence} is not in the {row.pathway} schedule")
    if letter.due_on > sent_on:
        raise LetterRefused(
            f"letter {sequence} for {reference} is not due until {letters.longdate(letter.due_on)}"
        )
    if sent_on > (today or clock.today()):
        raise LetterRefused(
            f"{letters.longdate(sent_on)} is in the future: record a letter once it is posted"
        )
    sent = [s.sequence for s in dao.sent_letters(session, [row.id]).get(row.id, [])]
    first_type = schedule.scheduled_letters(entry, policy())[0].letter_type
    letter = schedule.letter_to_send([letter], sent, first_type) or letter
    dao.record_sent(session, row, letter, sent_on, sent_by, notify_id)
    refresh_next_letters(session, [row.id])
    return letter


def mark_returned(session, reference, sequence, returned_on):
    """Record that a sent letter came back (wrong address)."""
    row = dao.entry(session, reference)
    sent = dao.letter(session, row, sequence) if row else None
    if sent is None:
        raise LetterRefused(f"letter {sequence} for {reference} was never recorded as sent")
    sent.returned_on = returned_on


def mark_all_due_sent(session, on, sent_by):
    """Record every letter due on a day as sent (after printing the batch); return how many."""
    found = [(f, d) for f in due_families(session, on) for d in f.due]
    dao.forget_failed(session, [(f.row.id, d.sequence) for f, d in found])
    records = [
        {
            "entry_id": f.row.id,
            "sequence": d.sequence,
            "letter_type": d.letter_type,
            "due_on": d.due_on,
            "sent_on": on,
            "sent_by": sent_by,
        }
        for f, d in found
    ]
    dao.record_many_sent(session, records)
    refresh_next_letters(session, limit=REFRESH_IN_PASSING)
    return len(records)


def letters_to_send(session, on, fernet, reference=None):
    """Return (family, due letter, LetterContent) for every letter to send on a day (or one
    family's)."""
    pol = policy()
    due = due_families(session, on, reference)
    estimates = expected_waits(session, [f.row for f in due], on)
    tokens = dao.personal_tokens(session, [f.row.id for f in due])
    result = []
    for fam in due:
        fam.personal = crypto.unseal(fernet, tokens[fam.row.id])  # only the families written to
        result.extend(
            (fam, d, letters.content_for(fam, d, on, estimates.get(fam.row.id), pol)) for d in fam.due
        )
    return result


def letter_contents(session, on, fernet, reference=None):
    """Return LetterContent for every due letter (or one family's) on a day."""
    return [content for _fam, _due, content in letters_to_send(session, on, fernet, reference)]


def record_notify_status(session, letter_id, status, checked_at):
    """Record what Notify says became of a letter; return the status."""
    dao.set_notify_status(session, letter_id, status, checked_at)
    refresh_next_letters(session, limit=REFRESH_IN_PASSING)
    return status


def subject_access(session, reference, fernet, events, on):
    """Everything held about one family, for a subject access request: their details as imported,
    the waiting-list dates, every letter sent, and who viewed, printed or changed the record."""
    row = dao.entry(session, reference)
    if row is None:
        return None

    def day(value):
        return value.isoformat() if value else None

    return {
        "about": "Everything the SEND feedback service holds about this family on the autism "
        "assessment waiting list, as of the date below.",
        "exported_on": on.isoformat(),
        "reference": row.reference,
        "personal_details": crypto.unseal(fernet, row.personal),
        "waiting_list": {
            "pathway": row.pathway,
            "district": row.district_slug,
            "referral_date": day(row.referral_date),
            "first_appointment": day(row.first_appointment),
            "discharged_on": day(row.discharged_on),
            "support_offered_on": day(row.support_offered_on),
            "support_taken_up_on": day(row.support_taken_up_on),
        },
        "letters": [
            {
                "number": s.sequence,
                "kind": s.letter_type,
                "due_on": day(s.due_on),
                "sent_on": day(s.sent_on),
                "sent_by": s.sent_by,
                "returned_on": day(s.returned_on),
            }
            for s in dao.sent_letters(session, [row.id]).get(row.id, [])
        ],
        "record_access": [
            {"at": e.at.isoformat(timespec="seconds"), "by": e.actor, "action": e.action} for e in events
        ],
    }
