"""Health and outages: /healthz as JSON, the staff banner, and plain 503s when the database is down."""

import dataclasses
import logging
from datetime import UTC, datetime, timedelta

import pytest

from feedback import create_app, dao, jobs, logs
from feedback.db import transaction
from tests.conftest import create_staff, parse, sign_in

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def broken():
    raise RuntimeError("no")


def fail_twice(app, monkeypatch, frozen_clock, name="refresh_kpis"):
    job = jobs.registry(app)[name]
    monkeypatch.setitem(jobs.registry(app), name, dataclasses.replace(job, function=broken))
    for minutes in (0, 5):
        frozen_clock(NOW + timedelta(minutes=minutes))
        with pytest.raises(jobs.JobFailed):
            jobs.run(name)


def test_healthz_gives_the_database_the_heartbeat_and_each_job(client, app, frozen_clock, monkeypatch):
    with transaction() as session:
        dao.beat(session, "host:1", NOW - timedelta(seconds=42))
    fail_twice(app, monkeypatch, frozen_clock)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["scheduler_heartbeat_age_s"] == 42 + 5 * 60
    assert set(body["jobs"]) == set(jobs.registry(app))
    assert body["jobs"]["refresh_kpis"]["last_error"] == "2026-12-01T10:05:00+00:00"
    assert body["jobs"]["refresh_kpis"]["failures"] == 2
    assert body["jobs"]["letters_due"] == {
        "last_ok": None,
        "last_error": None,
        "error": None,
        "failures": 0,
        "running": False,
    }
    assert "no" not in str(body["jobs"]["refresh_kpis"])  # an error's words are not public


def test_staff_see_a_banner_when_a_job_has_failed_twice(client, app, frozen_clock, monkeypatch):
    frozen_clock(NOW)
    app.config["SCHEDULER_WATCH"] = True
    create_staff()
    with transaction() as session:
        dao.beat(session, "host:1", NOW)
    sign_in(client)
    assert parse(client.get("/dashboard/")).find(id="job-warnings") is None
    fail_twice(app, monkeypatch, frozen_clock)
    banner = parse(client.get("/dashboard/")).find(id="job-warnings")
    assert banner is not None and banner.get("role") == "alert"
    assert "refresh_kpis has failed 2 times in a row" in banner.get_text()


def test_staff_see_a_banner_when_the_scheduler_has_not_beaten_for_an_hour(client, app, frozen_clock):
    app.config["SCHEDULER_WATCH"] = True
    create_staff()
    with transaction() as session:
        dao.beat(session, "host:1", NOW)
    frozen_clock(NOW + timedelta(minutes=59))
    sign_in(client)
    assert parse(client.get("/dashboard/")).find(id="job-warnings") is None
    frozen_clock(NOW + timedelta(minutes=65))  # still within a signed-in session's idle limit
    banner = parse(client.get("/dashboard/")).find(id="job-warnings")
    assert "last reported 65 minutes ago" in banner.get_text()


@pytest.fixture
def down(tmp_path):
    """An app whose database cannot be opened (a folder that is not there), as in an outage."""
    app = create_app(
        {
            "ENV_NAME": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path}/missing/feedback.sqlite3",
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    yield app.test_client()
    app.extensions["feedback.engine"].dispose()


def test_healthz_says_the_database_is_down_with_503_and_retry_after(down):
    response = down.get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json() == {"database": "down", "scheduler_heartbeat_age_s": None, "jobs": {}}


def test_a_page_that_needs_the_database_is_a_plain_503_when_it_is_down(down):
    response = down.get("/s/local-offer?service=camhs")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = parse(response)
    assert page.h1.get_text(strip=True) == "This part of the service is not available"
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_survey_post_during_an_outage_says_the_answers_were_not_sent(down):
    down.application.config["WTF_CSRF_ENABLED"] = False
    response = down.post("/s/local-offer?service=camhs", data={"found_information": "yes"})
    assert response.status_code == 503
    assert "have not been sent" in parse(response).get_text()


@pytest.mark.parametrize("path", ["/chat/api/v1/surveys/service-experience", "/api/v1/kpis"])
def test_the_apis_answer_json_503_when_the_database_is_down(down, path):
    response = down.get(path)
    if path.startswith("/api/") and response.status_code == 404:
        pytest.skip("the BI API is not built yet")
    assert response.status_code == 503
    assert response.get_json()["error"] == "unavailable"
    assert response.headers["Retry-After"] == "30"


def test_the_thank_you_page_renders_without_the_database_and_says_the_answer_was_saved(down):
    response = down.get("/s/local-offer/thanks?service=camhs")
    assert response.status_code == 200
    assert "saved" in parse(response).get_text()


def test_pages_that_need_no_database_still_answer_when_it_is_down(down):
    assert down.get("/privacy").status_code == 200


def test_an_outage_seen_by_many_requests_is_logged_once_a_window(down, caplog, monkeypatch):
    monkeypatch.setattr(logs, "_windows", {})  # as in a fresh process
    caplog.set_level(logging.INFO)
    for _ in range(50):
        down.get("/s/local-offer?service=camhs")
    lines = [r for r in caplog.records if r.name == "feedback.health"]
    assert 1 <= len(lines) <= 2
    assert "Traceback" not in caplog.text


def test_an_unexpected_error_is_one_line_without_the_address_or_what_was_typed(app, caplog):
    app.testing = False

    @app.get("/boom/<token>")
    def boom(token):
        raise ValueError(f"bad value {token}")

    caplog.set_level(logging.INFO)
    response = app.test_client().get("/boom/secret-conversation-token")
    assert response.status_code == 500
    lines = [r.getMessage() for r in caplog.records if r.name == "feedback.errors"]
    assert len(lines) == 1
    assert "ValueError" in lines[0] and "test_health.py" in lines[0]
    assert "secret-conversation-token" not in caplog.text
