"""Jobs run where the scheduler runs them: in an app context with no web request."""

import threading
from datetime import UTC, date, datetime

from flask import has_request_context

from feedback import jobs
from feedback.models import JobRun, MonthlyReport
from tests.conftest import create_response, rows


def test_the_monthly_report_job_runs_outside_a_web_request(app, frozen_clock):
    frozen_clock(datetime(2026, 11, 1, 3, tzinfo=UTC))
    create_response(answers={"overall": "good"}, month=date(2026, 10, 1))
    seen = {}

    def scheduler_thread():  # a new thread starts with no request context, as the scheduler's do
        with app.app_context():
            seen["request"] = has_request_context()
            seen["outcome"] = jobs.run("monthly_report", run_key="2026-11")

    thread = threading.Thread(target=scheduler_thread)
    thread.start()
    thread.join()
    assert seen["request"] is False
    assert "board report for October 2026" in seen["outcome"]
    [report] = rows(MonthlyReport)
    assert 'href="/static/site.css"' in report.html
    assert [r.status for r in rows(JobRun)] == ["ok"]
