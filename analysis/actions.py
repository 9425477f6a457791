""" "You said, we did": the rules for an action and what of it may be public. Pure code.

An action says what families said about a theme in a service (a sentence, and how many
comments are behind it), what changed, and when; in plain words and in easy-read words. It is
public only once a lead other than the person who recorded it has approved it. The public
never sees a comment's text, a comment's id or who recorded or approved the action.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from analysis import measures

LIMITS = {"you_said": 300, "we_did": 600, "easy_you_said": 200, "easy_we_did": 300}
APPROVERS = ("admin", "commissioner")
RECORDERS = ("admin", "commissioner", "service_staff")
WINDOW_MONTHS = 3  # the KPI is compared over three months before the change and three after


@dataclass(frozen=True)
class Draft:
    """What a member of staff typed, checked."""

    service_slug: str
    theme: str
    you_said: str
    comments_behind: int
    we_did: str
    easy_you_said: str
    easy_we_did: str
    changed_on: date
    kpi_plan: str | None
    kpi_ref: str | None


def check(form, services, themes, kpis, today):
    """Return (Draft, []) or (None, [problems]) for submitted fields.

    ``services`` and ``themes`` are the slugs allowed; ``kpis`` the allowed (plan, ref) pairs.
    """
    problems = []
    text = {key: " ".join((form.get(key) or "").split()) for key in LIMITS}
    for key, limit in LIMITS.items():
        if not text[key]:
            problems.append(f"Enter {_label(key)}.")
        elif len(text[key]) > limit:
            problems.append(f"{_label(key).capitalize()} must be {limit} characters or fewer.")
    service, theme = form.get("service") or "", form.get("theme") or ""
    if service not in services:
        problems.append("Choose the service.")
    if theme not in themes:
        problems.append("Choose the theme.")
    behind = _whole_number(form.get("comments_behind"))
    if behind is None:
        problems.append("Enter how many comments are behind it, as a whole number.")
    changed_on = _date(form.get("changed_on"))
    if changed_on is None or not date(2000, 1, 1) <= changed_on <= today + timedelta(days=366):
        problems.append("Enter when it changed (or will change) as a date within the next year.")
    plan, ref = _kpi(form.get("kpi"))
    if form.get("kpi") and (plan, ref) not in kpis:
        problems.append("Choose a KPI from the list, or none.")
    if problems:
        return None, problems
    return Draft(
        service,
        theme,
        text["you_said"],
        behind,
        text["we_did"],
        text["easy_you_said"],
        text["easy_we_did"],
        changed_on,
        plan,
        ref,
    ), []


def _label(key):
    return {
        "you_said": "what families said",
        "we_did": "what changed",
        "easy_you_said": "what families said in easy-read words",
        "easy_we_did": "what changed in easy-read words",
    }[key]


def _whole_number(value):
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if 0 <= number <= 100_000 else None


def _date(value):
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _kpi(value):
    plan, _, ref = (value or "").partition("|")
    return (plan, ref) if plan and ref else (None, None)


def may_approve(role, email, action):
    """Return why a user may not approve an action, or None if they may."""
    if role not in APPROVERS:
        return "Only an administrator or commissioner approves actions."
    if action.status != "draft":
        return "Only a draft waiting for approval can be approved."
    if email == action.recorded_by:
        return "Someone other than the person who recorded it must approve it."
    return None


def windows(changed_on):
    """Return (months before the change, months after it): three whole months each."""
    month = changed_on.replace(day=1)
    before = measures.previous_months(month, WINDOW_MONTHS + 1)[:-1]
    after, step = [], month
    for _ in range(WINDOW_MONTHS):
        step = (step + timedelta(days=32)).replace(day=1)
        after.append(step)
    return before, after


@dataclass(frozen=True)
class Period:
    """A KPI over some months: value and 95% interval, or suppressed with fewer than 5 answers."""

    months: tuple
    numerator: int
    denominator: int

    @property
    def shown(self):
        return self.denominator >= measures.SUPPRESS_BELOW

    @property
    def value(self):
        return measures.percentage(self.numerator, self.denominator) if self.shown else None

    @property
    def interval(self):
        return measures.wilson_interval(self.numerator, self.denominator) if self.shown else (None, None)

    def as_dict(self):
        low, high = self.interval
        first, last = self.months[0], self.months[-1]
        return {
            "from": f"{first:%Y-%m}",
            "to": f"{last:%Y-%m}",
            "label": f"{first:%B}{'' if first.year == last.year else f' {first:%Y}'} to {last:%B %Y}",
            "answers": self.denominator if self.shown else None,
            "value": _round(self.value),
            "ci_low": _round(low),
            "ci_high": _round(high),
        }


def _round(number):
    return None if number is None else round(number, 1)


def period(months, counts):
    """Add up {month: (numerator, denominator)} over the months that have happened."""
    chosen = tuple(m for m in months if m in counts) or tuple(months)
    return Period(
        tuple(months),
        sum(counts[m][0] for m in chosen if m in counts),
        sum(counts[m][1] for m in chosen if m in counts),
    )


def public_entry(action, service_name, theme, kpi=None):
    """Return what the public may see of an approved action (never a comment, never a person)."""
    entry = {
        "id": action.id,
        "service": action.service_slug,
        "service_name": service_name,
        "theme": action.theme,
        "theme_name": theme.name if theme else action.theme,
        "theme_easy_name": theme.easy_name if theme else action.theme,
        "you_said": action.you_said,
        "comments_behind": action.comments_behind,
        "we_did": action.we_did,
        "easy_you_said": action.easy_you_said,
        "easy_we_did": action.easy_we_did,
        "changed_on": action.changed_on.isoformat(),
        "changed_month": f"{action.changed_on:%B %Y}",
        "kpi": None,
    }
    if kpi is not None:
        wording, before, after = kpi
        entry["kpi"] = {
            "plan": action.kpi_plan,
            "ref": action.kpi_ref,
            "wording": wording,
            "before": before.as_dict(),
            "after": after.as_dict(),
        }
    return entry
