"""Bengali, Gujarati, Polish and Urdu in a real browser: Urdu right to left, axe-clean, and data-lang.

Screenshots go to the folder named by FEEDBACK_SCREENSHOTS, when it is set, for a person to look at.
"""

import os
from pathlib import Path

import pytest

from feedback.models import Response
from tests.browser.test_survey_browser import assert_accessible
from tests.conftest import rows

PAGES = [
    "/s/service-experience?service=camhs",
    "/s/service-experience?service=camhs&easy=1",
    "/s/break-time-parent",
    "/s/break-time-parent?easy=1",
    "/s/break-time-young-person",
    "/s/service-experience/thanks?service=camhs",
    "/s/service-experience/thanks?service=camhs&easy=1",
]


def screenshot(page, name, full_page=True):
    folder = os.environ.get("FEEDBACK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


@pytest.mark.parametrize("lang", ["bn", "gu", "pl", "ur"])
@pytest.mark.parametrize("path", PAGES)
def test_translated_page_has_no_axe_violations(page, live_server, path, lang):
    page.goto(f"{live_server}{path}&lang={lang}" if "?" in path else f"{live_server}{path}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["pl", "ur"])
def test_translated_error_state_has_no_axe_violations(page, live_server, lang):
    page.goto(f"{live_server}/s/service-experience?service=camhs&easy=1&lang={lang}")
    page.locator("button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    assert_accessible(page)


def test_the_urdu_survey_reads_from_right_to_left_and_fits_a_phone(page, live_server):
    page.goto(f"{live_server}/s/service-experience?service=physiotherapy&easy=1&lang=ur")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    heading = page.get_by_role("heading", level=1).bounding_box()
    label = page.locator("label[for=overall-0]")
    box, words = label.bounding_box(), label.locator("span").bounding_box()
    assert heading["x"] + heading["width"] > page.viewport_size["width"] - 40  # starts at the right
    # The radio circle takes the label's first 54 px, which in Urdu are on its right.
    assert words["x"] + words["width"] <= box["x"] + box["width"] - 54
    page.get_by_text("اچھا", exact=True).click()
    screenshot(page, "survey-urdu-easy-read")
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/thanks**")
    assert page.get_by_role("heading", level=1).inner_text() == "شکریہ"
    [response] = rows(Response)
    assert (response.language, response.easy_read) == ("ur", True)


def test_switching_language_keeps_the_service_and_reading_level(page, live_server):
    page.goto(f"{live_server}/s/service-experience?service=physiotherapy&easy=1")
    page.get_by_role("link", name="Polski").click()
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.get_by_role("heading", level=1).inner_text() == "Twoja wizyta (zespół fizjoterapii)"
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your visit to the physio team"


@pytest.mark.parametrize(
    ("lang", "direction", "launcher"),
    [("ur", "rtl", "ہمیں اپنی رائے بتائیں"), ("pl", "ltr", "Powiedz nam, co myślisz")],
)
def test_the_chat_speaks_the_language_of_its_data_lang(browser, live_server, lang, direction, launcher):
    context = browser.new_context(viewport={"width": 320, "height": 256}, device_scale_factor=4)
    page = context.new_page()
    page.goto(f"{live_server}/chat/demo?survey=service-experience&service=physiotherapy&lang={lang}")
    page.get_by_role("button", name=launcher).click()
    dialog = page.get_by_role("dialog", name=launcher)
    dialog.get_by_role("group").get_by_role("button").first.wait_for()
    assert dialog.evaluate("(el) => [el.closest('[lang]').lang, getComputedStyle(el).direction]") == [
        lang,
        direction,
    ]
    assert page.locator("html").get_attribute("lang") == "en"  # the host page is still English
    screenshot(page, f"chat-{lang}-400-percent", full_page=False)
    assert_accessible(page)
    context.close()
