"""The demo's run of the whole sending loop on a local fake of GOV.UK Notify, with no internet:
invented appointments in, invitations out, delivery statuses back.

Numbers are from the range Ofcom keeps for drama (07700 900000 to 900999), addresses at
example.org. The fake runs only while the demo does; `feedback serve` does not send.
"""

import random
from datetime import timedelta

from flask import current_app

from feedback import clock
from feedback.notify_fake import API_KEY, FakeNotify
from surveys import contact, intake, notify_client, sending
from surveys.throttle import Throttle

SERVICES = ("camhs", "salt", "physiotherapy", "occupational-therapy", "break-time", "learning-disability")
DISTRICTS = ("preston", "burnley", "lancaster", "chorley", "pendle", "wyre")


def appointments(rng, now, count=30):
    """Return invented appointment records from the last few hours (a few in Polish or Urdu, some
    young people, some by email)."""
    records = []
    for n in range(count):
        at = now - timedelta(hours=2, minutes=rng.randrange(0, 8 * 60))
        record = {
            "appointment_id": f"DEMO-{now:%Y%m%d}-{n}",
            "service": rng.choice(SERVICES),
            "district": rng.choice(DISTRICTS),
            "appointment_at": at.isoformat(timespec="minutes"),
            "respondent": "young_person" if n % 7 == 3 else "parent_carer",
            "language": {5: "pl", 11: "ur"}.get(n, ""),
        }
        if n % 6 == 1:
            record["email"] = f"parent{n}@example.org"
        else:
            record["mobile"] = f"07700900{rng.randrange(0, 1000):03d}"
        records.append(record)
    return records


def run_loop(seed, echo):
    """Send the invented day's invitations through the fake Notify; echo what happened."""
    rng, now = random.Random(seed), clock.now()
    keys = contact.configured_keys()
    rows, _ = intake.check(appointments(rng, now), intake.known(), now)
    counts = intake.save(rows, keys, now)
    with FakeNotify() as fake:
        for (channel, _language, _kind), template in intake.policy().templates.items():
            fake.templates[template.id] = (channel, template.text, template.subject)
        config = {"NOTIFY_API_KEY": API_KEY, "NOTIFY_BASE_URL": fake.url}
        apis = [notify_client.client(config) for _ in range(sending.SENDERS)]
        settings = sending.Settings(
            intake.policy(), keys, current_app.config["BASE_URL"], current_app.config["INVITATION_DAYS"], now
        )
        run = sending.run(apis, settings, Throttle(0))
        statuses = list(fake.messages)
        for index, notify_id in enumerate(statuses):
            fake.statuses[notify_id] = "permanent-failure" if index == len(statuses) - 1 else "delivered"
        seen = sending.check_statuses(apis[0], Throttle(0), now)
        example = next((m["body"] for m in fake.messages.values() if m["type"] == "sms"), "")
    echo(
        f"Sent {run.counts['invitation sent']} survey invitations for {counts['added']} invented "
        f"appointments to a local fake of GOV.UK Notify (nothing left this machine): "
        f"{seen.get('delivered', 0)} delivered, {seen.get('permanent-failure', 0)} failed."
    )
    if example:
        echo(f"One of the texts: {example}")
