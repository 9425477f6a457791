"""Routing in a real browser: the transition experience appears only for a young person who
has moved, and what is stored matches what was asked."""

from feedback.models import Answer
from tests.browser.test_survey_browser import assert_accessible
from tests.conftest import rows


def test_the_experience_question_shows_only_after_saying_yes_to_having_moved(page, live_server):
    page.goto(f"{live_server}/s/transition")
    experience = page.locator("[data-asked-if=moved][data-asked-answers=yes]")
    plan_question = page.locator("[data-asked-if=moved][data-asked-answers='no dont_know']")
    assert experience.is_hidden() and plan_question.is_hidden()
    page.locator("label[for=moved-1]").click()  # No
    assert experience.is_hidden() and plan_question.is_visible()
    page.locator("label[for=moved-0]").click()  # Yes
    assert experience.is_visible() and plan_question.is_hidden()
    assert_accessible(page)
    page.locator("label[for=experience-1]").click()  # Good
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/thanks**")
    assert {a.question_key: a.value for a in rows(Answer)} == {"moved": "yes", "experience": "good"}
