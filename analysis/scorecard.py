"""The read side: scorecard rows and breakdowns built from snapshot counts. Pure code."""

from dataclasses import dataclass
from datetime import UTC

from analysis import measures
from feedback.clock import LONDON


@dataclass(frozen=True)
class Figure:
    """One KPI for one month and scope, ready to show: value, interval, target and RAG."""

    plan: object
    kpi: object
    month: object
    scope: str
    cell: measures.Cell
    target: float | None
    entered_by: str | None = None
    manual_value: float | None = None
    target_status: str = "target"  # "target", "not_yet", "ended" or "none" (see measures)
    computed_at: object = None  # when the snapshot behind the figure was worked out

    @property
    def value(self):
        return self.manual_value if self.entered_by else self.cell.value

    @property
    def interval(self):
        if self.cell.suppressed or self.entered_by or self.cell.base is not None:
            return None, None
        return measures.wilson_interval(self.cell.numerator, self.cell.denominator)

    @property
    def rag(self):
        return measures.rag(self.value, self.target, self.plan.amber_margin)

    @property
    def rag_label(self):
        if self.cell.suppressed:
            return measures.COMPLEMENT_LABEL if self.cell.complement else measures.SUPPRESSED_LABEL
        if self.rag == "none":
            return measures.NO_TARGET_LABELS.get(self.target_status, measures.RAG_LABELS["none"])
        return measures.RAG_LABELS[self.rag]

    @property
    def baseline(self):
        return self.kpi.baseline

    @property
    def display_value(self):
        """The value as people read it: a whole percentage rounded half up, "*" or "No data"."""
        if self.cell.suppressed:
            return "*"
        return "No data" if self.value is None else measures.display_percent(self.value)

    @property
    def display_interval(self):
        low, high = self.interval
        if low is None:
            return ""
        return f"{measures.round_half_up(low)}\N{EN DASH}{measures.display_percent(high)}"

    @property
    def worked_out(self):
        return worked_out(self.computed_at)

    @property
    def display_target(self):
        if self.target is not None:
            return measures.display_percent(self.target)
        return measures.NO_TARGET_LABELS.get(self.target_status, "No target set")

    @property
    def has_data(self):
        return self.value is not None or self.cell.suppressed

    def as_dict(self):
        """Return the figure as the JSON contract of `feedback kpis --format json`."""
        low, high = self.interval
        hidden = self.cell.suppressed
        return {
            "plan": self.plan.slug,
            "ref": self.kpi.ref,
            "month": self.month.strftime("%Y-%m"),
            "scope": self.scope,
            "numerator": None if hidden or self.entered_by else self.cell.numerator,
            "denominator": None if hidden or self.entered_by else self.cell.denominator,
            "value": _round(self.value),
            "ci_low": _round(low),
            "ci_high": _round(high),
            "target": self.target,
            "target_status": self.target_status,
            "baseline": self.kpi.baseline,
            "rag": self.rag,
            "suppressed": hidden,
            "entered_by": self.entered_by,
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
        }


def worked_out(computed_at):
    """Return "worked out at 14:15 on 1 December 2026" (time in England), or None."""
    if computed_at is None:
        return None
    if computed_at.tzinfo is None:  # SQLite hands back UTC without its zone
        computed_at = computed_at.replace(tzinfo=UTC)
    local = computed_at.astimezone(LONDON)
    return f"worked out at {local:%H:%M} on {local.day} {local:%B %Y}"


def _round(number):
    return measures.round_half_up(number, 1)


def _cell(scope, counts):
    """Return a Cell from snapshot counts: (numerator, denominator) or (numerator, denominator,
    base) for reductions."""
    numerator, denominator, *rest = counts
    return measures.Cell(scope, numerator, denominator, base=rest[0] if rest else None)


def target(plan, kpi, month):
    """Return (status, target) of a KPI for a month (see measures.target_in_force)."""
    return measures.target_in_force(kpi.trajectory, plan.start, month, kpi.until)


def figure(plan, kpi, month, counts, manual=None, scope="all", computed=None):
    """Return the overall Figure for a KPI in a month from snapshot counts and manual entries."""
    status, goal = target(plan, kpi, month)
    entry = (manual or {}).get((plan.slug, kpi.ref, month))
    if entry is not None:
        return Figure(
            plan,
            kpi,
            month,
            scope,
            measures.Cell(scope, 0, 0),
            goal,
            entered_by=entry.entered_by,
            manual_value=entry.value,
            target_status=status,
        )
    [cell] = measures.suppress([_cell(scope, counts.get((plan.slug, kpi.ref, month, scope), (0, 0)))])
    return Figure(
        plan, kpi, month, scope, cell, goal, target_status=status, computed_at=(computed or {}).get(month)
    )


def scorecard(plans, month, counts, manual, computed=None):
    """Return [(plan, [Figure, ...])] for a month, every KPI of every plan."""
    return [
        (plan, [figure(plan, kpi, month, counts, manual, computed=computed) for kpi in plan.kpis])
        for plan in plans
    ]


def exceptions(card):
    """Return the figures that are Red or Amber, as the boards' exception reports show."""
    return [f for _, figures in card for f in figures if f.rag in ("red", "amber")]


def series(plan, kpi, months, counts, manual, computed=None):
    """Return the KPI's Figures for each month, oldest first (for charts and sparklines)."""
    return [figure(plan, kpi, month, counts, manual, computed=computed) for month in months]


def _in_order(key):
    """Sort letters by number (2 before 10) and slugs alphabetically."""
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def breakdown(plan, kpi, month, counts, scope_type, computed=None):
    """Return Figures by service, provider, district or letter, with small-number suppression."""
    status, goal = target(plan, kpi, month)
    cells = [
        _cell(f"{scope_type}:{key}", values)
        for (p, ref, m, key), values in sorted(counts.items(), key=lambda i: _in_order(i[0][3]))
        if (p, ref, m) == (plan.slug, kpi.ref, month)
    ]
    return [
        Figure(
            plan,
            kpi,
            month,
            cell.scope,
            cell,
            goal,
            target_status=status,
            computed_at=(computed or {}).get(month),
        )
        for cell in measures.suppress(cells)
    ]
