"""Read and check appointments for invitations by text message or email. Pure code.

Appointments come as a CSV file (`feedback appointments import`) or as JSON pushed by a patient
administration system (POST /api/v1/appointments); both go through ``check``. A problem is
reported by line (or position), the appointment id (only one that follows the rule, made
formula-safe) and a reason that never repeats a value from the row, so a report holds no
contact details.
"""

import csv
import hashlib
import io
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from feedback.clock import LONDON

REQUIRED = ("appointment_id", "service", "appointment_at")
RESPONDENTS = ("parent_carer", "young_person")
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}
APPOINTMENT_ID = re.compile(r"[A-Za-z0-9]+([-_/.][A-Za-z0-9]+)*")
APPOINTMENT_ID_RULE = "letters, digits and single - _ / . between them, up to 64 characters"
MAX_FIELD = 1024  # characters in any one field; more means the file is not an appointment list
MAX_AGE = timedelta(days=14)  # an older appointment is too long ago to ask about
# UK mobile numbers as GOV.UK Notify accepts them: 071-075, 077-079 and 07624 (Isle of Man);
# 070 (personal numbers) and 076 (pagers) are not mobiles.
MOBILE = re.compile(r"07(?:[1-57-9]\d{8}|624\d{5})")
# An address Notify would take: something@a.domain, no spaces, nothing odd in the domain.
EMAIL = re.compile(
    r"[^\s@\"(),:;<>\[\]\\]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}"
)


class AppointmentFileError(ValueError):
    """The file as a whole cannot be read (encoding, missing columns)."""


@dataclass(frozen=True)
class AppointmentRow:
    """One checked appointment: where and when, who to ask, and how to reach them."""

    line: int
    appointment_id: str
    service: str
    district: str | None
    appointment_at: datetime  # aware, UTC
    mobile: str | None  # as 07xxxxxxxxx
    email: str | None
    respondent: str
    language: str
    opted_out: bool

    @property
    def channel(self):
        """Return how the family is reached: by text message if there is a mobile number."""
        return "sms" if self.mobile else "email"

    @property
    def contact(self):
        """Return the one contact detail that is kept: the number, or else the address."""
        return self.mobile or self.email


@dataclass(frozen=True)
class Rejected:
    line: int
    appointment_id: str
    reason: str


def normalise_mobile(text):
    """Return a UK mobile number as 07xxxxxxxxx, or None if it is not one."""
    digits = re.sub(r"[\s().-]", "", text or "")
    for prefix in ("+44", "0044", "44"):
        if digits.startswith(prefix):
            digits = "0" + digits[len(prefix) :]
            break
    return digits if MOBILE.fullmatch(digits) else None


def normalise_email(text):
    """Return an email address with its domain in lower case, or None if it is not one."""
    text = (text or "").strip()
    if len(text) > 254 or not EMAIL.fullmatch(text) or ".." in text:
        return None
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def safe_id(text):
    """Return the appointment id as it may go in a report: only if it follows the rule, and never
    starting with a character a spreadsheet reads as a formula."""
    text = text.strip() if isinstance(text, str) else ""
    if len(text) > 64 or not APPOINTMENT_ID.fullmatch(text):
        return ""
    return f"'{text}" if text[0] in "=+-@" else text


def parse_moment(text):
    """Read an ISO date-time; one without an offset is taken as UK time. Return it in UTC."""
    text = str(text or "").strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("appointment_at is not a date and time (use YYYY-MM-DDTHH:MM)") from None
    if len(text) <= 10:
        raise ValueError("appointment_at needs a time as well as a date (YYYY-MM-DDTHH:MM)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment.astimezone(UTC)


def _text(record, column):
    value = record.get(column)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, str | int | float):
        raise ValueError(f"{column} must be text")
    return str(value).strip()


def _choice(record, column, allowed, default):
    value = _text(record, column).lower().replace(" ", "_").replace("-", "_") or default
    if value not in allowed:
        raise ValueError(f"{column} must be one of {', '.join(allowed)} (or blank)")
    return value


def _language(record, languages):
    value = _text(record, "language").lower()
    if not value:
        return "en"
    for code, name in languages.items():
        if value in (code, name.lower()):
            return code
    raise ValueError(f"language must be one of {', '.join(languages)} (or blank)")


def _contact(record):
    mobile_text, email_text = _text(record, "mobile"), _text(record, "email")
    if not mobile_text and not email_text:
        raise ValueError("there is no mobile number or email address")
    mobile = normalise_mobile(mobile_text) if mobile_text else None
    if mobile_text and mobile is None:
        raise ValueError("mobile is not a UK mobile number")
    email = normalise_email(email_text) if email_text else None
    if email_text and email is None:
        raise ValueError("email is not an email address")
    return (mobile, None) if mobile else (None, email)  # keep only the one that is used


