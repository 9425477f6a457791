"""Letter schedules, overdue letters and the expected wait: pure functions."""

from datetime import date, timedelta

import pytest

from feedback.waitlist import schedule
from feedback.waitlist.schedule import Entry

POLICY = schedule.load_policy()  # programme start 1 April 2026, four letters four months apart
BANK_HOLIDAYS = schedule.england_bank_holidays(range(2025, 2028))


def dues(entry, on, sent=()):
    return [(d.sequence, d.letter_type, d.due_on) for d in schedule.letters_due(entry, POLICY, on, sent)]


def test_new_referral_gets_letter_one_at_referral_then_every_four_months():
    entry = Entry("R1", "asd", date(2026, 6, 10))
    assert dues(entry, date(2026, 6, 10)) == [(1, "acknowledgement", date(2026, 6, 10))]
    assert [d.due_on for d in schedule.scheduled_letters(entry, POLICY)] == [
        date(2026, 6, 10), date(2026, 10, 10), date(2027, 2, 10), date(2027, 6, 10)]
    assert dues(entry, date(2026, 10, 10), sent=[1]) == [(2, "support_offer", date(2026, 10, 10))]


def test_family_already_waiting_nine_months_at_programme_start_starts_at_the_programme():
    entry = Entry("R2", "asd", date(2025, 7, 1))
    letters = schedule.scheduled_letters(entry, POLICY)
    assert letters[0].due_on == date(2026, 4, 1)
    assert schedule.weeks_waited(entry, date(2026, 4, 1)) == 39
    # Still waiting at 12 months from referral (1 July 2026): letter 1 went, 2 is next.
    assert [d.sequence for d in schedule.letters_due(entry, POLICY, date(2026, 8, 1))] == [1, 2]


def test_child_seen_between_letters_gets_no_more():
    entry = Entry("R3", "asd", date(2026, 5, 1), first_appointment=date(2026, 7, 20))
    assert [d.sequence for d in schedule.scheduled_letters(entry, POLICY)] == [1]
    assert dues(entry, date(2027, 1, 1), sent=[1]) == []


def test_discharge_stops_the_schedule():
    entry = Entry("R4", "salt", date(2026, 5, 1), discharged_on=date(2026, 9, 15))
    assert [d.sequence for d in schedule.scheduled_letters(entry, POLICY)] == [1, 2]


def test_seen_on_the_day_a_letter_falls_due_needs_no_letter():
    entry = Entry("R5", "asd", date(2026, 5, 1), first_appointment=date(2026, 9, 1))
    assert [d.sequence for d in schedule.scheduled_letters(entry, POLICY)] == [1]


def test_overdue_counts_working_days_and_skips_bank_holidays():
    # Due Thursday 24 December 2026. Christmas Day, Boxing Day (observed Monday 28th) and New
    # Year's Day are bank holidays, so the five working days are 29, 30, 31 December, 4 and 5
    # January: the letter is overdue from Wednesday 6 January.
    letter = schedule.DueLetter(1, "acknowledgement", date(2026, 12, 24))
    assert schedule.working_days_after(date(2026, 12, 24), 5, BANK_HOLIDAYS) == date(2027, 1, 5)
    assert not schedule.is_overdue(letter, date(2027, 1, 5), 5, BANK_HOLIDAYS)
    assert schedule.is_overdue(letter, date(2027, 1, 6), 5, BANK_HOLIDAYS)


def test_months_are_added_to_the_end_of_short_months():
    assert schedule.add_months(date(2026, 10, 31), 4) == date(2027, 2, 28)
    assert schedule.add_months(date(2027, 10, 31), 4) == date(2028, 2, 29)


def test_expected_wait_is_a_range_from_the_recent_pace():
    estimate = schedule.expected_wait(40, [4, 5, 3, 6, 4, 5, 4, 6, 3, 5, 4, 5], date(2026, 11, 22))
    assert (estimate.low_weeks, estimate.high_weeks) == (8, 10)
    assert estimate.worked_out_on == date(2026, 11, 22)


def test_uneven_pace_widens_the_range():
    steady = schedule.expected_wait(40, [4] * 12, date(2026, 11, 22))
    uneven = schedule.expected_wait(40, [0, 8, 1, 7, 0, 8, 2, 6, 0, 9, 1, 6], date(2026, 11, 22))
    assert steady.low_weeks == steady.high_weeks == 10
    assert uneven.high_weeks - uneven.low_weeks > 10


@pytest.mark.parametrize("weekly", [[1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0], [5, 5], [0] * 12])
def test_too_little_history_means_we_cannot_estimate_yet(weekly):
    assert schedule.expected_wait(10, weekly, date(2026, 11, 22)) is None


def test_unknown_letter_type_in_the_policy_is_refused(tmp_path):
    text = schedule.POLICY_FILE.read_text().replace('"update", "twelve_month"]', '"update", "tweleve"]', 1)
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match="unknown type 'tweleve'"):
        schedule.load_policy(path)


def test_weeks_waited_stops_when_seen():
    entry = Entry("R6", "asd", date(2026, 1, 1), first_appointment=date(2026, 1, 1) + timedelta(weeks=10))
    assert schedule.weeks_waited(entry, date(2026, 11, 1)) == 10
