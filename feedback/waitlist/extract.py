"""Read and check a waiting-list extract (CSV) from a provider's system. Pure code.

Every row is checked before anything is stored: dates, NHS number check digits, pathways,
districts, duplicate references. Problems are reported by line number and reference only,
so the report itself holds no personal data.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

import nhs_number

REQUIRED = ("reference", "child_name", "date_of_birth", "nhs_number", "parent_name",
            "address_line_1", "town", "postcode", "referral_date", "pathway")
OPTIONAL = ("address_line_2", "district", "first_appointment_date", "discharge_date",
            "support_offered_date", "support_taken_up_date")
PERSONAL = ("child_name", "date_of_birth", "nhs_number", "parent_name", "address_line_1",
            "address_line_2", "town", "postcode")
LIMITS = {"reference": 40, "child_name": 100, "parent_name": 100, "address_line_1": 100,
          "address_line_2": 100, "town": 60, "postcode": 10}


class ExtractError(ValueError):
    """The file as a whole cannot be read (encoding, missing columns)."""


@dataclass(frozen=True)
class Row:
    line: int
    reference: str
    pathway: str
    district: str | None
    referral_date: date
    first_appointment: date | None
    discharged_on: date | None
    support_offered_on: date | None
    support_taken_up_on: date | None
    personal: dict


@dataclass(frozen=True)
class Rejected:
    line: int
    reference: str
    reason: str


def parse_date(text):
    """Read a date written as YYYY-MM-DD or DD/MM/YYYY; blank is None."""
    text = (text or "").strip()
    if not text:
        return None
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


def decode(raw):
    """Return the file's text, or raise ExtractError when it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExtractError("the file is not UTF-8 text; save it as CSV UTF-8 and try again") from None


def _check_row(line, record, pathways, districts, today):
    for column in REQUIRED:
        if not (record.get(column) or "").strip():
            raise ValueError(f"{column} is missing")
    for column, limit in LIMITS.items():
        if len((record.get(column) or "").strip()) > limit:
            raise ValueError(f"{column} is longer than {limit} characters")
    number = "".join(record["nhs_number"].split())
    if not (number.isdigit() and len(number) == 10 and nhs_number.is_valid(number)):
        raise ValueError("nhs_number is not a valid NHS number (check digit)")
    pathway = record["pathway"].strip().lower()
    if pathway not in pathways:
        raise ValueError(f"pathway {record['pathway']!r} is not one of {', '.join(sorted(pathways))}")
    district = (record.get("district") or "").strip().lower().replace(" ", "-") or None
    if district and district not in districts:
        raise ValueError(f"district {record['district']!r} is not known")
    dates = {}
    for column in ("date_of_birth", "referral_date", "first_appointment_date", "discharge_date",
                   "support_offered_date", "support_taken_up_date"):
        try:
            dates[column] = parse_date(record.get(column))
        except ValueError as error:
            raise ValueError(f"{column}: {error}") from None
    if dates["referral_date"] > today:
        raise ValueError("referral_date is in the future")
    if dates["date_of_birth"] > dates["referral_date"]:
        raise ValueError("date_of_birth is after referral_date")
    personal = {c: (record.get(c) or "").strip() for c in PERSONAL}
    personal["nhs_number"] = number
    personal["postcode"] = personal["postcode"].upper()
    return Row(line, record["reference"].strip(), pathway, district, dates["referral_date"],
               dates["first_appointment_date"], dates["discharge_date"],
               dates["support_offered_date"], dates["support_taken_up_date"], personal)


def read_extract(raw, pathways, districts, today):
    """Return (rows, rejected) from the bytes of a CSV extract."""
    reader = csv.DictReader(io.StringIO(decode(raw)))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ExtractError(f"the file has no {', '.join(missing)} column")
    reader.fieldnames = header
    rows, rejected, seen = [], [], set()
    for line, record in enumerate(reader, start=2):
        reference = (record.get("reference") or "").strip()
        try:
            if reference in seen:
                raise ValueError("reference appears twice in the file")
            row = _check_row(line, record, pathways, districts, today)
        except ValueError as error:
            rejected.append(Rejected(line, reference, str(error)))
            continue
        seen.add(reference)
        rows.append(row)
    return rows, rejected
