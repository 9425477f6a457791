"""Invitations sent, delivered and answered by week, for a service's staff page: the weeks filled
in, the response rate, and an accessible SVG bar chart. Pure code that returns values and markup.
"""

from dataclasses import dataclass
from datetime import timedelta

from markupsafe import Markup, escape

COLOURS = {"sent": "#1d70b8", "delivered": "#00703c", "answered": "#f47738"}
# Each series is told apart by more than its colour: an outline, and a dashed one.
PATTERNS = {
    "sent": "",
    "delivered": ' stroke="#0b0c0c" stroke-width="1"',
    "answered": ' stroke="#0b0c0c" stroke-width="1" stroke-dasharray="2 1"',
}


@dataclass(frozen=True)
class Week:
    monday: object  # date
    sent: int
    delivered: int
    answered: int

    @property
    def response_rate(self):
        """Return answered as a percentage of delivered, or None with nothing delivered."""
        return round(100 * self.answered / self.delivered) if self.delivered else None


def monday_of(day):
    """Return the Monday of the week a day is in."""
    return day - timedelta(days=day.weekday())


def weeks(counts, first, last):
    """Return a Week for every week from ``first`` to ``last`` (dates), zero where none were sent.

    ``counts`` is [(monday, sent, delivered, answered)].
    """
    found = {monday: (s, d, a) for monday, s, d, a in counts}
    result, monday = [], monday_of(first)
    while monday <= last:
        result.append(Week(monday, *found.get(monday, (0, 0, 0))))
        monday += timedelta(days=7)
    return result


def bar_chart(rows, title, width=640, height=260):
    """Return an SVG chart of sent, delivered and answered per week (the table beside it has the
    same figures)."""
    left, right, top, bottom = 44, 12, 16, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max([1, *(w.sent for w in rows)])
    group = plot_w / max(1, len(rows))
    bar = max(1.0, group / 4)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="sent-title sent-desc" class="chart">',
        f'<title id="sent-title">{escape(title)}</title>',
        '<desc id="sent-desc">Bars for each week: invitations sent, delivered and answered. '
        "The table below gives the same figures.</desc>",
    ]
    for tick in (0, most // 2, most):
        y = top + plot_h * (1 - tick / most)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b1b4b6"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12">{tick}</text>'
        )
    for index, week in enumerate(rows):
        x = left + index * group + bar / 2
        for offset, name in enumerate(("sent", "delivered", "answered")):
            value = getattr(week, name)
            h = plot_h * value / most
            parts.append(
                f'<rect x="{x + offset * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[name]}"{PATTERNS[name]}>'
                f"<title>{escape(name)}: {value}</title></rect>"
            )
        if len(rows) <= 13 or index % 2 == 0:
            parts.append(
                f'<text x="{x + 1.5 * bar:.1f}" y="{height - 28}" text-anchor="middle" '
                f'font-size="11">{week.monday:%d %b}</text>'
            )
    for offset, name in enumerate(("sent", "delivered", "answered")):
        x = left + offset * 120
        parts.append(
            f'<rect x="{x}" y="{height - 14}" width="12" height="12" fill="{COLOURS[name]}"'
            f'{PATTERNS[name]}/><text x="{x + 16}" y="{height - 4}" font-size="12">{name}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())
