"""Waiting-list KPIs through the monthly rebuild: CIP 5.2 (a reduction against the baseline
year, its baseline kept in the snapshot) and CIP 5.5 (each referral in its 18th week)."""

from datetime import date, timedelta

from analysis import jobs, scorecard_reads
from feedback.db import transaction
from feedback.models import WaitingListEntry
from tests.conftest import create_staff, parse, sign_in

OCTOBER = date(2026, 10, 1)


def waiting(reference, pathway, referred, seen=None, district="preston"):
    with transaction() as session:
        session.add(
            WaitingListEntry(
                reference=reference,
                pathway=pathway,
                personal="sealed",
                referral_date=referred,
                first_appointment=seen,
                district_slug=district,
            )
        )


def test_the_nd_waiting_time_reduction_is_the_months_median_against_the_baseline_year(app):
    for number, days in enumerate((100, 200, 200, 300, 400)):  # baseline median: 200 days
        seen = date(2022, 6, 1) + timedelta(days=number)
        waiting(f"B{number}", "nd", seen - timedelta(days=days), seen)
    for number, days in enumerate((120, 140, 150, 160, 170)):  # October median: 150 days
        seen = date(2026, 10, 5) + timedelta(days=number)
        waiting(f"O{number}", "asd", seen - timedelta(days=days), seen)
    jobs.rebuild([OCTOBER])
    view = scorecard_reads.month_view(OCTOBER)
    figure = next(f for _, fs in view.card for f in fs if f.kpi.ref == "CIP 5.2")
    assert (figure.cell.numerator, figure.cell.denominator, figure.cell.base) == (150, 5, 200.0)
    assert figure.value == 25.0  # 25% shorter than the baseline year
    assert (figure.target, figure.rag, figure.interval) == (30.0, "amber", (None, None))


def test_salt_referrals_count_in_the_month_their_18_weeks_run_out(app):
    referred = OCTOBER - timedelta(weeks=18) + timedelta(days=3)  # 18 weeks end on 4 October
    waiting("S1", "salt", referred, referred + timedelta(weeks=10))
    waiting("S2", "salt", referred)  # still waiting: not seen within 18 weeks
    waiting("S3", "salt", referred, referred + timedelta(weeks=20))  # seen, but late
    waiting("S4", "salt", OCTOBER - timedelta(weeks=2), OCTOBER + timedelta(days=1))  # not due yet
    jobs.rebuild([OCTOBER])
    view = scorecard_reads.month_view(OCTOBER)
    figure = next(f for _, fs in view.card for f in fs if f.kpi.ref == "CIP 5.5")
    assert (figure.cell.numerator, figure.cell.denominator) == (1, 3)


def test_the_kpi_page_shows_a_reduction_as_median_days_against_the_baseline(app, client):
    for number in range(5):
        waiting(f"B{number}", "nd", date(2022, 1, 1), date(2022, 7, 20))  # 200 days
        waiting(f"O{number}", "nd", date(2026, 5, 18), date(2026, 10, 15))  # 150 days
    jobs.rebuild([OCTOBER])
    create_staff()
    sign_in(client)
    page = parse(client.get("/dashboard/kpi/cip-2023/CIP%205.2?month=2026-10"))
    october = next(r for r in page.select("tbody tr") if r.th.get_text() == "October 2026")
    cells = [td.get_text(" ", strip=True) for td in october.select("td")]
    assert cells[0] == "25%" and cells[2] == "median 150 days (5 seen) against 200"
