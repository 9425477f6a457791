"""Failed passwords and codes: a growing wait, then a lock an administrator lifts (audited)."""

import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from feedback import clock, lockout
from feedback.db import reading
from feedback.models import AuditEvent, StaffUser
from tests.conftest import create_staff, form_fields, parse, rows, sign_in
from tests.feedback.test_cli import run
from tests.security.test_accounts import _enrol

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
RIGHT = "a long enough passphrase"


@pytest.fixture
def at():
    """Set the one clock; ``at(seconds)`` moves it to that many seconds after 09:00."""

    def move(seconds):
        clock.freeze(START + timedelta(seconds=seconds))

    move(0)
    yield move
    clock.thaw()


def _try(client, email, password):
    page = client.get("/dashboard/login")
    return client.post("/dashboard/login", data={**form_fields(page), "email": email, "password": password})


def _attacker_for_an_hour(lock_after):
    """Guess as fast as the waits allow for an hour; return how many guesses were checked."""
    failures, moment, checked = 0, 0, 0
    while moment < 3600 and failures < lock_after:
        failures, checked = failures + 1, checked + 1
        moment += max(lockout.wait_after(failures), 1)
    return checked


def test_the_waits_grow_from_the_sixth_failure_and_stop_at_fifteen_minutes():
    assert [lockout.wait_after(n) for n in range(1, 13)] == [0, 0, 0, 0, 15, 30, 60, 120, 240, 480, 900, 900]


def test_no_more_than_100_failures_an_hour_reach_an_account_even_without_the_lock():
    assert _attacker_for_an_hour(lock_after=10) == 10
    assert _attacker_for_an_hour(lock_after=10**9) <= 15  # the waits alone; ASVS allows 100


def test_after_five_wrong_passwords_even_the_right_one_must_wait(app, client, at):
    create_staff()
    statuses = [_try(client, "commissioner@example.org", "wrong password!").status_code for _ in range(5)]
    assert statuses == [401] * 5
    at(10)
    too_soon = _try(client, "commissioner@example.org", RIGHT)
    assert too_soon.status_code == 429
    assert too_soon.headers["Retry-After"] == "6"
    assert "Wait 6 seconds" in parse(too_soon).select_one(".error-summary").get_text()
    at(16)
    assert _try(client, "commissioner@example.org", RIGHT).status_code == 302
    with reading() as session:
        assert lockout.failures_of(session, "commissioner@example.org") == 0  # forgiven


def _fail_until_locked(client, email, at):
    """Fail ten times in a row, waiting out each wait; return the statuses seen."""
    statuses, moment = [], 0
    for failures in range(1, 11):
        statuses.append(_try(client, email, "wrong password!").status_code)
        moment += lockout.wait_after(failures) + 1
        at(moment)
    return statuses, moment


def test_the_tenth_failure_locks_the_account_until_an_admin_unlocks_it(app, at):
    create_staff("admin@example.org", "admin")
    create_staff()
    client = app.test_client()
    statuses, moment = _fail_until_locked(client, "commissioner@example.org", at)
    assert statuses == [401] * 10
    at(moment + 86_400 * 7)  # a week later it is still locked
    locked = _try(client, "commissioner@example.org", RIGHT)
    assert locked.status_code == 429 and "locked" in parse(locked).select_one(".error-summary").get_text()
    [lock_event] = rows(AuditEvent, action="sign_in_locked")
    assert lock_event.subject == "commissioner@example.org"

    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    listing = parse(admin.get("/dashboard/users"))
    assert "No (locked)" in listing.get_text()
    [user_id] = [r.id for r in rows(StaffUser, email="commissioner@example.org")]
    page = admin.get(f"/dashboard/users/{user_id}")
    form = parse(page).select_one(f"form[action='/dashboard/users/{user_id}/unlock']")
    unlocked = admin.post(
        f"/dashboard/users/{user_id}/unlock",
        data={"csrf_token": form.select_one("input[name=csrf_token]")["value"]},
    )
    assert unlocked.status_code == 302
    assert _try(client, "commissioner@example.org", RIGHT).status_code == 302
    [event] = rows(AuditEvent, action="account_unlocked")
    assert (event.actor, event.subject) == ("admin@example.org", "commissioner@example.org")


def test_an_address_with_no_account_is_slowed_and_locked_exactly_as_a_real_one(app, at):
    create_staff()
    seen = {}
    for email in ("commissioner@example.org", "nobody@example.org"):
        client = app.test_client()
        statuses, _ = _fail_until_locked(client, email, at)
        early = _try(client, email, "wrong password!")
        seen[email] = (statuses, early.status_code, parse(early).select_one(".error-summary").get_text())
        at(0)
    assert seen["commissioner@example.org"] == seen["nobody@example.org"]


def test_wrong_second_factor_codes_count_towards_the_lock(app, at):
    clock.thaw()  # enrolment needs the real time, which the authenticator app also uses
    create_staff("asd@example.org", "asd_team")
    client = app.test_client()
    sign_in(client, "asd@example.org")
    secret = _enrol(client)
    client.post("/dashboard/logout", data=form_fields(client.get("/dashboard/")))
    attacker = app.test_client()
    statuses = []
    for _ in range(6):
        sign_in(attacker, "asd@example.org")  # the password is known; the codes are guessed
        page = attacker.get("/dashboard/login/code")
        statuses.append(
            attacker.post("/dashboard/login/code", data={**form_fields(page), "code": "000000"}).status_code
        )
    # Five wrong codes (the right password in between takes nothing back), then even the right
    # password and the right code have to wait.
    assert statuses == [401] * 5 + [429]
    with reading() as session:
        assert lockout.failures_of(session, "asd@example.org") == 5
    assert sign_in(attacker, "asd@example.org").status_code == 429
    page = attacker.get("/dashboard/login/code")
    right = {**form_fields(page), "code": pyotp.TOTP(secret).at(int(time.time()), counter_offset=1)}
    assert attacker.post("/dashboard/login/code", data=right).status_code == 429


def test_the_command_line_unlocks_an_account_when_no_admin_can_sign_in(app, at):
    create_staff("admin@example.org", "admin")
    _fail_until_locked(app.test_client(), "admin@example.org", at)
    result = run(app, "users", "unlock", "--email", "admin@example.org")
    assert result.exit_code == 0, result.output
    assert "can sign in again" in result.output
    assert sign_in(app.test_client(), "admin@example.org").status_code == 302
    [event] = rows(AuditEvent, action="account_unlocked")
    assert event.actor == "command line"


def test_a_quiet_day_starts_the_count_again(app, client, at):
    create_staff()
    for _ in range(4):
        _try(client, "commissioner@example.org", "wrong password!")
    at(86_400 + 60)
    for _ in range(4):
        assert _try(client, "commissioner@example.org", "wrong password!").status_code == 401
    with reading() as session:
        assert lockout.failures_of(session, "commissioner@example.org") == 4
