"""Stored cross-site scripting: payloads in every free-text field never run on staff pages."""

from analysis import jobs
from tests.conftest import create_response, create_staff

PAYLOADS = [
    "<script>alert('xss1')</script>",
    "<img src=x onerror=alert('xss2')>",
    "\"><svg onload=alert('xss3')>",
    "javascript:alert('xss4')",
    "<iframe srcdoc=\"<script>alert('xss5')</script>\"></iframe>",
]


def test_payloads_in_comments_never_execute_on_staff_pages(app, page, live_server):
    from datetime import date

    month = date(2026, 10, 1)
    for payload in PAYLOADS:
        create_response(answers={"overall": "poor"}, month=month, comment=payload)
    jobs.rebuild([month])
    create_staff()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/dashboard/login")
    page.get_by_label("Email address").fill("commissioner@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()
    for path in (
        "/dashboard/comments",
        "/dashboard/comments?q=script",
        "/dashboard/?month=2026-10",
        "/dashboard/kpi/app-2020/APP%201b?month=2026-10",
    ):
        page.goto(live_server + path)
        page.wait_for_timeout(200)
    page.goto(f"{live_server}/dashboard/comments")
    for payload in PAYLOADS:
        assert page.get_by_text(payload, exact=True).count() == 1  # shown as text
    assert dialogs == [] and errors == []
