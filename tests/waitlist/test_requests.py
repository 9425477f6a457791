"""A family's subject access and erasure requests, handled by the ASD team, with audit entries."""

import json
import logging
from datetime import date

import pytest

from feedback.db import transaction
from feedback.models import AuditEvent, Letter, WaitingListEntry
from feedback.waitlist import crypto, dao, extract
from tests.conftest import create_staff, form_fields, parse, rows, sign_in

PERSONAL = {
    "child_name": "Ember Quillfeather",
    "date_of_birth": "2019-06-07",
    "nhs_number": "9434765870",
    "parent_name": "Robin Quillfeather",
    "address_line_1": "7 Lantern Yard",
    "address_line_2": "",
    "town": "Chorley",
    "postcode": "PR7 4ZZ",
}


@pytest.fixture
def asd(app):
    app.config["DATA_KEY"] = crypto.new_key()
    row = extract.Row(2, "ND7001", "asd", "chorley", date(2025, 9, 1), None, None, None, None, PERSONAL)
    with transaction() as session:
        dao.save_rows(session, crypto.configured_key(app), [row])
        entry = dao.entry(session, "ND7001")
        session.add(
            Letter(
                entry_id=entry.id,
                sequence=1,
                letter_type="acknowledgement",
                due_on=date(2025, 9, 15),
                sent_on=date(2025, 9, 12),
                sent_by="asd@example.org",
            )
        )
    create_staff("asd@example.org", "asd_team")
    client = app.test_client()
    sign_in(client, "asd@example.org")
    return client


def test_the_family_page_offers_both_requests_once_under_a_plain_title(asd):
    page = parse(asd.get("/asd/family/ND7001"))
    assert page.title.get_text(strip=True).startswith("Family ND7001 \N{EN DASH}")
    assert [h.get_text(strip=True) for h in page.select("h2")].count("Requests from the family") == 1
    assert len(page.select("form[action='/asd/family/ND7001/erase']")) == 1


def test_subject_access_export_holds_everything_about_the_family_and_is_audited(asd):
    asd.get("/asd/family/ND7001")  # a view, which the export then lists
    download = asd.get("/asd/family/ND7001/record.json")
    assert download.headers["Content-Disposition"] == 'attachment; filename="subject-access-ND7001.json"'
    assert download.headers["Cache-Control"] == "no-store"
    record = json.loads(download.data)
    assert record["personal_details"] == PERSONAL
    assert record["waiting_list"]["referral_date"] == "2025-09-01"
    assert record["letters"] == [
        {
            "number": 1,
            "kind": "acknowledgement",
            "due_on": "2025-09-15",
            "sent_on": "2025-09-12",
            "sent_by": "asd@example.org",
            "returned_on": None,
        }
    ]
    viewed = record["record_access"][0]
    assert (viewed["by"], viewed["action"]) == ("asd@example.org", "view_personal_data")
    [event] = rows(AuditEvent, action="subject_access_export")
    assert event.subject == "ND7001" and event.detail is None


def test_other_roles_cannot_export_or_erase(app, asd):
    create_staff("admin@example.org", "admin")
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    assert admin.get("/asd/family/ND7001/record.json").status_code == 403
    token = form_fields(admin.get("/dashboard/"))["csrf_token"]  # a valid token: the role is what is refused
    erase = admin.post("/asd/family/ND7001/erase", data={"csrf_token": token, "confirm": "ND7001"})
    assert erase.status_code == 403
    assert len(rows(WaitingListEntry)) == 1


def test_erasure_needs_the_reference_typed_and_then_removes_the_family_for_good(asd):
    page = asd.get("/asd/family/ND7001")
    token = parse(page).select_one("form[action='/asd/family/ND7001/erase'] input[name=csrf_token]")["value"]
    wrong = asd.post("/asd/family/ND7001/erase", data={"csrf_token": token, "confirm": "ND7002"})
    assert wrong.status_code == 302 and len(rows(WaitingListEntry)) == 1
    done = asd.post("/asd/family/ND7001/erase", data={"csrf_token": token, "confirm": "ND7001"})
    assert done.headers["Location"].endswith("/asd/")
    assert rows(WaitingListEntry) == [] and rows(Letter) == []
    assert asd.get("/asd/family/ND7001").status_code == 404
    [event] = rows(AuditEvent, action="data_deletion")
    assert event.subject == "ND7001" and "1 letter record" in event.detail
    every_event = " ".join(f"{e.subject} {e.detail}" for e in rows(AuditEvent))
    personal = ("Quillfeather", "9434765870", "Lantern Yard", "PR7 4ZZ")
    assert not any(value in every_event for value in personal)


def test_the_application_log_holds_no_personal_data_from_a_family_s_journey(asd, caplog):
    from feedback import jobs

    caplog.set_level(logging.DEBUG)
    asd.get("/asd/")
    asd.get("/asd/family/ND7001")
    asd.get("/asd/family/ND7001/letter.pdf")
    asd.get("/asd/family/ND7001/record.json")
    asd.post(
        "/asd/family/ND7001/sent",
        data={**form_fields(asd.get("/asd/family/ND7001")), "sequence": "2", "sent_on": "not a date"},
    )
    jobs.run("letters_due")
    assert "letters_due" in caplog.text  # the log is live, and is what is searched
    for value in ("Ember", "Quillfeather", "9434765870", "943 476 5870", "Lantern Yard", "PR7 4ZZ"):
        assert value not in caplog.text
