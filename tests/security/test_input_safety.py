"""Bad input: CSRF, guessed tokens, export injection and production secrets."""

import csv
import io

import pytest

from analysis import exports
from feedback.cli import production_problem
from feedback.config import DEV_SECRET_KEY
from feedback.models import Comment, Response
from tests.conftest import create_staff, form_fields, rows, sign_in

STATE_CHANGING = [
    ("/s/local-offer", {"found_information": "yes"}),
    ("/s/service-experience?service=camhs", {"overall": "good"}),
    ("/dashboard/login", {"email": "admin@example.org", "password": "a long enough passphrase"}),
    ("/dashboard/logout", {}),
    ("/dashboard/kpi/cip-2023/CIP%203.4/value?month=2026-10", {"value": "50"}),
    ("/asd/family/ND1/sent", {"sequence": "1", "sent_on": "2026-11-20"}),
    ("/asd/family/ND1/erase", {"confirm": "ND1"}),
    ("/dashboard/users/new", {"email": "new@example.org", "role": "admin", "active": "y"}),
    ("/dashboard/users/1", {"email": "admin@example.org", "role": "commissioner"}),
    ("/dashboard/users/1/reset", {}),
    ("/dashboard/account/two-factor", {"secret": "JBSWY3DPEHPK3PXP", "code": "123456"}),
    ("/dashboard/account/two-factor", {"action": "start", "password": "a long enough passphrase"}),
    ("/dashboard/account/sign-out-everywhere", {}),
    ("/dashboard/users/1/sign-out", {}),
    ("/dashboard/users/1/unlock", {}),
    ("/dashboard/login/code", {"code": "123456"}),
    (
        "/dashboard/invitations/",
        {"survey": "service-experience", "service": "camhs", "count": "3", "output": "csv"},
    ),
]


def _table_counts():
    from feedback.models import Invitation, KpiManualValue, Letter, StaffService, StaffUser, WaitingListEntry

    users = [
        (u.email, u.role, u.active, u.password_hash, u.totp_secret, u.totp_pending, u.session_version)
        for u in rows(StaffUser)
    ]
    return (
        users,
        *(
            len(rows(model))
            for model in (
                Response,
                Comment,
                Invitation,
                KpiManualValue,
                Letter,
                StaffService,
                WaitingListEntry,
            )
        ),
    )


@pytest.mark.parametrize(("path", "data"), STATE_CHANGING)
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_state_changing_routes_refuse_missing_or_wrong_csrf_tokens(app, client, path, data, token):
    create_staff("admin@example.org", "admin")
    sign_in(client, "admin@example.org")  # signed in, so only the missing or wrong token stops it
    before = _table_counts()
    form = {**data, **({"csrf_token": token} if token else {})}
    result = client.post(path, data=form)
    assert result.status_code == 400
    assert _table_counts() == before


def test_guessing_invitation_links_is_throttled(app, client):
    app.config["RATE_LIMIT_TOKEN_MISSES"] = 5
    codes = [client.get(f"/i/{'B' * 23}{n}").status_code for n in range(7)]
    assert codes == [404, 404, 404, 404, 404, 429, 429]


def test_survey_posts_are_rate_limited_per_client(app, client):
    app.config["RATE_LIMIT_SURVEY"] = 2
    fields = form_fields(client.get("/s/local-offer"))
    codes = [
        client.post("/s/local-offer", data={**fields, "found_information": "yes"}).status_code
        for _ in range(3)
    ]
    assert codes[-1] == 429


@pytest.mark.parametrize("text", ["=1+2", "+44 123", "-5", "@SUM(A1)", "\tx", "\rx", "\nx"])
def test_exported_cells_that_could_run_as_formulas_are_neutralised(text):
    header, body = ["a", "b", "c"], [["ok", text, 3]]
    parsed = list(csv.reader(io.StringIO(exports.to_csv(header, body))))
    assert parsed[1][1] == "'" + text
    assert all(len(row) == 3 for row in parsed)


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"SECRET_KEY": DEV_SECRET_KEY, "DATA_KEY": "k"}, "FEEDBACK_SECRET_KEY must be set"),
        ({"SECRET_KEY": "short", "DATA_KEY": "k"}, "at least 32 characters"),
        ({"SECRET_KEY": "x" * 40, "DATA_KEY": None}, "FEEDBACK_DATA_KEY must be set"),
    ],
)
def test_serve_refuses_production_with_development_defaults(config, problem):
    assert problem in production_problem({"ENV_NAME": "production", **config})


