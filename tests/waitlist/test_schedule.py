"""Letter schedules, overdue letters and the expected wait: pure functions."""

from datetime import date, timedelta

import pytest

from feedback.waitlist import schedule
from feedback.waitlist.schedule import Entry

POLICY = schedule.load_policy()  # programme start 1 April 2026, letters four months apart
BANK_HOLIDAYS = schedule.england_bank_holidays(range(2025, 2028))


def dues(entry, on, sent=()):
    return [(d.sequence, d.letter_type, d.due_on) for d in schedule.letters_due(entry, POLICY, on, sent)]


def test_new_referral_gets_letter_one_at_referral_then_every_four_months():
    entry = Entry("R1", "asd", date(2026, 6, 10))
    assert dues(entry, date(2026, 6, 10)) == [(1, "acknowledgement", date(2026, 6, 10))]
    assert [d.due_on for d in schedule.scheduled_letters(entry, POLICY)][:4] == [
        date(2026, 6, 10),
        date(2026, 10, 10),
        date(2027, 2, 10),
        date(2027, 6, 10),
    ]
    assert dues(entry, date(2026, 10, 10), sent=[1]) == [(2, "support_offer", date(2026, 10, 10))]


def test_family_already_waiting_nine_months_at_programme_start_starts_at_the_programme():
    entry = Entry("R2", "asd", date(2025, 7, 1))
    letters = schedule.scheduled_letters(entry, POLICY)
    assert letters[0].due_on == date(2026, 4, 1)
    assert schedule.weeks_waited(entry, date(2026, 4, 1)) == 39
    # Still waiting at 12 months from referral (1 July 2026): letter 1 went, 2 is next.
    assert [d.sequence for d in schedule.letters_due(entry, POLICY, date(2026, 8, 1))] == [1, 2]


@pytest.mark.parametrize(
    ("referral", "first_letters"),
    [
        (date(2026, 6, 10), ["acknowledgement", "support_offer", "update", "twelve_month", "update"]),
        (date(2025, 7, 1), ["already_waiting", "support_offer", "update", "twelve_month", "update"]),
        (date(2025, 2, 1), ["long_wait", "support_offer", "update", "update"]),
    ],
)
def test_the_letters_fit_how_long_the_family_had_waited_when_the_programme_started(referral, first_letters):
    # New referral; waiting 9 months at the start; waiting 14 months at the start.
    letters = schedule.scheduled_letters(Entry("R", "asd", referral), POLICY)
    assert [d.letter_type for d in letters[: len(first_letters)]] == first_letters


def test_a_family_still_waiting_after_the_listed_letters_goes_on_getting_updates():
    letters = schedule.scheduled_letters(Entry("R", "asd", date(2026, 5, 1)), POLICY)
    assert letters[4] == schedule.DueLetter(5, "update", date(2027, 9, 1))
    assert len(letters) == 4 + POLICY.repeat_limit


@pytest.mark.parametrize(
    "stopped", [{"first_appointment": date(2026, 9, 20)}, {"discharged_on": date(2026, 9, 20)}]
)
def test_a_letter_that_fell_due_before_the_child_was_seen_or_discharged_is_never_due_after(stopped):
    entry = Entry("R", "asd", date(2026, 5, 1), **stopped)
    assert [d.sequence for d in schedule.letters_due(entry, POLICY, date(2026, 9, 19))] == [1, 2]
    assert schedule.letters_due(entry, POLICY, date(2026, 9, 20)) == []
    assert schedule.letters_due(entry, POLICY, date(2027, 3, 1)) == []


def test_a_late_letter_replaces_those_due_before_it_and_a_first_letter_stays_a_first_letter():
    entry = Entry("R", "asd", date(2026, 5, 1))
    due = schedule.letters_due(entry, POLICY, date(2026, 11, 1))
    assert [d.sequence for d in due] == [1, 2]
    assert schedule.letter_to_send(due, [], "acknowledgement") == schedule.DueLetter(
        2, "acknowledgement", date(2026, 9, 1)
    )
    assert schedule.letter_to_send(due[1:], [1], "acknowledgement") == due[1]
    assert schedule.letter_to_send([], [1, 2], "acknowledgement") is None


@pytest.mark.parametrize(
    ("referral", "on", "words"),
    [
        (date(2025, 11, 1), date(2026, 12, 1), "1 year and 1 month"),
        (date(2024, 12, 1), date(2026, 12, 1), "2 years"),
        (date(2026, 4, 30), date(2026, 12, 1), "7 months"),
        (date(2026, 4, 30), date(2026, 11, 29), "6 months"),
        (date(2026, 9, 30), date(2026, 12, 1), "8 weeks"),
        (date(2026, 11, 24), date(2026, 12, 1), "1 week"),
        (date(2026, 11, 30), date(2026, 12, 1), "less than a week"),
    ],
)
def test_waits_are_said_in_months_and_years_and_in_weeks_under_three_months(referral, on, words):
    assert schedule.wait_in_words(referral, on) == words


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


def test_unknown_letter_type_in_the_policy_is_refused(tmp_path):
    text = schedule.POLICY_FILE.read_text().replace('"update", "twelve_month"]', '"update", "tweleve"]', 1)
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match="unknown type 'tweleve'"):
        schedule.load_policy(path)


def test_weeks_waited_stops_when_seen():
    entry = Entry("R6", "asd", date(2026, 1, 1), first_appointment=date(2026, 1, 1) + timedelta(weeks=10))
    assert schedule.weeks_waited(entry, date(2026, 11, 1)) == 10