def check(line, record, services, districts, languages, now):
    """Return an AppointmentRow from one record (a dict of text), or raise ValueError saying why."""
    for column in REQUIRED:
        if not _text(record, column):
            raise ValueError(f"{column} is missing")
    appointment_id = _text(record, "appointment_id")
    if not safe_id(appointment_id):
        raise ValueError(f"appointment_id must be {APPOINTMENT_ID_RULE}")
    service = _text(record, "service").lower()
    if service not in services:
        raise ValueError("service is not a known service")
    district = _text(record, "district").lower().replace(" ", "-") or None
    if district and district not in districts:
        raise ValueError("district is not a known district")
    at = parse_moment(_text(record, "appointment_at"))
    if at > now:
        raise ValueError("appointment_at is in the future: send appointments once they have happened")
    if at < now - MAX_AGE:
        raise ValueError("appointment_at is more than 14 days ago, too long ago to ask about")
    mobile, email = _contact(record)
    opted_out = _text(record, "opted_out").lower()
    if opted_out not in YES | NO:
        raise ValueError("opted_out must be yes or no (or blank)")
    return AppointmentRow(
        line,
        appointment_id,
        service,
        district,
        at,
        mobile,
        email,
        _choice(record, "respondent", RESPONDENTS, "parent_carer"),
        _language(record, languages),
        opted_out in YES,
    )


def check_all(records, services, districts, languages, now, first_line=1, lines=None):
    """Return (rows, rejected) for an iterable of records (numbered from ``first_line``, or by
    ``lines``); a repeated appointment id is refused."""
    rows, rejected, seen = [], [], set()
    for line, record in zip(lines or itertools.count(first_line), records, strict=False):
        record = record if isinstance(record, dict) else {}
        try:
            if not record:
                raise ValueError("an appointment must be an object of fields")
            key = (_text(record, "service").lower(), _text(record, "appointment_id"))
            if key in seen:
                raise ValueError("appointment_id appears twice for the same service")
            row = check(line, record, services, districts, languages, now)
        except ValueError as error:
            rejected.append(Rejected(line, safe_id(record.get("appointment_id")), str(error)))
            continue
        seen.add(key)
        rows.append(row)
    return rows, rejected


def decode(raw):
    """Return a file's text, or raise AppointmentFileError when it is not UTF-8 text."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AppointmentFileError("the file is not UTF-8 text; save it as CSV UTF-8 and try again") from None
    if "\x00" in text:
        raise AppointmentFileError("the file holds NUL characters, so it is not a CSV text file")
    return text


def read_records(text):
    """Return the records of CSV text as dicts, or raise AppointmentFileError when its shape is wrong."""
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise AppointmentFileError(f"the file has no {', '.join(missing)} column")
        if "mobile" not in header and "email" not in header:
            raise AppointmentFileError("the file has no mobile or email column")
        if len(set(header)) != len(header):
            raise AppointmentFileError("the file has a column name twice")
        reader.fieldnames = header
        return list(_records(reader))
    except csv.Error as error:
        raise AppointmentFileError(
            f"line {reader.line_num + 1} is not well-formed CSV ({str(error).split(':')[0]})"
        ) from None


def read_csv(raw, services, districts, languages, now):
    """Return (rows, rejected) from the bytes of a CSV file, or raise AppointmentFileError."""
    return check_all(read_records(decode(raw)), services, districts, languages, now, first_line=2)


def _records(reader):
    for record in reader:
        if None in record or any(len(v or "") > MAX_FIELD for v in record.values()):
            raise AppointmentFileError(
                f"line {reader.line_num} has more fields than the header, or "
                f"a field longer than {MAX_FIELD} characters"
            )
        yield record


UK_DATE_TIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2}):(\d{2})")
MAX_PASTED = 500  # lines at a time on the staff page


def read_pasted(text, service, district, respondent, language):
    """Return (line numbers, records) from a pasted list, a line per appointment: "when, mobile or
    email".

    ``when`` is YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, UK time. A list has no system ids, so each
    line's id is a digest of the line: pasting the same list again changes nothing.
    """
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1) if line.strip()]
    if len(lines) > MAX_PASTED:
        raise AppointmentFileError(f"paste at most {MAX_PASTED} appointments at a time")
    numbers, records = [], []
    for number, line in lines:
        when, _, reached = line.replace("\t", ",").partition(",")
        when, reached = when.strip(), reached.strip()
        digest = hashlib.sha256(f"{service}\0{when}\0{reached}".encode()).hexdigest()[:24]
        numbers.append(number)
        records.append(
            {
                "appointment_id": f"P{digest}",
                "service": service,
                "district": district or "",
                "appointment_at": _iso(when),
                "respondent": respondent,
                "language": language,
                "email" if "@" in reached else "mobile": reached,
            }
        )
    return numbers, records


def _iso(when):
    match = UK_DATE_TIME.fullmatch(when)
    if not match:
        return when.replace(" ", "T", 1)
    day, month, year, hour, minute = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{minute}"
