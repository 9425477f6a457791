"""Waiting-list letters: Jinja text in plain English (or easy read), laid out as tagged A4 PDF
for windowed envelopes by ``layout``."""

from dataclasses import dataclass

from flask import current_app, render_template

from feedback.waitlist import layout, schedule

BODY_PT, LARGE_PT = 12, 16  # the normal letter and the large-print one (RNIB: at least 16 pt)


@dataclass
class LetterContent:
    """One letter ready to lay out: the address block, the rendered text and its format."""

    reference: str
    address: list
    letter_date: str
    text: str
    survey_link: str
    size: int = BODY_PT
    easy_read: bool = False


def survey_link(pathway, sequence, district):
    """Return the letter's survey link: short enough to type, and carrying only the pathway, the
    letter's number and the district (never who the family is)."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/l/{pathway}-{sequence}-{district or 'all'}"


def longdate(value):
    return f"{value.day} {value:%B %Y}"


def monthyear(value):
    return f"{value:%B %Y}"


def render_text(template, **context):
    """Render a letter's text from its Jinja template."""
    env = current_app.jinja_env
    env.filters.setdefault("longdate", longdate)
    env.filters.setdefault("monthyear", monthyear)
    return render_template(f"letters/{template}.txt", **context)


def facts(family, letter, on, estimate, pol):
    """Return what a letter says, worked out for the day it is printed (``on``)."""
    referral = family.entry.referral_date
    upcoming = family.upcoming
    late = family.outstanding[0].due_on if family.overdue else None
    found = {"estimate": estimate, "ahead": getattr(estimate, "ahead", None)}
    if estimate is not None and estimate.reliable:
        first, last = estimate.bounds()
        when = (
            f"in {monthyear(first)}"
            if monthyear(first) == monthyear(last)
            else f"between {monthyear(first)} and {monthyear(last)}"
        )
        found.update(estimate_range=estimate.in_words(), estimate_when=when)
    return {
        **found,
        "title": pol.letter_titles[letter.letter_type],
        "referral_date": referral,
        "waited": schedule.wait_in_words(referral, on),
        "late_since": late,
        "next_letter_on": upcoming.due_on if upcoming else None,
        "interval_months": pol.pathways[family.entry.pathway].interval_months,
    }


def content_for(family, due_letter, on, estimate, pol):
    """Return the LetterContent for one family's letter, its facts true on ``on``, in the
    family's format (large print, easy read)."""
    personal, row = family.personal, family.row
    link = survey_link(row.pathway, due_letter.sequence, row.district_slug)
    easy = bool(getattr(row, "easy_read", False))
    text = render_text(
        "easy_read" if easy else due_letter.letter_type,
        parent_name=personal["parent_name"],
        child_first_name=personal["child_name"].split()[0],
        contact=pol.contact,
        survey_link=link,
        letter_type=due_letter.letter_type,
        **facts(family, due_letter, on, estimate, pol),
    )
    address = [
        personal["parent_name"],
        personal["address_line_1"],
        personal.get("address_line_2"),
        personal["town"],
        personal["postcode"],
    ]
    size = LARGE_PT if easy or getattr(row, "large_print", False) else BODY_PT
    return LetterContent(
        row.reference, [line for line in address if line], longdate(on), text, link, size, easy
    )


def write_pdf(letters, path, progress=None):
    """Write letters to one tagged A4 PDF, each starting on a new page; call progress(n) when
    done. ``path`` is a file name or a file-like buffer."""
    letters = list(letters)
    data = layout.pdf_bytes(letters, current_app.config["PARTNERSHIP_NAME"])
    if hasattr(path, "write"):
        path.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)
    if progress:
        progress(len(letters))
    return path
