"""The analysis package's scheduled jobs: the nightly KPI rebuild and the monthly board report.

The runner (feedback.jobs) records each run and retries failures; these are the jobs themselves.
"""

from apscheduler.triggers.cron import CronTrigger
from flask import render_template

from analysis import charts, counting, dao, measures, scorecard
from feedback import clock
from feedback.db import reading, transaction
from feedback.jobs import Job
from feedback.models import utcnow
from feedback.waitlist import dao as waitlist_dao
from feedback.waitlist import kpis as waitlist_kpis
from feedback.waitlist import tracker

RECENT_MONTHS = 3  # this month and the two before, so late answers still count


# Responses counted in one transaction: on SQLite the rebuild holds the database's one writer
# while it counts, so a month's first count (100,000 responses or more after an upgrade or a
# recount) goes in steps of about 0.2 s, and survey answers are stored between them.
BATCH = 20_000


def rebuild(months):
    """Rebuild the KPI snapshots of the given months.

    For each month: count the responses that came since the last rebuild (dao), add them to
    the month's tallies (counting, pure), store the tallies and mark those responses counted,
    a batch per write transaction; with the last batch, count every KPI in every scope from the
    tallies (counting, pure) and replace the month's snapshot rows. A month whose tallies hold
    responses no longer marked counted (deleted, or reset by hand) is counted afresh. The plans
    and the waiting list are read once, before the first month, and the waiting list's figures
    worked out before each month.
    """
    with reading() as session:
        plans = dao.plans(session)
        families = _waitlist_families(session, plans)
    written = 0
    for month in months:
        waitlist = waitlist_figures(plans, families, month, clock.today())
        after = 0
        while after is not None:
            with transaction() as session:
                dao.prepare_month_counts(session)
                answers, responses, after = _count_batch(session, month, after)
                if after is None:
                    invitations = dao.invitation_counts(session, month)
                    counts = counting.MonthCounts(answers, responses, invitations, waitlist)
                    rows = counting.month_snapshot(plans, counts)
                    written += dao.replace_snapshots(session, month, rows, utcnow())
    return written


def _count_batch(session, month, after):
    """Add a batch of the month's uncounted responses (ids above ``after``) to its tallies;
    return (answers, responses) as the tallies now hold them, and the batch's last id, or None
    when it was the last batch."""
    held = dao.responses_held(session, month)
    # A month's first batch checks the tallies are whole: responses deleted or flags reset
    # outside the rebuild make it count the month afresh.
    if after == 0 and held != dao.responses_marked(session, month):
        dao.forget_counts(session, month)
        held = 0
    answers, responses = dao.tallies(session, month)
    batch = dao.uncounted_batch(month, BATCH, after)
    last = dao.batch_end(session, batch)
    new_answers = dao.new_answer_counts(session, batch)
    new_responses = dao.new_response_counts(session, batch)
    new = dao.mark_counted(session, batch)
    if new:
        answers = counting.added(answers, new_answers)
        responses = counting.added(responses, new_responses)
        dao.replace_tallies(session, month, answers, responses)
        dao.replace_month_tally(session, month, held + new)
    return answers, responses, last if new == BATCH else None


def recount(months=None):
    """Forget the tallies of the months (every month with responses if None) and rebuild them
    from every answer; return the months. If the rebuild fails, the months stay forgotten and
    the next rebuild counts them in full."""
    with transaction() as session:
        months = months if months is not None else dao.months_with_responses(session)
        for month in months:
            dao.forget_counts(session, month)
    rebuild(months)
    return months


def rebuild_if_missing(month):
    """Work out a month that has answers but no snapshots yet (no job has reached it)."""
    with reading() as session:
        missing = not dao.has_snapshots(session, month)
    if missing:
        rebuild([month])


def _waiting_list_kpis(plans):
    return [kpi for plan in plans for kpi in plan.kpis if kpi.measure == "waitlist"]


def _waitlist_families(session, plans):
    """Read the waiting list's families (schedules and letters sent) if any KPI counts them."""
    if not _waiting_list_kpis(plans):
        return []
    letters = waitlist_dao.letters_sent_on(session)
    return waitlist_kpis.prepare(waitlist_dao.kpi_entries(session), letters, tracker.policy())


def waitlist_figures(plans, families, month, today):
    """Return {counting.waitlist_source(kpi): {"all" or district: counts}} for the month: each
    waiting-list KPI worked out by the waiting list's own counting, once for all its scopes."""
    figures = {}
    for kpi in _waiting_list_kpis(plans):
        source = counting.waitlist_source(kpi)
        if source in figures:
            continue
        chosen = [f for f in families if not kpi.pathways or f.entry.pathway in kpi.pathways]
        if kpi.is_reduction:
            figures[source] = waitlist_kpis.wait_reduction_by_district(
                chosen, month, today, kpi.baseline_period
            )
        else:
            figures[source] = waitlist_kpis.counts_by_district(kpi.metric, chosen, month, today, kpi.weeks)
    return figures


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
