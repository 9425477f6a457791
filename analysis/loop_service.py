"""Closing the loop, read side: approved actions as the public sees them (with the KPI each
should move, before and after), and the board report's "You said, we did" section."""

from datetime import datetime, time

from analysis import actions, actions_dao, dao, triage
from feedback import clock
from feedback.db import reading


def _kpi_change(session, action, wordings):
    """Return (wording, before, after, scope) for an action's KPI, or None if it names none."""
    if not action.kpi_ref or (action.kpi_plan, action.kpi_ref) not in wordings:
        return None
    before, after = actions.windows(action.changed_on)
    periods = {}
    for scope, key in (("service", action.service_slug), ("all", "all")):
        counts = dao.snapshot_counts(session, before + after, scope)
        mine = {
            month: counts[(action.kpi_plan, action.kpi_ref, month, key)][:2]
            for month in before + after
            if (action.kpi_plan, action.kpi_ref, month, key) in counts
        }
        periods[scope] = (actions.period(before, mine), actions.period(after, mine))
        if any(p.denominator for p in periods[scope]):
            return wordings[(action.kpi_plan, action.kpi_ref)], *periods[scope], scope
    return wordings[(action.kpi_plan, action.kpi_ref)], *periods["all"], "all"


def public_entries(service=None):
    """Return the approved actions as the public may see them, newest change first."""
    book = triage.codebook()
    with reading() as session:
        found = actions_dao.published(session, service)
        names = {s.slug: s.name for s in dao.services(session)}
        wordings = {(p.slug, k.ref): k.wording for p in dao.plans(session) for k in p.kpis}
        entries = []
        for action in found:
            change = _kpi_change(session, action, wordings)
            entry = actions.public_entry(
                action,
                names.get(action.service_slug, action.service_slug),
                book.theme(action.theme) if book else None,
                change[:3] if change else None,
            )
            if change:
                entry["kpi"]["scope"] = "service" if change[3] == "service" else "area"
            entries.append(entry)
    return entries


def approved_in_month(month):
    """Return the public entries of actions approved during a month (for the board report)."""
    start = datetime.combine(month, time(), clock.LONDON)
    following = (month.replace(day=28) + (month.replace(day=28) - month.replace(day=1))).replace(day=1)
    end = datetime.combine(following, time(), clock.LONDON)
    with reading() as session:
        ids = {a.id for a in actions_dao.approved_between(session, start, end)}
    return [entry for entry in public_entries() if entry["id"] in ids]
