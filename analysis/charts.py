"""Server-rendered SVG charts: a KPI against its trajectory, and scorecard sparklines.

Pure code that returns markup. Colours are backed by shape (a dashed target line, dots on
values) and every chart has a title and a description; the numbers are in a table beside it.
"""

import itertools

from markupsafe import Markup, escape

VALUE_COLOUR = "#1d70b8"
TARGET_COLOUR = "#0b0c0c"


def _segments(points):
    """Split (x, y-or-None) points into runs without gaps."""
    runs, run = [], []
    for x, y in points:
        if y is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append((x, y))
    if run:
        runs.append(run)
    return runs


def _path(run):
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in run)


def line_chart(labels, values, targets, title, description, width=640, height=280, chart_id="chart"):
    """Return an accessible SVG line chart of monthly percentages against targets."""
    left, right, top, bottom = 44, 28, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(labels) - 1)

    def y_of(value):
        return None if value is None else top + plot_h * (1 - value / 100)

    xs = [left + i * step for i in range(len(labels))]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for tick in (0, 25, 50, 75, 100):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12">{tick}%</text>')
    for x, label in zip(xs, labels, strict=True):
        parts.append(
            f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle" font-size="11">{escape(label)}</text>'
        )
    target_points = [(x, y_of(t)) for x, t in zip(xs, targets, strict=True)]
    for run in _segments(target_points):
        stepped = [run[0]] + [p for a, b in itertools.pairwise(run) for p in ((b[0], a[1]), b)]
        parts.append(
            f'<polyline points="{_path(stepped)}" fill="none" stroke="{TARGET_COLOUR}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    value_points = [(x, y_of(v)) for x, v in zip(xs, values, strict=True)]
    for run in _segments(value_points):
        parts.append(
            f'<polyline points="{_path(run)}" fill="none" stroke="{VALUE_COLOUR}" stroke-width="3"/>'
        )
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{VALUE_COLOUR}"/>' for x, y in run)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def trend_words(values):
    """Return a sparkline's trend in words, for screen readers (the line itself is hidden)."""
    known = [round(v) for v in values if v is not None]
    if not known:
        return f"No figures in the last {len(values)} months."
    words = (
        f"Last {len(values)} months: from {known[0]}% to {known[-1]}%, "
        f"lowest {min(known)}%, highest {max(known)}%."
    )
    missing = len(values) - len(known)
    return words + (f" {missing} without a figure." if missing else "")


def sparkline(values, targets, width=120, height=32):
    """Return a small trend line, drawn for the eye and said in words for screen readers."""
    step = width / max(1, len(values) - 1)

    def y_of(value):
        return None if value is None else 2 + (height - 4) * (1 - value / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-hidden="true" focusable="false" class="sparkline">'
    ]
    target_points = [(i * step, y_of(t)) for i, t in enumerate(targets)]
    for run in _segments(target_points):
        parts.append(
            f'<polyline points="{_path(run)}" fill="none" stroke="{TARGET_COLOUR}" '
            f'stroke-width="1" stroke-dasharray="3 2"/>'
        )
    for run in _segments([(i * step, y_of(v)) for i, v in enumerate(values)]):
        parts.append(
            f'<polyline points="{_path(run)}" fill="none" stroke="{VALUE_COLOUR}" stroke-width="2"/>'
        )
    parts.append(f'</svg><span class="visually-hidden">{escape(trend_words(values))}</span>')
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def bar_chart(bars, title, description, width=640, bar_height=22, chart_id="bars"):
    """Return an accessible horizontal SVG bar chart of counts: ``bars`` is [(label, count)]."""
    left, right, top, gap = 250, 56, 8, 6
    height = top * 2 + len(bars) * (bar_height + gap)
    most = max((count for _, count in bars), default=0) or 1
    plot_w = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, count) in enumerate(bars):
        y = top + index * (bar_height + gap)
        length = plot_w * count / most
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" '
            f'font-size="13">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{VALUE_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{left + length + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="13">{count}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())
