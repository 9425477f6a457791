"""Letter schedules, overdue letters and the expected wait. Pure: plain values in and out."""

import dataclasses
import functools
import hashlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import holidays

from feedback.waitlist import estimate

POLICY_FILE = Path(__file__).parent / "policy.toml"


@dataclass(frozen=True)
class Pathway:
    slug: str
    name: str
    interval_months: int
    letters: tuple[str, ...]
    then: str | None = None  # the letter sent every interval after the listed ones
    catch_up: tuple = ()  # ((months already waited at the first letter, letters), ...), longest first


@dataclass(frozen=True)
class Policy:
    programme_start: date
    overdue_working_days: int
    history_weeks: int
    pathways: dict
    letter_titles: dict
    contact: dict
    estimate_rules: estimate.Rules = dataclasses.field(default_factory=estimate.Rules)
    repeat_limit: int = 12  # how many `then` letters a schedule holds at most
    # Schedules worked out under this policy, by (pathway, referral date, day the wait stopped):
    # families referred on the same day share one.
    _schedules: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    @functools.cached_property
    def fingerprint(self) -> str:
        """Return a short digest of what decides the letters' days and kinds: a stored "next
        letter due" worked out under another policy is out of date."""
        decides = (self.programme_start, self.repeat_limit, sorted(self.pathways.items()))
        return hashlib.sha256(repr(decides).encode()).hexdigest()[:16]


def _check_types(path, where, types, titles):
    unknown = [t for t in types if t not in titles]
    if unknown:
        raise ValueError(f"{Path(path).name}: {where}: unknown type {unknown[0]!r}")


def _pathway(path, slug, raw, titles):
    _check_types(path, f"pathways.{slug}.letters", raw["letters"], titles)
    catch_up = []
    for number, rule in enumerate(raw.get("catch_up", [])):
        _check_types(path, f"pathways.{slug}.catch_up[{number}].letters", rule["letters"], titles)
        catch_up.append((int(rule["waited_months"]), tuple(rule["letters"])))
    then = raw.get("then")
    if then is not None:
        _check_types(path, f"pathways.{slug}.then", [then], titles)
    return Pathway(
        slug,
        raw["name"],
        int(raw["interval_months"]),
        tuple(raw["letters"]),
        then,
        tuple(sorted(catch_up, key=lambda rule: -rule[0])),
    )


