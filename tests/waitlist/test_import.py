"""Importing extracts, encryption at rest, printing letters and recording them as sent."""

import csv
import random
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from feedback.models import Letter, WaitingListEntry
from feedback.waitlist import crypto, schedule
from feedback.waitlist.demo import sample_nhs_number
from tests.conftest import everything_stored, rows
from tests.feedback.test_cli import run

HEADER = [
    "reference",
    "child_name",
    "date_of_birth",
    "nhs_number",
    "parent_name",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "referral_date",
    "pathway",
    "district",
    "first_appointment_date",
    "discharge_date",
]
ON = "2026-11-20"


@pytest.fixture
def keyed(app):
    app.config["DATA_KEY"] = crypto.new_key()
    return app


def family(reference="ND1", **overrides):
    row = {
        "reference": reference,
        "child_name": "Wren Brightwater",
        "date_of_birth": "2019-03-04",
        "nhs_number": "9434765919",
        "parent_name": "Jo Brightwater",
        "address_line_1": "12 Heron Walk",
        "address_line_2": "",
        "town": "Burnley",
        "postcode": "BB11 2XY",
        "referral_date": "2026-05-01",
        "pathway": "asd",
        "district": "burnley",
        "first_appointment_date": "",
        "discharge_date": "",
    }
    row.update(overrides)
    return row


def write(path, families):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, HEADER)
        writer.writeheader()
        writer.writerows(families)
    return path


def test_import_adds_families_and_a_reimport_updates_without_duplicating(keyed, tmp_path):
    first = run(keyed, "waitlist", "import", str(write(tmp_path / "a.csv", [family("ND1"), family("ND2")])))
    assert first.exit_code == 0, first.output
    assert "Added 2, changed 0" in first.output
    moved = family(
        "ND1", address_line_1="3 Kingfisher Court", postcode="BB12 6AB", first_appointment_date="2026-11-02"
    )
    second = run(keyed, "waitlist", "import", str(write(tmp_path / "b.csv", [moved, family("ND2")])))
    assert "Added 0, changed 1 (address 1, first appointment 1)" in second.output
    entries = {e.reference: e for e in rows(WaitingListEntry)}
    assert len(entries) == 2
    assert entries["ND1"].first_appointment == date(2026, 11, 2)
    personal = crypto.unseal(crypto.configured_key(keyed), entries["ND1"].personal)
    assert personal["address_line_1"] == "3 Kingfisher Court"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"nhs_number": "9434765918"}, "not a valid NHS number"),
        ({"referral_date": "31/02/2026"}, "referral_date"),
        ({"pathway": "dentistry"}, "pathway"),
        ({"district": "Atlantis"}, "district"),
        ({"child_name": ""}, "child_name is missing"),
        ({"referral_date": "2099-01-01"}, "in the future"),
    ],
)
def test_a_file_with_any_bad_row_imports_nothing(keyed, tmp_path, changes, reason):
    result = run(
        keyed, "waitlist", "import", str(write(tmp_path / "x.csv", [family("ND1"), family("ND2", **changes)]))
    )
    assert result.exit_code == 1
    assert reason in result.output and "Line 3 (ND2)" in result.output
    assert "Nothing imported" in result.output
    assert rows(WaitingListEntry) == []


def test_duplicate_references_in_a_file_are_refused(keyed, tmp_path):
    result = run(keyed, "waitlist", "import", str(write(tmp_path / "x.csv", [family("ND1"), family("ND1")])))
    assert "reference appears twice" in result.output
    assert rows(WaitingListEntry) == []


def test_skip_invalid_imports_valid_rows_and_reports_the_rest_without_personal_data(keyed, tmp_path):
    path = write(tmp_path / "x.csv", [family("ND1"), family("ND2", nhs_number="1234567890")])
    result = run(keyed, "waitlist", "import", str(path), "--skip-invalid")
    assert result.exit_code == 0
    assert "Added 1, changed 0, rejected 1" in result.output
    report = (tmp_path / "x.rejected.csv").read_text()
    assert "3,ND2,nhs_number is not a valid NHS number" in report
    assert "Brightwater" not in report and "1234567890" not in report


