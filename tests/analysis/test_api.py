"""The read-only API for BI tools: tokens made once and stored hashed, Bearer authorisation,
the dashboard's scope rules, and the same figures as the command line."""

import csv
import io
import json
from datetime import date

import pytest

from feedback.db import transaction
from feedback.models import ApiToken, AuditEvent, Comment
from tests.conftest import create_response, rows
from tests.feedback.test_cli import run

OCTOBER = date(2026, 10, 1)


def make_token(app, *args):
    result = run(app, "api-tokens", "add", *args)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def october(app):
    for service, answer in (
        ("camhs", "good"),
        ("camhs", "poor"),
        ("camhs", "very_good"),
        ("camhs", "good"),
        ("camhs", "good"),
        ("salt", "good"),
        ("salt", "poor"),
        ("salt", "good"),
        ("salt", "neither"),
        ("salt", "good"),
        ("salt", "good"),
    ):
        create_response(
            answers={"overall": answer},
            service=service,
            district="preston",
            month=OCTOBER,
            comment=f"About {service}: it was {answer}",
        )
    flagged = create_response(answers={"overall": "poor"}, service="camhs", month=OCTOBER)
    with transaction() as session:
        session.add(
            Comment(
                response_id=flagged.id,
                question_key="comment",
                text="Someone hurts me",
                polarity=-0.5,
                flagged=True,
            )
        )
    run(app, "kpis", "--month", "2026-10")  # works the month out, as the 15-minute job would
    return app


