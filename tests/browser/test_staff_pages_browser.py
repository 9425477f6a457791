"""Staff pages for keyboard users, screen-reader users and small screens."""

from datetime import date

import pytest

from analysis import jobs
from tests.browser.test_survey_browser import assert_accessible
from tests.conftest import create_response, create_staff

BLACK = "rgb(11, 12, 12)"
NARROW_PAGES = [
    "/dashboard/?month=2026-10",
    "/dashboard/exceptions?month=2026-10",
    "/dashboard/comments",
    "/dashboard/users",
    "/dashboard/api-tokens",
    "/dashboard/reports/2026-10",
    "/dashboard/audit",
    "/dashboard/kpi/cip-2023/CIP%203.4?month=2026-10",
]


def sign_in(page, live_server, email):
    page.goto(f"{live_server}/dashboard")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Dashboard").wait_for()


@pytest.fixture
def admin(browser, live_server):
    for value in ("very_good", "good", "poor", "poor", "poor", "dont_know", "neither"):
        create_response(
            answers={"overall": value, "right_support": "yes"},
            service="camhs",
            comment="The wait was long and the reception staff were not helpful at all",
        )
    jobs.rebuild([date(2026, 10, 1)])
    jobs.monthly_report(today=date(2026, 11, 1))
    create_staff(email="admin@example.org", role="admin")
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    sign_in(page, live_server, "admin@example.org")
    yield page
    context.close()


def test_skip_link_passes_over_the_navigation(admin, live_server):
    admin.goto(f"{live_server}/dashboard/?month=2026-10")
    assert admin.locator("main nav").count() == 0
    admin.keyboard.press("Tab")
    assert admin.evaluate("document.activeElement.textContent") == "Skip to main content"
    admin.keyboard.press("Enter")
    admin.keyboard.press("Tab")
    assert admin.evaluate("document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("target", ["sign out", "table region"])
def test_focus_shows_a_black_bar_as_well_as_yellow(admin, live_server, target):
    admin.goto(f"{live_server}/dashboard/?month=2026-10")
    element = (
        admin.get_by_role("button", name="Sign out")
        if target == "sign out"
        else admin.get_by_role("region").first
    )
    element.focus()
    assert BLACK in element.evaluate("(el) => getComputedStyle(el).boxShadow")


def test_the_twelve_month_trend_is_said_in_words(admin, live_server):
    admin.goto(f"{live_server}/dashboard/?month=2026-10")
    row = admin.get_by_role("row").filter(has=admin.get_by_role("link", name="APP 1b")).first
    assert row.get_by_role("cell").last.text_content().startswith("Last 12 months: from ")


@pytest.mark.parametrize("path", NARROW_PAGES)
def test_staff_page_fits_a_320_pixel_screen_and_passes_axe(admin, live_server, path):
    admin.goto(live_server + path)
    assert admin.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(admin)


def test_a_page_the_account_may_not_see_is_a_styled_page_with_a_main_landmark(page, live_server):
    create_staff(email="staff@example.org", role="service_staff")
    sign_in(page, live_server, "staff@example.org")
    response = page.goto(f"{live_server}/dashboard/users")
    assert response.status == 403
    assert page.get_by_role("main").get_by_role("heading", level=1).inner_text() == "You cannot see this page"
    assert_accessible(page)
