"""An administrator adds an account and turns on a second factor, in a real browser."""

import pyotp

from tests.browser.test_survey_browser import assert_accessible
from tests.conftest import create_staff


def test_admin_adds_a_member_of_staff_and_turns_on_a_second_factor(page, live_server):
    create_staff("admin@example.org", "admin")
    page.goto(f"{live_server}/dashboard/login")
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Staff accounts").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add an account").click()
    assert_accessible(page)
    page.get_by_label("Email address").fill("therapist@example.org")
    page.get_by_label("Role").select_option(label="Service staff")
    page.get_by_label("Speech and language therapy", exact=False).check()
    page.get_by_role("button", name="Add account").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Account added for therapist@example.org"
    assert len(page.locator("code.key").inner_text()) >= 20
    assert_accessible(page)

    page.get_by_role("link", name="Your account").click()
    assert_accessible(page)
    page.get_by_role("link", name="change your second factor").click()
    assert page.locator("code.key").count() == 0  # no secret until the password is given again
    page.get_by_label("Your password").fill("a long enough passphrase")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    assert_accessible(page)
    secret = page.locator("code.key").inner_text()
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on the second factor").click()
    assert page.get_by_role("status").first.inner_text().startswith("Second factor turned on")
    assert_accessible(page)
