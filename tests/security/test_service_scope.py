"""Service staff see their own services' results, comments and invitations, and no one else's."""

from datetime import date

import pytest
from pypdf import PdfReader

from analysis import jobs
from feedback.db import transaction
from feedback.models import AuditEvent, Invitation, StaffService, StaffUser
from tests.conftest import create_response, create_staff, form_fields, parse, rows, sign_in

OCTOBER = date(2026, 10, 1)


@pytest.fixture
def camhs_staff(app):
    for service in ("camhs", "salt", "physiotherapy"):
        for value in ("very_good", "good", "poor", "good", "good", "very_good"):
            create_response(
                answers={"overall": value},
                service=service,
                month=OCTOBER,
                comment=f"About {service}: it was {value}",
            )
    jobs.rebuild([OCTOBER])
    create_staff("camhs@example.org", "service_staff")
    [user] = rows(StaffUser, email="camhs@example.org")
    with transaction() as session:
        session.add(StaffService(staff_user_id=user.id, service_slug="camhs"))
    client = app.test_client()
    sign_in(client, "camhs@example.org")
    return client


def test_comments_are_only_from_their_own_services(camhs_staff):
    page = parse(camhs_staff.get("/dashboard/comments"))
    texts = [p.get_text() for p in page.select(".comment p")]
    assert texts and all("About camhs" in t for t in texts if t.startswith("About"))
    assert "About salt" not in page.get_text()
    assert [o["value"] for o in page.select("select[name=service] option") if o["value"]] == ["camhs"]


def test_changing_the_service_in_the_address_is_refused(camhs_staff):
    assert camhs_staff.get("/dashboard/comments?service=salt").status_code == 403
    assert camhs_staff.get("/dashboard/comments?service=camhs").status_code == 200


def test_breakdowns_show_only_their_services(camhs_staff):
    page = parse(camhs_staff.get("/dashboard/kpi/app-2020/APP%201b?month=2026-10"))
    captions = [c.get_text(strip=True) for c in page.select("caption")]
    assert any(c.startswith("By service") for c in captions)
    assert not any(c.startswith(("By provider", "By district")) for c in captions)
    service_rows = page.select("#cap-service")[0].find_parent("table").select("tbody th")
    assert len(service_rows) == 1
    assert camhs_staff.get("/dashboard/export/scorecard.csv?month=2026-10&by=district").status_code == 403
    export = camhs_staff.get("/dashboard/export/scorecard.csv?month=2026-10&by=service").get_data(
        as_text=True
    )
    assert "service:camhs" in export and "service:salt" not in export


def test_the_fft_return_holds_only_their_services(camhs_staff):
    fft = camhs_staff.get("/dashboard/export/fft-return.csv?month=2026-10")
    lines = fft.get_data(as_text=True).splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["camhs"]


def test_staff_linked_to_no_service_see_no_comments(app):
    create_response(answers={"overall": "good"}, month=OCTOBER, comment="About camhs: fine")
    create_staff("new@example.org", "service_staff")
    client = app.test_client()
    sign_in(client, "new@example.org")
    assert "About camhs" not in client.get("/dashboard/comments").get_data(as_text=True)


def test_invitation_cards_are_made_for_their_own_service_only(camhs_staff):
    page = camhs_staff.get("/dashboard/invitations/")
    fields = form_fields(page)
    assert [o["value"] for o in parse(page).select("select[name=service] option")] == ["camhs"]
    other = camhs_staff.post(
        "/dashboard/invitations/",
        data={**fields, "survey": "service-experience", "service": "salt", "count": "3", "output": "csv"},
    )
    assert other.status_code == 400 and rows(Invitation) == []
    cards = camhs_staff.post(
        "/dashboard/invitations/",
        data={
            **fields,
            "survey": "service-experience",
            "service": "camhs",
            "district": "preston",
            "appointment_date": "2026-11-02",
            "count": "9",
            "output": "pdf",
        },
    )
    assert cards.headers["Content-Type"] == "application/pdf"
    assert cards.headers["Cache-Control"] == "no-store"
    import io

    reader = PdfReader(io.BytesIO(cards.data))
    assert len(reader.pages) == 2  # eight cards to a page
    assert reader.pages[0].extract_text().count("/i/") == 8
    stored = rows(Invitation)
    assert len(stored) == 9 and {i.service_slug for i in stored} == {"camhs"}
    assert {i.month for i in stored} == {date(2026, 11, 1)}
    assert rows(AuditEvent, action="invitations")[0].subject == "camhs"


def test_a_csv_of_invitation_links_gives_links_that_open_the_survey(app, camhs_staff):
    fields = form_fields(camhs_staff.get("/dashboard/invitations/"))
    made = camhs_staff.post(
        "/dashboard/invitations/",
        data={**fields, "survey": "service-experience", "service": "camhs", "count": "2", "output": "csv"},
    )
    lines = made.get_data(as_text=True).splitlines()
    assert lines[0] == "link,service,expires_on" and len(lines) == 3
    path = "/i/" + lines[1].split(",")[0].split("/i/")[1]
    assert app.test_client().get(path).status_code == 200


def test_too_many_links_at_once_is_refused_with_a_message(camhs_staff):
    fields = form_fields(camhs_staff.get("/dashboard/invitations/"))
    refused = camhs_staff.post(
        "/dashboard/invitations/",
        data={**fields, "survey": "service-experience", "service": "camhs", "count": "5000", "output": "pdf"},
    )
    assert refused.status_code == 400
    assert "from 1 to 500" in parse(refused).select_one(".error-summary").get_text()
    assert rows(Invitation) == []
