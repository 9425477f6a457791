"""Reading a provider's extract: the reference rule, dates in bounds and in order, a report that
repeats nothing from the row, and one clear message for a file that is not a proper CSV. Pure."""

import csv
import io
from datetime import date

import pytest

from feedback.waitlist import extract, schedule

PATHWAYS = schedule.load_policy().pathways
TODAY = date(2026, 12, 1)
GOOD = {
    "reference": "ND-1",
    "child_name": "Wren Brightwater",
    "date_of_birth": "2019-03-04",
    "nhs_number": "9434765919",
    "parent_name": "Jo Brightwater",
    "address_line_1": "12 Heron Walk",
    "town": "Burnley",
    "postcode": "BB11 2XY",
    "referral_date": "2026-05-01",
    "pathway": "asd",
    "district": "burnley",
    "first_appointment_date": "",
    "discharge_date": "",
    "support_offered_date": "",
    "support_taken_up_date": "",
}


def csv_bytes(*records):
    out = io.StringIO()
    writer = csv.DictWriter(out, list(GOOD))
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()


def read(*records):
    return extract.read_extract(csv_bytes(*records), PATHWAYS, {"burnley"}, TODAY)


def rejected(**changes):
    rows, [problem] = read({**GOOD, **changes})
    assert rows == []
    return problem


@pytest.mark.parametrize("reference", ['ND"1', "ND/1", "ND\n1", "ND 1", "-ND1", "ND--1", "N" * 41, "=1+2"])
def test_a_reference_must_be_letters_digits_and_hyphens_and_the_error_says_so(reference):
    problem = rejected(reference=reference)
    assert problem.reason == (
        "reference must be letters, digits and single hyphens between them, up to 40 characters"
    )
    assert problem.reference == ""  # a reference that breaks the rule is not repeated


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"date_of_birth": "0001-01-01"}, "date_of_birth is more than 26 years before referral_date"),
        ({"referral_date": "9999-12-31"}, "referral_date is in the future"),
        ({"referral_date": "1999-12-31", "date_of_birth": "1990-01-01"}, "referral_date is before 2000"),
        ({"date_of_birth": "2026-06-01"}, "date_of_birth is after referral_date"),
        ({"discharge_date": "2026-04-30"}, "discharge_date is before referral_date"),
        ({"first_appointment_date": "2026-04-30"}, "first_appointment_date is before referral_date"),
        ({"discharge_date": "2027-01-01"}, "discharge_date is in the future"),
        ({"first_appointment_date": "9999-01-01"}, "first_appointment_date is more than a year ahead"),
        ({"support_taken_up_date": "2026-06-01"}, "support_taken_up_date is before support_offered_date"),
    ],
)
def test_dates_must_be_within_bounds_and_in_order(changes, reason):
    assert rejected(**changes).reason.startswith(reason)


@pytest.mark.parametrize(
    "changes",
    [
        {"pathway": "Jo Brightwater"},
        {"district": "2019-03-04"},
        {"referral_date": "Jo Brightwater"},
        {"nhs_number": "Jo Brightwater"},
        {"postcode": "Jo Brightwater 12 Heron Walk"},
    ],
)
def test_a_rejected_row_s_reason_never_repeats_a_value_from_the_row(changes):
    problem = rejected(**changes)
    for value in changes.values():
        assert value not in problem.reason
    assert problem.reference == "ND-1"


def test_a_reference_that_a_spreadsheet_would_read_as_a_formula_is_guarded():
    assert extract.safe_reference("ND1") == "ND1"
    assert extract.safe_reference("=HYPERLINK(x)") == ""
    assert extract.safe_reference("A-1") == "A-1"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (csv_bytes(GOOD).replace(b"Burnley", b"Burnl\xe9y"), "not UTF-8"),
        (b"reference,child_name\nND1,Wren\n", "has no date_of_birth"),
        (csv_bytes(GOOD) + b'ND2,"' + b"x" * 200_000 + b'"\n', "line 3"),
        (csv_bytes(GOOD) + b"ND2," + b"x" * 5000 + b"\n", "longer than 4096"),
        (csv_bytes(GOOD) + b"ND3" + b",a" * 30 + b"\n", "more fields than the header"),
        (csv_bytes(GOOD).replace(b"town", b"postcode"), "a column name twice"),
        (csv_bytes(GOOD) + b'ND4,"unterminated\n', "not well-formed CSV"),
        (csv_bytes(GOOD) + b"ND5,\x00\n", "NUL characters"),
    ],
)
def test_a_malformed_file_gets_one_clear_message(raw, message):
    with pytest.raises(extract.ExtractError, match=message) as error:
        extract.read_extract(raw, PATHWAYS, {"burnley"}, TODAY)
    assert "Traceback" not in str(error.value) and len(str(error.value)) < 200


def test_a_good_row_is_read_with_its_dates():
    [row], problems = read(GOOD)
    assert problems == [] and row.reference == "ND-1" and row.referral_date == date(2026, 5, 1)
