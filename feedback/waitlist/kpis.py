"""Waiting-list KPIs (APP 3.2, 3.4, CIP 5.5, the NICE 13 weeks) as counts for a month. Pure."""

import calendar
from datetime import date, timedelta

from feedback.waitlist import schedule


def month_end(month, today):
    """Return the last day of the month, or today for the month in progress."""
    last = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    return min(last, today)


def _waiting_on(entry, day):
    stop = schedule.stopped_on(entry)
    return entry.referral_date <= day and (stop is None or stop > day)


def _sent_by(letters, sequence, day):
    return any(letter.sequence == sequence and letter.sent_on <= day for letter in letters)


def counts(metric, entries, letters_by_reference, policy, month, today, weeks=None, extra=None):
    """Return (numerator, denominator) for a metric over schedule entries as of the month's end.

    ``extra`` maps reference to (support_offered_on, support_taken_up_on).
    """
    end = month_end(month, today)
    numerator = denominator = 0
    for entry in entries:
        letters = letters_by_reference.get(entry.reference, [])
        scheduled = {d.sequence: d for d in schedule.scheduled_letters(entry, policy)}
        offered, taken = (extra or {}).get(entry.reference, (None, None))
        if metric == "letter1_sent" and 1 in scheduled and scheduled[1].due_on <= end:
            denominator += 1
            numerator += _sent_by(letters, 1, end)
        elif metric == "support_informed" and 2 in scheduled and scheduled[2].due_on <= end:
            denominator += 1
            numerator += _sent_by(letters, 2, end) or bool(offered and offered <= end)
        elif metric == "twelve_month":
            anniversary = schedule.add_months(entry.referral_date, 12)
            if anniversary <= end and _waiting_on(entry, anniversary):
                denominator += 1
                sent = sum(1 for letter in letters if letter.sent_on <= end)
                seen = entry.first_appointment is not None and entry.first_appointment <= end
                numerator += sent >= 3 or seen
        elif metric == "support_offered" and _waiting_on(entry, end):
            denominator += 1
            numerator += bool(offered and offered <= end)
        elif metric == "support_taken_up" and offered and offered <= end:
            denominator += 1
            numerator += bool(taken and taken <= end)
        elif (metric == "seen_within" and entry.first_appointment
              and month <= entry.first_appointment <= end):
            denominator += 1
            numerator += entry.first_appointment - entry.referral_date <= timedelta(weeks=weeks)
    return numerator, denominator
