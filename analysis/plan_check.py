"""The plan check (`feedback kpis check`): what a KPI file leaves open or records. Pure code.

For each plan file it lists KPIs that cannot be loaded (an instrument or question that does
not exist, a malformed field), KPIs without a target and whether the file says why, early
targets that never expire, targets that end, the disagreements between source documents the
file records and which source is used, and KPIs that count only the people a routed question
is asked of.
"""

from dataclasses import dataclass, field
from pathlib import Path

from analysis import definitions

PROBLEMS = ("error", "no_target_unexplained", "never_ends")
HEADINGS = {
    "error": "Cannot be loaded",
    "no_target_unexplained": "No target, and no reason recorded",
    "never_ends": "Early targets that never expire",
    "no_target": "No target (the plan sets none)",
    "ends": "Targets that end",
    "holds": "Early targets kept in force",
    "conflict": "Sources that disagree",
    "routed": "Asked only of some",
}


@dataclass(frozen=True)
class Finding:
    kind: str  # a key of HEADINGS
    ref: str
    text: str

    @property
    def problem(self):
        return self.kind in PROBLEMS


@dataclass
class PlanReport:
    """What the check found in one plan file."""

    source: str
    name: str | None = None
    kpis: int = 0
    findings: list = field(default_factory=list)

    @property
    def problems(self):
        return [f for f in self.findings if f.problem]

    def of_kind(self, kind):
        return [f for f in self.findings if f.kind == kind]


def _conflict(kpi):
    used = next(s for s in kpi.sources if s.used)
    others = "; ".join(f"{s.where}: {s.says}" for s in kpi.sources if not s.used and not s.agrees)
    return f"uses {used.where} ({used.says}). Also: {others}. Why: {kpi.choice}"


def _routing(kpi, instruments):
    definition = instruments.get(kpi.instrument)
    question = definition.question(kpi.question) if definition and kpi.question else None
    if question is None or question.asked_if is None:
        return None
    earlier, codes = question.asked_if
    return (
        f"reads {kpi.instrument}.{kpi.question}, asked only when {earlier} is "
        f"{' or '.join(codes)}; the KPI counts only those asked"
    )


def kpi_findings(plan_last, kpi, instruments):
    """Return the findings about one loaded KPI."""
    found = []
    if not kpi.trajectory:
        kind = "no_target" if kpi.no_target else "no_target_unexplained"
        found.append(Finding(kind, kpi.ref, kpi.no_target or "set a trajectory, or say why with no_target"))
    elif kpi.until is not None:
        found.append(Finding("ends", kpi.ref, f"from month {kpi.until}: {kpi.choice or ''}".strip()))
    elif plan_last is not None and kpi.last_target_month < plan_last:
        if kpi.holds:
            found.append(Finding("holds", kpi.ref, kpi.holds))
        else:
            found.append(
                Finding(
                    "never_ends",
                    kpi.ref,
                    f"the month-{kpi.last_target_month} target "
                    "stays in force for ever: set until, or say why with holds",
                )
            )
    if kpi.conflicting:
        found.append(Finding("conflict", kpi.ref, _conflict(kpi)))
    routed = _routing(kpi, instruments) if kpi.measure == "share" else None
    if routed:
        found.append(Finding("routed", kpi.ref, routed))
    return found


def check_data(data, instruments, source):
    """Return a PlanReport for one parsed KPI file (every KPI checked, not only the first bad)."""
    report = PlanReport(source)
    try:
        slug, report.name, _, _ = definitions.plan_header(data, source)
    except definitions.KpiError as error:
        report.findings.append(Finding("error", error.ref, f"{error.field}: {error.problem}"))
        return report
    kpis = []
    for raw in data.get("kpi", []):
        try:
            kpis.append(definitions.parse_kpi(raw, slug, instruments, source))
        except definitions.KpiError as error:
            report.findings.append(Finding("error", error.ref, f"{error.field}: {error.problem}"))
    report.kpis = len(kpis)
    refs = [k.ref for k in kpis]
    for ref in sorted({r for r in refs if refs.count(r) > 1}):
        report.findings.append(Finding("error", ref, "ref: is used twice in this plan"))
    plan_last = max((k.last_target_month for k in kpis if k.trajectory), default=None)
    for kpi in kpis:
        report.findings.extend(kpi_findings(plan_last, kpi, instruments))
    return report


def check_directory(instruments, directory=definitions.KPI_DIR):
    """Return a PlanReport for every KPI file in the directory."""
    reports = []
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            data = definitions.read_file(path)
        except definitions.KpiError as error:
            reports.append(PlanReport(path.name, findings=[Finding("error", "(file)", error.problem)]))
            continue
        reports.append(check_data(data, instruments, path.name))
    return reports


def as_text(reports):
    """Return the reports as plain text for the command line, problems first."""
    lines = []
    for report in reports:
        problems = len(report.problems)
        lines.append(
            f"{report.source} ({report.name or 'not loaded'}): {report.kpis} KPIs, "
            f"{problems} problem{'s' if problems != 1 else ''}"
        )
        for kind, heading in HEADINGS.items():
            found = report.of_kind(kind)
            if found:
                lines.append(f"  {heading}:")
                lines.extend(f"    {f.ref}: {f.text}" for f in found)
    return "\n".join(lines)
