"""Read and check a waiting-list extract (CSV) from a provider's system. Pure code.

Every row is checked before anything is stored: references, dates (within bounds and in
order), NHS number check digits, pathways, districts, duplicate references. Problems are
reported by line number, reference (only one that follows the rule, made formula-safe) and a
reason that never repeats a value from the row, so the report itself holds no personal data.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import nhs_number

REQUIRED = (
    "reference",
    "child_name",
    "date_of_birth",
    "nhs_number",
    "parent_name",
    "address_line_1",
    "town",
    "postcode",
    "referral_date",
    "pathway",
)
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}
PERSONAL = (
    "child_name",
    "date_of_birth",
    "nhs_number",
    "parent_name",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
)
LIMITS = {
    "reference": 40,
    "child_name": 100,
    "parent_name": 100,
    "address_line_1": 100,
    "address_line_2": 100,
    "town": 60,
    "postcode": 10,
}


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
    large_print: bool | None = None  # None: the extract does not say, so the stored choice stays
    easy_read: bool | None = None


@dataclass(frozen=True)
class Rejected:
    line: int
    reference: str
    reason: str


REFERENCE = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")
REFERENCE_RULE = "letters, digits and single hyphens between them, up to 40 characters"
EARLIEST = date(2000, 1, 1)  # no one on a children's list was referred before this
OLDEST_YEARS = 26  # SEND services are for ages 0 to 25
MAX_FIELD = 4096  # bytes in any one field; more means the file is not a waiting-list extract
DATES = (
    "date_of_birth",
    "referral_date",
    "first_appointment_date",
    "discharge_date",
    "support_offered_date",
    "support_taken_up_date",
)


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
    raise ValueError("is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


def valid_reference(text):
    """Return whether a reference follows the rule (so it is safe in a link and a file name)."""
    return len(text) <= LIMITS["reference"] and REFERENCE.fullmatch(text) is not None


def safe_reference(text):
    """Return the reference as it may go in a report: only if it follows the rule, and never
    starting with a character a spreadsheet reads as a formula."""
    if not valid_reference(text):
        return ""
    return f"'{text}" if text[0] in "=+-@" else text


def decode(raw):
    """Return the file's text, or raise ExtractError when it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExtractError("the file is not UTF-8 text; save it as CSV UTF-8 and try again") from None


def _dates(record, today):
    dates = {}
    for column in DATES:
        try:
            dates[column] = parse_date(record.get(column))
        except ValueError as error:
            raise ValueError(f"{column} {error}") from None
    _check_dates(dates, today)
    return dates


def _check_dates(dates, today):
    referral, born = dates["referral_date"], dates["date_of_birth"]
    if referral > today:
        raise ValueError("referral_date is in the future")
    if referral < EARLIEST:
        raise ValueError(f"referral_date is before {EARLIEST:%Y}")
    if born > referral:
        raise ValueError("date_of_birth is after referral_date")
    if born.year < referral.year - OLDEST_YEARS:
        raise ValueError(f"date_of_birth is more than {OLDEST_YEARS} years before referral_date")
    for column in DATES[2:]:
        if dates[column] is not None and dates[column] < referral:
            raise ValueError(f"{column} is before referral_date")
    for column in ("discharge_date", "support_offered_date", "support_taken_up_date"):
        if dates[column] is not None and dates[column] > today:
            raise ValueError(f"{column} is in the future")
    appointment = dates["first_appointment_date"]
    if appointment is not None and appointment > today + timedelta(days=366):
        raise ValueError("first_appointment_date is more than a year ahead")
    offered, taken = dates["support_offered_date"], dates["support_taken_up_date"]
    if taken is not None and (offered is None or taken < offered):
        raise ValueError("support_taken_up_date is before support_offered_date (or it has none)")


def _check_row(line, record, pathways, districts, today):
    for column in REQUIRED:
        if not (record.get(column) or "").strip():
            raise ValueError(f"{column} is missing")
    if not valid_reference(record["reference"].strip()):
        raise ValueError(f"reference must be {REFERENCE_RULE}")
    for column, limit in LIMITS.items():
        if len((record.get(column) or "").strip()) > limit:
            raise ValueError(f"{column} is longer than {limit} characters")
    number = "".join(record["nhs_number"].split())
    if not (number.isdigit() and len(number) == 10 and nhs_number.is_valid(number)):
        raise ValueError("nhs_number is not a valid NHS number (check digit)")
    pathway = record["pathway"].strip().lower()
    if pathway not in pathways:
        raise ValueError(f"pathway is not one of {', '.join(sorted(pathways))}")
    district = (record.get("district") or "").strip().lower().replace(" ", "-") or None
    if district and district not in districts:
        raise ValueError("district is not a known district")
    dates = _dates(record, today)
    personal = {c: (record.get(c) or "").strip() for c in PERSONAL}
    personal["nhs_number"] = number
    personal["postcode"] = personal["postcode"].upper()
    return Row(
        line,
        record["reference"].strip(),
        pathway,
        district,
        dates["referral_date"],
        dates["first_appointment_date"],
        dates["discharge_date"],
        dates["support_offered_date"],
        dates["support_taken_up_date"],
        personal,
        _yes(record, "large_print"),
        _yes(record, "easy_read"),
    )


def _yes(record, column):
    if column not in record:
        return None
    value = (record.get(column) or "").strip().lower()
    if value not in YES | NO:
        raise ValueError(f"{column} must be yes or no (or blank)")
    return value in YES


def read_extract(raw, pathways, districts, today):
    """Return (rows, rejected) from the bytes of a CSV extract, or raise ExtractError when the
    file as a whole cannot be read (encoding, columns, a malformed or oversized field)."""
    text = decode(raw)
    if "\x00" in text:
        raise ExtractError("the file holds NUL characters, so it is not a CSV text file")
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        return _read(reader, pathways, districts, today)
    except csv.Error as error:
        raise ExtractError(
            f"line {reader.line_num + 1} is not well-formed CSV ({_plain(error)}); "
            "check the file was exported as CSV"
        ) from None


def _plain(error):
    text = str(error)
    return "a field is too long" if "field larger than" in text else text.split(":")[0]


def _read(reader, pathways, districts, today):
    header = [h.strip() for h in (reader.fieldnames or [])]
    if len(set(header)) != len(header):
        raise ExtractError("the file has a column name twice")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ExtractError(f"the file has no {', '.join(missing)} column")
    reader.fieldnames = header
    rows, rejected, seen = [], [], set()
    for line, record in enumerate(reader, start=2):
        if None in record or any(len(v or "") > MAX_FIELD for v in record.values()):
            raise ExtractError(
                f"line {line} has more fields than the header, or a field longer "
                f"than {MAX_FIELD} characters; check the file was exported as CSV"
            )
        reference = (record.get("reference") or "").strip()
        try:
            if reference in seen:
                raise ValueError("reference appears twice in the file")
            row = _check_row(line, record, pathways, districts, today)
        except ValueError as error:
            rejected.append(Rejected(line, safe_reference(reference), str(error)))
            continue
        seen.add(reference)
        rows.append(row)
    return rows, rejected
