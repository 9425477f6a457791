"""An invented assessment queue, week by week: who was referred, seen or discharged when. Pure.

The demo list and the tests build their waiting lists here, so that they behave like a real
queue (children seen mostly in the order they were referred, a few urgent ones sooner, a few
discharged unseen) rather than like random dates.
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Wait:
    """One invented child's wait (no personal data)."""

    referral_date: date
    first_appointment: date | None
    discharged_on: date | None


def _poisson(rng, mean):
    # Knuth's method is fine for the small weekly means used here.
    limit, count, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def simulate(
    rng,
    today,
    weeks=130,
    referrals_per_week=12.0,
    capacity=(9, 14),
    backlog=550,
    urgent_share=0.04,
    weekly_discharge=0.002,
):
    """Return a list of Wait for ``weeks`` of history ending ``today``.

    ``capacity`` is (fewest, most) first appointments a week, or a function of the week's index
    giving that pair, so a test can change the pace part way. ``backlog`` children were already
    waiting when the history starts, referred over the year before.
    """
    start = today - timedelta(weeks=weeks)
    queue = [start - timedelta(days=rng.randrange(1, 365)) for _ in range(backlog)]
    queue.sort()
    waits, urgent = [], []
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        for _ in range(_poisson(rng, referrals_per_week)):
            referred = monday + timedelta(days=rng.randrange(7))
            if rng.random() < urgent_share:
                urgent.append((referred, referred + timedelta(days=rng.randrange(14, 60))))
            else:
                queue.append(referred)
        fewest, most = capacity(week) if callable(capacity) else capacity
        slots = rng.randint(fewest, most)
        due_urgent = [u for u in urgent if u[1] < monday + timedelta(days=7)]
        for referred, seen in due_urgent:
            urgent.remove((referred, seen))
            waits.append(Wait(referred, seen, None))
            slots -= 1
        queue.sort()
        queue = _discharge(rng, queue, waits, monday, weekly_discharge)
        for _ in range(max(0, slots)):
            if not queue:
                break
            # Mostly the longest waiting; now and then someone a little further down the list.
            index = min(len(queue) - 1, int(rng.expovariate(1 / 3)))
            referred = queue.pop(index)
            seen = max(monday + timedelta(days=rng.randrange(5)), referred + timedelta(days=1))
            waits.append(Wait(referred, seen if seen < today else None, None))
    waits.extend(Wait(referred, None, None) for referred in queue)
    waits.extend(Wait(referred, seen if seen < today else None, None) for referred, seen in urgent)
    return sorted(waits, key=lambda w: w.referral_date)


def _discharge(rng, queue, waits, monday, weekly_share):
    kept = []
    for referred in queue:
        if referred < monday and rng.random() < weekly_share:
            waits.append(Wait(referred, None, monday + timedelta(days=rng.randrange(7))))
        else:
            kept.append(referred)
    return kept
