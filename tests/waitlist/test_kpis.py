"""Waiting-list KPIs counted as of a month's end. Pure."""

from datetime import date
from types import SimpleNamespace

from feedback.waitlist import kpis, schedule
from feedback.waitlist.schedule import Entry

POLICY = schedule.load_policy()
TODAY = date(2026, 12, 15)
NOVEMBER = date(2026, 11, 1)


def sent(*pairs):
    return [SimpleNamespace(sequence=s, sent_on=d) for s, d in pairs]


def test_letter_one_share_counts_families_whose_first_letter_was_due():
    entries = [Entry("A", "asd", date(2026, 5, 1)), Entry("B", "asd", date(2026, 6, 1)),
               Entry("C", "asd", date(2026, 12, 1))]  # not due by the end of November
    letters = {"A": sent((1, date(2026, 5, 3)))}
    assert kpis.counts("letter1_sent", entries, letters, POLICY, NOVEMBER, TODAY) == (1, 2)


def test_twelve_months_counts_three_letters_or_seen():
    entries = [Entry("A", "asd", date(2025, 10, 1)),
               Entry("B", "asd", date(2025, 11, 1), first_appointment=date(2026, 11, 20)),
               Entry("C", "asd", date(2025, 9, 1), first_appointment=date(2026, 3, 1))]
    letters = {"A": sent((1, date(2026, 4, 1)), (2, date(2026, 8, 1)), (3, date(2026, 11, 2)))}
    # C was seen before its 12 months, so it is not counted; B was seen after: counts as met.
    assert kpis.counts("twelve_month", entries, letters, POLICY, NOVEMBER, TODAY) == (2, 2)


def test_seen_within_counts_first_appointments_in_the_month():
    entries = [Entry("A", "salt", date(2026, 8, 1), first_appointment=date(2026, 11, 10)),
               Entry("B", "salt", date(2026, 1, 1), first_appointment=date(2026, 11, 12)),
               Entry("C", "salt", date(2026, 8, 1), first_appointment=date(2026, 10, 10))]
    assert kpis.counts("seen_within", entries, {}, POLICY, NOVEMBER, TODAY, weeks=18) == (1, 2)


def test_support_offered_and_taken_up():
    entries = [Entry("A", "asd", date(2026, 5, 1)), Entry("B", "asd", date(2026, 6, 1))]
    extra = {"A": (date(2026, 6, 1), date(2026, 7, 1)), "B": (date(2026, 7, 1), None)}
    assert kpis.counts("support_offered", entries, {}, POLICY, NOVEMBER, TODAY, extra=extra) == (2, 2)
    assert kpis.counts("support_taken_up", entries, {}, POLICY, NOVEMBER, TODAY, extra=extra) == (1, 2)


def test_wait_spread_gives_median_and_90th_percentile():
    from feedback.waitlist.tracker import wait_spread

    assert wait_spread([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) == (6, 10)
    assert wait_spread([3, 4]) is None
