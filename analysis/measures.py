"""KPI arithmetic: percentages, confidence intervals, trajectories, RAG and suppression.

Pure functions on plain values. These rules are what the board trusts, so each says which
convention it follows.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

Z_95 = 1.959963984540054
SUPPRESS_BELOW = 5  # NHS England FFT: 1 to 4 responses are not published
Trajectory = Sequence[tuple[int, float]]  # (months from the plan's start, target), in order


def percentage(numerator: float, denominator: float) -> float | None:
    """Return numerator / denominator as a percentage, or None when there is no denominator."""
    if not denominator:
        return None
    return 100 * numerator / denominator


def wilson_interval(
    numerator: int, denominator: int, z: float = Z_95
) -> tuple[float, float] | tuple[None, None]:
    """Return the Wilson score interval (low, high) in percent, or (None, None) with no data."""
    if not denominator:
        return None, None
    p = numerator / denominator
    centre = p + z * z / (2 * denominator)
    spread = z * math.sqrt(p * (1 - p) / denominator + z * z / (4 * denominator * denominator))
    scale = 1 + z * z / denominator
    return 100 * (centre - spread) / scale, 100 * (centre + spread) / scale


def months_between(start: date, month: date) -> int:
    """Return whole months from the plan's start month to ``month`` (negative before it)."""
    return (month.year - start.year) * 12 + month.month - start.month


def target_for(trajectory: Trajectory, start: date, month: date, until: int | None = None) -> float | None:
    """Return the target in force for a month: the latest milestone reached, or None.

    Milestones are steps, not slopes: from month 3 to month 5 the 3-month target applies,
    and after month 12 the 12-month target stays in force, unless ``until`` (months from the
    start) ends the targets where the plan replaces the measure. A baseline is never a target.
    """
    return target_in_force(trajectory, start, month, until)[1]


def target_in_force(
    trajectory: Trajectory, start: date, month: date, until: int | None = None
) -> tuple[str, float | None]:
    """Return (status, target) for a month.

    status is "target" (a milestone is in force), "not_yet" (before the first milestone),
    "ended" (from ``until`` on) or "none" (the plan sets no target for this KPI).
    """
    if not trajectory:
        return "none", None
    elapsed = months_between(start, month)
    if until is not None and elapsed >= until:
        return "ended", None
    reached = [target for months, target in trajectory if months <= elapsed]
    if not reached:
        return "not_yet", None
    return "target", reached[-1]


def rag(value: float | None, target: float | None, margin: float = 5) -> str:
    """Return 'green', 'amber', 'red', 'grey' (no data) or 'none' (no target set)."""
    if value is None:
        return "grey"
    if target is None:
        return "none"
    if value >= target:
        return "green"
    return "amber" if value >= target - margin else "red"


RAG_LABELS = {
    "green": "On target",
    "amber": "Close to target",
    "red": "Below target",
    "grey": "No data yet",
    "none": "No target set",
}
NO_TARGET_LABELS = {"not_yet": "No target yet", "ended": "Target period ended", "none": "No target set"}
SUPPRESSED_LABEL = "Too few answers to show"
COMPLEMENT_LABEL = "Hidden so that a small figure cannot be worked out"


def round_half_up(number: float | None, places: int = 0) -> int | float | None:
    """Round as people expect (62.5 to 63), not to even as Python's round() does (62)."""
    if number is None:
        return None
    step = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(float(number))).quantize(step, rounding=ROUND_HALF_UP)
    return int(rounded) if places == 0 else float(rounded)


def display_percent(number: float) -> str:
    """Return a percentage for people to read: whole, rounded half up, e.g. "63%"."""
    return f"{round_half_up(number)}%"


def reduction(current: float | None, baseline: float | None) -> float | None:
    """Return the percentage reduction from baseline to current (negative when it grew)."""
    if not baseline or current is None:
        return None
    return 100 * (baseline - current) / baseline


@dataclass(frozen=True)
class Cell:
    """One figure in a scorecard or breakdown, before and after suppression."""

    scope: str
    numerator: int
    denominator: int
    suppressed: bool = False
    complement: bool = False  # hidden only so that another, small, cell cannot be worked out
    base: float | None = None  # reductions: the baseline the numerator is compared with

    @property
    def value(self) -> float | None:
        if self.suppressed or not self.denominator:
            return None
        if self.base is not None:
            return reduction(self.numerator, self.base)
        return percentage(self.numerator, self.denominator)


def is_small(cell: "Cell") -> bool:
    """Return whether a cell has 1 to 4 responses (zero is "no data", not suppressed)."""
    return 0 < cell.denominator < SUPPRESS_BELOW


def suppress(cells: Iterable["Cell"]) -> list["Cell"]:
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
            cells = [replace(c, suppressed=True, complement=True) if c is secondary else c for c in cells]
    return cells


def previous_months(month: date, count: int) -> list[date]:
    """Return ``count`` month starts ending with ``month``, oldest first."""
    months = []
    year, number = month.year, month.month
    for _ in range(count):
        months.append(date(year, number, 1))
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return months[::-1]
