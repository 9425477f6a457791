"""Appointments in: checked like the waiting-list import (all or nothing, or --skip-invalid with a
report that holds no contact details), from a CSV file or POST /api/v1/appointments; a second
import of the same appointment changes nothing; contact details are stored only encrypted."""

import json
from datetime import UTC, datetime

import pytest

from feedback.models import Appointment, AuditEvent
from surveys import appointments, contact
from surveys.appointments import check_all, normalise_email, normalise_mobile
from tests.analysis.test_api import bearer, make_token
from tests.conftest import everything_stored, rows
from tests.feedback.test_cli import run
from tests.surveys.conftest import MONDAY_10AM, appointment, import_records, mobile, write_csv

SERVICES, DISTRICTS = {"camhs", "salt", "break-time"}, {"preston", "burnley"}
LANGUAGES = {"en": "English", "pl": "Polish", "ur": "Urdu"}


def checked(**overrides):
    rows_, rejected = check_all([appointment(1, **overrides)], SERVICES, DISTRICTS, LANGUAGES, MONDAY_10AM)
    return rows_[0] if rows_ else rejected[0].reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07700900123", "07700900123"),
        ("07700 900 123", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("447700900123", "07700900123"),
        ("0044 (0)7700 900123", None),
        ("(07700) 900-123", "07700900123"),
        ("01632 960123", None),
        ("07000 900123", None),
        ("0770090012", None),
        ("077009001234", None),
        ("+33 6 12 34 56 78", None),
        ("", None),
    ],
)
def test_only_uk_mobile_numbers_are_taken_and_written_one_way(text, expected):
    assert normalise_mobile(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("parent@Example.ORG", "parent@example.org"),
        ("a.b+c@mail.example.co.uk", "a.b+c@mail.example.co.uk"),
        ("not-an-email", None),
        ("a@b", None),
        ("a b@example.org", None),
        ("a@example..org", None),
        ("", None),
    ],
)
def test_only_email_addresses_are_taken(text, expected):
    assert normalise_email(text) == expected


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"mobile": "01632 960123"}, "mobile is not a UK mobile number"),
        ({"mobile": "", "email": "not-an-email"}, "email is not an email address"),
        ({"mobile": "", "email": ""}, "there is no mobile number or email address"),
        ({"service": "dentistry"}, "service is not a known service"),
        ({"district": "atlantis"}, "district is not a known district"),
        ({"appointment_at": "2026-11-23T10:30"}, "appointment_at is in the future"),
        ({"appointment_at": "2026-11-08T09:00"}, "more than 14 days ago"),
        ({"appointment_at": "2026-11-23"}, "needs a time as well as a date"),
        ({"appointment_at": "23/11/2026 09:00"}, "is not a date and time"),
        ({"appointment_id": "=HYPERLINK(1)"}, "appointment_id must be letters, digits"),
        ({"appointment_id": ""}, "appointment_id is missing"),
        ({"respondent": "grandparent"}, "respondent must be one of parent_carer, young_person"),
        ({"language": "Klingon"}, "language must be one of en, pl, ur"),
        ({"opted_out": "maybe"}, "opted_out must be yes or no"),
    ],
)
def test_bad_rows_are_refused_with_a_reason_that_repeats_nothing_from_them(overrides, reason):
    found = checked(**overrides)
    assert isinstance(found, str) and reason in found
    assert "01632" not in found and "not-an-email" not in found and "Klingon" not in found


def test_a_good_row_is_read_with_uk_time_and_only_the_contact_used():
    row = checked(
        mobile="+44 7700 900001", email="parent@example.org", respondent="Young person", language="Polish"
    )
    assert (row.mobile, row.email, row.channel, row.respondent, row.language) == (
        "07700900001",
        None,
        "sms",
        "young_person",
        "pl",
    )
    assert row.appointment_at == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # GMT in November


