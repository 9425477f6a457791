"""Staff accounts: the admin's pages, disabling, the second factor, and the command line."""

import re
import time

import pyotp

from feedback.models import AuditEvent, StaffService, StaffUser
from tests.conftest import create_staff, form_fields, parse, rows, sign_in
from tests.feedback.test_cli import run


def _admin(app):
    create_staff("admin@example.org", "admin")
    client = app.test_client()
    sign_in(client, "admin@example.org")
    return client


def _shown_password(response):
    return parse(response).select_one("code.key").get_text(strip=True)


def test_admin_adds_service_staff_who_sign_in_with_the_password_shown_once(app):
    admin = _admin(app)
    fields = form_fields(admin.get("/dashboard/users/new"))
    added = admin.post(
        "/dashboard/users/new",
        data={
            **fields,
            "email": "Sam.Okafor@Example.org",
            "role": "service_staff",
            "services": ["camhs", "salt"],
            "active": "y",
        },
    )
    assert added.status_code == 200
    password = _shown_password(added)
    [user] = rows(StaffUser, email="sam.okafor@example.org")
    assert user.role == "service_staff" and user.password_hash != password
    assert sorted(s.service_slug for s in rows(StaffService, staff_user_id=user.id)) == ["camhs", "salt"]
    assert password not in admin.get("/dashboard/users").get_data(as_text=True)
    staff = app.test_client()
    assert sign_in(staff, "sam.okafor@example.org", password).status_code == 302
    assert staff.get("/dashboard/").status_code == 200
    [event] = rows(AuditEvent, action="role_change", subject="sam.okafor@example.org")
    assert event.actor == "admin@example.org" and password not in (event.detail or "")


def test_a_new_account_starts_as_service_staff_not_administrator(app):
    page = parse(_admin(app).get("/dashboard/users/new"))
    assert page.select_one("select[name=role] option[selected]")["value"] == "service_staff"


def test_adding_a_taken_email_or_unknown_role_is_refused_with_a_reason(app):
    admin = _admin(app)
    fields = form_fields(admin.get("/dashboard/users/new"))
    taken = admin.post("/dashboard/users/new", data={**fields, "email": "admin@example.org", "role": "admin"})
    assert taken.status_code == 400
    assert "already an account" in parse(taken).select_one(".error-summary").get_text()
    bad_role = admin.post("/dashboard/users/new", data={**fields, "email": "x@example.org", "role": "root"})
    assert bad_role.status_code == 400
    assert rows(StaffUser, email="x@example.org") == []


def test_disabling_an_account_ends_its_session_and_stops_sign_in(app):
    admin = _admin(app)
    create_staff("leaver@example.org", "commissioner")
    leaver = app.test_client()
    sign_in(leaver, "leaver@example.org")
    assert leaver.get("/dashboard/").status_code == 200
    [user] = rows(StaffUser, email="leaver@example.org")
    fields = form_fields(admin.get(f"/dashboard/users/{user.id}"))
    saved = admin.post(
        f"/dashboard/users/{user.id}", data={**fields, "email": user.email, "role": "commissioner"}
    )  # "active" unticked
    assert saved.status_code == 302
    assert leaver.get("/dashboard/").status_code == 302  # back to sign-in
    assert sign_in(app.test_client(), "leaver@example.org").status_code == 401
    assert (
        rows(AuditEvent, action="role_change", subject="leaver@example.org")[0].detail
        == "disabled; sessions ended"
    )


def test_an_admin_cannot_remove_their_own_admin_access(app):
    admin = _admin(app)
    [me] = rows(StaffUser, email="admin@example.org")
    fields = form_fields(admin.get(f"/dashboard/users/{me.id}"))
    refused = admin.post(
        f"/dashboard/users/{me.id}", data={**fields, "email": me.email, "role": "commissioner", "active": "y"}
    )
    assert refused.status_code == 400
    assert rows(StaffUser, email="admin@example.org")[0].role == "admin"


