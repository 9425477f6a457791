"""The whole loop on the fake GOV.UK Notify: appointments in, invitations out by text message,
delivery receipts back, answers, the response rate, reminders, and nothing personal left."""

import re
from datetime import date

from sqlmodel import select

from analysis import jobs as analysis_jobs
from feedback.db import reading
from feedback.models import KpiSnapshot
from tests.conftest import everything_stored, form_fields
from tests.feedback.test_cli import run
from tests.surveys.conftest import appointment, mobile, write_csv

LINK = re.compile(r"http://invalid\.test(/i/[A-Za-z0-9_-]{24})")


def links_in(messages):
    return [LINK.search(m["body"]).group(1) for m in messages]


def answer(client, path):
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={**form_fields(page), "overall": "good", "review_on_time": "yes"})


def response_rate(month):
    analysis_jobs.rebuild([month])
    with reading() as session:
        row = session.exec(
            select(KpiSnapshot).where(
                KpiSnapshot.ref == "CIP 1.1", KpiSnapshot.month == month, KpiSnapshot.scope_type == "all"
            )
        ).one()
    return row.numerator, row.denominator


def plaintext_contacts(app, count):
    stored = everything_stored(app)
    return [n for i in range(count) for n in (mobile(i), "44" + mobile(i)[1:]) if n.encode() in stored]


def test_fifty_appointments_get_one_invitation_each_and_the_forty_unanswered_one_reminder(
    app, client, monday, notify, served, tmp_path
):
    records = [appointment(i, service="ehc-assessment") for i in range(50)]
    imported = run(app, "appointments", "import", str(write_csv(tmp_path / "day.csv", records)))
    assert "Added 50 appointment(s) to invite" in imported.output, imported.output
    assert plaintext_contacts(app, 50) == []

    first = run(app, "jobs", "run", "send_invitations")
    assert "invitation sent 50" in first.output, first.output
    sent = list(notify.messages.values())
    assert sorted(m["to"] for m in sent) == sorted(mobile(i) for i in range(50))
    links = links_in(sent)
    assert len(set(links)) == 50
    assert all(client.get(path).status_code == 200 for path in links)  # every link opens its survey

    assert all(r.status_code == 200 for r in notify.report_all("delivered"))
    for path in links[:10]:
        assert answer(client, path).status_code == 303
        assert client.get(path).status_code == 404  # single use: answered links do not open again
    assert response_rate(date(2026, 11, 1)) == (10, 50)

    monday(minutes=10)
    again = run(app, "jobs", "run", "send_invitations")
    assert again.exit_code == 0 and len(notify.messages) == 50, again.output

    monday(days=3)
    reminders = run(app, "jobs", "run", "send_invitations")
    assert "reminder sent 40" in reminders.output, reminders.output
    reminded = [m for m in notify.messages.values() if "a reminder" in m["body"]]
    assert sorted(links_in(reminded)) == sorted(links[10:])  # the same link, to the unanswered only
    monday(minutes=10)
    run(app, "jobs", "run", "send_invitations")
    assert len(notify.messages) == 90
    assert plaintext_contacts(app, 50) == []
    assert notify.refused == []
