"""The scorecard's read side: what the dashboard, the API and the command line ask of the KPI
snapshots (a month's scorecard, breakdowns, the FFT return), in one place so they agree.

It only reads: the snapshots are written by the jobs (analysis/jobs.py), never by a page view.
"""

from dataclasses import dataclass
from datetime import date

from analysis import dao, measures, scorecard
from feedback import clock
from feedback.db import reading


class MonthError(ValueError):
    """A month that cannot be shown: malformed, in the future or without data."""


EARLIEST_YEAR = 2000


def parse_month(text, today=None):
    """Return the first day of a YYYY-MM month, refusing malformed and future months."""
    try:
        year, number = (int(part) for part in (text or "").split("-"))
        month = date(year, number, 1)
    except ValueError:
        raise MonthError(f"{text!r} is not a month; use the form YYYY-MM, e.g. 2026-10") from None
    if len(text) != 7:
        raise MonthError(f"{text!r} is not a month; use the form YYYY-MM, e.g. 2026-10")
    if year < EARLIEST_YEAR:  # a year's trend looks back twelve months, which year 1 cannot
        raise MonthError(f"{text!r} is before {EARLIEST_YEAR}; there are no figures that old")
    today = today or clock.today()
    if month > today.replace(day=1):
        raise MonthError(f"{month:%B %Y} has not happened yet")
    return month


def parse_value(text):
    """Return a percentage from text, or raise ValueError saying why it was refused."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{text!r} is not a number") from None
    if value != value or not 0 <= value <= 100:  # NaN fails the first test
        raise ValueError(f"{text} is outside 0 to 100")
    return value


@dataclass
class MonthView:
    """A month's scorecard with twelve months of history for trends."""

    month: date
    plans: list
    card: list
    months: list
    counts: dict
    manual: dict
    computed: dict  # {month: when its snapshots were worked out}

    def trend(self, figure):
        """Return the figure's KPI month by month, with when each month was worked out."""
        return scorecard.series(figure.plan, figure.kpi, self.months, self.counts, self.manual, self.computed)

    def series(self, plan, kpi):
        """Return the KPI's figures for the view's twelve months, oldest first."""
        return scorecard.series(plan, kpi, self.months, self.counts, self.manual)

    def exceptions(self):
        """Return the month's figures that are Red or Amber."""
        return scorecard.exceptions(self.card)

    @property
    def worked_out_at(self):
        """When the month's figures were worked out, or None if they have not been yet."""
        return self.computed.get(self.month)

    @property
    def worked_out(self):
        """The same in words, e.g. "worked out at 14:15 on 1 December 2026"."""
        return scorecard.worked_out(self.worked_out_at)

    def find(self, plan_slug, ref):
        plan = next((p for p in self.plans if p.slug == plan_slug), None)
        kpi = plan.kpi(ref) if plan else None
        return plan, kpi


def month_view(month, require_data=True):
    """Return the scorecard for a month, or raise MonthError when the month has no data.

    It reads the snapshots as they are: a page view never writes.
    """
    months = measures.previous_months(month, 12)
    with reading() as session:
        plans = dao.plans(session)
        counts = dao.snapshot_counts(session, months)
        manual = dao.manual_values(session, months)
        computed = dao.computed_times(session, months)
    has_data = any(m == month for (_, _, m, _) in counts) or any(m == month for (_, _, m) in manual)
    if require_data and not has_data:
        raise MonthError(f"there are no answers or entered values for {month:%B %Y}")
    return MonthView(
        month,
        plans,
        scorecard.scorecard(plans, month, counts, manual, computed),
        months,
        counts,
        manual,
        computed,
    )


def figures(view, by=None, plan=None):
    """Return the view's figures: every KPI overall, or by service, provider or district (the
    KPIs worked out from answers or the waiting list); only ``plan``'s when given."""
    found = []
    for plan_def, plan_figures in view.card:
        if plan and plan_def.slug != plan:
            continue
        for figure in plan_figures:
            if by is None:
                found.append(figure)
            elif figure.kpi.surveyed:
                found.extend(breakdowns(view, plan_def, figure.kpi, by))
    return found


def breakdowns(view, plan, kpi, scope_type):
    """Return the KPI's figures by service, provider or district for the view's month."""
    with reading() as session:
        counts = dao.snapshot_counts(session, [view.month], scope_type)
    return scorecard.breakdown(plan, kpi, view.month, counts, scope_type, view.computed)


def latest_month():
    """Return the newest month with figures (or, before the first aggregation, answers)."""
    with reading() as session:
        months = dao.months_with_figures(session) or dao.months_with_responses(session)
    return months[0] if months else None


def fft_return(month, services=None):
    """Return (header, rows) of the month's FFT return; only ``services`` when given."""
    from analysis import fft
    from surveys import dao as survey_dao

    with reading() as session:
        questions = fft.fft_questions(survey_dao.latest_definitions(session))
        counts, eligible = dao.fft_return(session, month, questions)
    header, rows = fft.return_rows(counts, eligible)
    if services is not None:
        rows = [row for row in rows if row[0] in services]
    return header, rows
