"""How much longer a family may wait, worked out from the list itself, and a replay of its history
to check those estimates against when children were actually seen. Pure: plain values in and out.

The method (said in every letter that gives a range): the family's place in the queue (children
referred before them on the same pathway and still waiting, plus one) over the number of children
who left the queue (seen or discharged) per week recently. The pace is measured over several recent
spans (for example 6, 13 and 26 weeks); the range runs from the fastest to the slowest of them,
widened by a margin for the queue's own unevenness. When the range would be wider than the policy
allows, there is no estimate and the letter says why.
"""

import dataclasses
import math
import statistics
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

WEEKS_PER_MONTH = 365.25 / 12 / 7


@dataclass(frozen=True)
class Rules:
    """The policy's rules for estimates (``[estimate]`` in policy.toml)."""

    windows_weeks: tuple = (6, 13, 26)
    margin: float = 0.15
    slack_weeks: int = 2
    min_departures: int = 10
    max_ratio: float = 2.0
    max_width_months: float = 6.0
    slow_reason: str = ""


@dataclass(frozen=True)
class WaitEstimate:
    """A range of weeks still to wait, and what it was worked out from."""

    low_weeks: int
    high_weeks: int
    worked_out_on: date
    ahead: int
    per_week: float

    @property
    def reliable(self):
        return True

    @property
    def low_months(self):
        return max(0, math.floor(self.low_weeks / WEEKS_PER_MONTH))

    @property
    def high_months(self):
        return max(1, math.ceil(self.high_weeks / WEEKS_PER_MONTH))

    @property
    def width_months(self):
        return (self.high_weeks - self.low_weeks) / WEEKS_PER_MONTH

    def in_words(self):
        """Say the range as a parent would: weeks when it ends within 3 months, else months."""
        if self.high_weeks < 13:
            low, high, unit = self.low_weeks, self.high_weeks, "weeks"
        else:
            low, high, unit = self.low_months, self.high_months, "months"
        return f"about {low} to {high} {unit}" if low else f"up to {high} {unit}"

    def bounds(self):
        """Return the first and last day of the range."""
        return (
            self.worked_out_on + timedelta(weeks=self.low_weeks),
            self.worked_out_on + timedelta(weeks=self.high_weeks),
        )


@dataclass(frozen=True)
class NoEstimate:
    """No reliable estimate today, and why, in words for a letter."""

    reason: str
    worked_out_on: date
    ahead: int | None = None

    @property
    def reliable(self):
        return False


