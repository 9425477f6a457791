"""Odd input answers 400 with a plain message, never a 500; sign-in never sends anyone elsewhere."""

import io
import json

import pytest

from feedback.models import Comment, Response, StaffUser
from tests.conftest import create_staff, form_fields, parse, rows, sign_in

API = "/chat/api/v1"


def _deep(depth):
    return "[" * depth + "]" * depth


def test_json_nested_5000_deep_to_the_chat_api_is_a_400(client):
    for path in (f"{API}/conversations", f"{API}/conversations/{'A' * 43}/answers"):
        response = client.post(path, data=_deep(5000), content_type="application/json")
        assert response.status_code == 400, path
        assert response.get_json()["error"] == "bad_json"


def test_json_nested_5000_deep_inside_an_object_is_a_400(client):
    body = '{"survey": ' + _deep(5000) + ', "service": "break-time"}'
    response = client.post(f"{API}/conversations", data=body, content_type="application/json")
    assert response.status_code == 400


def test_a_file_sent_as_a_survey_comment_is_a_400_and_nothing_is_stored(client):
    fields = form_fields(client.get("/s/local-offer"))
    upload = (io.BytesIO(b"%PDF-1.4 not an answer"), "answer.pdf")
    response = client.post(
        "/s/local-offer",
        data={**fields, "found_information": "yes", "comment": upload},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert parse(response).select_one("h1").get_text(strip=True) == "Files cannot be sent here"
    assert rows(Response) == [] and rows(Comment) == []


def test_the_same_answers_sent_as_multipart_without_a_file_are_still_taken(client):
    fields = form_fields(client.get("/s/local-offer"))
    response = client.post(
        "/s/local-offer",
        data={**fields, "found_information": "yes", "comment": "Clear"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert [c.text for c in rows(Comment)] == ["Clear"]


@pytest.fixture
def staff(app, client):
    create_staff("admin@example.org", "admin")
    sign_in(client, "admin@example.org")
    return client


@pytest.mark.parametrize("month", ["0001-01", "0000-01", "9999-12", "2026-00", "2026-1", "20x6-01"])
def test_an_impossible_dashboard_month_is_a_400(staff, month):
    response = staff.get(f"/dashboard/?month={month}")
    assert response.status_code == 400
    assert parse(response).select_one("h1").get_text(strip=True) == "Something was wrong with that request"


@pytest.mark.parametrize("secret", ["AB", "", "not base32 at all!", "A" * 500])
def test_a_short_or_malformed_second_factor_secret_posted_is_a_400_and_changes_nothing(staff, secret):
    page = staff.get("/dashboard/account/two-factor")
    for extra in ({}, {"action": "confirm"}):
        response = staff.post(
            "/dashboard/account/two-factor",
            data={**form_fields(page), "secret": secret, "code": "123456", **extra},
        )
        assert response.status_code == 400
    [admin] = rows(StaffUser, email="admin@example.org")
    assert admin.totp_secret is None and admin.totp_pending is None


def test_an_unknown_second_factor_action_is_a_400(staff):
    page = staff.get("/dashboard/account/two-factor")
    response = staff.post("/dashboard/account/two-factor", data={**form_fields(page), "action": "x"})
    assert response.status_code == 400


# As sent in the address (percent-encoded where a browser or an attacker would encode them).
OFFSITE = [
    "/%09/evil.example",
    "/%0A/x",
    "//evil.example",
    "/%5Cevil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "/%0D%0ALocation:%20//evil.example",
    "/%20/evil.example",
    "/dashboard/%E2%80%AE/x",
    "/no-such-page",
    "evil.example",
    "%2F%2Fevil.example",
    "/dashboard/" + "a" * 3000,
]


@pytest.mark.parametrize("target", OFFSITE)
def test_sign_in_never_sends_anyone_off_the_app_or_to_a_page_it_does_not_have(app, client, target):
    create_staff()
    page = client.get("/dashboard/login")
    response = client.post(
        f"/dashboard/login?next={target}",
        data={
            **form_fields(page),
            "email": "commissioner@example.org",
            "password": "a long enough passphrase",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"


def test_a_nul_in_where_to_go_next_is_refused_or_ignored_never_followed(app, client):
    create_staff()
    page = client.get("/dashboard/login")
    response = client.post(
        "/dashboard/login?next=/%00/evil.example",
        data={
            **form_fields(page),
            "email": "commissioner@example.org",
            "password": "a long enough passphrase",
        },
    )
    # Text holding a NUL is refused at the door (feedback.text); were it let in, sign-in ignores it.
    assert response.status_code == 400 or response.headers["Location"] == "/dashboard/"
    from feedback import auth

    with app.test_request_context():
        assert auth.safe_next("/\x00/evil.example") == "/dashboard/"


@pytest.mark.parametrize(
    "target",
    [
        "/dashboard/comments?service=camhs&month=2026-10",
        "/dashboard/exceptions",
        "/dashboard/kpi/app-2020/APP%201b?month=2026-10",
        "/dashboard",
    ],
)
def test_sign_in_returns_to_the_page_of_this_app_that_was_asked_for(app, client, target):
    create_staff()
    page = client.get("/dashboard/login")
    response = client.post(
        "/dashboard/login",
        query_string={"next": target},
        data={
            **form_fields(page),
            "email": "commissioner@example.org",
            "password": "a long enough passphrase",
        },
    )
    assert response.headers["Location"] == target


def test_the_code_step_keeps_the_same_rule_for_where_to_go_next(app):
    from feedback import auth

    with app.test_request_context():
        assert auth.safe_next("/%09/evil.example".replace("%09", "\t")) == "/dashboard/"
        assert auth.safe_next("/asd/") == "/asd/"
        assert auth.safe_next(None) == "/dashboard/"


def test_a_chat_answer_that_is_not_a_json_object_is_still_a_400(client):
    for body in ("[]", "null", "1" * 5000, json.dumps({"a": [[[[[]]]]]})):
        response = client.post(f"{API}/conversations", data=body, content_type="application/json")
        assert response.status_code == 400, body[:20]
