"""Headers and the session cookie; second-factor secrets at rest; formula-safe account emails;
flagged safeguarding comments for those who need to know only."""

import pyotp
import pytest
from alembic import command
from sqlalchemy import create_engine, text

from feedback import accounts, create_app, second_factor
from feedback.db import transaction
from feedback.migrate import alembic_config
from feedback.models import Comment, StaffService, StaffUser
from tests.conftest import create_response, create_staff, everything_stored, form_fields, parse, rows, sign_in

PAGES = [
    "/",
    "/s/local-offer",
    "/dashboard/login",
    "/chat/api/v1/surveys/break-time-young-person",
    "/no-such-page",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_has_a_permissions_policy_and_an_opener_policy(client, path):
    response = client.get(path)
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(","))
    assert policy["camera"] == policy["microphone"] == policy["geolocation"] == policy["payment"] == "()"


@pytest.fixture
def secure_app(app):
    """The app as in production over HTTPS: Secure cookies."""
    made = create_app(
        {
            "ENV_NAME": "test",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SESSION_COOKIE_SECURE": True,
        }
    )
    yield made
    made.extensions["feedback.engine"].dispose()


def test_the_session_cookie_is_a_host_cookie_over_https(secure_app):
    create_staff()
    client = secure_app.test_client()
    page = client.get("https://localhost/dashboard/login")
    [cookie] = page.headers.getlist("Set-Cookie")
    assert cookie.startswith("__Host-session=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "path", "httponly", "samesite"} <= attributes and "domain" not in attributes
    assert "Path=/" in cookie
    # Over HTTPS a form post must say which page it came from; the Referrer-Policy lets the browser
    # say so to this site (and to no other).
    assert page.headers["Referrer-Policy"] == "same-origin"
    fields = {
        **form_fields(page),
        "email": "commissioner@example.org",
        "password": "a long enough passphrase",
    }
    assert client.post("https://localhost/dashboard/login", data=fields).status_code == 400  # no Referer
    signed_in = client.post(
        "https://localhost/dashboard/login",
        data=fields,
        headers={"Referer": "https://localhost/dashboard/login"},
    )
    assert signed_in.status_code == 302
    assert client.get("https://localhost/dashboard/").status_code == 200
    assert "Strict-Transport-Security" in client.get("https://localhost/dashboard/").headers


def test_without_secure_cookies_the_cookie_keeps_its_plain_name(client):
    assert client.get("/dashboard/login").headers["Set-Cookie"].startswith("session=")


def test_second_factor_secrets_are_never_stored_in_plain_text(app):
    create_staff("asd@example.org", "asd_team")
    client = app.test_client()
    sign_in(client, "asd@example.org")
    client.post(
        "/dashboard/account/two-factor",
        data={
            **form_fields(client.get("/dashboard/account/two-factor")),
            "action": "start",
            "password": "a long enough passphrase",
        },
    )
    pending = parse(client.get("/dashboard/account/two-factor")).select_one("code.key").get_text(strip=True)
    assert pending.encode() not in everything_stored(app)  # waiting for its code: encrypted
    page = client.get("/dashboard/account/two-factor")
    client.post(
        "/dashboard/account/two-factor",
        data={**form_fields(page), "action": "confirm", "code": pyotp.TOTP(pending).now()},
    )
    [user] = rows(StaffUser, email="asd@example.org")
    assert user.totp_secret and user.totp_pending is None
    assert second_factor.open_secret(second_factor.sealer(app.config), user.totp_secret) == pending
    assert pending.encode() not in everything_stored(app)


def test_enrolment_needs_the_password_again_and_a_wrong_one_counts_towards_the_lock(app):
    from feedback import lockout
    from feedback.db import reading

    create_staff("admin@example.org", "admin")
    client = app.test_client()
    sign_in(client, "admin@example.org")
    page = client.get("/dashboard/account/two-factor")
    assert parse(page).select_one("input[name=password]") is not None
    assert parse(page).select_one("code.key") is None  # no secret until the password is given
    wrong = client.post(
        "/dashboard/account/two-factor",
        data={**form_fields(page), "action": "start", "password": "someone else's guess"},
    )
    assert wrong.status_code == 400
    assert rows(StaffUser, email="admin@example.org")[0].totp_pending is None
    with reading() as session:
        assert lockout.failures_of(session, "admin@example.org") == 1


def test_a_key_change_keeps_second_factors_working_through_the_fallback_keys(app):
    old = second_factor.sealer({"SECRET_KEY": "the old key, long enough to be a real one"})
    sealed = second_factor.seal_secret(old, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    new_only = second_factor.sealer({"SECRET_KEY": "the new key, long enough to be a real one"})
    assert second_factor.open_secret(new_only, sealed) is None
    both = second_factor.sealer(
        {
            "SECRET_KEY": "the new key, long enough to be a real one",
            "SECRET_KEY_FALLBACKS": ("the old key, long enough to be a real one",),
        }
    )
    assert second_factor.open_secret(both, sealed) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_the_migration_encrypts_secrets_stored_in_plain_text_before_it(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
        connection.execute(
            text(
                "INSERT INTO staff_user (email, password_hash, role, active, created_at, "
                "totp_secret) VALUES ('asd@example.org', 'x', 'asd_team', 1, "
                "'2026-01-01 00:00:00', 'JBSWY3DPEHPK3PXP')"
            )
        )
    with app.app_context(), engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0007")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT totp_secret, session_version FROM staff_user")).one()
    engine.dispose()
    assert stored[0] != "JBSWY3DPEHPK3PXP" and stored[1] == 0
    assert second_factor.open_secret(second_factor.sealer(app.config), stored[0]) == "JBSWY3DPEHPK3PXP"


@pytest.mark.parametrize(
    "email",
    [
        "=cmd|' /C calc'!A0@example.org",
        "+44@example.org",
        "-1@example.org",
        "@sum@example.org",
        "a b@example.org",
        "a@example",
        "a@@example.org",
        "tab\t@example.org",
        "a@example.org\n=1",
    ],
)
def test_an_account_email_a_spreadsheet_could_run_or_that_is_not_an_address_is_refused(app, email):
    with pytest.raises(accounts.AccountError, match="enter an email address"), transaction() as session:
        accounts.add(session, email, "commissioner", "copper kettle lantern")
    assert rows(StaffUser) == []


def test_an_ordinary_address_with_a_plus_or_a_hyphen_inside_is_accepted(app):
    with transaction() as session:
        accounts.add(
            session, "sam.o-kafor+send@example-council.gov.uk", "commissioner", "copper kettle lantern"
        )
    assert [u.email for u in rows(StaffUser)] == ["sam.o-kafor+send@example-council.gov.uk"]


def parse_text(html):
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(html, "html.parser").get_text().split())


