"""KPI definitions as data: plans, their KPIs, baselines, targets and sources, parsed from TOML.

Pure code. A KPI names the instrument and question it reads and which answers count as
positive; the parser checks those against the instrument definitions, so a typo is caught
at `feedback init`, not on the board's dashboard.

A KPI keeps apart what the plans keep apart: its **baseline** is a starting figure, never a
target; its **trajectory** holds the targets, each from a number of months after the plan's
start; ``until`` ends them where the plan replaces the measure. Where the source documents
disagree, every source is recorded with what it says, one is marked as used, and ``choice``
says why; the KPI page and ``feedback kpis check`` show it.
"""

import re
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

KPI_DIR = Path(__file__).parent / "kpis"
MEASURES = {"share", "response_rate", "quiz_threshold", "manual", "waitlist"}
WAITLIST_METRICS = {
    "letter1_sent",
    "support_informed",
    "twelve_month",
    "support_offered",
    "support_taken_up",
    "seen_within",
    "wait_reduction",
}
DONT_KNOW_RULES = {"counted", "excluded"}
MILESTONE = re.compile(r"^m([1-9][0-9]?)$")  # m3, m6, m12, m18, m24 ... months from the start


class KpiError(ValueError):
    """A KPI file is malformed; the message names the file, the KPI and the field."""

    def __init__(self, source, ref, field_name, problem):
        super().__init__(f"{source}: {ref}: {field_name}: {problem}")
        self.source, self.ref, self.field, self.problem = source, ref, field_name, problem


@dataclass(frozen=True)
class Source:
    """Where a KPI's wording or figures come from, what that place says, and whether it is used."""

    where: str
    says: str
    used: bool = False
    agrees: bool = False  # an unused source that says the same as the used one


@dataclass(frozen=True)
class Kpi:
    plan: str
    ref: str
    wording: str
    audience: str
    measure: str
    instrument: str | None = None
    question: str | None = None
    positive: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    threshold: int | None = None
    trajectory: tuple[tuple[int, float], ...] = ()  # targets: (months from start, percent)
    metric: str | None = None  # waiting-list KPIs: what is counted
    pathways: tuple[str, ...] = ()
    weeks: int | None = None
    baseline: float | None = None  # a starting figure, never a target
    baseline_note: str | None = None  # e.g. "77% in 2022"
    until: int | None = None  # months from start when the targets stop (the plan replaces them)
    holds: str | None = None  # why an early last target stays in force to the plan's end and after
    no_target: str | None = None  # why the plan sets no target
    dont_know: str = "counted"  # "Don't know": in the total (FFT) or left out
    sources: tuple[Source, ...] = ()
    choice: str | None = None  # why the used source was chosen where sources disagree
    note: str | None = None  # how the measure is read from the data, in plain words
    baseline_period: tuple[date, date] | None = None  # reductions: the period compared with

    @property
    def surveyed(self):
        """Whether the KPI is computed from answers or the waiting list (not entered by hand)."""
        return self.measure != "manual"

    @property
    def is_reduction(self):
        """Whether the value is a reduction against a baseline period (not a share of people)."""
        return self.metric == "wait_reduction"

    @property
    def conflicting(self):
        """Whether the sources disagree (some source, not used, says something else)."""
        return any(not s.used and not s.agrees for s in self.sources)

    @property
    def first_target_month(self):
        return self.trajectory[0][0] if self.trajectory else None

    @property
    def last_target_month(self):
        return self.trajectory[-1][0] if self.trajectory else None