def test_a_password_reset_replaces_the_password_and_removes_the_second_factor(app):
    admin = _admin(app)
    create_staff("asd@example.org", "asd_team")
    [user] = rows(StaffUser, email="asd@example.org")
    page = admin.get(f"/dashboard/users/{user.id}")
    token = parse(page).select_one(f"form[action='/dashboard/users/{user.id}/reset'] input[name=csrf_token]")
    reset = admin.post(f"/dashboard/users/{user.id}/reset", data={"csrf_token": token["value"]})
    password = _shown_password(reset)
    assert sign_in(app.test_client(), "asd@example.org").status_code == 401  # the old one
    assert sign_in(app.test_client(), "asd@example.org", password).status_code == 302
    assert rows(AuditEvent, action="password_reset")[0].subject == "asd@example.org"


def _enrol(client, password="a long enough passphrase"):
    """Turn on the second factor as a person would: password, scan the key, confirm a code."""
    start = client.get("/dashboard/account/two-factor")
    client.post(
        "/dashboard/account/two-factor", data={**form_fields(start), "action": "start", "password": password}
    )
    page = client.get("/dashboard/account/two-factor")
    secret = parse(page).select_one("code.key").get_text(strip=True)
    assert parse(page).select_one(".qr svg") is not None
    assert parse(page).select_one("input[name=secret]") is None  # the secret stays on the server
    client.post(
        "/dashboard/account/two-factor",
        data={**form_fields(page), "action": "confirm", "code": pyotp.TOTP(secret).now()},
    )
    return secret


def test_second_factor_is_asked_for_after_the_password_and_a_code_works_once(app):
    create_staff("asd@example.org", "asd_team")
    client = app.test_client()
    sign_in(client, "asd@example.org")
    secret = _enrol(client)
    stored = rows(StaffUser, email="asd@example.org")[0].totp_secret
    assert stored and secret not in stored  # encrypted at rest
    client.post("/dashboard/logout", data=form_fields(client.get("/dashboard/")))

    later = app.test_client()
    step_one = sign_in(later, "asd@example.org")
    assert step_one.headers["Location"].startswith("/dashboard/login/code")
    assert later.get("/asd/").status_code == 302  # not signed in until the code is given
    fields = form_fields(later.get("/dashboard/login/code"))
    wrong = later.post("/dashboard/login/code", data={**fields, "code": "000000"})
    assert wrong.status_code == 401
    # The code used at enrolment (this time step) was spent there; the next step's code works.
    code = pyotp.TOTP(secret).at(int(time.time()), counter_offset=1)
    right = later.post("/dashboard/login/code", data={**fields, "code": code})
    assert right.status_code == 302
    assert later.get("/asd/").status_code in (200, 503)  # signed in (503: no data key in tests)

    replay = app.test_client()
    sign_in(replay, "asd@example.org")
    again = replay.post(
        "/dashboard/login/code", data={**form_fields(replay.get("/dashboard/login/code")), "code": code}
    )
    assert again.status_code == 401
    actions = [e.action for e in rows(AuditEvent)]
    assert "second_factor_on" in actions and actions.count("sign_in_failed") == 2


def test_only_admins_and_the_asd_team_are_offered_a_second_factor(app):
    create_staff()
    client = app.test_client()
    sign_in(client)
    assert client.get("/dashboard/account/two-factor").status_code == 403
    link = "a[href='/dashboard/account/two-factor']"
    assert parse(client.get("/dashboard/account")).select_one(link) is None
    create_staff("admin@example.org", "admin")
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    assert parse(admin.get("/dashboard/account")).select_one(link) is not None


def test_users_add_on_the_command_line_links_services_and_refuses_unknown_ones(app):
    ok = run(
        app,
        "users",
        "add",
        "--email",
        "staff@example.org",
        "--role",
        "service_staff",
        "--service",
        "camhs",
        "--password",
        "copper kettle lantern",
    )
    assert ok.exit_code == 0, ok.output
    [user] = rows(StaffUser, email="staff@example.org")
    assert [s.service_slug for s in rows(StaffService, staff_user_id=user.id)] == ["camhs"]
    bad = run(
        app,
        "users",
        "add",
        "--email",
        "other@example.org",
        "--role",
        "service_staff",
        "--service",
        "nowhere",
        "--password",
        "copper kettle lantern",
    )
    assert bad.exit_code != 0 and "no service called nowhere" in bad.output
    assert rows(StaffUser, email="other@example.org") == []
    weak = run(
        app, "users", "add", "--email", "weak@example.org", "--role", "admin", "--password", "password1234"
    )
    assert weak.exit_code != 0 and re.search("breached", weak.output)
