"""The survey's error summary takes focus, and its links bring the whole question into view."""

import pytest

SCREENS = [{"width": 390, "height": 844}, {"width": 320, "height": 568}, {"width": 1280, "height": 800}]


def focused_id(page):
    return page.evaluate("document.activeElement.id || document.activeElement.className")


@pytest.mark.parametrize(
    "path", ["/s/service-experience?service=camhs", "/s/service-experience?service=camhs&easy=1"]
)
def test_the_error_summary_has_focus_when_the_page_comes_back(page, live_server, path):
    page.goto(live_server + path)
    page.locator("button[type=submit]").click()
    page.wait_for_load_state("load")  # the summary's script has run
    assert focused_id(page) == "error-summary"
    page.keyboard.press("Tab")  # the next stop is the summary's first link
    assert page.evaluate("document.activeElement.closest('.error-summary') !== null")


@pytest.mark.parametrize("viewport", SCREENS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_following_a_link_shows_the_question_and_focuses_its_first_answer(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server}/s/service-experience?service=camhs")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    page.locator(".error-summary").get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "overall-0"
    legend = page.locator("#overall-0").locator("xpath=ancestor::fieldset/legend")
    box = legend.bounding_box()
    assert box["y"] >= -1 and box["y"] + box["height"] <= viewport["height"]  # to the pixel
    answer = page.locator("label[for=overall-0]").bounding_box()
    assert answer["y"] + answer["height"] <= viewport["height"]
    context.close()


def test_a_text_answer_that_is_too_long_is_linked_to_its_label(page, live_server):
    page.goto(f"{live_server}/s/service-experience?service=camhs")
    page.get_by_text("Very good", exact=True).click()
    page.locator("#comment").evaluate(
        "(el) => { el.removeAttribute('maxlength'); el.value = 'x'.repeat(1001); }"
    )
    page.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    page.locator(".error-summary").get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "comment"
    assert page.locator("label[for=comment]").bounding_box()["y"] >= 0
