"""A commissioner signs in and reads the scorecard in a real browser; axe-core checks each page."""

from datetime import date

import pytest

from analysis import jobs
from tests.browser.test_survey_browser import assert_accessible
from tests.conftest import create_response, create_staff

OCTOBER = date(2026, 10, 1)


@pytest.fixture
def signed_in(page, live_server):
    for value in ("very_good", "good", "poor", "poor", "poor", "dont_know", "neither"):
        create_response(
            answers={"overall": value, "right_support": "yes"},
            service="camhs",
            district="preston",
            comment="The wait was long",
        )
    for value in ("good", "good", "good", "good", "very_good"):
        create_response(answers={"overall": value}, service="salt", district="burnley")
    create_response(answers={"overall": "poor"}, service="physiotherapy", district="chorley")
    jobs.rebuild([OCTOBER])
    jobs.monthly_report(today=date(2026, 11, 1))
    create_staff()
    page.goto(f"{live_server}/dashboard")
    assert "Sign in" in page.title()
    assert_accessible(page)
    page.get_by_label("Email address").fill("commissioner@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()
    return page


def test_commissioner_finds_scorecard_exception_chart_and_breakdown(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server}/dashboard/?month=2026-10")
    assert page.get_by_role("heading", level=1).inner_text() == "KPI scorecard, October 2026"
    assert page.get_by_role("table").first.is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Exceptions").click()
    assert page.get_by_role("link", name="APP 1b").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="APP 1b").click()
    assert page.get_by_role("img", name="APP 1b: monthly value against the plan's target").is_visible()
    breakdown = page.get_by_role("table", name="By service, October 2026")
    assert breakdown.get_by_role("row").count() == 4  # header + three services
    assert breakdown.get_by_text("*").count() >= 2  # physiotherapy (1 answer) and the next smallest
    assert_accessible(page)


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/comments?q=wait",
        "/dashboard/reports",
        "/dashboard/reports/2026-10",
        "/dashboard/kpi/cip-2023/CIP%203.4?month=2026-10",
    ],
)
def test_other_staff_pages_have_no_axe_violations(signed_in, live_server, path):
    signed_in.goto(live_server + path)
    assert_accessible(signed_in)
