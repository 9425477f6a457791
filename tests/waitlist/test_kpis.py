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
    entries = [
        Entry("A", "asd", date(2026, 5, 1)),
        Entry("B", "asd", date(2026, 6, 1)),
        Entry("C", "asd", date(2026, 12, 1)),
    ]  # not due by the end of November
    letters = {"A": sent((1, date(2026, 5, 3)))}
    assert kpis.counts("letter1_sent", entries, letters, POLICY, NOVEMBER, TODAY) == (1, 2)


def test_twelve_months_counts_three_letters_or_seen():
    entries = [
        Entry("A", "asd", date(2025, 10, 1)),
        Entry("B", "asd", date(2025, 11, 1), first_appointment=date(2026, 11, 20)),
        Entry("C", "asd", date(2025, 9, 1), first_appointment=date(2026, 3, 1)),
    ]
    letters = {"A": sent((1, date(2026, 4, 1)), (2, date(2026, 8, 1)), (3, date(2026, 11, 2)))}
    # C was seen before its 12 months, so it is not counted; B was seen after: counts as met.
    assert kpis.counts("twelve_month", entries, letters, POLICY, NOVEMBER, TODAY) == (2, 2)


def test_seen_within_counts_each_referral_in_the_month_its_18_weeks_run_out():
    # 18 weeks after 2026-07-10 is 2026-11-13, after 2026-07-20 is 2026-11-23: both in November.
    entries = [
        Entry("seen in time", "salt", date(2026, 7, 10), first_appointment=date(2026, 11, 2)),
        Entry("still waiting", "salt", date(2026, 7, 20)),
        Entry("seen late", "salt", date(2026, 7, 10), first_appointment=date(2026, 11, 20)),
        Entry("left unseen", "salt", date(2026, 7, 10), discharged_on=date(2026, 9, 1)),
        Entry("deadline in October", "salt", date(2026, 6, 1), first_appointment=date(2026, 11, 5)),
        Entry("deadline in December", "salt", date(2026, 8, 20)),
    ]
    assert kpis.counts("seen_within", entries, {}, POLICY, NOVEMBER, TODAY, weeks=18) == (1, 3)


def test_reduction_in_waiting_times_compares_the_month_with_the_baseline_year():
    def family(referred, seen, district="preston"):
        return kpis.Family(
            Entry(str(referred), "nd", referred, first_appointment=seen), district, (), (), None, None
        )

    baseline = [
        family(date(2022, 1, 1), date(2022, 5, 1)),  # 120 days
        family(date(2022, 2, 1), date(2022, 6, 1)),  # 120 days
        family(date(2022, 3, 1), date(2023, 1, 10), "burnley"),
    ]  # 315 days
    november = [
        family(date(2026, 8, 1), date(2026, 11, 4)),  # 95 days
        family(date(2026, 7, 1), date(2026, 11, 9)),  # 131 days
        family(date(2026, 9, 1), date(2026, 11, 24)),
    ]  # 84 days
    result = kpis.wait_reduction_by_district(
        baseline + november, NOVEMBER, TODAY, (date(2022, 4, 1), date(2023, 3, 31))
    )
    assert result["all"] == (95, 3, 120.0)  # medians: 95 days now, 120 days in the baseline year
    assert result["preston"] == (95, 3, 120.0)
    assert "burnley" not in result  # no child seen in November


def test_support_offered_and_taken_up():
    entries = [Entry("A", "asd", date(2026, 5, 1)), Entry("B", "asd", date(2026, 6, 1))]
    extra = {"A": (date(2026, 6, 1), date(2026, 7, 1)), "B": (date(2026, 7, 1), None)}
    assert kpis.counts("support_offered", entries, {}, POLICY, NOVEMBER, TODAY, extra=extra) == (2, 2)
    assert kpis.counts("support_taken_up", entries, {}, POLICY, NOVEMBER, TODAY, extra=extra) == (1, 2)


def test_wait_spread_gives_median_and_90th_percentile():
    from feedback.waitlist.tracker import wait_spread

    assert wait_spread([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) == (6, 10)
    assert wait_spread([3, 4]) is None