def test_a_summer_appointment_time_is_read_as_uk_time():
    rows_, _ = check_all(
        [appointment(1, appointment_at="2026-06-15T09:30")],
        SERVICES,
        DISTRICTS,
        LANGUAGES,
        datetime(2026, 6, 16, 12, 0, tzinfo=UTC),
    )
    assert rows_[0].appointment_at == datetime(2026, 6, 15, 8, 30, tzinfo=UTC)  # BST is an hour ahead


def test_an_appointment_twice_in_one_file_is_refused_the_second_time():
    _, rejected = check_all(
        [appointment(1), appointment(1, mobile=mobile(2))], SERVICES, DISTRICTS, LANGUAGES, MONDAY_10AM
    )
    assert [(r.line, r.reason) for r in rejected] == [
        (2, "appointment_id appears twice for the same service")
    ]


def test_a_file_that_is_not_an_appointment_list_is_refused_whole():
    with pytest.raises(appointments.AppointmentFileError, match="no appointment_at column"):
        appointments.read_records("appointment_id,service,mobile\nA,camhs,07700900001\n")
    with pytest.raises(appointments.AppointmentFileError, match="not UTF-8"):
        appointments.decode("appointment_id\n\xff".encode("latin-1"))


def test_a_file_with_one_bad_row_imports_nothing_and_its_report_holds_no_contact_details(
    app, monday, keys, tmp_path
):
    records = [
        appointment(1),
        appointment(2, mobile="01632 960123"),
        appointment(3, email="x@example.org", mobile=""),
    ]
    result = run(app, "appointments", "import", str(write_csv(tmp_path / "in.csv", records)))
    assert result.exit_code == 1 and "Nothing imported: 1 row(s) have problems" in result.output
    assert "Line 3 (APT-2): mobile is not a UK mobile number" in result.output
    assert rows(Appointment) == []
    report = (tmp_path / "in.rejected.csv").read_text()
    assert report.splitlines() == ["line,appointment_id,reason", "3,APT-2,mobile is not a UK mobile number"]


def test_skip_invalid_imports_the_good_rows_and_reports_the_others(app, monday, keys, tmp_path):
    records = [appointment(1), appointment(2, service="dentistry"), appointment(3)]
    report = tmp_path / "problems.csv"
    result = run(
        app,
        "appointments",
        "import",
        str(write_csv(tmp_path / "in.csv", records)),
        "--skip-invalid",
        "--report",
        str(report),
    )
    assert result.exit_code == 0, result.output
    assert (
        "Added 2 appointment(s) to invite; 0 already known, 0 opted out, 0 on the do-not-contact "
        "list, 1 rejected." in result.output
    )
    assert "service is not a known service" in report.read_text() and mobile(2) not in report.read_text()


def test_importing_the_same_appointments_again_changes_nothing(app, monday, keys, tmp_path):
    path = write_csv(tmp_path / "in.csv", [appointment(i) for i in range(3)])
    assert "Added 3" in run(app, "appointments", "import", str(path)).output
    before = [(a.id, a.contact, a.stage, a.next_at) for a in rows(Appointment)]
    again = run(app, "appointments", "import", str(path))
    assert "Added 0 appointment(s) to invite; 3 already known" in again.output
    assert [(a.id, a.contact, a.stage, a.next_at) for a in rows(Appointment)] == before


def test_contact_details_are_stored_only_encrypted_and_only_the_one_used(app, monday, keys):
    import_records(
        [appointment(1, email="parent1@example.org"), appointment(2, mobile="", email="parent2@example.org")],
        keys,
    )
    stored = everything_stored(app)
    for value in (mobile(1), "7700900001", "parent1@example.org", "parent2@example.org", "APT-1"):
        assert value.encode() not in stored
    [first, second] = sorted(rows(Appointment), key=lambda a: a.channel, reverse=True)
    assert contact.unseal(keys, first.contact) == {"to": mobile(1), "token": None}  # the email was not kept
    assert (second.channel, contact.unseal(keys, second.contact)["to"]) == ("email", "parent2@example.org")


