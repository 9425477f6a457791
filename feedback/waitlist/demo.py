"""An invented waiting list for the demo: made-up names and addresses, test-range NHS numbers."""

import random
from datetime import date, timedelta

from feedback.waitlist import extract, queue, schedule

FIRST_NAMES = [
    "Ava",
    "Noah",
    "Isla",
    "Leo",
    "Maya",
    "Oscar",
    "Ruby",
    "Theo",
    "Ella",
    "Finn",
    "Poppy",
    "Arlo",
    "Zara",
    "Milo",
    "Ivy",
    "Reuben",
    "Lila",
    "Ezra",
    "Nell",
    "Kit",
]
SURNAMES = [
    "Ashdown",
    "Brightwell",
    "Cobbold",
    "Dunmore",
    "Eastwood",
    "Fairlie",
    "Greenhalgh",
    "Hollins",
    "Ingleby",
    "Jessop",
    "Kershaw",
    "Lumb",
    "Mossop",
    "Nuttall",
    "Ormerod",
    "Pilling",
    "Quayle",
    "Rushton",
    "Sowerby",
    "Tattersall",
]
STREETS = ["Mill Lane", "Church Street", "Moor Road", "Canal Side", "Orchard Close", "Brook Way"]
TOWNS = {
    "preston": ("Preston", "PR1"),
    "burnley": ("Burnley", "BB11"),
    "lancaster": ("Lancaster", "LA1"),
    "chorley": ("Chorley", "PR7"),
    "pendle": ("Nelson", "BB9"),
    "wyre": ("Fleetwood", "FY7"),
}


def sample_nhs_number(rng):
    """Return a valid NHS number in the 999 range, which is set aside for testing."""
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def rows(rng, today, count=None, weeks=130, capacity=(9, 14)):
    """Return extract rows for an invented list: a queue with ``weeks`` of history (about 12
    referrals and 9 to 14 first appointments a week, a backlog already waiting), or about
    ``count`` families at the same pace."""
    scale = 1.0 if count is None else count / (weeks * 12 + 550)
    waits = queue.simulate(
        rng, today, weeks, 12 * scale, tuple(round(c * scale) for c in capacity), backlog=round(550 * scale)
    )
    return [_row(rng, index, wait, today) for index, wait in enumerate(waits[:count] if count else waits)]


def _row(rng, index, wait, today):
    referral = wait.referral_date
    district = rng.choice(list(TOWNS))
    town, outward = TOWNS[district]
    surname = rng.choice(SURNAMES)
    offered = referral + timedelta(days=rng.randrange(1, 150))
    offered = offered if offered < (wait.first_appointment or date.max) and rng.random() < 0.8 else None
    # Most families offered support take it up within a few weeks (a separate stream of random
    # numbers, so the rest of the invented list is the same as before).
    taken_up = None
    if offered is not None and random.Random(index).random() < 0.75:
        taken_up = offered + timedelta(days=random.Random(-index - 1).randrange(7, 42))
        taken_up = taken_up if taken_up <= today else None
    postcode = f"{outward} {rng.randrange(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"
    return extract.Row(
        line=index + 2,
        reference=f"ND{100000 + index}",
        pathway="asd",
        district=district,
        referral_date=referral,
        first_appointment=wait.first_appointment,
        discharged_on=wait.discharged_on,
        support_offered_on=offered,
        support_taken_up_on=taken_up,
        personal={
            "child_name": f"{rng.choice(FIRST_NAMES)} {surname}",
            "date_of_birth": (referral - timedelta(days=rng.randrange(900, 5000))).isoformat(),
            "nhs_number": sample_nhs_number(rng),
            "parent_name": f"Sam {surname}",
            "address_line_1": f"{rng.randrange(1, 120)} {rng.choice(STREETS)}",
            "address_line_2": "",
            "town": town,
            "postcode": postcode,
        },
    )


def sent_history(rng, entries, policy, today):
    """Return (reference, DueLetter, sent_on) for letters the team has already sent: most on
    time, a few late and a few not at all (so the demo shows late and overdue letters)."""
    history = []
    for entry in entries:
        sent = []
        for letter in schedule.scheduled_letters(entry, policy):
            stop = schedule.stopped_on(entry)
            sent_on = letter.due_on + timedelta(days=rng.randrange(0, 6))
            if (today - letter.due_on).days <= 10 or (stop and stop <= sent_on) or rng.random() > 0.93:
                continue
            sent.append(letter.sequence)
            history.append((entry.reference, letter, sent_on))
    return history
