"""A parent carer answers in a real browser; every respondent page passes axe-core."""

from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe

from feedback.models import Answer, Comment, Response
from tests.conftest import create_invitation, rows

AXE = Axe()


def assert_accessible(page):
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_parent_answers_an_invitation_by_clicking_labels(page, live_server):
    token, _ = create_invitation(service_slug="salt", district_slug="pendle")
    page.goto(f"{live_server}/i/{token}")
    page.get_by_text("Good", exact=True).click()
    page.get_by_text("Partly", exact=True).click()
    page.get_by_label("What was good, and what could be better?").fill("Lovely therapist.")
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    [response] = rows(Response)
    assert (response.instrument_slug, response.instrument_version) == ("service-experience", 1)
    assert (response.service_slug, response.district_slug, response.channel) == ("salt", "pendle", "form")
    assert {a.question_key: a.value for a in rows(Answer)} == {"overall": "good", "right_support": "partly"}
    assert rows(Comment)[0].text == "Lovely therapist."


def test_error_summary_moves_focus_to_the_field_when_its_link_is_followed(page, live_server):
    page.goto(f"{live_server}/s/service-experience?service=camhs")
    page.get_by_role("button", name="Send my answers").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "overall-0"
    assert rows(Response) == []


def test_keyboard_alone_can_answer_and_send(page, live_server):
    page.goto(f"{live_server}/s/local-offer")
    page.locator("#found_information-0").focus()
    page.keyboard.press("Space")
    page.locator("button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/thanks**")
    assert rows(Response)[0].instrument_slug == "local-offer"


def test_page_fits_a_320_pixel_phone_without_sideways_scrolling(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in ("/s/service-experience?service=camhs", "/s/transition"):
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_kiosk_returns_to_a_blank_form_after_thanking(app, page, live_server):
    app.config["KIOSK_RESET_SECONDS"] = 1
    page.goto(f"{live_server}/s/service-experience?service=physiotherapy&mode=kiosk")
    page.get_by_text("Very good", exact=True).click()
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    page.wait_for_url("**/s/service-experience?*mode=kiosk", timeout=5000)
    assert page.locator("input[type=radio]:checked").count() == 0
    assert rows(Response)[0].channel == "kiosk"


RESPONDENT_PAGES = [
    "/s/service-experience?service=camhs&district=preston",
    "/s/service-experience?service=camhs&easy=1",
    "/s/asd-support",
    "/s/asd-support?easy=1",
    "/s/transition",
    "/s/local-offer",
    "/s/local-offer?easy=1",
    "/s/break-time-parent",
    "/s/break-time-young-person",
    "/s/ehcp-annual-review",
    "/s/ehc-needs-assessment?easy=1",
    "/s/board-quiz",
    "/s/service-experience?service=camhs&mode=kiosk",
    "/s/service-experience/thanks?service=camhs",
    "/s/service-experience/thanks?service=camhs&easy=1",
    "/privacy",
    "/s/no-such-survey",
]


@pytest.mark.parametrize("path", RESPONDENT_PAGES)
def test_respondent_page_has_no_axe_violations(page, live_server, path):
    page.goto(live_server + path)
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/s/service-experience?service=camhs&easy=1", "/s/transition"])
def test_easy_read_error_state_has_no_axe_violations(page, live_server, path):
    page.goto(live_server + path)
    page.locator("button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)


def test_used_and_expired_invitation_pages_have_no_axe_violations(page, live_server):
    used, _ = create_invitation(used=True)
    past = datetime.now(UTC) - timedelta(days=1)
    expired, _ = create_invitation(expires_at=past)
    for token in (used, expired):
        page.goto(f"{live_server}/i/{token}")
        assert_accessible(page)
