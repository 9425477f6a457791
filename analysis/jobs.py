"""The analysis package's scheduled jobs: the nightly KPI rebuild and the monthly board report.

The runner (feedback.jobs) records each run and retries failures; these are the jobs themselves.
"""

from apscheduler.triggers.cron import CronTrigger
from flask import render_template

from analysis import charts, dao, measures, scorecard
from feedback import clock
from feedback.db import reading, transaction
from feedback.jobs import Job
from feedback.models import utcnow

RECENT_MONTHS = 3  # this month and the two before, so late answers still count


def rebuild(months):
    """Rebuild the KPI snapshots of the given months, a whole month per transaction.

    What every month reads (the answers' counts by month, the waiting list's schedules) is
    read once, before the first month, not once per month.
    """
    written = 0
    with reading() as session:
        shared = dao.rebuild_inputs(session, months)
    for month in months:
        with transaction() as session:
            session.info.update(shared)
            written += dao.rebuild_month(session, dao.plans(session), month, utcnow())
    return written


def refresh_kpis(today=None):
    """Rebuild the KPI snapshots of this month and the previous two."""
    today = today or clock.today()
    written = rebuild(measures.previous_months(today.replace(day=1), RECENT_MONTHS))
    return f"{written} snapshot rows for {RECENT_MONTHS} months"


def monthly_report(today=None):
    """Finalise last month's snapshots and store the board report for it."""
    today = today or clock.today()
    month = measures.previous_months(today.replace(day=1), 2)[0]
    rebuild([month])
    html = render_report(month)
    with transaction() as session:
        dao.save_report(session, month, html)
    return f"board report for {month:%B %Y}"


def render_report(month):
    """Return the print-ready board report for a month as HTML."""
    months = measures.previous_months(month, 12)
    with reading() as session:
        plans = dao.plans(session)
        counts = dao.snapshot_counts(session, months)
        manual = dao.manual_values(session, months)
    card = scorecard.scorecard(plans, month, counts, manual)
    exceptions = scorecard.exceptions(card)
    chart_list = []
    for index, figure in enumerate(exceptions):
        trend = scorecard.series(figure.plan, figure.kpi, months, counts, manual)
        chart_list.append(
            charts.line_chart(
                [f"{f.month:%b %y}" for f in trend],
                [f.value for f in trend],
                [f.target for f in trend],
                title=f"{figure.kpi.ref}: twelve months against target",
                description=f"{figure.kpi.wording}. Values: "
                + ", ".join(
                    f"{f.month:%b %Y} {'no data' if f.value is None else f'{f.value:.0f}%'}" for f in trend
                ),
                chart_id=f"chart-{index}",
            )
        )
    return render_template(
        "dashboard/report.html",
        month=month,
        card=card,
        exceptions=list(zip(exceptions, chart_list, strict=True)),
        generated=utcnow(),
    )


JOBS = [
    # Nightly, after the day's answers are in: the dashboard is never more than a day old.
    Job(
        "refresh_kpis",
        refresh_kpis,
        CronTrigger(hour=2, minute=15, timezone=clock.LONDON),
        "%Y-%m-%d",
        "Recompute this month's and the previous two months' KPI snapshots",
    ),
    # On the 1st: last month is final and the board's report is written.
    Job(
        "monthly_report",
        monthly_report,
        CronTrigger(day=1, hour=3, minute=0, timezone=clock.LONDON),
        "%Y-%m",
        "Finalise last month and write the monthly board report",
    ),
]
