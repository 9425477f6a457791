"""Sessions end when they should, everywhere: a copied cookie stops working after sign-out, a
password reset, a change of role or services, and a change of second factor."""

import time

import pyotp
import pytest

from feedback.models import AuditEvent, StaffUser
from tests.conftest import create_staff, form_fields, parse, rows, sign_in
from tests.security.test_accounts import _enrol

ADMIN = "admin@example.org"


def _signed_in(app, email, role):
    create_staff(email, role)
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _copy(app, client):
    """A second browser holding a copy of the first one's session cookie (as a thief would)."""
    name = app.config["SESSION_COOKIE_NAME"]
    thief = app.test_client()
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def _admin(app):
    return _signed_in(app, ADMIN, "admin")


def _user_id(email):
    return rows(StaffUser, email=email)[0].id


def _post_action(admin, path, form_page):
    token = parse(admin.get(form_page)).select_one("input[name=csrf_token]")["value"]
    return admin.post(path, data={"csrf_token": token})


def test_a_cookie_replayed_after_sign_out_is_refused(app):
    client = _signed_in(app, "asd@example.org", "asd_team")
    copy = _copy(app, client)
    assert copy.get("/dashboard/").status_code == 200  # the copy works while the session lives
    client.post("/dashboard/logout", data=form_fields(client.get("/dashboard/")))
    refused = copy.get("/dashboard/")
    assert refused.status_code == 302 and "/dashboard/login" in refused.headers["Location"]
    assert copy.get("/asd/").status_code == 302


def test_a_cookie_replayed_after_an_admin_resets_the_password_is_refused(app):
    admin = _admin(app)
    client = _signed_in(app, "asd@example.org", "asd_team")
    copy = _copy(app, client)
    user_id = _user_id("asd@example.org")
    reset = _post_action(admin, f"/dashboard/users/{user_id}/reset", f"/dashboard/users/{user_id}")
    assert reset.status_code == 200
    assert client.get("/dashboard/").status_code == 302
    assert copy.get("/dashboard/").status_code == 302
    [event] = rows(AuditEvent, action="password_reset")
    assert "sessions ended" in event.detail


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"role": "commissioner"}, "role service_staff to commissioner"),
        ({"services": ["salt"]}, "services camhs to salt"),
    ],
)
def test_a_change_of_role_or_services_ends_the_accounts_sessions(app, change, expected):
    admin = _admin(app)
    client = _signed_in(app, "staff@example.org", "service_staff")
    user_id = _user_id("staff@example.org")
    fields = form_fields(admin.get(f"/dashboard/users/{user_id}"))
    first = {
        **fields,
        "email": "staff@example.org",
        "role": "service_staff",
        "services": ["camhs"],
        "active": "y",
    }
    admin.post(f"/dashboard/users/{user_id}", data=first)
    assert client.get("/dashboard/").status_code == 302  # the first change (adding camhs) ended it
    sign_in(client, "staff@example.org")
    assert client.get("/dashboard/").status_code == 200
    fields = form_fields(admin.get(f"/dashboard/users/{user_id}"))
    data = {
        **fields,
        "email": "staff@example.org",
        "role": "service_staff",
        "services": ["camhs"],
        "active": "y",
        **change,
    }
    assert admin.post(f"/dashboard/users/{user_id}", data=data).status_code == 302
    assert client.get("/dashboard/").status_code == 302
    assert rows(AuditEvent, action="role_change", subject="staff@example.org")[-1].detail.startswith(expected)


def test_saving_an_account_unchanged_leaves_its_sessions_alone(app):
    admin = _admin(app)
    client = _signed_in(app, "lead@example.org", "safeguarding_lead")
    user_id = _user_id("lead@example.org")
    fields = form_fields(admin.get(f"/dashboard/users/{user_id}"))
    admin.post(
        f"/dashboard/users/{user_id}",
        data={**fields, "email": "lead@example.org", "role": "safeguarding_lead", "active": "y"},
    )
    assert client.get("/dashboard/").status_code == 200