def test_a_token_is_printed_once_alone_on_the_last_line_and_stored_only_as_a_hash(app):
    result = run(app, "api-tokens", "add", "--name", "Board pack", "--role", "commissioner")
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("sfb_") and " " not in token and len(token) > 40
    [stored] = rows(ApiToken)
    assert token not in (stored.token_hash, stored.name) and len(stored.token_hash) == 64
    listed = run(app, "api-tokens", "list").output
    assert "Board pack" in listed and "commissioner" in listed and token not in listed
    assert [e.action for e in rows(AuditEvent)] == ["api_token_made"]


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--name", "x", "--role", "service_staff"], "needs one or more services"),
        (["--name", "x", "--role", "commissioner", "--service", "camhs"], "sees every service"),
        (["--name", "x", "--role", "service_staff", "--service", "nope"], "no service called 'nope'"),
        (["--name", " ", "--role", "admin"], "give the token a name"),
    ],
)
def test_a_token_that_cannot_be_made_is_refused_with_the_reason(app, args, reason):
    result = run(app, "api-tokens", "add", *args)
    assert result.exit_code == 1 and reason in result.output
    assert rows(ApiToken) == []


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer sfb_not-a-real-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}]
)
def test_without_a_live_token_the_api_says_401_and_how_to_authorise(client, headers):
    response = client.get("/api/v1/kpis?month=2026-10", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in response.get_json()["error"]


def test_a_revoked_token_stops_working_at_once(october, client):
    token = make_token(october, "--name", "Old tool", "--role", "commissioner")
    assert client.get("/api/v1/kpis?month=2026-10", headers=bearer(token)).status_code == 200
    [row] = rows(ApiToken)
    assert row.last_used_at is not None
    assert run(october, "api-tokens", "revoke", str(row.id)).exit_code == 0
    assert client.get("/api/v1/kpis?month=2026-10", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("by", [None, "service", "district"])
def test_the_api_and_the_command_line_give_the_same_figures(october, client, by):
    token = make_token(october, "--name", "Power BI", "--role", "commissioner")
    query = "month=2026-10" + (f"&by={by}" if by else "")
    api = client.get(f"/api/v1/kpis?{query}", headers=bearer(token)).get_json()
    cli = json.loads(
        run(october, "kpis", "--month", "2026-10", "--format", "json", *(["--by", by] if by else [])).output
    )
    assert api == cli
    app_1b = next(
        f for f in api if f["ref"] == "APP 1b" and f["scope"] in ("all", "service:camhs", "district:preston")
    )
    assert app_1b["computed_at"] is not None


def test_the_fft_return_from_the_api_is_the_command_lines(october, client):
    token = make_token(october, "--name", "Power BI", "--role", "commissioner")
    api = client.get("/api/v1/fft-return?month=2026-10", headers=bearer(token)).get_json()
    cli = list(csv.DictReader(io.StringIO(run(october, "fft-return", "--month", "2026-10").output)))
    assert [{k: str(v) for k, v in row.items() if k != "month"} for row in api] == cli
    assert {row["month"] for row in api} == {"2026-10"}


def test_a_service_staff_token_sees_only_its_own_services(october, client):
    token = make_token(october, "--name", "CAMHS dashboard", "--role", "service_staff", "--service", "camhs")
    by_service = client.get("/api/v1/kpis?month=2026-10&by=service", headers=bearer(token)).get_json()
    assert {f["scope"] for f in by_service} == {"service:camhs"}
    assert client.get("/api/v1/kpis?month=2026-10&by=district", headers=bearer(token)).status_code == 403
    said = client.get("/api/v1/comments?month=2026-10", headers=bearer(token)).get_json()
    assert said and {c["service"] for c in said} == {"camhs"}
    assert client.get("/api/v1/comments?service=salt", headers=bearer(token)).status_code == 403


def test_a_commissioner_token_gets_no_flagged_comments(october, client):
    token = make_token(october, "--name", "Board", "--role", "commissioner")
    said = client.get("/api/v1/comments?month=2026-10", headers=bearer(token)).get_json()
    assert said and not any(c["flagged"] for c in said)
    lead = make_token(october, "--name", "Safeguarding", "--role", "safeguarding_lead")
    seen = client.get("/api/v1/comments?month=2026-10", headers=bearer(lead)).get_json()
    assert seen[0]["flagged"] and seen[0]["text"] == "Someone hurts me"


def test_every_api_read_is_audited_under_the_tokens_name(october, client):
    token = make_token(october, "--name", "Power BI", "--role", "commissioner")
    client.get("/api/v1/kpis?month=2026-10&by=service", headers=bearer(token))
    [event] = rows(AuditEvent, action="api_read")
    assert (event.actor, event.subject) == ("api-token:Power BI", "kpis 2026-10 by service")


@pytest.mark.parametrize(
    ("query", "status"), [("month=2026-13", 400), ("month=2099-01", 400), ("by=team", 400)]
)
def test_bad_parameters_get_a_400_with_the_reason(october, client, query, status):
    token = make_token(october, "--name", "Power BI", "--role", "commissioner")
    response = client.get(f"/api/v1/kpis?{query}", headers=bearer(token))
    assert response.status_code == status and response.get_json()["error"]


def test_the_openapi_description_needs_no_token_and_describes_every_path(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/kpis", "/comments", "/fft-return", "/appointments", "/openapi.json"}
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    figure = document["components"]["schemas"]["Figure"]["properties"]
    assert {
        "ref",
        "month",
        "scope",
        "numerator",
        "denominator",
        "value",
        "target",
        "rag",
        "baseline",
        "target_status",
        "computed_at",
    } <= set(figure)
    assert document["servers"][0]["url"].endswith("/api/v1")


def test_an_admin_makes_a_token_on_the_page_sees_it_once_and_can_revoke_it(october, client):
    from tests.conftest import create_staff, form_fields, parse, sign_in

    create_staff("admin@example.org", role="admin")
    sign_in(client, "admin@example.org")
    page = client.get("/dashboard/api-tokens/")
    fields = {k: v for k, v in form_fields(page).items() if k == "csrf_token"}
    made = client.post(
        "/dashboard/api-tokens/", data={**fields, "name": "Board pack", "role": "commissioner"}
    )
    token = parse(made).select_one("#new-token code").get_text()
    assert client.get("/api/v1/kpis?month=2026-10", headers=bearer(token)).status_code == 200
    again = client.get("/dashboard/api-tokens/").get_data(as_text=True)
    assert token not in again and "Board pack" in again
    [row] = rows(ApiToken)
    assert row.created_by == "admin@example.org"
    client.post(f"/dashboard/api-tokens/{row.id}/revoke", data=fields)
    assert client.get("/api/v1/kpis?month=2026-10", headers=bearer(token)).status_code == 401
    assert {e.action for e in rows(AuditEvent)} >= {"api_token_made", "api_token_revoked", "api_read"}


def test_a_service_staff_token_made_on_the_page_needs_a_service(app, client):
    from tests.conftest import create_staff, form_fields, sign_in

    create_staff("admin@example.org", role="admin")
    sign_in(client, "admin@example.org")
    fields = {k: v for k, v in form_fields(client.get("/dashboard/api-tokens/")).items() if k == "csrf_token"}
    refused = client.post("/dashboard/api-tokens/", data={**fields, "name": "x", "role": "service_staff"})
    assert refused.status_code == 400 and "needs one or more services" in refused.get_data(as_text=True)
    assert rows(ApiToken) == []
