"""Waiting-list KPIs (APP 3.2, 3.4, CIP 5.2, CIP 5.5) as counts for a month. Pure."""

import calendar
import statistics
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Family:
    """What the KPIs need of one family, worked out once: its schedule and letters sent."""

    entry: schedule.Entry
    district: str | None
    scheduled: tuple  # the schedule's letters in order, letter n at position n - 1
    letters: tuple  # those sent: anything with .sequence and .sent_on
    offered: date | None
    taken: date | None


def prepare(rows, letters_by_entry_id, policy):
    """Return a Family for each waiting-list row (with WaitingListEntry's columns as attributes;
    waitlist.dao.kpi_entries reads what is needed)."""
    families = []
    for row in rows:
        entry = schedule.Entry(
            row.reference, row.pathway, row.referral_date, row.first_appointment, row.discharged_on
        )
        families.append(
            Family(
                entry,
                row.district_slug,
                schedule.scheduled_letters(entry, policy),
                tuple(letters_by_entry_id.get(row.id, ())),
                row.support_offered_on,
                row.support_taken_up_on,
            )
        )
    return families


def _judge(metric, family, month, end, weeks):
    """Return (counts towards the numerator, counts in the denominator) for one family."""
    entry, scheduled, letters, offered = family.entry, family.scheduled, family.letters, family.offered
    if metric == "letter1_sent":
        if len(scheduled) >= 1 and scheduled[0].due_on <= end:
            return _sent_by(letters, 1, end), True
    elif metric == "support_informed":
        if len(scheduled) >= 2 and scheduled[1].due_on <= end:
            return _sent_by(letters, 2, end) or bool(offered and offered <= end), True
    elif metric == "twelve_month":
        anniversary = schedule.add_months(entry.referral_date, 12)
        if anniversary <= end and _waiting_on(entry, anniversary):
            sent = sum(1 for letter in letters if letter.sent_on <= end)
            seen = entry.first_appointment is not None and entry.first_appointment <= end
            return sent >= 3 or seen, True
    elif metric == "support_offered":
        if _waiting_on(entry, end):
            return bool(offered and offered <= end), True
    elif metric == "support_taken_up":
        if offered and offered <= end:
            return bool(family.taken and family.taken <= end), True
    elif metric == "seen_within":
        return _seen_within(entry, month, end, weeks)
    return False, False


def _seen_within(entry, month, end, weeks):
    """Count a referral once, in the month its ``weeks`` run out: seen by then, or not.

    Still waiting at the deadline counts as not seen; a child discharged unseen before the
    deadline left the list and is not counted.
    """
    deadline = entry.referral_date + timedelta(weeks=weeks)
    if not month <= deadline <= end:
        return False, False
    seen = entry.first_appointment is not None and entry.first_appointment <= deadline
    if not seen and entry.discharged_on is not None and entry.discharged_on < deadline:
        return False, False
    return seen, True


def counts_by_district(metric, families, month, today, weeks=None):
    """Return {"all" or district: (numerator, denominator)} for a metric as of the month's end."""
    end = month_end(month, today)
    totals = {}
    for family in families:
        positive, counted = _judge(metric, family, month, end, weeks)
        if not counted:
            continue
        for key in ("all", family.district):
            if key is not None:
                n, d = totals.get(key, (0, 0))
                totals[key] = (n + positive, d + 1)
    return totals


def _median_wait(families, first, last):
    """Return (median days from referral to first appointment, children) for those first seen
    from ``first`` to ``last``; the median is in whole days, halves rounded up."""
    waits = [
        (f.entry.first_appointment - f.entry.referral_date).days
        for f in families
        if f.entry.first_appointment and first <= f.entry.first_appointment <= last
    ]
    if not waits:
        return None, 0
    return int(statistics.median(waits) + 0.5), len(waits)


def wait_reduction_by_district(families, month, today, baseline_period):
    """Return {"all" or district: (median wait this month, children seen, baseline median)}.

    The value is the reduction of the month's median wait against the baseline period's; a
    scope with no child seen in the month or none in the baseline period has no figure.
    """
    end = month_end(month, today)
    groups = {"all": families}
    for family in families:
        if family.district is not None:
            groups.setdefault(family.district, []).append(family)
    result = {}
    for key, members in groups.items():
        current, seen = _median_wait(members, month, end)
        base, _ = _median_wait(members, *baseline_period)
        if seen and base:
            result[key] = (current, seen, float(base))
    return result


def counts(metric, entries, letters_by_reference, policy, month, today, weeks=None, extra=None):
    """Return (numerator, denominator) for a metric over schedule entries as of the month's end,
    by the same counting as ``counts_by_district``.

    ``extra`` maps reference to (support_offered_on, support_taken_up_on).
    """
    families = [
        Family(
            entry,
            None,
            schedule.scheduled_letters(entry, policy),
            tuple(letters_by_reference.get(entry.reference, [])),
            *(extra or {}).get(entry.reference, (None, None)),
        )
        for entry in entries
    ]
    return counts_by_district(metric, families, month, today, weeks).get("all", (0, 0))