@dataclass(frozen=True)
class Plan:
    slug: str
    name: str
    start: date
    amber_margin: float = 5
    kpis: tuple[Kpi, ...] = field(default=())

    def kpi(self, ref):
        """Return the KPI with this reference, or None."""
        return next((k for k in self.kpis if k.ref == ref), None)

    def month_after(self, months):
        """Return the first day of the month ``months`` after the plan's start."""
        index = self.start.month - 1 + months
        return date(self.start.year + index // 12, index % 12 + 1, 1)

    @property
    def last_target_month(self):
        """The plan's furthest milestone (12 months for both seed plans)."""
        return max((k.last_target_month for k in self.kpis if k.trajectory), default=None)


def _percentage(value, source, ref, name):
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise KpiError(source, ref, name, "must be a percentage 0 to 100")
    return float(value)


def _trajectory(raw, source, ref):
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise KpiError(source, ref, "trajectory", "must be a table such as { m3 = 20, m6 = 35 }")
    if "baseline" in raw:
        raise KpiError(
            source,
            ref,
            "trajectory.baseline",
            "a baseline is a starting figure, not a target: write baseline = N beside the trajectory",
        )
    points = []
    for name, value in raw.items():
        found = MILESTONE.match(name)
        if not found:
            raise KpiError(
                source, ref, "trajectory", f"{name!r}: use m3, m6, m12 (months from the plan's start)"
            )
        points.append((int(found.group(1)), _percentage(value, source, ref, f"trajectory.{name}")))
    return tuple(sorted(points))


def _sources(raw, source, ref):
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise KpiError(source, ref, "sources", "must be a list of { where, says, used, agrees } tables")
    found = []
    for index, item in enumerate(raw):
        for name in ("where", "says"):
            if not isinstance(item.get(name), str) or not item[name].strip():
                raise KpiError(source, ref, f"sources[{index}].{name}", "is required")
        found.append(
            Source(
                item["where"], item["says"], bool(item.get("used", False)), bool(item.get("agrees", False))
            )
        )
    if found and sum(s.used for s in found) != 1:
        raise KpiError(source, ref, "sources", "mark exactly one source as used = true")
    return tuple(found)


def _optional_text(data, name, source, ref):
    value = data.get(name)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise KpiError(source, ref, name, "must be text")
    return value


def _check_timing(kpi, source):
    ref = kpi.ref
    if kpi.until is not None:
        if not isinstance(kpi.until, int) or isinstance(kpi.until, bool) or kpi.until < 1:
            raise KpiError(source, ref, "until", "must be a whole number of months")
        if not kpi.trajectory or kpi.until <= kpi.last_target_month:
            raise KpiError(source, ref, "until", "must come after the last target")
    if kpi.sources and len(kpi.sources) > 1 and not kpi.choice:
        raise KpiError(source, ref, "choice", "sources disagree: say why the used one is used")
    if kpi.measure == "manual" or kpi.is_reduction:
        return
    if kpi.dont_know not in DONT_KNOW_RULES:
        raise KpiError(source, ref, "dont_know", f"must be one of {sorted(DONT_KNOW_RULES)}")


def _check_source(kpi, instruments, source):
    definition = instruments.get(kpi.instrument)
    if definition is None:
        raise KpiError(source, kpi.ref, "instrument", f"unknown instrument {kpi.instrument!r}")
    if kpi.measure != "share":
        return
    question = definition.question(kpi.question or "")
    if question is None or question.type != "choice":
        raise KpiError(
            source, kpi.ref, "question", f"{kpi.question!r} is not a rated question of {kpi.instrument}"
        )
    codes = {o.code for o in question.options}
    if not kpi.positive or set(kpi.positive) - codes:
        raise KpiError(source, kpi.ref, "positive", f"must be some of {sorted(codes)}")


def _baseline_period(raw, source, ref):
    if raw is None:
        return None
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("from"), date)
        or not isinstance(raw.get("to"), date)
        or raw["from"] > raw["to"]
    ):
        raise KpiError(source, ref, "baseline_period", "must be { from = DATE, to = DATE }")
    return raw["from"], raw["to"]


def _check_measure(data, source, ref):
    if data["measure"] not in MEASURES:
        raise KpiError(source, ref, "measure", f"must be one of {sorted(MEASURES)}")
    threshold = data.get("threshold")
    if data["measure"] == "quiz_threshold" and not (isinstance(threshold, int) and 0 < threshold <= 100):
        raise KpiError(source, ref, "threshold", "must be a whole percentage 1 to 100")
    if data["measure"] == "waitlist" and data.get("metric") not in WAITLIST_METRICS:
        raise KpiError(source, ref, "metric", f"must be one of {sorted(WAITLIST_METRICS)}")
    if data.get("metric") == "wait_reduction" and data.get("baseline_period") is None:
        raise KpiError(source, ref, "baseline_period", "a reduction needs the period it is measured against")