@pytest.fixture
def flagged(app):
    """A flagged comment about CAMHS and one about speech and language therapy."""
    for service in ("camhs", "salt"):
        response = create_response(answers={"overall": "poor"}, service=service)
        with transaction() as session:
            session.add(
                Comment(
                    response_id=response.id,
                    question_key="comment",
                    polarity=0.0,
                    flagged=True,
                    text=f"{service}: something at home frightens me",
                    help_shown=True,
                )
            )
    return app


def _comments_seen(app, role, services=()):
    email = f"{role}@example.org"
    create_staff(email, role)
    if services:
        [user] = rows(StaffUser, email=email)
        with transaction() as session:
            for slug in services:
                session.add(StaffService(staff_user_id=user.id, service_slug=slug))
    client = app.test_client()
    sign_in(client, email)
    page = client.get("/dashboard/comments").get_data(as_text=True)
    return {slug for slug in ("camhs", "salt") if f"{slug}: something at home" in page}, page


@pytest.mark.parametrize(
    ("role", "services", "sees"),
    [
        ("safeguarding_lead", (), {"camhs", "salt"}),
        ("admin", (), {"camhs", "salt"}),
        ("service_staff", ("camhs",), {"camhs"}),
        ("asd_team", (), set()),
        ("commissioner", (), set()),
    ],
)
def test_flagged_comments_are_read_only_by_the_lead_admins_and_the_services_own_staff(
    flagged, role, services, sees
):
    seen, page = _comments_seen(flagged, role, services)
    assert seen == sees
    withheld = parse_text(page)
    assert ("2 comments flagged for safeguarding review are not shown to your role" in withheld) == (not sees)
