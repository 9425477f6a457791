"""Closing the loop's scheduled jobs: theme comments the codebook has not themed yet, and write
each delivery group's digest (last month and this month so far), stored as pages."""

from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger
from flask import current_app, render_template

from analysis import actions_dao, groups, measures, scorecard_reads, triage, triage_dao
from feedback import clock
from feedback.db import reading, transaction
from feedback.jobs import Job


def configured_groups():
    """Return the delivery groups (FEEDBACK_DELIVERY_GROUPS_FILE, else the packaged file)."""
    from analysis import dao

    with reading() as session:
        known = {s.slug for s in dao.services(session)}
    return groups.load(current_app.config.get("DELIVERY_GROUPS_FILE") or groups.GROUPS_FILE, known)


def _kpi_rows(group, view):
    """Return [(figure, trend word)] for a group's KPIs in the view's month."""
    rows = []
    for plan_slug, ref in group.kpis:
        plan, kpi = view.find(plan_slug, ref)
        if kpi is None:
            continue
        trend = view.series(plan, kpi)
        rows.append((trend[-1], groups.trend(trend[-1].value, trend[-2].value if len(trend) > 1 else None)))
    return rows


def digest_html(group, month, view, names, today):
    """Return a group's digest for a month as a page."""
    book = triage.codebook()
    following = (month + timedelta(days=32)).replace(day=1)
    due_by = (following + timedelta(days=32)).replace(day=1)
    with reading() as session:
        counts = triage_dao.theme_counts(session, [month], set(group.services))
        flagged = triage_dao.flagged_new(session, group.services, [month])
        found = actions_dao.actions(session, set(group.services))
    by_theme = {}
    for (_, slug), n in counts.items():
        by_theme[slug] = by_theme.get(slug, 0) + n
    due = [
        a for a in found if a.status == "draft" or (a.status == "approved" and month <= a.changed_on < due_by)
    ]
    published = [a for a in found if a.status == "approved" and a.changed_on < due_by][:10]
    return render_template(
        "dashboard/group_digest.html",
        group=group,
        month=month,
        kpis=_kpi_rows(group, view),
        themes=groups.top_themes(by_theme, book.names() if book else {}),
        flagged=flagged,
        due=due,
        published=published,
        names=names,
        theme_names=book.names() if book else {},
        generated=clock.now(),
        today=today,
    )


def write_digests(months):
    """Write every group's digest for each month (a month's digest is replaced whole)."""
    from analysis import dao

    with reading() as session:
        names = {s.slug: s.name for s in dao.services(session)}
    written = 0
    for month in months:
        view = scorecard_reads.month_view(month, require_data=False)
        for group in configured_groups():
            html = digest_html(group, month, view, names, clock.today())
            with transaction() as session:
                actions_dao.save_digest(session, group.slug, month, html, clock.now())
            written += 1
    return written


def group_digests(today=None):
    """Write the delivery groups' digests for last month and this month so far."""
    today = today or clock.today()
    months = measures.previous_months(today.replace(day=1), 2)
    return f"{write_digests(months)} delivery-group digests"


JOBS = [
    # Comments stored while the codebook could not be loaded, or before it last changed.
    Job(
        "retheme_comments",
        triage.retheme_comments,
        CronTrigger(hour=1, minute=30, timezone=clock.LONDON),
        "%Y-%m-%d",
        "Theme comments the current codebook has not themed (staff corrections kept)",
    ),
    # After the nightly KPI rebuild, so each digest shows that night's figures.
    Job(
        "group_digests",
        group_digests,
        CronTrigger(hour=3, minute=30, timezone=clock.LONDON),
        "%Y-%m-%d",
        "Write each delivery group's digest for last month and this month so far",
    ),
]
