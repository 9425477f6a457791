"""The job runner: one finished run per period, failures retried with backoff, abandoned runs
claimed again, health for /healthz, the staff banner and `feedback jobs list`."""

import dataclasses
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger

from feedback import clock, dao, jobs
from feedback.db import transaction
from feedback.models import JobRun
from tests.conftest import create_response, rows

# 10:00 in England on a Tuesday in winter (UTC = London time).
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def replace_job(app, monkeypatch, name, function):
    job = jobs.registry(app)[name]
    monkeypatch.setitem(jobs.registry(app), name, dataclasses.replace(job, function=function))


def broken():
    raise RuntimeError("the report could not be drawn")


def test_each_package_declares_its_own_jobs_and_the_app_gathers_them(app):
    owners = {name: job.function.__module__ for name, job in jobs.registry(app).items()}
    assert {
        "refresh_kpis": "analysis.jobs",
        "monthly_report": "analysis.jobs",
        "letters_due": "feedback.waitlist.jobs",
        "close_stale_chats": "bot.jobs",
        "apply_retention": "feedback.retention",
    }.items() <= owners.items()


@pytest.mark.parametrize(
    ("name", "now", "key"),
    [
        ("refresh_kpis", TUESDAY, "2026-12-01"),  # fell due at 02:15 today
        ("refresh_kpis", datetime(2026, 12, 1, 1, 0, tzinfo=UTC), "2026-11-30"),  # not yet today
        ("monthly_report", TUESDAY, "2026-12"),
        ("monthly_report", datetime(2026, 12, 1, 2, 0, tzinfo=UTC), "2026-11"),
        ("close_stale_chats", datetime(2026, 12, 1, 10, 14, tzinfo=UTC), "2026-12-01T10:00"),
        ("refresh_this_month", datetime(2026, 12, 1, 10, 29, tzinfo=UTC), "2026-12-01T10:15"),
        ("close_stale_chats", datetime(2026, 7, 1, 10, 16, tzinfo=UTC), "2026-07-01T11:15"),  # BST
    ],
)
def test_the_run_key_is_the_period_the_job_last_fell_due_in_england(app, name, now, key):
    assert jobs.due_key(jobs.registry(app)[name], now) == key


def test_a_job_runs_once_per_key_even_when_asked_twice(app):
    create_response(answers={"overall": "good"})
    first = jobs.run("refresh_kpis", run_key="2026-11-22")
    second = jobs.run("refresh_kpis", run_key="2026-11-22")
    assert "skipped" not in first
    assert "skipped" in second
    assert [(r.job_id, r.status, r.attempts) for r in rows(JobRun)] == [("refresh_kpis", "ok", 1)]


def test_a_failed_run_is_recorded_in_one_line_and_tried_again_after_its_backoff(
    app, monkeypatch, frozen_clock, caplog
):
    frozen_clock(TUESDAY)
    replace_job(app, monkeypatch, "monthly_report", broken)
    with pytest.raises(jobs.JobFailed):
        jobs.run("monthly_report")
    [record] = rows(JobRun)
    assert (record.run_key, record.status, record.failures) == ("2026-12", "failed", 1)
    assert "RuntimeError: the report could not be drawn" in record.detail
    failure_lines = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(failure_lines) == 1 and "\n" not in failure_lines[0].getMessage()
    assert "Traceback" not in caplog.text

    # Within the backoff nothing runs; after it, the same period is tried again and finishes.
    frozen_clock(TUESDAY + timedelta(seconds=30))
    assert jobs.needing_a_run(app, clock.now()) == [n for n in jobs.registry(app) if n != "monthly_report"]
    assert "skipped" in jobs.run("monthly_report")
    monkeypatch.undo()
    frozen_clock(TUESDAY + timedelta(seconds=61))
    assert "monthly_report" in jobs.needing_a_run(app, clock.now())
    assert "board report" in jobs.run("monthly_report")
    [record] = rows(JobRun)
    assert (record.run_key, record.status, record.attempts, record.failures) == ("2026-12", "ok", 2, 0)


def test_the_backoff_doubles_up_to_an_hour():
    assert [jobs.backoff(n, 60).total_seconds() for n in (1, 2, 3, 7, 20)] == [60, 120, 240, 3600, 3600]


def test_a_run_left_running_past_its_time_limit_is_claimed_again(app, frozen_clock):
    frozen_clock(TUESDAY)
    with transaction() as session:  # a run started by a process on another machine, which died
        dao.add_job_run(session, "letters_due", "2026-12-01", "elsewhere:123", TUESDAY)
    assert "skipped" in jobs.run("letters_due")
    frozen_clock(TUESDAY + jobs.registry(app)["letters_due"].time_limit)
    assert "letters due" in jobs.run("letters_due")
    [record] = rows(JobRun)
    assert (record.status, record.attempts) == ("ok", 2)


def test_a_run_whose_process_on_this_machine_has_died_is_claimed_again_at_once(app, frozen_clock):
    frozen_clock(TUESDAY)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with transaction() as session:
        dao.add_job_run(
            session, "letters_due", "2026-12-01", f"{jobs.owner().split(':')[0]}:{gone.pid}", TUESDAY
        )
    assert jobs.needing_a_run(app, clock.now()).count("letters_due") == 1
    assert "letters due" in jobs.run("letters_due")


def test_a_run_in_progress_in_a_live_process_is_left_alone(app, frozen_clock):
    frozen_clock(TUESDAY)
    with transaction() as session:
        dao.add_job_run(session, "letters_due", "2026-12-01", jobs.owner(), TUESDAY)
    assert "letters_due" not in jobs.needing_a_run(app, clock.now())
    assert "skipped" in jobs.run("letters_due")


def test_health_shows_the_last_good_run_and_repeated_failures(app, monkeypatch, frozen_clock):
    frozen_clock(TUESDAY)
    jobs.run("letters_due")
    replace_job(app, monkeypatch, "refresh_kpis", broken)
    for minutes in (0, 2):
        frozen_clock(TUESDAY + timedelta(minutes=minutes))
        with pytest.raises(jobs.JobFailed):
            jobs.run("refresh_kpis")
    summary = jobs.health(app, clock.now())
    assert summary["scheduler_heartbeat_age_s"] is None
    assert summary["jobs"]["letters_due"]["last_ok"] == "2026-12-01T10:00:00+00:00"
    assert summary["jobs"]["letters_due"]["last_error"] is None
    failing = summary["jobs"]["refresh_kpis"]
    assert (failing["last_ok"], failing["failures"], failing["error"]) == (None, 2, "RuntimeError")
    assert failing["last_error"] == "2026-12-01T10:02:00+00:00"
    warnings = jobs.warnings(summary)
    assert any("refresh_kpis has failed 2 times" in w for w in warnings)
    assert any("scheduler has not run" in w for w in warnings)


def test_the_heartbeat_age_is_counted_from_the_last_beat(app, frozen_clock):
    with transaction() as session:
        dao.beat(session, "host:1", TUESDAY)
    frozen_clock(TUESDAY + timedelta(minutes=61))
    summary = jobs.health(app, clock.now())
    assert summary["scheduler_heartbeat_age_s"] == 3660
    assert any("61 minutes ago" in w for w in jobs.warnings(summary))


def test_last_due_steps_back_to_the_latest_fire_time():
    monthly = CronTrigger(day=1, hour=3, timezone=clock.LONDON)
    assert jobs.last_due(monthly, datetime(2026, 12, 20, tzinfo=UTC)) == datetime(
        2026, 12, 1, 3, tzinfo=clock.LONDON
    )
