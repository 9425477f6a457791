"""The chat on small and short screens: phones, landscape phones and 300-400% zoom.

Zoom is emulated as browsers do it: a 1280 x 1024 window at 400% is a 320 x 256 CSS-pixel viewport.
"""

import pytest

from tests.browser.test_survey_browser import assert_accessible

SCREENS = {
    "400% zoom": {"viewport": {"width": 320, "height": 256}, "device_scale_factor": 4},
    "300% zoom": {"viewport": {"width": 427, "height": 341}, "device_scale_factor": 3},
    "landscape phone": {"viewport": {"width": 844, "height": 390}, "device_scale_factor": 3},
    "small phone": {"viewport": {"width": 320, "height": 568}, "device_scale_factor": 2},
}
DEMO = "/chat/demo?survey=service-experience&service=physiotherapy"
QUESTION = "How was your visit to the physio team?"

# Whether an element lies wholly inside the viewport and inside every box that clips it.
WHOLLY_SHOWN = """(el) => {
  const r = el.getBoundingClientRect();
  let box = {top: 0, left: 0, bottom: innerHeight, right: innerWidth};
  for (let p = el.parentElement || el.getRootNode().host; p;
       p = p.parentElement || (p.getRootNode().host || null)) {
    const s = getComputedStyle(p);
    if (/(auto|scroll|hidden|clip)/.test(s.overflowX + s.overflowY)) {
      const q = p.getBoundingClientRect();
      box = {top: Math.max(box.top, q.top), left: Math.max(box.left, q.left),
             bottom: Math.min(box.bottom, q.bottom), right: Math.min(box.right, q.right)};
    }
  }
  return r.height > 0 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5
    && r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
}"""

# Where focus is: "widget" inside the chat, "page" on the host page, or None.
FOCUS_IS = """() => {
  const host = document.querySelector('[data-send-feedback-chat]');
  const a = document.activeElement;
  if (a === host) return 'widget';
  return a && a !== document.body ? 'page' : null;
}"""


@pytest.fixture(params=list(SCREENS))
def screen(request, browser):
    context = browser.new_context(**SCREENS[request.param])
    page = context.new_page()
    yield page
    context.close()


def open_chat(page, live_server):
    page.goto(live_server + DEMO)
    page.get_by_role("button", name="Tell us what you think").click()
    page.get_by_text(QUESTION).wait_for()


def test_every_answer_can_be_brought_wholly_into_view(screen, live_server):
    open_chat(screen, live_server)
    answers = screen.get_by_role("group", name=QUESTION).get_by_role("button")
    assert answers.count() == 7  # six on the scale, and Skip
    for index in range(answers.count()):
        answer = answers.nth(index)
        answer.focus()
        assert answer.evaluate(WHOLLY_SHOWN), answer.inner_text()


def test_the_first_answer_has_focus_and_is_in_view_when_a_question_is_asked(screen, live_server):
    open_chat(screen, live_server)
    first = screen.get_by_role("button", name="Very good")
    assert first.evaluate("(el) => el.getRootNode().activeElement === el")
    assert first.evaluate(WHOLLY_SHOWN)


def test_the_chat_fills_a_small_screen_as_a_modal_dialog_and_hides_its_launcher(screen, live_server):
    open_chat(screen, live_server)
    dialog = screen.get_by_role("dialog", name="Tell us what you think")
    assert dialog.evaluate("(el) => el.matches(':modal')")
    box = dialog.bounding_box()
    viewport = screen.viewport_size
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, viewport["width"], viewport["height"])
    assert screen.get_by_role("button", name="Tell us what you think").count() == 0
    assert screen.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_tab_never_reaches_the_page_hidden_behind_the_full_screen_chat(screen, live_server):
    open_chat(screen, live_server)
    places = set()
    for _ in range(30):
        screen.keyboard.press("Tab")
        places.add(screen.evaluate(FOCUS_IS))
    assert "page" not in places


def test_escape_closes_the_full_screen_chat_and_gives_focus_back_to_the_launcher(screen, live_server):
    open_chat(screen, live_server)
    screen.keyboard.press("Escape")
    launcher = screen.get_by_role("button", name="Tell us what you think")
    assert launcher.evaluate("(el) => el.getRootNode().activeElement === el")
    assert screen.get_by_role("dialog").count() == 0
    screen.get_by_role("link").first.focus()  # the page is usable again


def test_the_full_screen_chat_passes_axe(screen, live_server):
    open_chat(screen, live_server)
    assert_accessible(screen)


def test_chat_text_is_at_least_twenty_pixels(page, live_server):
    open_chat(page, live_server)
    sizes = page.evaluate("""() => {
      const root = document.querySelector('[data-send-feedback-chat]').shadowRoot;
      return [...root.querySelectorAll('p, button, h2, label')].map(
        (el) => parseFloat(getComputedStyle(el).fontSize));
    }""")
    assert min(sizes) >= 20


def test_the_question_stands_apart_from_the_greeting_before_it(page, live_server):
    open_chat(page, live_server)
    question = page.get_by_text(QUESTION)
    greeting = page.get_by_text("You do not need to give your name.")
    style = "(el) => [getComputedStyle(el).fontWeight, getComputedStyle(el).borderLeftWidth]"
    assert question.evaluate(style) != greeting.evaluate(style)
    page.get_by_role("button", name="Good", exact=True).click()
    next_question = page.get_by_role("group", name="Did your child get the right help?", exact=False)
    next_question.wait_for()
    assert question.evaluate(style) == greeting.evaluate(style)  # answered: one of the messages now


HIDDEN_BY_CHAT = """() => {
  const host = document.querySelector('[data-send-feedback-chat]');
  const a = document.activeElement;
  if (!a || a === host || a === document.body) return [];
  const r = a.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit === host ? [a.textContent.trim()] : [];
}"""


@pytest.mark.parametrize("where", ["low on a long page", "at the very end of the page"])
def test_on_a_large_screen_no_page_link_takes_focus_hidden_behind_the_chat(browser, live_server, where):
    context = browser.new_context(viewport={"width": 1024, "height": 600})
    page = context.new_page()
    page.goto(live_server + DEMO)
    gap = "900px 0 0" if where == "low on a long page" else "900px 0 0; margin-bottom: -200px"
    page.evaluate(
        """(gap) => {
      const p = document.createElement('p');
      p.style.cssText = 'text-align: right; margin: ' + gap;
      p.innerHTML = '<a href="#main">A link on the right</a>';
      document.querySelector('main').append(p);
    }""",
        gap,
    )
    page.get_by_role("button", name="Tell us what you think").click()
    page.get_by_text(QUESTION).wait_for()
    assert not page.get_by_role("dialog").evaluate("(el) => el.matches(':modal')")
    hidden = []
    for _ in range(25):
        page.keyboard.press("Tab")
        hidden += page.evaluate(HIDDEN_BY_CHAT)
    assert hidden == []
    context.close()