def test_turning_the_second_factor_on_ends_other_sessions_but_not_this_one(app):
    client = _signed_in(app, "asd@example.org", "asd_team")
    elsewhere = app.test_client()
    sign_in(elsewhere, "asd@example.org")
    _enrol(client)
    assert client.get("/dashboard/").status_code == 200
    assert elsewhere.get("/dashboard/").status_code == 302


def test_turning_the_second_factor_off_needs_the_password_and_a_code_and_ends_other_sessions(app):
    client = _signed_in(app, "asd@example.org", "asd_team")
    secret = _enrol(client)
    copy = _copy(app, client)
    assert copy.get("/dashboard/").status_code == 200
    page = client.get("/dashboard/account/two-factor")
    code = pyotp.TOTP(secret).at(int(time.time()), counter_offset=1)  # enrolment spent this step's
    wrong = client.post(
        "/dashboard/account/two-factor",
        data={**form_fields(page), "action": "remove", "password": "not my password at all", "code": code},
    )
    assert wrong.status_code == 400
    assert rows(StaffUser, email="asd@example.org")[0].totp_secret is not None
    removed = client.post(
        "/dashboard/account/two-factor",
        data={**form_fields(page), "action": "remove", "password": "a long enough passphrase", "code": code},
    )
    assert removed.status_code == 302
    assert rows(StaffUser, email="asd@example.org")[0].totp_secret is None
    assert client.get("/dashboard/").status_code == 200
    assert copy.get("/dashboard/").status_code == 302


def test_sign_out_everywhere_ends_every_other_session_and_keeps_this_one(app):
    client = _signed_in(app, "commissioner@example.org", "commissioner")
    laptop = app.test_client()
    sign_in(laptop, "commissioner@example.org")
    page = client.get("/dashboard/account")
    assert page.status_code == 200
    ended = client.post("/dashboard/account/sign-out-everywhere", data=form_fields(page))
    assert ended.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert laptop.get("/dashboard/").status_code == 302
    [event] = rows(AuditEvent, action="sessions_ended")
    assert event.actor == event.subject == "commissioner@example.org"


def test_an_admin_signs_an_account_out_everywhere_without_changing_its_password(app):
    admin = _admin(app)
    client = _signed_in(app, "staff@example.org", "service_staff")
    user_id = _user_id("staff@example.org")
    done = _post_action(admin, f"/dashboard/users/{user_id}/sign-out", f"/dashboard/users/{user_id}")
    assert done.status_code == 302
    assert client.get("/dashboard/").status_code == 302
    assert sign_in(client, "staff@example.org").status_code == 302  # same password still works
    [event] = rows(AuditEvent, action="sessions_ended")
    assert (event.actor, event.subject, event.detail) == (ADMIN, "staff@example.org", "by an administrator")
    assert admin.get("/dashboard/").status_code == 200


def test_a_password_step_waiting_for_its_code_is_ended_by_a_reset(app):
    admin = _admin(app)
    client = _signed_in(app, "asd@example.org", "asd_team")
    _enrol(client)
    waiting = app.test_client()
    assert sign_in(waiting, "asd@example.org").headers["Location"].startswith("/dashboard/login/code")
    assert waiting.get("/dashboard/login/code").status_code == 200
    user_id = _user_id("asd@example.org")
    _post_action(admin, f"/dashboard/users/{user_id}/reset", f"/dashboard/users/{user_id}")
    assert waiting.get("/dashboard/login/code").status_code == 302  # back to the password step


def test_sign_out_and_sign_out_everywhere_refuse_a_missing_csrf_token(app):
    client = _signed_in(app, "commissioner@example.org", "commissioner")
    assert client.post("/dashboard/account/sign-out-everywhere").status_code == 400
    assert client.post("/dashboard/logout").status_code == 400
    assert client.get("/dashboard/").status_code == 200
