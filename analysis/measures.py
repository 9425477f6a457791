"""KPI arithmetic: percentages, confidence intervals, trajectories, RAG and suppression.

Pure functions on plain values. These rules are what the board trusts, so each says which
convention it follows.
"""

import math
from dataclasses import dataclass, replace
from datetime import date

Z_95 = 1.959963984540054
SUPPRESS_BELOW = 5  # NHS England FFT: 1 to 4 responses are not published


def percentage(numerator, denominator):
    """Return numerator / denominator as a percentage, or None when there is no denominator."""
    if not denominator:
        return None
    return 100 * numerator / denominator


def wilson_interval(numerator, denominator, z=Z_95):
    """Return the Wilson score interval (low, high) in percent, or (None, None) with no data."""
    if not denominator:
        return None, None
    p = numerator / denominator
    centre = p + z * z / (2 * denominator)
    spread = z * math.sqrt(p * (1 - p) / denominator + z * z / (4 * denominator * denominator))
    scale = 1 + z * z / denominator
    return 100 * (centre - spread) / scale, 100 * (centre + spread) / scale


def months_between(start, month):
    """Return whole months from the plan's start month to ``month`` (negative before it)."""
    return (month.year - start.year) * 12 + month.month - start.month


def target_for(trajectory, start, month):
    """Return the target in force for a month: the latest milestone reached, or None.

    Milestones are steps, not slopes: from month 3 to month 5 the 3-month target applies,
    and after month 12 the 12-month target stays in force.
    """
    elapsed = months_between(start, month)
    reached = [target for months, target in trajectory if months <= elapsed]
    return reached[-1] if reached and elapsed >= 0 else None


def rag(value, target, margin=5):
    """Return 'green', 'amber', 'red', 'grey' (no data) or 'none' (no target set)."""
    if value is None:
        return "grey"
    if target is None:
        return "none"
    if value >= target:
        return "green"
    return "amber" if value >= target - margin else "red"


RAG_LABELS = {"green": "On target", "amber": "Close to target", "red": "Below target",
              "grey": "No data yet", "none": "No target set"}


@dataclass(frozen=True)
class Cell:
    """One figure in a scorecard or breakdown, before and after suppression."""

    scope: str
    numerator: int
    denominator: int
    suppressed: bool = False

    @property
    def value(self):
        return None if self.suppressed else percentage(self.numerator, self.denominator)


def is_small(cell):
    """Return whether a cell has 1 to 4 responses (zero is "no data", not suppressed)."""
    return 0 < cell.denominator < SUPPRESS_BELOW


def suppress(cells):
    """Hide small cells, and the next-smallest cell when only one would be hidden.

    With one hidden cell and a published total, the hidden figure could be worked out by
    subtraction; hiding the next-smallest cell too, as NHS England does, prevents that.
    """
    cells = [replace(c, suppressed=is_small(c)) for c in cells]
    hidden = [c for c in cells if c.suppressed]
    if len(hidden) == 1:
        visible = [c for c in cells if not c.suppressed and c.denominator > 0]
        if visible:
            secondary = min(visible, key=lambda c: (c.denominator, c.scope))
            cells = [replace(c, suppressed=True) if c is secondary else c for c in cells]
    return cells


def previous_months(month, count):
    """Return ``count`` month starts ending with ``month``, oldest first."""
    months = []
    year, number = month.year, month.month
    for _ in range(count):
        months.append(date(year, number, 1))
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return months[::-1]
