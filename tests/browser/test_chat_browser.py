"""A young person uses the chat widget on /chat/demo with the keyboard alone."""

from analysis import jobs
from analysis.dao import snapshot_counts
from feedback.db import reading
from feedback.models import Answer, Comment, Response
from tests.browser.test_survey_browser import assert_accessible
from tests.conftest import rows

FOCUSED_IN_WIDGET = """() => {
  const host = document.querySelector('[data-send-feedback-chat]');
  const inner = host && host.shadowRoot && host.shadowRoot.activeElement;
  return inner ? inner.textContent.trim() : null;
}"""


def focused(page):
    return page.evaluate(FOCUSED_IN_WIDGET)


def tab_to_launcher(page):
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused(page) == "Tell us what you think":
            return
    raise AssertionError("the launcher cannot be reached with Tab")


def test_keyboard_only_conversation_is_stored_and_counted(page, live_server):
    page.goto(f"{live_server}/chat/demo?survey=service-experience&service=physiotherapy")
    tab_to_launcher(page)
    page.keyboard.press("Enter")
    page.get_by_text("How was your visit to the physio team?").wait_for()
    assert focused(page) == "Very good"
    assert_accessible(page)  # with the panel open
    page.keyboard.press("Enter")
    page.get_by_text("Did your child get the right help?", exact=False).wait_for()
    page.keyboard.press("Tab")
    assert focused(page) == "A bit"
    page.keyboard.press("Enter")
    page.get_by_label("Your answer (up to 1000 letters)").wait_for()
    page.keyboard.type("The physio was kind and helpful.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("That is all the questions.").wait_for()
    assert focused(page) == "Close the chat"
    page.keyboard.press("Enter")
    assert focused(page) == "Tell us what you think"

    [response] = rows(Response)
    assert (response.channel, response.service_slug, response.instrument_version) == (
        "chat",
        "physiotherapy",
        1,
    )
    assert {a.question_key: a.value for a in rows(Answer)} == {
        "overall": "very_good",
        "right_support": "partly",
    }
    assert rows(Comment)[0].text == "The physio was kind and helpful."
    jobs.rebuild([response.month])
    with reading() as session:
        counts = snapshot_counts(session, [response.month])
    assert counts[("app-2020", "APP 1b", response.month, "all")] == (1, 1)


def test_escape_closes_the_panel_and_returns_focus(page, live_server):
    page.goto(f"{live_server}/chat/demo")
    tab_to_launcher(page)
    page.keyboard.press("Enter")
    page.get_by_text("Hello! I am a computer, not a person.").wait_for()
    page.keyboard.press("Escape")
    assert focused(page) == "Tell us what you think"
    assert page.get_by_role("dialog").count() == 0


def test_messages_are_announced_through_a_live_region(page, live_server):
    page.goto(f"{live_server}/chat/demo")
    page.get_by_role("button", name="Tell us what you think").click()
    log = page.get_by_role("log")
    log.get_by_text("Hello! I am a computer, not a person.").wait_for()
    assert log.get_attribute("aria-live") == "polite"


def test_unknown_survey_shows_no_launcher_and_says_why_in_the_console(page, live_server):
    warnings = []
    page.on("console", lambda message: warnings.append(message.text))
    page.goto(f"{live_server}/chat/demo?survey=no-such-survey")
    page.wait_for_timeout(500)
    assert page.get_by_role("button", name="Tell us what you think").count() == 0
    assert any("SEND feedback chat not shown" in w and "unknown_survey" in w for w in warnings)
    assert page.get_by_role("heading", level=1).inner_text() == "Short breaks for disabled children"


def test_widget_fits_a_320_pixel_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 568})
    page = context.new_page()
    page.goto(f"{live_server}/chat/demo")
    page.get_by_role("button", name="Tell us what you think").click()
    page.get_by_text("Hello! I am a computer, not a person.").wait_for()
    box = page.get_by_role("dialog").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_when_the_service_cannot_be_reached_the_widget_says_so_and_keeps_answers(page, live_server):
    page.goto(f"{live_server}/chat/demo?survey=local-offer&service=local-offer")
    page.get_by_role("button", name="Tell us what you think").click()
    page.get_by_text("Did you find what you needed?").wait_for()
    page.route("**/chat/api/v1/conversations/*/answers", lambda route: route.abort())
    page.get_by_role("button", name="Yes").first.click()
    page.get_by_text("Sorry, we cannot send that just now.", exact=False).wait_for()
    page.unroute("**/chat/api/v1/conversations/*/answers")
    page.get_by_role("button", name="Try again").click()
    page.get_by_text("Was it useful?").wait_for()


def test_read_aloud_speaks_new_messages_with_the_browsers_own_voice(page, live_server):
    page.add_init_script("""
      window.__spoken = [];
      window.speechSynthesis.speak = (utterance) => window.__spoken.push(utterance.text);
    """)
    page.goto(f"{live_server}/chat/demo?survey=local-offer&service=local-offer")
    page.get_by_role("button", name="Tell us what you think").click()
    page.get_by_text("Did you find what you needed?").wait_for()
    aloud = page.get_by_role("button", name="Read aloud")
    aloud.click()
    assert aloud.get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Yes").first.click()
    page.get_by_text("Was it useful?").wait_for()
    assert page.evaluate("window.__spoken") == ["Thank you.", "Was it useful?"]
