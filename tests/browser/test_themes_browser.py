"""Closing the loop in a real browser: a member of staff tags a comment and records an action, a
lead approves it, it appears on the public page (plain and easy read) and in the delivery
group's digest; axe-core checks every page on the way."""

from analysis import loop_jobs
from feedback import clock
from tests.analysis.test_themes_triage import create_comment, link_service
from tests.browser.test_survey_browser import assert_accessible
from tests.conftest import create_staff


def sign_in_as(page, live_server, email):
    page.goto(f"{live_server}/dashboard/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()


def test_staff_tag_a_comment_record_an_action_a_lead_approves_it_and_families_see_it(page, live_server):
    month = clock.today().replace(day=1)
    create_comment("We waited a year and nobody rang us back.", service="camhs", month=month)
    create_staff("staff@example.org", "service_staff")
    link_service("staff@example.org", "camhs")
    create_staff("lead@example.org", "commissioner")

    sign_in_as(page, live_server, "staff@example.org")
    page.goto(f"{live_server}/dashboard/triage")
    comment = page.locator(".comment").first
    assert "Waiting times" in comment.inner_text() and "New" in comment.inner_text()
    assert_accessible(page)
    comment.get_by_label("Theme").select_option(label="School")
    comment.get_by_role("button", name="Add theme").click()
    assert "School (added by staff)" in page.locator(".comment").first.inner_text()
    page.locator(".comment").first.get_by_label("State").select_option(label="Acted on")
    page.locator(".comment").first.get_by_role("button", name="Save").click()
    assert "Acted on" in page.locator(".comment").first.inner_text()

    page.goto(f"{live_server}/dashboard/actions/new?service=camhs&theme=waiting")
    assert page.get_by_label("How many comments said it").input_value() == "1"
    assert_accessible(page)
    page.get_by_label("What families said, in one sentence").fill("The wait was long and nobody rang back.")
    page.get_by_label("What changed", exact=True).fill(
        "A duty worker now returns every call within two days."
    )
    page.get_by_label("What families said, in easy-read words").fill("Nobody rang you back.")
    page.get_by_label("What changed, in easy-read words").fill("Now we ring you back.")
    page.get_by_role("button", name="Record the action").click()
    assert "waiting for approval" in page.locator(".action").first.inner_text()
    assert page.get_by_role("button", name="Approve and publish").count() == 0
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{live_server}/you-said-we-did")
    assert "duty worker" not in page.locator("main").inner_text()  # not public before approval

    sign_in_as(page, live_server, "lead@example.org")
    page.goto(f"{live_server}/dashboard/actions")
    page.get_by_role("button", name="Approve and publish").click()
    assert "now on the public" in page.get_by_role("status").first.inner_text()

    page.goto(f"{live_server}/you-said-we-did")
    main = page.locator("main").inner_text()
    assert "duty worker" in main and "1 comment" in main and "nobody rang us back" not in main.lower()
    assert_accessible(page)
    page.get_by_role("link", name="Read this in easy read").click()
    assert "Now we ring you back." in page.locator("main").inner_text()
    assert_accessible(page)

    loop_jobs.group_digests()
    page.goto(f"{live_server}/dashboard/groups")
    assert_accessible(page)
    page.get_by_role("link", name=month.strftime("%B %Y")).first.click()
    assert "duty worker" in page.locator("main").inner_text()
    assert_accessible(page)


def test_the_themes_chart_page_has_no_axe_violations(page, live_server):
    month = clock.today().replace(day=1)
    create_comment("The wait was long.", month=month)
    create_staff("lead@example.org", "commissioner")
    sign_in_as(page, live_server, "lead@example.org")
    page.goto(f"{live_server}/dashboard/themes")
    assert page.get_by_role("img", name=f"Comments by theme, {month:%B %Y}").is_visible()
    assert_accessible(page)
