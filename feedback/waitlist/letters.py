"""Waiting-list letters: Jinja text in plain English, laid out as A4 PDF for windowed envelopes."""

import functools
from dataclasses import dataclass
from xml.sax.saxutils import escape

from flask import current_app, render_template
from reportlab.graphics import renderPDF
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Frame, Paragraph

from feedback.waitlist import schedule
from surveys.invitations import qr_drawing

# A DL window envelope: the address sits 20 mm from the left and 45 mm from the top.
WINDOW_X, WINDOW_TOP, WINDOW_W = 20 * mm, 45 * mm, 90 * mm
BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=13.5, spaceAfter=4)
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Helvetica-Bold", fontSize=11.5,
                         spaceBefore=4, spaceAfter=2)
BULLET = ParagraphStyle("bullet", parent=BODY, leftIndent=12, bulletIndent=2, spaceAfter=2)


@dataclass
class LetterContent:
    """One letter ready to lay out: the address block and the rendered text."""

    reference: str
    address: list
    letter_date: str
    text: str
    survey_link: str


def longdate(value):
    return f"{value.day} {value:%B %Y}"


def monthyear(value):
    return f"{value:%B %Y}"


def render_text(letter_type, **context):
    """Render a letter's text from its Jinja template."""
    env = current_app.jinja_env
    env.filters.setdefault("longdate", longdate)
    env.filters.setdefault("monthyear", monthyear)
    return render_template(f"letters/{letter_type}.txt", **context)


def facts(family, letter, on, estimate, pol):
    """Return what a letter says, worked out for the day it is printed (``on``)."""
    referral = family.entry.referral_date
    upcoming = family.upcoming
    late = family.outstanding[0].due_on if family.overdue else None
    found = {"estimate": estimate, "ahead": getattr(estimate, "ahead", None)}
    if estimate is not None and estimate.reliable:
        first, last = estimate.bounds()
        when = (f"in {monthyear(first)}" if monthyear(first) == monthyear(last)
                else f"between {monthyear(first)} and {monthyear(last)}")
        found.update(estimate_range=estimate.in_words(), estimate_when=when)
    return {**found, "title": pol.letter_titles[letter.letter_type], "referral_date": referral,
            "waited": schedule.wait_in_words(referral, on), "late_since": late,
            "next_letter_on": upcoming.due_on if upcoming else None,
            "interval_months": pol.pathways[family.entry.pathway].interval_months}


def content_for(family, due_letter, on, estimate, pol):
    """Return the LetterContent for one family's letter, its facts true on ``on``."""
    personal = family.personal
    survey_link = f"{current_app.config['BASE_URL'].rstrip('/')}/s/asd-support?service=asd-nd-pathway"
    text = render_text(
        due_letter.letter_type, parent_name=personal["parent_name"],
        child_first_name=personal["child_name"].split()[0], contact=pol.contact,
        survey_link=survey_link, **facts(family, due_letter, on, estimate, pol))
    address = [personal["parent_name"], personal["address_line_1"], personal.get("address_line_2"),
               personal["town"], personal["postcode"]]
    return LetterContent(family.row.reference, [line for line in address if line], longdate(on),
                         text, survey_link)


def _story(text):
    story = []
    for block in text.strip().split("\n\n"):
        block = block.strip()
        if not block:
            continue
        if block.startswith("## "):
            story.append(Paragraph(escape(block[3:]), HEADING))
            continue
        lines = block.splitlines()
        if all(line.startswith("- ") for line in lines):
            story.extend(Paragraph(escape(line[2:]), BULLET, bulletText="•") for line in lines)
        else:
            story.append(Paragraph(escape(" ".join(lines)), BODY))
    return story


@functools.lru_cache(maxsize=4)
def _survey_qr(link, size):
    """Every letter carries the same survey link, so its QR code is drawn once."""
    return qr_drawing(link, size)


def _draw_letter(pdf, letter):
    width, height = A4
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(WINDOW_X, height - 20 * mm, current_app.config["PARTNERSHIP_NAME"])
    pdf.setFont("Helvetica", 11)
    y = height - WINDOW_TOP
    for line in letter.address:
        pdf.drawString(WINDOW_X + 5 * mm, y, line)
        y -= 5 * mm
    pdf.drawRightString(width - 20 * mm, height - WINDOW_TOP, letter.letter_date)
    pdf.drawRightString(width - 20 * mm, height - WINDOW_TOP - 6 * mm, f"Our reference: {letter.reference}")
    qr = 26 * mm
    renderPDF.draw(_survey_qr(letter.survey_link, qr), pdf, width - 20 * mm - qr, 15 * mm)
    story = [*_story(letter.text)]
    frame = Frame(20 * mm, 15 * mm, width - 40 * mm - qr - 5 * mm, height - WINDOW_TOP - 45 * mm)
    frame.addFromList(story, pdf)
    while story:
        pdf.showPage()
        Frame(20 * mm, 20 * mm, width - 40 * mm, height - 40 * mm).addFromList(story, pdf)
    pdf.showPage()


def write_pdf(letters, path, progress=None):
    """Write letters to one A4 PDF, each starting on a new page; call progress(n) as it goes."""
    target = path if hasattr(path, "write") else str(path)  # a file name or a file-like buffer
    pdf = canvas.Canvas(target, pagesize=A4, pageCompression=1)
    pdf.setTitle("Waiting-list letters")
    for letter in letters:
        _draw_letter(pdf, letter)
        if progress:
            progress(1)
    pdf.save()
    return path


