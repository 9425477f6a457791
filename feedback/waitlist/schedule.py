"""Letter schedules, overdue letters and the expected wait. Pure: plain values in and out."""

import functools
import statistics
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import holidays

POLICY_FILE = Path(__file__).parent / "policy.toml"


@dataclass(frozen=True)
class Pathway:
    slug: str
    name: str
    interval_months: int
    letters: tuple[str, ...]
    standard_weeks: int


@dataclass(frozen=True)
class Policy:
    programme_start: date
    overdue_working_days: int
    history_weeks: int
    pathways: dict
    letter_titles: dict
    contact: dict


def load_policy(path=POLICY_FILE):
    """Read and check the letter policy file."""
    with Path(path).open("rb") as f:
        data = tomllib.load(f)
    titles = data["letter_types"]
    pathways = {}
    for slug, raw in data["pathways"].items():
        unknown = [t for t in raw["letters"] if t not in titles]
        if unknown:
            raise ValueError(f"{Path(path).name}: pathways.{slug}.letters: unknown type {unknown[0]!r}")
        pathways[slug] = Pathway(slug, raw["name"], int(raw["interval_months"]),
                                 tuple(raw["letters"]), int(raw.get("standard_weeks", 18)))
    return Policy(data["programme_start"], int(data["overdue_working_days"]),
                  int(data.get("expected_wait_weeks_of_history", 12)), pathways, titles,
                  data.get("contact", {}))


@dataclass(frozen=True, slots=True)
class Entry:
    """What the schedule needs to know about a family on the list (no personal data)."""

    reference: str
    pathway: str
    referral_date: date
    first_appointment: date | None = None
    discharged_on: date | None = None


@dataclass(frozen=True, slots=True)
class DueLetter:
    sequence: int  # 1 for the first letter
    letter_type: str
    due_on: date


@functools.lru_cache(maxsize=65536)  # the same referral dates and intervals recur across families
def add_months(day, months):
    """Return the same day ``months`` later (the last day of the month if it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def schedule_start(entry, policy):
    """Return when letters start: the referral, or the programme start if already waiting."""
    return max(entry.referral_date, policy.programme_start)


def stopped_on(entry):
    """Return the day the child stopped waiting (seen or discharged), or None."""
    days = [d for d in (entry.first_appointment, entry.discharged_on) if d]
    return min(days) if days else None


def scheduled_letters(entry, policy):
    """Return every letter in the entry's schedule while the child is still waiting."""
    pathway = policy.pathways[entry.pathway]
    return list(_letters(tuple(pathway.letters), pathway.interval_months, schedule_start(entry, policy),
                         stopped_on(entry)))


@functools.lru_cache(maxsize=65536)  # families referred on the same day share a schedule
def _letters(letter_types, interval_months, start, stop):
    letters = []
    for index, letter_type in enumerate(letter_types):
        due = add_months(start, index * interval_months)
        if stop is not None and stop <= due:
            break
        letters.append(DueLetter(index + 1, letter_type, due))
    return tuple(letters)


def letters_due(entry, policy, on, sent_sequences=(), scheduled=None):
    """Return the letters due by ``on`` that have not been sent (``scheduled``: the entry's
    scheduled letters, if already worked out)."""
    sent = set(sent_sequences)
    due = []
    for letter in scheduled_letters(entry, policy) if scheduled is None else scheduled:
        if letter.due_on > on:
            break  # the schedule is in date order
        if letter.sequence not in sent:
            due.append(letter)
    return due


def next_letter(entry, policy, on, sent_sequences=(), scheduled=None):
    """Return the next letter not yet sent that falls due after ``on``, or None."""
    sent = set(sent_sequences)
    upcoming = [letter for letter in (scheduled_letters(entry, policy) if scheduled is None else scheduled)
                if letter.due_on > on and letter.sequence not in sent]
    return upcoming[0] if upcoming else None


@functools.lru_cache(maxsize=16384)  # many letters share a due date; the holiday set is frozen
def working_days_after(day, count, bank_holidays):
    """Return the date ``count`` working days after ``day`` (weekends and bank holidays skipped)."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in bank_holidays:
            count -= 1
    return current


def england_bank_holidays(years):
    """Return the bank holidays of England and Wales for the given years, as a set of dates."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=years).keys())


def is_overdue(letter, on, working_days, bank_holidays):
    """Return whether a due letter is more than ``working_days`` working days late on ``on``."""
    return on > working_days_after(letter.due_on, working_days, bank_holidays)


@dataclass(frozen=True)
class WaitEstimate:
    low_weeks: int
    high_weeks: int
    worked_out_on: date


def expected_wait(position, weekly_first_appointments, on, min_weeks=6, min_seen=5):
    """Estimate how many more weeks a family waits, from the list's own recent pace.

    ``position`` is how many are ahead of them plus one; ``weekly_first_appointments`` the
    first appointments given in each recent week. The range uses the slower and faster
    quarters of recent weeks, so it widens when the pace is uneven. Returns None ("we cannot
    estimate yet") with too little history or no appointments at all.
    """
    weeks = list(weekly_first_appointments)
    if len(weeks) < min_weeks or sum(weeks) < min_seen:
        return None
    quartiles = statistics.quantiles(weeks, n=4, method="inclusive")
    slow, fast = max(quartiles[0], 0.25), max(quartiles[2], 0.25)
    return WaitEstimate(max(1, round(position / fast)), max(1, round(position / slow)), on)


def weeks_waited(entry, on):
    """Return whole weeks from referral to ``on`` (or to the day the wait ended)."""
    end = stopped_on(entry) or on
    return max(0, (min(end, on) - entry.referral_date).days // 7)
