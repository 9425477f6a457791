"""The ASD team walks the waiting list, opens a family, prints a letter and records it sent."""

from datetime import date

from feedback.db import transaction
from feedback.models import Letter
from feedback.waitlist import crypto, dao, extract
from tests.browser.test_survey_browser import assert_accessible
from tests.conftest import create_staff, rows


def test_asd_team_prints_a_letter_and_marks_it_sent(app, page, live_server):
    app.config["DATA_KEY"] = crypto.new_key()
    referral = date.today().replace(day=1)
    row = extract.Row(
        2,
        "ND7001",
        "asd",
        "preston",
        referral,
        None,
        None,
        None,
        None,
        {
            "child_name": "Rowan Fellside",
            "date_of_birth": "2018-02-02",
            "nhs_number": "9434765919",
            "parent_name": "Alex Fellside",
            "address_line_1": "4 Weaver Street",
            "address_line_2": "",
            "town": "Preston",
            "postcode": "PR1 8AB",
        },
    )
    with transaction() as session:
        dao.save_rows(session, crypto.configured_key(app), [row])
    create_staff("asd@example.org", "asd_team")
    page.goto(f"{live_server}/asd/")
    page.get_by_label("Email address").fill("asd@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Waiting list"
    assert_accessible(page)
    page.get_by_role("link", name="ND7001").click()
    assert "Rowan Fellside" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download letter to print (PDF)").click()
    assert download.value.suggested_filename == "letter-ND7001.pdf"
    from pathlib import Path

    from pypdf import PdfReader

    pdf = Path(download.value.path())
    assert pdf.read_bytes().startswith(b"%PDF")
    reader = PdfReader(pdf)
    assert "4 Weaver Street" in reader.pages[0].extract_text()
    root = reader.trailer["/Root"]  # a tagged PDF in British English, with a title
    assert root["/Lang"] == "en-GB" and "/StructTreeRoot" in root and reader.metadata.title
    page.get_by_role("button", name="Record as sent").click()
    assert "Letter 1 recorded as sent" in page.get_by_role("status").inner_text()
    [letter] = rows(Letter)
    assert (letter.sequence, letter.sent_by) == (1, "asd@example.org")


def test_other_roles_cannot_open_the_waiting_list(app, client):
    from tests.conftest import sign_in

    create_staff()
    sign_in(client)
    assert client.get("/asd/").status_code == 403