def load_policy(path: str | Path = POLICY_FILE) -> Policy:
    """Read and check the letter policy file."""
    with Path(path).open("rb") as f:
        data = tomllib.load(f)
    titles = data["letter_types"]
    pathways = {slug: _pathway(path, slug, raw, titles) for slug, raw in data["pathways"].items()}
    rules = data.get("estimate", {})
    known = {field.name for field in dataclasses.fields(estimate.Rules)}
    if set(rules) - known:
        raise ValueError(f"{Path(path).name}: estimate: unknown setting {sorted(set(rules) - known)[0]!r}")
    if "windows_weeks" in rules:
        rules = {**rules, "windows_weeks": tuple(rules["windows_weeks"])}
    return Policy(
        data["programme_start"],
        int(data["overdue_working_days"]),
        int(data.get("expected_wait_weeks_of_history", 12)),
        pathways,
        titles,
        data.get("contact", {}),
        estimate.Rules(**rules),
    )


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
def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (the last day of the month if it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def schedule_start(entry: Entry, policy: Policy) -> date:
    """Return when letters start: the referral, or the programme start if already waiting."""
    return max(entry.referral_date, policy.programme_start)


def stopped_on(entry: Entry) -> date | None:
    """Return the day the child stopped waiting (seen or discharged), or None."""
    seen, discharged = entry.first_appointment, entry.discharged_on
    if seen is None or discharged is None:
        return seen or discharged
    return min(seen, discharged)


def months_waited(referral: date, on: date) -> int:
    """Return whole calendar months from ``referral`` to ``on``."""
    months = (on.year - referral.year) * 12 + on.month - referral.month
    return months - (on.day < referral.day and add_months(referral, months) > on)


def letter_types(entry: Entry, policy: Policy) -> tuple[str, ...]:
    """Return the letters a family gets, in order: the pathway's own for a new referral, or the
    first catch-up rule the family has reached if already waiting when the programme starts."""
    pathway = policy.pathways[entry.pathway]
    start = schedule_start(entry, policy)
    if start > entry.referral_date:
        waited = months_waited(entry.referral_date, start)
        for at_least, letters in pathway.catch_up:
            if waited >= at_least:
                return letters
    return pathway.letters


def scheduled_letters(entry: Entry, policy: Policy) -> tuple[DueLetter, ...]:
    """Return every letter in the entry's schedule while the child is still waiting, in order
    (letter n at position n - 1; a tuple shared by families referred on the same day)."""
    return _schedule(entry, policy)


def _schedule(entry, policy):
    """Return the entry's schedule as a tuple, shared by families referred on the same day."""
    stop = stopped_on(entry)
    key = (entry.pathway, entry.referral_date, stop)
    found = policy._schedules.get(key)
    if found is None:
        pathway = policy.pathways[entry.pathway]
        types = letter_types(entry, policy)
        if pathway.then:
            types = types + (pathway.then,) * policy.repeat_limit
        found = _letters(types, pathway.interval_months, schedule_start(entry, policy), stop)
        if len(policy._schedules) >= 200_000:
            policy._schedules.clear()
        policy._schedules[key] = found
    return found


@functools.lru_cache(maxsize=65536)  # families referred on the same day share a schedule
def _letters(letter_types, interval_months, start, stop):
    letters = []
    for index, letter_type in enumerate(letter_types):
        due = add_months(start, index * interval_months)
        if stop is not None and stop <= due:
            break
        letters.append(DueLetter(index + 1, letter_type, due))
    return tuple(letters)


def letter_days(start: date, interval_months: int, stop: date | None, count: int = 40) -> list[date]:
    """Return the days letters fall due from ``start`` every ``interval_months`` until ``stop``."""
    return [letter.due_on for letter in _letters((None,) * count, interval_months, start, stop)]


def letters_due(
    entry: Entry,
    policy: Policy,
    on: date,
    sent_sequences: Iterable[int] = (),
    scheduled: Iterable[DueLetter] | None = None,
) -> list[DueLetter]:
    """Return the letters due by ``on`` that have not been sent, and none at all once the child
    has been seen or discharged (whatever fell due before). ``scheduled``: the entry's scheduled
    letters, if already worked out."""
    stop = stopped_on(entry)
    if stop is not None and stop <= on:
        return []
    sent = set(sent_sequences)
    due = []
    for letter in _schedule(entry, policy) if scheduled is None else scheduled:
        if letter.due_on > on:
            break  # the schedule is in date order
        if letter.sequence not in sent:
            due.append(letter)
    return due


def letter_to_send(
    due: list[DueLetter], sent_sequences: Iterable[int], first_type: str | None
) -> DueLetter | None:
    """Return the one letter to send now, from the letters due: the latest (a late letter
    replaces those due before it, so a family never gets a pile of letters at once). A family
    never written to gets its first kind of letter (``first_type``), whatever number it is."""
    sent_sequences = list(sent_sequences)
    later = [d for d in due if d.sequence > max(sent_sequences, default=0)]
    if not later:
        return None
    latest = later[-1]
    if not sent_sequences and latest.letter_type != first_type:
        return DueLetter(latest.sequence, first_type, latest.due_on)
    return latest


def next_letter(
    entry: Entry,
    policy: Policy,
    on: date,
    sent_sequences: Iterable[int] = (),
    scheduled: Iterable[DueLetter] | None = None,
) -> DueLetter | None:
    """Return the next letter not yet sent that falls due after ``on``, or None."""
    sent = set(sent_sequences)
    for letter in _schedule(entry, policy) if scheduled is None else scheduled:
        if letter.due_on > on and letter.sequence not in sent:
            return letter
    return None


def next_letter_due(entry: Entry, policy: Policy, sent_sequences: Iterable[int] = ()) -> date | None:
    """Return the day the first letter after the last one sent falls due, whatever the day
    today (None: no letter left, the schedule having run out or the child stopped waiting).

    A family has a letter to send on a day exactly when this day has come and the child was
    not seen or discharged by then: what the list stores to find the letters due by a query.
    """
    last = max(sent_sequences, default=0)
    for letter in _schedule(entry, policy):
        if letter.sequence > last:
            return letter.due_on
    return None


@functools.lru_cache(maxsize=16384)  # many letters share a due date; the holiday set is frozen
def working_days_after(day: date, count: int, bank_holidays: frozenset[date]) -> date:
    """Return the date ``count`` working days after ``day`` (weekends and bank holidays skipped)."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in bank_holidays:
            count -= 1
    return current


def england_bank_holidays(years: Iterable[int]) -> frozenset[date]:
    """Return the bank holidays of England and Wales for the given years, as a set of dates."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=years).keys())


def is_overdue(letter: DueLetter, on: date, working_days: int, bank_holidays: frozenset[date]) -> bool:
    """Return whether a due letter is more than ``working_days`` working days late on ``on``."""
    return on > working_days_after(letter.due_on, working_days, bank_holidays)


def weeks_waited(entry: Entry, on: date) -> int:
    """Return whole weeks from referral to ``on`` (or to the day the wait ended)."""
    end = stopped_on(entry) or on
    return max(0, (min(end, on) - entry.referral_date).days // 7)


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


def wait_in_words(referral: date, on: date) -> str:
    """Say how long from ``referral`` to ``on`` as a parent would: "1 year and 1 month",
    "7 months", or weeks under 3 months."""
    months = months_waited(referral, on)
    if months < 3:
        weeks = (on - referral).days // 7
        return _plural(weeks, "week") if weeks else "less than a week"
    years, months = divmod(months, 12)
    parts = [_plural(years, "year")] * bool(years) + [_plural(months, "month")] * bool(months)
    return " and ".join(parts)


def weeks_in_words(weeks: int) -> str:
    """Say a number of weeks as months (weeks under 3 months), for estimates."""
    months = weeks / estimate.WEEKS_PER_MONTH
    if months < 3:
        return _plural(weeks, "week")
    return _plural(round(months), "month")