def test_serve_accepts_production_with_real_secrets():
    assert production_problem({"ENV_NAME": "production", "SECRET_KEY": "x" * 40, "DATA_KEY": "k"}) is None


def test_nothing_is_half_stored_when_a_comment_is_too_long(client):
    fields = form_fields(client.get("/s/local-offer"))
    client.post("/s/local-offer", data={**fields, "found_information": "yes", "comment": "x" * 1001})
    assert rows(Response) == [] and rows(Comment) == []


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12"),
        ("aaaaaaaaaaaaaa", "less repetitive"),
        ("Password1234", "most common"),
        ("qwertyuiopasdf", "breached"),
        ("1qaz2wsx3edc", "breached"),
        ("trustno1trustno1", "easy to guess"),
    ],
)
def test_weak_passwords_are_refused(password, problem):
    from feedback.auth import password_problem

    assert problem in password_problem(password)


def test_a_long_unusual_passphrase_is_accepted_but_not_one_built_from_the_email():
    from feedback.auth import password_problem

    assert password_problem("a long enough passphrase") is None
    assert password_problem("copper kettle lantern", ["sam.okafor@example.org"]) is None
    assert password_problem("samokafor2026", ["sam.okafor@example.org"]) is not None


def test_commissioners_see_flagged_comments_only_as_a_count(app, client):
    from datetime import date

    from feedback.db import transaction
    from tests.conftest import create_response, sign_in

    response = create_response(answers={"overall": "poor"}, month=date(2026, 10, 1))
    with transaction() as session:
        session.add(
            Comment(
                response_id=response.id,
                question_key="comment",
                text="my dad hits me",
                polarity=0.0,
                flagged=True,
                help_shown=True,
            )
        )
    create_staff()
    sign_in(client)
    page = client.get("/dashboard/comments").get_data(as_text=True)
    assert "my dad hits me" not in page
    assert "1 comment flagged for safeguarding review is not shown" in page
    create_staff("lead@example.org", "safeguarding_lead")
    lead = app.test_client()
    sign_in(lead, "lead@example.org")
    assert "my dad hits me" in lead.get("/dashboard/comments").get_data(as_text=True)


def test_retention_deletes_old_comments_and_ended_waits_but_keeps_figures(app):
    from datetime import UTC, date, datetime, timedelta

    from analysis import jobs
    from feedback import retention
    from feedback.db import transaction
    from feedback.models import AuditEvent, KpiSnapshot, WaitingListEntry
    from tests.conftest import create_response

    old = create_response(answers={"overall": "good"}, month=date(2024, 1, 1))
    with transaction() as session:
        session.add(
            Comment(
                response_id=old.id,
                question_key="comment",
                text="old words",
                polarity=0,
                created_at=datetime.now(UTC) - timedelta(days=800),
            )
        )
        session.add(Comment(response_id=old.id, question_key="comment", text="new words", polarity=0))
        for reference, seen in (("OLD", date(2024, 1, 1)), ("NEW", date(2026, 10, 1))):
            session.add(
                WaitingListEntry(
                    reference=reference,
                    pathway="asd",
                    personal="sealed",
                    referral_date=date(2023, 6, 1),
                    first_appointment=seen,
                )
            )
    jobs.rebuild([date(2024, 1, 1)])
    summary = retention.apply_retention()
    assert summary.startswith("1 comments, 1 waiting-list families")
    assert [c.text for c in rows(Comment)] == ["new words"]
    assert [e.reference for e in rows(WaitingListEntry)] == ["NEW"]
    assert rows(KpiSnapshot)
    assert [e.action for e in rows(AuditEvent)] == ["data_deletion"]