def test_missing_columns_or_unreadable_encoding_import_nothing(keyed, tmp_path):
    (tmp_path / "cols.csv").write_text("reference,child_name\nND1,Wren\n")
    assert "has no date_of_birth" in run(keyed, "waitlist", "import", str(tmp_path / "cols.csv")).output
    (tmp_path / "latin.csv").write_bytes(",".join(HEADER).encode() + b"\nND1,Ren\xe9e\n")
    assert "not UTF-8" in run(keyed, "waitlist", "import", str(tmp_path / "latin.csv")).output
    assert rows(WaitingListEntry) == []


def test_without_a_data_key_the_waiting_list_refuses_to_work(app, tmp_path):
    result = run(app, "waitlist", "import", str(write(tmp_path / "a.csv", [family()])))
    assert result.exit_code == 1
    assert "FEEDBACK_DATA_KEY is not set" in result.output
    assert rows(WaitingListEntry) == []


def test_a_wrong_data_key_is_refused(keyed, tmp_path):
    run(keyed, "waitlist", "import", str(write(tmp_path / "a.csv", [family("ND1")])))
    keyed.config["DATA_KEY"] = crypto.new_key()
    result = run(keyed, "waitlist", "import", str(write(tmp_path / "b.csv", [family("ND2")])))
    assert result.exit_code == 1
    assert "does not match" in result.output


def test_the_database_holds_no_name_or_nhs_number(keyed, tmp_path):
    run(keyed, "waitlist", "import", str(write(tmp_path / "a.csv", [family("ND1")])))
    database = everything_stored(keyed)
    assert b"ND1" in database  # the search does see what is stored
    for secret in (b"Brightwater", b"9434765919", b"Heron Walk", b"BB11 2XY", b"2019-03-04"):
        assert secret not in database


def test_mark_sent_refuses_twice_and_for_a_family_already_seen(keyed, tmp_path):
    seen = family("ND2", first_appointment_date="2026-06-01")
    run(keyed, "waitlist", "import", str(write(tmp_path / "a.csv", [family("ND1"), seen])))

    def mark(reference, sequence):
        return run(
            keyed,
            "letters",
            "mark-sent",
            "--reference",
            reference,
            "--sequence",
            str(sequence),
            "--on",
            ON,
            "--by",
            "Kim",
        )

    ok = mark("ND1", 1)
    assert ok.exit_code == 0, ok.output
    again = mark("ND1", 1)
    assert again.exit_code == 1 and "already recorded as sent" in again.output
    early = mark("ND1", 3)
    assert "not due until" in early.output
    stopped = mark("ND2", 2)
    assert stopped.exit_code == 1 and "stopped waiting" in stopped.output
    assert [(letter.sequence, letter.sent_by) for letter in rows(Letter)] == [(1, "Kim")]


def test_ten_thousand_families_import_and_each_due_letter_prints_once_with_its_own_address(keyed, tmp_path):
    rng = random.Random(5)
    start = date(2026, 11, 20)
    families = [
        family(
            f"ND{n:05d}",
            nhs_number=sample_nhs_number(rng),
            parent_name=f"Parent {n:05d}",
            address_line_1=f"{n} Long Row",
            referral_date=(start - timedelta(days=rng.randrange(0, 700))).isoformat(),
        )
        for n in range(10_000)
    ]
    result = run(keyed, "waitlist", "import", str(write(tmp_path / "big.csv", families)))
    assert "Added 10000" in result.output
    assert run(keyed, "letters", "mark-sent", "--all-due", "--on", "2026-11-20", "--by", "Kim").exit_code == 0
    later = date(2026, 11, 27)  # before the programme-wide letters of 1 December
    policy = schedule.load_policy()
    expected = sorted(
        (f["reference"], d.sequence)
        for f in families
        for d in schedule.letters_due(
            schedule.Entry(f["reference"], "asd", date.fromisoformat(f["referral_date"])), policy, later
        )
        if d.due_on > date(2026, 11, 20)
    )
    out = tmp_path / "letters.pdf"
    printed = run(keyed, "letters", "print", "--on", later.isoformat(), "--out", str(out))
    assert printed.exit_code == 0, printed.output
    pages = [page.extract_text() for page in PdfReader(out).pages]
    assert len(expected) > 50
    firsts = [text for text in pages if "Our reference:" in text]  # a letter may run onto a 2nd page
    assert len(firsts) == len(expected)
    printed_for = []
    for text in firsts:
        reference = re.search(r"Our reference: (ND\d+)", text).group(1)
        assert f"{int(reference[2:])} Long Row" in text and "BB11 2XY" in text  # its own address
        printed_for.append(reference)
    assert sorted(printed_for) == sorted(reference for reference, _ in expected)
