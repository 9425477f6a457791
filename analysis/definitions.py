"""KPI definitions as data: plans, their KPIs and trajectories, parsed from TOML.

Pure code. A KPI names the instrument and question it reads and which answers count as
positive; the parser checks those against the instrument definitions, so a typo is caught
at `feedback init`, not on the board's dashboard.
"""

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

KPI_DIR = Path(__file__).parent / "kpis"
MEASURES = {"share", "response_rate", "quiz_threshold", "manual", "waitlist"}
WAITLIST_METRICS = {"letter1_sent", "support_informed", "twelve_month", "support_offered",
                    "support_taken_up", "seen_within"}
MILESTONES = (("baseline", 0), ("m3", 3), ("m6", 6), ("m12", 12))


class KpiError(ValueError):
    """A KPI file is malformed; the message names the file, the KPI and the field."""

    def __init__(self, source, ref, field_name, problem):
        super().__init__(f"{source}: {ref}: {field_name}: {problem}")
        self.source, self.ref, self.field, self.problem = source, ref, field_name, problem


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
    threshold: int | None = None
    trajectory: tuple[tuple[int, float], ...] = ()  # (months from start, target percent)
    metric: str | None = None  # waiting-list KPIs: what is counted
    pathways: tuple[str, ...] = ()
    weeks: int | None = None

    @property
    def surveyed(self):
        """Whether the KPI is computed from answers (not entered by hand)."""
        return self.measure != "manual"


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


def _trajectory(raw, source, ref):
    if raw is None:
        return ()
    if not isinstance(raw, dict) or set(raw) - {name for name, _ in MILESTONES}:
        raise KpiError(source, ref, "trajectory", "use baseline, m3, m6 and m12 only")
    points = []
    for name, months in MILESTONES:
        if name in raw:
            value = raw[name]
            if not isinstance(value, int | float) or not 0 <= value <= 100:
                raise KpiError(source, ref, f"trajectory.{name}", "must be a percentage 0 to 100")
            points.append((months, float(value)))
    return tuple(points)


def _check_source(kpi, instruments, source):
    definition = instruments.get(kpi.instrument)
    if definition is None:
        raise KpiError(source, kpi.ref, "instrument", f"unknown instrument {kpi.instrument!r}")
    if kpi.measure != "share":
        return
    question = definition.question(kpi.question or "")
    if question is None or question.type != "choice":
        raise KpiError(source, kpi.ref, "question", f"{kpi.question!r} is not a rated question "
                       f"of {kpi.instrument}")
    codes = {o.code for o in question.options}
    if not kpi.positive or set(kpi.positive) - codes:
        raise KpiError(source, kpi.ref, "positive", f"must be some of {sorted(codes)}")


def parse_kpi(data, plan_slug, instruments, source):
    """Return a validated Kpi from one [[kpi]] table."""
    ref = data.get("ref") if isinstance(data.get("ref"), str) else "(no ref)"
    for name in ("ref", "wording", "audience", "measure"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise KpiError(source, ref, name, "is required")
    if data["measure"] not in MEASURES:
        raise KpiError(source, ref, "measure", f"must be one of {sorted(MEASURES)}")
    threshold = data.get("threshold")
    if data["measure"] == "quiz_threshold" and not (isinstance(threshold, int) and 0 < threshold <= 100):
        raise KpiError(source, ref, "threshold", "must be a whole percentage 1 to 100")
    if data["measure"] == "waitlist" and data.get("metric") not in WAITLIST_METRICS:
        raise KpiError(source, ref, "metric", f"must be one of {sorted(WAITLIST_METRICS)}")
    kpi = Kpi(
        plan=plan_slug, ref=ref, wording=data["wording"], audience=data["audience"],
        measure=data["measure"], instrument=data.get("instrument"), question=data.get("question"),
        positive=tuple(data.get("positive", ())), providers=tuple(data.get("providers", ())),
        threshold=threshold, trajectory=_trajectory(data.get("trajectory"), source, ref),
        metric=data.get("metric"), pathways=tuple(data.get("pathways", ())), weeks=data.get("weeks"),
    )
    if kpi.surveyed and kpi.measure != "waitlist":
        _check_source(kpi, instruments, source)
    return kpi


def parse_plan(data, instruments, source="<plan>"):
    """Return a validated Plan with its KPIs from one parsed KPI file."""
    plan = data.get("plan")
    if not isinstance(plan, dict):
        raise KpiError(source, "(plan)", "plan", "a [plan] table is required")
    for name, kind in (("slug", str), ("name", str), ("start", date)):
        if not isinstance(plan.get(name), kind):
            raise KpiError(source, "(plan)", f"plan.{name}", f"is required ({kind.__name__})")
    margin = plan.get("amber_margin", 5)
    if not isinstance(margin, int | float) or not 0 <= margin <= 50:
        raise KpiError(source, "(plan)", "plan.amber_margin", "must be 0 to 50 points")
    kpis = tuple(parse_kpi(k, plan["slug"], instruments, source) for k in data.get("kpi", []))
    refs = [k.ref for k in kpis]
    duplicate = next((r for r in refs if refs.count(r) > 1), None)
    if duplicate:
        raise KpiError(source, duplicate, "ref", "is used twice in this plan")
    return Plan(plan["slug"], plan["name"], plan["start"], float(margin), kpis)


def load_directory(instruments, directory=KPI_DIR):
    """Return (plans, errors): each good file loads; each bad one is reported, none of it loaded."""
    plans, errors = [], []
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
            plans.append(parse_plan(data, instruments, path.name))
        except tomllib.TOMLDecodeError as error:
            errors.append(KpiError(path.name, "(file)", "(file)", f"is not valid TOML: {error}"))
        except KpiError as error:
            errors.append(error)
    return plans, errors