def parse_kpi(data, plan_slug, instruments, source):
    """Return a validated Kpi from one [[kpi]] table."""
    ref = data.get("ref") if isinstance(data.get("ref"), str) else "(no ref)"
    for name in ("ref", "wording", "audience", "measure"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise KpiError(source, ref, name, "is required")
    _check_measure(data, source, ref)
    baseline = data.get("baseline")
    kpi = Kpi(
        plan=plan_slug,
        ref=ref,
        wording=data["wording"],
        audience=data["audience"],
        measure=data["measure"],
        instrument=data.get("instrument"),
        question=data.get("question"),
        positive=tuple(data.get("positive", ())),
        providers=tuple(data.get("providers", ())),
        services=tuple(data.get("services", ())),
        threshold=data.get("threshold"),
        trajectory=_trajectory(data.get("trajectory"), source, ref),
        metric=data.get("metric"),
        pathways=tuple(data.get("pathways", ())),
        weeks=data.get("weeks"),
        baseline=None if baseline is None else _percentage(baseline, source, ref, "baseline"),
        baseline_note=_optional_text(data, "baseline_note", source, ref),
        until=data.get("until"),
        holds=_optional_text(data, "holds", source, ref),
        no_target=_optional_text(data, "no_target", source, ref),
        dont_know=data.get("dont_know", "counted"),
        sources=_sources(data.get("sources"), source, ref),
        choice=_optional_text(data, "choice", source, ref),
        note=_optional_text(data, "note", source, ref),
        baseline_period=_baseline_period(data.get("baseline_period"), source, ref),
    )
    _check_timing(kpi, source)
    if kpi.surveyed and kpi.measure != "waitlist":
        _check_source(kpi, instruments, source)
    return kpi


def plan_header(data, source):
    """Return (slug, name, start, amber margin) from a KPI file's [plan] table, checked."""
    plan = data.get("plan")
    if not isinstance(plan, dict):
        raise KpiError(source, "(plan)", "plan", "a [plan] table is required")
    for name, kind in (("slug", str), ("name", str), ("start", date)):
        if not isinstance(plan.get(name), kind):
            raise KpiError(source, "(plan)", f"plan.{name}", f"is required ({kind.__name__})")
    margin = plan.get("amber_margin", 5)
    if not isinstance(margin, int | float) or not 0 <= margin <= 50:
        raise KpiError(source, "(plan)", "plan.amber_margin", "must be 0 to 50 points")
    return plan["slug"], plan["name"], plan["start"], float(margin)


def parse_plan(data, instruments, source="<plan>"):
    """Return a validated Plan with its KPIs from one parsed KPI file."""
    slug, name, start, margin = plan_header(data, source)
    kpis = tuple(parse_kpi(k, slug, instruments, source) for k in data.get("kpi", []))
    refs = [k.ref for k in kpis]
    duplicate = next((r for r in refs if refs.count(r) > 1), None)
    if duplicate:
        raise KpiError(source, duplicate, "ref", "is used twice in this plan")
    return Plan(slug, name, start, margin, kpis)


def read_file(path):
    """Return the parsed TOML of a KPI file, or raise KpiError naming the file."""
    try:
        with Path(path).open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as error:
        raise KpiError(Path(path).name, "(file)", "(file)", f"is not valid TOML: {error}") from None


def load_directory(instruments, directory=KPI_DIR):
    """Return (plans, errors): each good file loads; each bad one is reported, none of it loaded."""
    plans, errors = [], []
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            plans.append(parse_plan(read_file(path), instruments, path.name))
        except KpiError as error:
            errors.append(error)
    return plans, errors


def kpi_to_dict(kpi):
    """Return a KPI as plain data (stored as JSON with the plan)."""
    return asdict(kpi)


def kpi_from_dict(data):
    """Rebuild a KPI from ``kpi_to_dict``'s data (as read back from JSON)."""
    known = set(Kpi.__dataclass_fields__)
    data = {k: v for k, v in data.items() if k in known}
    for name in ("positive", "providers", "services", "pathways"):
        data[name] = tuple(data.get(name) or ())
    data["trajectory"] = tuple((int(m), float(t)) for m, t in data.get("trajectory") or ())
    data["sources"] = tuple(Source(**s) for s in data.get("sources") or ())
    period = data.get("baseline_period")
    if period:
        data["baseline_period"] = tuple(p if isinstance(p, date) else date.fromisoformat(p) for p in period)
    return Kpi(**data)
