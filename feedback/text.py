"""Text a person typed or a file held, checked before it is stored.

A NUL character cannot be stored in PostgreSQL, and half of a UTF-16 surrogate pair (which JSON
can carry as "\\ud800") cannot be written as UTF-8 by either database. Both are refused where
they come in, with a message, rather than failing later in a job or a page.
"""

import csv
import io
import re

from flask import request

from feedback.errors import render_error

UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
MESSAGE = "contains a character that cannot be stored (a NUL or half of a character pair)"


def unstorable(text):
    """Return whether ``text`` holds a character no database here can store."""
    return isinstance(text, str) and UNSTORABLE.search(text) is not None


def cleaned(text):
    """Return ``text`` without the characters that cannot be stored (for data already held)."""
    return UNSTORABLE.sub("", text)


class CsvFileError(ValueError):
    """A CSV file that cannot be read at all; the message says what to do."""


def read_csv(raw, required, max_field=10_000):
    """Return [(line number, {column: value})] from CSV bytes, or raise CsvFileError.

    The file must be UTF-8 (a byte order mark is allowed), have the ``required`` columns, and
    hold no field longer than ``max_field`` characters and no character that cannot be stored.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvFileError("The file is UTF-16 text; save it as 'CSV UTF-8' and import it again.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFileError(
            f"The file is not UTF-8 text (byte {error.start + 1} is not); save it as "
            "'CSV UTF-8' and import it again."
        ) from None
    if "\x00" in text:
        raise CsvFileError("The file holds NUL characters: it is not a CSV text file.")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise CsvFileError(
                f"The file has no column {', '.join(missing)}; the first line must name "
                f"the columns: {', '.join(required)}."
            )
        rows = []
        for row in reader:
            too_long = [c for c, v in row.items() if isinstance(v, str) and len(v) > max_field]
            if too_long or None in row:
                problem = "has a field that is too long" if too_long else "has more fields than columns"
                raise CsvFileError(f"Line {reader.line_num} {problem}.")
            rows.append((reader.line_num, row))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise CsvFileError(f"A field near line {max(reader.line_num, 2)} is too long.") from None
        raise CsvFileError(f"Line {reader.line_num} cannot be read as CSV ({error}).") from None
    return rows


def init_app(app):
    """Refuse, with a plain 400, any address or form that holds a character that cannot be stored."""

    @app.before_request
    def refuse_unstorable_text():
        fields = [request.path, *request.args.keys(), *request.args.values()]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            fields += [*request.form.keys(), *request.form.values()]
        if any(unstorable(field) for field in fields):
            return render_error(
                400,
                "Something you sent cannot be kept",
                f"What was sent {MESSAGE}. Please go back, remove it and try again.",
            )
        return None
