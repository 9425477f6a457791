"""Scorecard and breakdown exports: CSV and XLSX that are safe to open in a spreadsheet.

A cell that starts with = + - @, a tab, a carriage return or a line feed can be run as a formula by
spreadsheet software (CSV injection, as in CVE-2019-16184); such text is prefixed with an
apostrophe, which spreadsheets show as plain text.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
COLUMNS = [
    "plan",
    "ref",
    "month",
    "scope",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "target",
    "target_status",
    "baseline",
    "rag",
    "suppressed",
    "entered_by",
    "computed_at",
]


def safe_cell(value):
    """Return a value that a spreadsheet will show, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def figure_rows(figures, wording=True):
    """Return a header and one list per figure, suppressed cells shown as '*'."""
    header = [*COLUMNS, "wording"] if wording else COLUMNS
    rows = []
    for figure in figures:
        data = figure.as_dict()
        row = [
            "*" if data["suppressed"] and c in ("numerator", "denominator", "value") else data[c]
            for c in COLUMNS
        ]
        rows.append([*row, figure.kpi.wording] if wording else row)
    return header, rows


def to_csv(header, rows):
    """Return CSV text with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()


def to_xlsx(header, rows, title="Scorecard"):
    """Return an XLSX workbook as bytes; text cells are stored as text, never formulas."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
