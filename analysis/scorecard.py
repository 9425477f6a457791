"""The read side: scorecard rows and breakdowns built from snapshot counts. Pure code."""

from dataclasses import dataclass

from analysis import measures


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

    @property
    def value(self):
        return self.manual_value if self.entered_by else self.cell.value

    @property
    def interval(self):
        if self.cell.suppressed or self.entered_by:
            return None, None
        return measures.wilson_interval(self.cell.numerator, self.cell.denominator)

    @property
    def rag(self):
        return measures.rag(self.value, self.target, self.plan.amber_margin)

    @property
    def rag_label(self):
        if self.cell.suppressed:
            return "Too few answers to show"
        return measures.RAG_LABELS[self.rag]

    @property
    def has_data(self):
        return self.value is not None or self.cell.suppressed

    def as_dict(self):
        """Return the figure as the JSON contract of `feedback kpis --format json`."""
        low, high = self.interval
        hidden = self.cell.suppressed
        return {
            "plan": self.plan.slug, "ref": self.kpi.ref, "month": self.month.strftime("%Y-%m"),
            "scope": self.scope,
            "numerator": None if hidden or self.entered_by else self.cell.numerator,
            "denominator": None if hidden or self.entered_by else self.cell.denominator,
            "value": _round(self.value), "ci_low": _round(low), "ci_high": _round(high),
            "target": self.target, "rag": self.rag, "suppressed": hidden,
            "entered_by": self.entered_by,
        }


def _round(number):
    return None if number is None else round(number, 1)


def figure(plan, kpi, month, counts, manual=None, scope="all"):
    """Return the overall Figure for a KPI in a month from snapshot counts and manual entries."""
    target = measures.target_for(kpi.trajectory, plan.start, month)
    entry = (manual or {}).get((plan.slug, kpi.ref, month))
    if entry is not None:
        return Figure(plan, kpi, month, scope, measures.Cell(scope, 0, 0), target,
                      entered_by=entry.entered_by, manual_value=entry.value)
    numerator, denominator = counts.get((plan.slug, kpi.ref, month, scope), (0, 0))
    [cell] = measures.suppress([measures.Cell(scope, numerator, denominator)])
    return Figure(plan, kpi, month, scope, cell, target)


def scorecard(plans, month, counts, manual):
    """Return [(plan, [Figure, ...])] for a month, every KPI of every plan."""
    return [(plan, [figure(plan, kpi, month, counts, manual) for kpi in plan.kpis]) for plan in plans]


def exceptions(card):
    """Return the figures that are Red or Amber, as the boards' exception reports show."""
    return [f for _, figures in card for f in figures if f.rag in ("red", "amber")]


def series(plan, kpi, months, counts, manual):
    """Return the KPI's Figures for each month, oldest first (for charts and sparklines)."""
    return [figure(plan, kpi, month, counts, manual) for month in months]


def breakdown(plan, kpi, month, counts, scope_type):
    """Return Figures by service, provider or district, with small-number suppression."""
    target = measures.target_for(kpi.trajectory, plan.start, month)
    cells = [measures.Cell(f"{scope_type}:{key}", n, d)
             for (p, ref, m, key), (n, d) in sorted(counts.items())
             if (p, ref, m) == (plan.slug, kpi.ref, month)]
    return [Figure(plan, kpi, month, cell.scope, cell, target) for cell in measures.suppress(cells)]
