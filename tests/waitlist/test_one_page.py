"""A normal 12 pt letter fits one A4 page: every letter type, with the longest facts a letter can
carry (late, an estimate, the queue, a five-line address, long names), never below 12 pt."""

import io
from datetime import date
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from feedback.waitlist import layout, letters, tracker
from tests.waitlist.test_accessible_letters import text_sizes

LONGEST_ADDRESS = [
    "Alexandra Fairweather-Brightwell",
    "Flat 12, Kingfisher Court",
    "142 Canal Side",
    "Burnley",
    "BB11 2XY",
]
LINK = "https://feedback.example.org/l/asd-12-west-lancashire"


def letter(kind, reliable, late, size=letters.BODY_PT):
    """Return a letter of this kind with the most it can say."""
    estimate = SimpleNamespace(
        reliable=reliable,
        worked_out_on=date(2026, 11, 23),
        per_week=12.6,
        reason="how many children we see each week has changed a lot in the last six months",
    )
    text = letters.render_text(
        kind,
        parent_name=LONGEST_ADDRESS[0],
        child_first_name="Maximilian",
        survey_link=LINK,
        contact=tracker.policy().contact,
        letter_type=kind,
        estimate=estimate,
        ahead=137,
        title=tracker.policy().letter_titles[kind],
        referral_date=date(2024, 9, 30),
        waited="2 years and 1 month",
        late_since=date(2026, 7, 1) if late else None,
        next_letter_on=date(2027, 3, 23),
        interval_months=4,
        estimate_range="about 7 to 11 months",
        estimate_when="between June 2027 and October 2027",
    )
    return letters.LetterContent("ND-2026-004217", LONGEST_ADDRESS, "23 November 2026", text, LINK, size)


def pages(*contents):
    return PdfReader(io.BytesIO(layout.pdf_bytes(list(contents), "Local SEND Partnership"))).pages


@pytest.mark.parametrize(
    "kind", ["acknowledgement", "already_waiting", "long_wait", "support_offer", "update", "twelve_month"]
)
@pytest.mark.parametrize(("reliable", "late"), [(True, True), (False, True), (True, False)])
def test_a_normal_letter_fits_one_a4_page_at_12_point(app, kind, reliable, late):
    [page] = pages(letter(kind, reliable, late))
    assert round(float(page.mediabox.width) / 72 * 25.4) == 210
    assert min(text_sizes(page)) >= 12
    assert "Yours sincerely" in page.extract_text()


def test_each_letter_in_a_batch_starts_its_own_page(app):
    assert len(pages(letter("long_wait", True, True), letter("update", False, False))) == 2


def test_a_large_print_letter_keeps_16_point_and_runs_on_to_a_second_page(app):
    found = pages(letter("support_offer", True, True, size=letters.LARGE_PT))
    assert len(found) == 2
    assert min(text_sizes(found[1])) >= 16
