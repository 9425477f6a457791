"""An invented waiting list for the demo: made-up names and addresses, test-range NHS numbers."""

from datetime import timedelta

from feedback.waitlist import extract, schedule

FIRST_NAMES = ["Ava", "Noah", "Isla", "Leo", "Maya", "Oscar", "Ruby", "Theo", "Ella", "Finn",
               "Poppy", "Arlo", "Zara", "Milo", "Ivy", "Reuben", "Lila", "Ezra", "Nell", "Kit"]
SURNAMES = ["Ashdown", "Brightwell", "Cobbold", "Dunmore", "Eastwood", "Fairlie", "Greenhalgh",
            "Hollins", "Ingleby", "Jessop", "Kershaw", "Lumb", "Mossop", "Nuttall", "Ormerod",
            "Pilling", "Quayle", "Rushton", "Sowerby", "Tattersall"]
STREETS = ["Mill Lane", "Church Street", "Moor Road", "Canal Side", "Orchard Close", "Brook Way"]
TOWNS = {"preston": ("Preston", "PR1"), "burnley": ("Burnley", "BB11"), "lancaster": ("Lancaster", "LA1"),
         "chorley": ("Chorley", "PR7"), "pendle": ("Nelson", "BB9"), "wyre": ("Fleetwood", "FY7")}


def sample_nhs_number(rng):
    """Return a valid NHS number in the 999 range, which is set aside for testing."""
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def rows(rng, today, count=300):
    """Return extract rows for an invented list: referrals over two years, some seen."""
    result = []
    for index in range(count):
        referral = today - timedelta(days=rng.randrange(3, 730))
        district = rng.choice(list(TOWNS))
        town, outward = TOWNS[district]
        surname = rng.choice(SURNAMES)
        seen = referral + timedelta(days=rng.randrange(60, 500))
        first_appointment = seen if seen < today and rng.random() < 0.55 else None
        offered = referral + timedelta(days=rng.randrange(1, 150))
        offered = offered if offered < today and rng.random() < 0.8 else None
        postcode = f"{outward} {rng.randrange(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"
        result.append(extract.Row(
            line=index + 2, reference=f"ND{100000 + index}", pathway=rng.choice(["asd", "asd", "nd", "salt"]),
            district=district, referral_date=referral, first_appointment=first_appointment,
            discharged_on=None, support_offered_on=offered,
            support_taken_up_on=None,
            personal={"child_name": f"{rng.choice(FIRST_NAMES)} {surname}",
                      "date_of_birth": (referral - timedelta(days=rng.randrange(900, 5000))).isoformat(),
                      "nhs_number": sample_nhs_number(rng), "parent_name": f"Sam {surname}",
                      "address_line_1": f"{rng.randrange(1, 120)} {rng.choice(STREETS)}",
                      "address_line_2": "", "town": town,
                      "postcode": postcode},
        ))
    return result


def sent_history(rng, entries, policy, today):
    """Return (reference, DueLetter, sent_on) for letters the team has already sent: most, not all."""
    history = []
    for entry in entries:
        for letter in schedule.letters_due(entry, policy, today):
            if (today - letter.due_on).days > 10 and rng.random() < 0.93:
                history.append((entry.reference, letter, letter.due_on + timedelta(days=rng.randrange(0, 6))))
    return history
