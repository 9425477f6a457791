"""The demo's run of letters through a local fake of GOV.UK Notify's precompiled-letter API, with
no internet: a few of the day's due letters sent, their statuses read back, one failing Notify's
checks so that the ASD team's pages show it as due again. The fake runs only while the demo does.
"""

from feedback.db import reading
from feedback.notify_fake import API_KEY, FakeNotify
from feedback.waitlist import notify, sending, tracker


def send_some(on, fernet, count=6):
    """Send ``count`` families' due letters through the fake and read back what became of them;
    return a sentence saying so (or why nothing was sent)."""
    with reading() as session:
        references = [f.row.reference for f in tracker.due_families(session, on)][:count]
    if not references:
        return "No letters were due today, so none went through the local fake of GOV.UK Notify."
    sent, problems = 0, []
    with FakeNotify() as fake:
        api = notify.client({"NOTIFY_API_KEY": API_KEY, "NOTIFY_BASE_URL": fake.url})
        for reference in references:
            done, refused = sending.send_due(api, on, "demo (GOV.UK Notify)", fernet, reference)
            sent, problems = sent + done, problems + refused
        ids = list(fake.letters)
        for index, notify_id in enumerate(ids):
            fake.statuses[notify_id] = "validation-failed" if index == len(ids) - 1 else "received"
        seen = sending.check_statuses(api)
    failed = sum(n for status, n in seen.items() if status in notify.FAILED)
    return (
        f"Sent {sent} of today's due letters through a local fake of GOV.UK Notify (nothing left "
        f"this machine): {seen.get('received', 0)} received by the printer, {failed} failed "
        f"Notify's checks and shows as due again{f'; {len(problems)} refused' if problems else ''}."
    )
