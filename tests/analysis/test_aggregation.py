"""Aggregation in SQL into monthly snapshots, and the jobs that rebuild them."""

from datetime import date

import pytest
from sqlmodel import select

from analysis import dao, jobs, scorecard_reads
from feedback.db import reading, transaction
from feedback.models import KpiSnapshot
from tests.conftest import create_invitation, create_response

OCTOBER = date(2026, 10, 1)


def counts(month=OCTOBER, scope="all"):
    with reading() as session:
        return dao.snapshot_counts(session, [month], scope)


def test_good_or_better_counts_dont_know_in_the_total_and_skips_unanswered(app):
    for value in ("very_good", "good", "good", "poor", "dont_know"):
        create_response(answers={"overall": value})
    create_response(answers={"right_support": "yes"})  # overall left unanswered
    jobs.rebuild([OCTOBER])
    assert counts()[("app-2020", "APP 1b", OCTOBER, "all")] == (3, 5)


def test_partly_counts_in_the_total_but_not_as_positive(app):
    for value in ("yes", "partly", "partly", "no"):
        create_response(answers={"right_support": value})
    jobs.rebuild([OCTOBER])
    assert counts()[("cip-2023", "CIP 3.1a", OCTOBER, "all")] == (1, 4)


def test_response_rate_is_invited_responses_over_invitations_in_the_month(app):
    for _ in range(20):
        create_invitation(
            instrument_slug="ehcp-annual-review",
            service_slug="ehc-assessment",
            month=OCTOBER,
            appointment_date=OCTOBER,
        )
    create_invitation(
        instrument_slug="ehcp-annual-review", service_slug="ehc-assessment", month=date(2026, 9, 1)
    )
    for _ in range(3):
        create_response("ehcp-annual-review", {"overall": "good"}, service="ehc-assessment", invited=True)
    create_response("ehcp-annual-review", {"overall": "good"}, service="ehc-assessment")  # poster
    jobs.rebuild([OCTOBER])
    assert counts()[("cip-2023", "CIP 1.1", OCTOBER, "all")] == (3, 20)


@pytest.mark.parametrize(("ref", "expected"), [("APP 1.1 (75%)", (2, 4)), ("APP 1.1 (90%)", (1, 4))])
def test_quiz_kpi_is_the_share_scoring_at_or_above_the_threshold(app, ref, expected):
    for score in (100, 80, 60, 40):
        create_response("board-quiz", {}, service="partnership-board", score=score)
    create_response("board-quiz", {}, service="partnership-board", score=None)  # not scored
    jobs.rebuild([OCTOBER])
    assert counts()[("app-2020", ref, OCTOBER, "all")] == expected


def test_breakdowns_are_stored_by_service_provider_and_district(app):
    create_response(answers={"overall": "good"}, service="camhs", district="preston")
    create_response(answers={"overall": "poor"}, service="salt", district="burnley")
    jobs.rebuild([OCTOBER])
    assert counts(scope="service")[("app-2020", "APP 1b", OCTOBER, "camhs")] == (1, 1)
    assert counts(scope="provider")[("app-2020", "APP 1b", OCTOBER, "bth")] == (0, 1)
    assert counts(scope="district")[("app-2020", "APP 1b", OCTOBER, "burnley")] == (0, 1)


def test_app_2b_counts_every_send_service_as_app_1b_does(app):
    create_response(answers={"overall": "good"}, service="camhs")
    create_response(answers={"overall": "poor"}, service="break-time")  # the council's service
    jobs.rebuild([OCTOBER])
    assert counts()[("app-2020", "APP 1b", OCTOBER, "all")] == (1, 2)
    assert counts()[("app-2020", "APP 2b", OCTOBER, "all")] == (1, 2)


def test_cip_3_1a_counts_only_the_services_the_score_card_names(app):
    create_response(answers={"right_support": "yes"}, service="camhs")
    create_response(answers={"right_support": "yes"}, service="salt")
    create_response(answers={"right_support": "no"}, service="physiotherapy")  # not named
    jobs.rebuild([OCTOBER])
    assert counts()[("cip-2023", "CIP 3.1a", OCTOBER, "all")] == (2, 2)
    assert counts()[("app-2020", "APP 2a", OCTOBER, "all")] == (2, 3)


def _snapshot_table():
    with reading() as session:
        return sorted(
            (s.plan_slug, s.ref, s.month, s.scope_type, s.scope_key, s.numerator, s.denominator)
            for s in session.exec(select(KpiSnapshot))
        )


def test_nightly_job_run_twice_gives_identical_snapshots(app):
    for value in ("very_good", "poor", "good"):
        create_response(answers={"overall": value}, month=date(2026, 11, 1))
    jobs.refresh_kpis(today=date(2026, 11, 22))
    first = _snapshot_table()
    jobs.refresh_kpis(today=date(2026, 11, 22))
    assert _snapshot_table() == first
    assert first


def test_a_late_answer_for_last_month_is_counted_by_the_next_run(app):
    create_response(answers={"overall": "good"}, month=OCTOBER)
    jobs.refresh_kpis(today=date(2026, 11, 22))
    assert counts()[("app-2020", "APP 1b", OCTOBER, "all")] == (1, 1)
    create_response(answers={"overall": "poor"}, month=OCTOBER)
    jobs.refresh_kpis(today=date(2026, 11, 23))
    assert counts()[("app-2020", "APP 1b", OCTOBER, "all")] == (1, 2)


def test_nightly_job_covers_this_month_and_the_two_before(app):
    for month in (date(2026, 8, 1), date(2026, 9, 1), OCTOBER, date(2026, 11, 1)):
        create_response(answers={"overall": "good"}, month=month)
    jobs.refresh_kpis(today=date(2026, 11, 5))
    months = {m for (_, _, m, _, _, _, _) in _snapshot_table()}
    assert months == {date(2026, 9, 1), OCTOBER, date(2026, 11, 1)}


def test_monthly_job_finalises_last_month_and_stores_the_board_report(app, client):
    create_response(answers={"overall": "poor"}, month=OCTOBER)
    jobs.monthly_report(today=date(2026, 11, 1))
    with reading() as session:
        stored = dao.report(session, OCTOBER)
    assert "board report, October 2026" in stored.html
    assert "APP 1b" in stored.html


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-13", "not a month"),
        ("26-10", "not a month"),
        ("October", "not a month"),
        ("2099-01", "has not happened yet"),
    ],
)
def test_malformed_and_future_months_are_refused(text, problem):
    with pytest.raises(scorecard_reads.MonthError, match=problem):
        scorecard_reads.parse_month(text, today=date(2026, 11, 22))


def test_month_without_data_is_refused_with_a_reason(app):
    with pytest.raises(scorecard_reads.MonthError, match="no answers"):
        scorecard_reads.month_view(date(2026, 1, 1))


def test_manual_value_shows_on_the_scorecard_as_entered(app):
    with transaction() as session:
        dao.save_manual_value(session, "cip-2023", "CIP 3.4", OCTOBER, 58.0, "analyst@example.org")
    view = scorecard_reads.month_view(OCTOBER)
    figure = next(f for _, fs in view.card for f in fs if f.kpi.ref == "CIP 3.4")
    assert (figure.value, figure.entered_by, figure.target) == (58.0, "analyst@example.org", 40.0)
    assert figure.rag == "green"
