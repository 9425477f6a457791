"""The staff pages: send invitations by text message to a pasted list of appointments, and see a
service's invitations sent, delivered and answered by week."""

from datetime import date

import pytest
from sqlmodel import select

from feedback.db import transaction
from feedback.models import Appointment, StaffService, StaffUser
from surveys import sending_report
from surveys.sending_report import Week
from tests.conftest import create_staff, form_fields, parse, rows, sign_in
from tests.feedback.test_cli import run
from tests.surveys.conftest import appointment, import_records, mobile


@pytest.fixture
def staff(app, client):
    """A member of service staff for CAMHS, signed in."""
    create_staff("camhs@example.org", "service_staff")
    with transaction() as session:
        [user] = session.exec(select(StaffUser).where(StaffUser.email == "camhs@example.org"))
        session.add(StaffService(staff_user_id=user.id, service_slug="camhs"))
    sign_in(client, "camhs@example.org")
    return client


def paste(client, text, **fields):
    page = client.get("/dashboard/invitations/send")
    data = {
        **form_fields(page),
        "service": "camhs",
        "district": "",
        "respondent": "parent_carer",
        "language": "en",
        "appointments": text,
        **fields,
    }
    return client.post("/dashboard/invitations/send", data=data)


def test_a_pasted_list_is_added_whole_and_again_changes_nothing(app, staff, monday, keys):
    text = f"23/11/2026 09:30, {mobile(1)}\n\n2026-11-23 08:00\tparent@example.org\n"
    added = paste(staff, text)
    assert added.status_code == 303
    assert (
        parse(staff.get(added.headers["Location"]))
        .select_one(".flash")
        .get_text()
        .startswith("Added 2 appointment(s) to invite")
    )
    assert sorted(a.channel for a in rows(Appointment)) == ["email", "sms"]
    paste(staff, text)
    assert len(rows(Appointment)) == 2


def test_a_pasted_list_with_a_bad_line_adds_nothing_and_says_which_line(app, staff, monday, keys):
    response = paste(staff, f"23/11/2026 09:30, {mobile(1)}\n23/11/2026 09:45, 01632 960123\n")
    assert response.status_code == 400
    problems = [li.get_text() for li in parse(response).select(".error-summary li")]
    assert problems == ["Line 2: mobile is not a UK mobile number"]
    assert rows(Appointment) == [] and response.headers["Cache-Control"] == "no-store"


def test_service_staff_cannot_paste_for_another_service(app, staff, monday, keys):
    assert paste(staff, f"23/11/2026 09:30, {mobile(1)}", service="salt").status_code == 400
    assert rows(Appointment) == []


def test_the_weekly_page_shows_sent_delivered_and_answered_with_a_chart(app, client, monday, notify, keys):
    import_records([appointment(i) for i in range(3)], keys)
    run(app, "jobs", "run", "send_invitations")
    first, *_ = list(notify.messages)
    from feedback.db import transaction as write
    from surveys import sending
    from surveys import sending_dao as dao

    with write() as session:
        sending.record_status(session, dao.message_by_notify_id(session, first), "delivered", monday())
    create_staff("admin@example.org", "admin")
    sign_in(client, "admin@example.org")
    page = parse(client.get("/dashboard/invitations/sent?service=camhs"))
    latest = page.select("tbody tr")[0]
    assert latest.th.get_text() == "23 November 2026"
    assert [td.get_text() for td in latest.select("td")] == ["3", "1", "0", "0%"]
    assert (
        page.select_one("svg[role=img] title")
        .get_text()
        .endswith("CAMHS (children and young people's mental health)")
    )


def test_service_staff_see_only_their_own_services_weekly_page(staff):
    assert staff.get("/dashboard/invitations/sent?service=salt").status_code == 404
    assert staff.get("/dashboard/invitations/sent").status_code == 200


def test_weeks_without_invitations_are_shown_as_zero():
    found = sending_report.weeks([(date(2026, 11, 9), 5, 4, 1)], date(2026, 11, 4), date(2026, 11, 18))
    assert found == [
        Week(date(2026, 11, 2), 0, 0, 0),
        Week(date(2026, 11, 9), 5, 4, 1),
        Week(date(2026, 11, 16), 0, 0, 0),
    ]
    assert [w.response_rate for w in found] == [None, 25, None]
