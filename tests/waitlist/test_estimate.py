"""The wait estimate and the replay of a list's history that checks it. Pure."""

import random
from datetime import date, timedelta

import pytest

from feedback.waitlist import demo, estimate, queue, schedule
from feedback.waitlist.queue import Wait

POLICY = schedule.load_policy()
RULES = POLICY.estimate_rules
ON = date(2026, 12, 1)


def letter_days(referral, stop):
    return schedule.letter_days(referral, 4, stop)


def test_a_steady_pace_gives_a_range_around_place_over_pace():
    found = estimate.estimate(99, [10] * 26, ON, RULES)  # 100th in the queue, 10 leave a week
    assert found.reliable
    assert (found.low_weeks, found.high_weeks) == (6, 14)  # 10 weeks, less and more 15% and 2 weeks
    assert found.worked_out_on == ON and found.ahead == 99 and found.per_week == 10
    assert found.in_words() == "about 1 to 4 months"


def test_a_pace_that_changed_recently_widens_the_range():
    steady = estimate.estimate(299, [10] * 26, ON, RULES)
    slower_lately = estimate.estimate(299, [8] * 6 + [10] * 20, ON, RULES)
    assert (steady.low_weeks, steady.high_weeks) == (23, 37)
    assert (slower_lately.low_weeks, slower_lately.high_weeks) == (24, 46)


def test_a_range_wider_than_the_policy_allows_says_plainly_why_instead():
    found = estimate.estimate(400, [3] * 6 + [12] * 20, ON, RULES)
    assert not found.reliable
    assert "changed a lot recently" in found.reason and found.worked_out_on == ON


@pytest.mark.parametrize("weekly", [[1] * 5 + [0] * 21, [5] * 10, [0] * 6 + [3] * 20])
def test_too_little_history_or_no_one_leaving_lately_gives_no_estimate(weekly):
    assert not estimate.estimate(10, weekly, ON, RULES).reliable


def test_short_ranges_are_in_weeks_and_long_ones_in_months():
    assert estimate.WaitEstimate(3, 9, ON, 20, 4.0).in_words() == "about 3 to 9 weeks"
    assert estimate.WaitEstimate(0, 5, ON, 2, 4.0).in_words() == "up to 5 weeks"
    assert estimate.WaitEstimate(40, 58, ON, 400, 9.0).in_words() == "about 9 to 14 months"


def test_the_place_in_the_queue_is_as_it_stood_on_the_day():
    referrals = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    stops = [date(2026, 3, 15), None, date(2026, 2, 20), None]
    assert estimate.ahead_in_queue(referrals, stops, date(2026, 3, 10)) == [0, 1, None, None]
    assert estimate.ahead_in_queue(referrals, stops, date(2026, 4, 2)) == [None, 0, None, 1]


def test_weekly_departures_count_back_from_the_day():
    days = sorted([ON, ON - timedelta(days=6), ON - timedelta(days=7), ON - timedelta(days=30)])
    assert estimate.weekly_departures(days, ON, 5) == [2, 1, 0, 0, 1]


def test_the_replay_judges_a_child_still_waiting_past_its_range_as_outside_and_leaves_out_discharges():
    start = date(2024, 1, 1)  # ten referrals a week, each child seen ten weeks later
    history = [
        Wait(start + timedelta(days=n // 10 * 7), start + timedelta(days=n // 10 * 7 + 70), None)
        for n in range(10 * 140)
    ]
    late = Wait(date(2025, 3, 3), None, None)
    gone = Wait(date(2025, 3, 3), None, date(2025, 6, 1))
    base = estimate.backtest(history, RULES, ON, letter_days).figures()
    more = estimate.backtest([*history, late, gone], RULES, ON, letter_days).figures()
    assert base["families"] > 500 and base["within_range"] == base["families"]
    assert more["families"] == base["families"] + 1
    assert more["within_range"] == base["within_range"]


def test_the_demo_list_meets_the_goals():
    figures = estimate.backtest(demo_waits(), RULES, ON, letter_days).figures()
    assert figures["families"] >= 500
    assert figures["within_range"] >= 0.8 * figures["families"]
    assert figures["median_width_months"] <= 6


def demo_waits():
    return [
        Wait(r.referral_date, r.first_appointment, r.discharged_on) for r in demo.rows(random.Random(7), ON)
    ]


def changing_pace(week):
    """A summer when a clinician was away, then a second clinic from the next spring."""
    if 40 <= week < 50:
        return (5, 8)
    return (14, 19) if week >= 80 else (10, 14)


def test_a_list_whose_pace_changes_meets_the_goals():
    waits = queue.simulate(random.Random(11), ON, capacity=changing_pace)
    figures = estimate.backtest(waits, RULES, ON, letter_days).figures()
    assert figures["families"] >= 300
    assert figures["within_range"] >= 0.8 * figures["families"]
    assert figures["median_width_months"] <= 6
    every = figures["every_letter"]
    assert every["within_range"] >= 0.8 * every["letters"]
