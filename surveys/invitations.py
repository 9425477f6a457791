"""Issue single-use invitations and print them: CSV for an SMS system, PDF cards with QR codes."""

import csv
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from feedback.models import Invitation
from surveys import dao, tokens


@dataclass(frozen=True)
class IssuedLink:
    """A link as handed to the person: the token exists nowhere else after this."""

    url: str
    service_name: str
    expires_on: date


def issue(
    session,
    *,
    instrument_slug,
    service,
    district_slug,
    appointment_date,
    count,
    base_url,
    now: datetime,
    days,
):
    """Create ``count`` invitations and return their links (the tokens are not stored)."""
    expires_at = tokens.expiry(now, days)
    links, rows = [], []
    for _ in range(count):
        token, token_hash = tokens.new_token()
        rows.append(
            Invitation(
                token_hash=token_hash,
                instrument_slug=instrument_slug,
                service_slug=service.slug,
                district_slug=district_slug,
                appointment_date=appointment_date,
                month=(appointment_date or now.date()).replace(day=1),
                created_at=now,
                expires_at=expires_at,
            )
        )
        links.append(IssuedLink(f"{base_url.rstrip('/')}/i/{token}", service.name, expires_at.date()))
    dao.add_invitations(session, rows)
    return links


def write_csv(links, stream):
    """Write the links as CSV, one row per invitation, for an SMS system's mail merge."""
    writer = csv.writer(stream)
    writer.writerow(["link", "service", "expires_on"])
    for link in links:
        writer.writerow([link.url, link.service_name, link.expires_on.isoformat()])


CARD_W, CARD_H = 95 * mm, 65 * mm
COLUMNS, ROWS = 2, 4
MARGIN_X, MARGIN_Y = (A4[0] - COLUMNS * CARD_W) / 2, (A4[1] - ROWS * CARD_H) / 2


def qr_drawing(url, size):
    """Return a QR code for a link as a reportlab drawing of the given size."""
    widget = QrCodeWidget(url, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def _draw_card(pdf, link, x, y):
    pdf.setDash(2, 3)
    pdf.rect(x, y, CARD_W, CARD_H)  # cut line
    pdf.setDash()
    qr_size = 34 * mm
    renderPDF.draw(qr_drawing(link.url, qr_size), pdf, x + CARD_W - qr_size - 4 * mm, y + 14 * mm)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(x + 6 * mm, y + CARD_H - 12 * mm, "How was your visit?")
    text = pdf.beginText(x + 6 * mm, y + CARD_H - 20 * mm)
    text.setFont("Helvetica", 9.5)
    for line in (
        "Tell us in one minute.",
        "Scan the code with your",
        "phone camera, or type",
        "the link below.",
        "You do not give your name.",
        f"Works until {link.expires_on:%d %b %Y}.",
    ):
        text.textLine(line)
    pdf.drawText(text)
    pdf.setFont("Helvetica-Oblique", 8)
    service = _fit(pdf, link.service_name, "Helvetica-Oblique", 8, CARD_W - 12 * mm)
    pdf.drawString(x + 6 * mm, y + 10 * mm, service)
    pdf.setFont("Helvetica", 7.5)
    pdf.drawString(x + 6 * mm, y + 5 * mm, link.url)


def _fit(pdf, text, font, size, width):
    """Shorten text with an ellipsis until it fits the width."""
    while pdf.stringWidth(text, font, size) > width and len(text) > 4:
        text = text[:-2].rstrip() + "…"
    return text


def write_pdf(links, target):
    """Write printable A4 sheets of cards, eight to a page, each with its own QR code, to a file
    path or a binary stream."""
    pdf = canvas.Canvas(target if hasattr(target, "write") else str(target), pagesize=A4)
    pdf.setTitle("Survey invitation cards")
    per_page = COLUMNS * ROWS
    for start in range(0, len(links), per_page):
        for index, link in enumerate(links[start : start + per_page]):
            column, row = index % COLUMNS, index // COLUMNS
            _draw_card(pdf, link, MARGIN_X + column * CARD_W, A4[1] - MARGIN_Y - (row + 1) * CARD_H)
        pdf.showPage()
    pdf.save()