def weekly_departures(stop_days, on, weeks):
    """Return how many children left the queue in each of the ``weeks`` weeks up to ``on``
    (index 0 the most recent), from a sorted list of the days children were seen or discharged."""
    counts = [0] * weeks
    since = on - timedelta(weeks=weeks)
    for day in stop_days[bisect_right(stop_days, since) : bisect_right(stop_days, on)]:
        counts[min(weeks - 1, (on - day).days // 7)] += 1
    return counts


def estimate(ahead, weekly, on, rules):
    """Estimate the weeks still to wait for a child with ``ahead`` children before them in the
    queue, given recent weekly departures (most recent first); or say why it cannot be done."""
    longest = max(rules.windows_weeks)
    if len(weekly) < longest or sum(weekly[:longest]) < rules.min_departures:
        return NoEstimate(
            "we have not yet seen enough children to know how fast the list is moving", on, ahead
        )
    rates = [sum(weekly[:span]) / span for span in rules.windows_weeks]
    fastest, slowest = max(rates), min(rates)
    if slowest <= 0:
        return NoEstimate(
            "no child has left the waiting list for some weeks, so we cannot tell how fast it will move",
            on,
            ahead,
        )
    place = ahead + 1
    low = max(0, math.floor(place / fastest * (1 - rules.margin)) - rules.slack_weeks)
    high = math.ceil(place / slowest * (1 + rules.margin)) + rules.slack_weeks
    found = WaitEstimate(low, high, on, ahead, round(statistics.median(rates), 1))
    too_wide = found.width_months > rules.max_width_months or (
        high > rules.max_ratio * max(low, 1) and found.width_months > 2
    )
    if too_wide:
        return NoEstimate(
            rules.slow_reason
            or "how many children we see each week has changed a "
            "lot recently, so any range we gave you would be too wide to help",
            on,
            ahead,
        )
    return found


def ahead_in_queue(referrals, stops, day):
    """Return, for children in referral order, how many referred before each were still waiting
    on ``day`` (children not waiting that day get None)."""
    result, waiting = [], 0
    for referral, stop in zip(referrals, stops, strict=True):
        here = referral <= day and (stop is None or stop > day)
        result.append(waiting if here else None)
        waiting += here
    return result


class _Stopped:
    """Counts, for a growing set of stopped children, how many come before a given index."""

    def __init__(self, size):
        self.tree = [0] * (size + 1)

    def add(self, index):
        index += 1
        while index < len(self.tree):
            self.tree[index] += 1
            index += index & -index

    def before(self, index):
        total = 0
        while index > 0:
            total += self.tree[index]
            index -= index & -index
        return total


def _stop(wait):
    days = [d for d in (wait.first_appointment, wait.discharged_on) if d]
    return min(days) if days else None


@dataclass
class Judged:
    """Replayed estimates: (seen within the range, width in months) for each child's first
    letter and for every letter, and how many first letters could give no estimate."""

    first: list = dataclasses.field(default_factory=list)
    every: list = dataclasses.field(default_factory=list)
    no_estimate: int = 0

    def add(self, other):
        return Judged(
            self.first + other.first, self.every + other.every, self.no_estimate + other.no_estimate
        )

    def figures(self):
        """Return the backtest's figures: first letters at the top, every letter below."""
        return {
            **_figures(self.first),
            "no_estimate": self.no_estimate,
            "every_letter": _figures(self.every, "letters"),
        }


def backtest(waits, rules, today, letter_days):
    """Replay one queue: for each child, the estimate in each letter it would have had
    (``letter_days(referral, stop)`` gives the days), judged against when it was seen.

    Only estimates whose whole range has passed by ``today`` are judged (so a child still waiting
    is judged too, as outside its range), and children discharged unseen are left out.
    """
    ordered = sorted(waits, key=lambda w: w.referral_date)
    stops = [_stop(w) for w in ordered]
    stop_days = sorted(s for s in stops if s)
    by_stop = sorted((s, i) for i, s in enumerate(stops) if s)
    queries = []
    for index, wait in enumerate(ordered):
        if stops[index] is not None and wait.first_appointment is None:
            continue  # discharged without being seen: no outcome to judge against
        for number, day in enumerate(letter_days(wait.referral_date, stops[index])):
            if day >= today:
                break
            queries.append((day, index, number))
    queries.sort()
    stopped, added, longest = _Stopped(len(ordered)), 0, max(rules.windows_weeks)
    judged, weekly = Judged(), {}  # many letters share a day, and so the pace up to it
    for day, index, number in queries:
        while added < len(by_stop) and by_stop[added][0] <= day:
            stopped.add(by_stop[added][1])
            added += 1
        if day not in weekly:
            weekly[day] = weekly_departures(stop_days, day, longest)
        found = estimate(index - stopped.before(index), weekly[day], day, rules)
        if not found.reliable:
            judged.no_estimate += number == 0
            continue
        low, high = found.bounds()
        seen = ordered[index].first_appointment
        if high >= today and (seen is None or seen > high):
            continue  # not yet known
        outcome = (seen is not None and low <= seen <= high, found.width_months)
        judged.every.append(outcome)
        if number == 0:
            judged.first.append(outcome)
    return judged


def _figures(judged, unit="families"):
    if not judged:
        return {unit: 0, "within_range": 0, "within_range_percent": None, "median_width_months": None}
    within = sum(1 for hit, _ in judged if hit)
    return {
        unit: len(judged),
        "within_range": within,
        "within_range_percent": round(100 * within / len(judged), 1),
        "median_width_months": round(statistics.median(w for _, w in judged), 1),
    }