def test_an_opted_out_appointment_or_a_listed_number_is_not_stored(app, monday, keys):
    from feedback.db import transaction
    from surveys import sending_dao

    with transaction() as session:
        listed = contact.contact_hash(keys, "+44 7700 900003")
        sending_dao.add_do_not_contact(session, listed, "stop", MONDAY_10AM)
    counts, _ = import_records([appointment(1), appointment(2, opted_out="yes"), appointment(3)], keys)
    assert (counts["added"], counts["opted out"], counts["on the do-not-contact list"]) == (1, 1, 1)
    assert len(rows(Appointment)) == 1


def test_without_a_data_key_the_import_says_what_to_set(app, monday, tmp_path):
    app.config["DATA_KEY"] = None
    result = run(app, "appointments", "import", str(write_csv(tmp_path / "in.csv", [appointment(1)])))
    assert result.exit_code == 1 and "FEEDBACK_DATA_KEY is not set" in result.output


def test_the_import_is_audited_with_counts_only(app, monday, keys, tmp_path):
    run(app, "appointments", "import", str(write_csv(tmp_path / "in.csv", [appointment(1)])))
    [event] = rows(AuditEvent, action="import_appointments")
    assert event.detail.startswith("Added 1") and mobile(1) not in event.detail


def post(client, token, body, query=""):
    return client.post(
        f"/api/v1/appointments{query}",
        data=json.dumps(body),
        headers={**bearer(token), "Content-Type": "application/json"},
    )


def test_the_api_takes_an_appointment_once_with_an_admin_token(app, client, monday, keys):
    token = make_token(app, "--name", "PAS", "--role", "admin")
    first = post(client, token, appointment(1))
    assert first.status_code == 201, first.get_json()
    assert first.get_json() == {
        "added": 1,
        "already_known": 0,
        "opted_out": 0,
        "not_contacted": 0,
        "rejected": [],
    }
    again = post(client, token, [appointment(1)])
    assert again.status_code == 200 and again.get_json()["already_known"] == 1
    assert len(rows(Appointment)) == 1
    assert rows(AuditEvent, action="appointments_api")[0].actor == "api-token:PAS"


def test_the_api_refuses_a_batch_with_a_bad_appointment_unless_told_to_skip_it(app, client, monday, keys):
    token = make_token(app, "--name", "PAS", "--role", "admin")
    body = [appointment(1), appointment(2, appointment_at="2026-12-01T09:00")]
    refused = post(client, token, body)
    assert refused.status_code == 422
    assert refused.get_json()["rejected"] == [
        {
            "position": 2,
            "appointment_id": "APT-2",
            "reason": "appointment_at is in the future: send appointments once they have happened",
        }
    ]
    assert rows(Appointment) == []
    assert post(client, token, body, "?skip_invalid=1").get_json()["added"] == 1


def test_a_service_staff_token_adds_only_its_own_services_appointments(app, client, monday, keys):
    token = make_token(app, "--name", "CAMHS PAS", "--role", "service_staff", "--service", "camhs")
    answer = post(client, token, [appointment(1), appointment(2, service="salt")], "?skip_invalid=1")
    assert answer.get_json()["added"] == 1
    assert answer.get_json()["rejected"][0]["reason"] == "service is not one this token covers"


@pytest.mark.parametrize("role", ["commissioner", "asd_team", "safeguarding_lead"])
def test_a_read_only_token_cannot_add_appointments(app, client, monday, keys, role):
    token = make_token(app, "--name", "BI", "--role", role)
    assert post(client, token, appointment(1)).status_code == 403
    assert rows(Appointment) == []


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer sfb_not-a-token"}])
def test_the_api_refuses_a_request_without_a_live_token(client, keys, headers):
    response = client.post("/api/v1/appointments", json=appointment(1), headers=headers)
    assert response.status_code == 401 and rows(Appointment) == []


@pytest.mark.parametrize("body", ["not json", "[]", "42", json.dumps([1, 2])])
def test_the_api_says_what_it_expects_when_the_body_is_not_appointments(app, client, monday, keys, body):
    token = make_token(app, "--name", "PAS", "--role", "admin")
    response = client.post(
        "/api/v1/appointments", data=body, headers={**bearer(token), "Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422) and rows(Appointment) == []
