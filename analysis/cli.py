"""`feedback kpis`, `feedback kpis check` and `feedback kpi-values`: the scorecard, the plan
check and hand-entered values."""

import json
import sys

import click

from analysis import dao, exports, jobs, measures, scorecard_reads
from analysis.scorecard_reads import MonthError, parse_value
from feedback.db import reading, transaction
from feedback.text import MESSAGE, CsvFileError, read_csv, unstorable

SCOPE_TYPES = ("service", "provider", "district", "letter")


def _month(_ctx, _param, value):
    if value is None:
        return None
    try:
        return scorecard_reads.parse_month(value)
    except MonthError as error:
        raise click.BadParameter(str(error)) from None


def _table(figures):
    lines = [f"{'plan':9} {'ref':18} {'scope':28} {'value':>6} {'95% CI':>13} {'n':>6} {'target':>6}  RAG"]
    for f in figures:
        d = f.as_dict()
        value = "*" if d["suppressed"] else ("-" if d["value"] is None else f"{d['value']:.1f}%")
        ci = (
            f"{measures.round_half_up(d['ci_low'])}-{measures.round_half_up(d['ci_high'])}%"
            if d["ci_low"] is not None
            else ""
        )
        n = "*" if d["suppressed"] else (d["denominator"] if d["denominator"] is not None else "")
        target = "" if d["target"] is None else measures.display_percent(d["target"])
        lines.append(
            f"{d['plan']:9} {d['ref']:18} {d['scope'][:28]:28} {value:>6} {ci:>13} {n!s:>6} "
            f"{target:>6}  {f.rag_label}"
        )
    return "\n".join(lines)


@click.group("kpis", invoke_without_command=True)
@click.option("--month", callback=_month, help="YYYY-MM (required unless a command is given)")
@click.option(
    "--by",
    type=click.Choice(SCOPE_TYPES),
    help="Break down by service, provider, district, or letter (the waiting-list letter "
    "whose short link an answer came from).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "jsonl"]),
    default="table",
    show_default=True,
    help="json: one array; jsonl: one object a line.",
)
@click.option("--plan", default=None, help="Only this plan, e.g. cip-2023.")
@click.pass_context
def kpis(ctx, month, by, fmt, plan):
    """Print the KPI scorecard for a month (or run `feedback kpis check`)."""
    if ctx.invoked_subcommand is not None:
        return
    if month is None:
        raise click.UsageError("give --month YYYY-MM, or a command such as `feedback kpis check`")
    # The command line may work out a month no job has reached yet; a page view never writes.
    jobs.rebuild_if_missing(month)
    try:
        view = scorecard_reads.month_view(month)
    except MonthError as error:
        click.echo(f"Error: {error}.", err=True)
        sys.exit(1)
    if plan and plan not in {p.slug for p in view.plans}:
        click.echo(f"Error: no plan called {plan!r}.", err=True)
        sys.exit(1)
    figures = scorecard_reads.figures(view, by, plan)
    if fmt == "json":
        click.echo(json.dumps([figure.as_dict() for figure in figures], indent=1))
    elif fmt == "jsonl":
        for figure in figures:
            click.echo(json.dumps(figure.as_dict()))
    elif fmt == "csv":
        click.echo(exports.to_csv(*exports.figure_rows(figures)), nl=False)
    else:
        click.echo(_table(figures))


@kpis.command("recount")
@click.option("--month", callback=_month, help="YYYY-MM (every month with answers if left out)")
def recount(month):
    """Count a month's answers afresh, every one of them, rather than adding the new ones to its
    tallies (after mending data by hand, say), and work out its figures again."""
    months = jobs.recount([month] if month else None)
    click.echo(f"Counted afresh: {len(months)} month{'' if len(months) == 1 else 's'}.")


@kpis.command("check")
def check():
    """Check the plan files: load errors, missing targets, targets that never end, conflicts."""
    from flask import current_app

    from analysis import definitions, plan_check
    from surveys import definitions as instruments

    found, _ = instruments.load_directory(
        current_app.config.get("INSTRUMENTS_DIR") or instruments.INSTRUMENTS_DIR
    )
    reports = plan_check.check_directory(
        {d.slug: d for d in found}, current_app.config.get("KPI_DIR") or definitions.KPI_DIR
    )
    click.echo(plan_check.as_text(reports))
    if any(report.problems for report in reports):
        sys.exit(1)


@click.command("fft-return")
@click.option("--month", required=True, callback=_month, help="YYYY-MM")
def fft_return(month):
    """Print the month's Friends and Family Test return as CSV (answers and modes per service)."""
    header, rows = scorecard_reads.fft_return(month)
    click.echo(exports.to_csv(header, rows), nl=False)


@click.group("kpi-values")
def kpi_values():
    """Enter monthly values for KPIs that are not answered through surveys."""


def _save(plan_slug, ref, month, value, entered_by, note=None):
    with transaction() as session:
        plan = next((p for p in dao.plans(session) if p.slug == plan_slug), None)
        kpi = plan.kpi(ref) if plan else None
        if kpi is None:
            raise ValueError(f"no KPI {ref!r} in plan {plan_slug!r}")
        if kpi.surveyed:
            raise ValueError(f"{ref} is worked out from answers and cannot be entered by hand")
        dao.save_manual_value(session, plan_slug, ref, month, value, entered_by, note)


@kpi_values.command("add")
@click.option("--plan", required=True)
@click.option("--ref", required=True)
@click.option("--month", required=True, callback=_month)
@click.option("--value", required=True, help="A percentage, 0 to 100.")
@click.option("--entered-by", required=True, help="Who is entering it (name or role).")
@click.option("--note", default=None)
def add_value(plan, ref, month, value, entered_by, note):
    """Enter one month's value for a KPI."""
    try:
        _save(plan, ref, month, parse_value(value), entered_by, note)
    except ValueError as error:
        click.echo(f"Refused: {error}.", err=True)
        sys.exit(1)
    click.echo(f"Saved {ref} for {month:%B %Y}.")


@kpi_values.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--entered-by", required=True)
def import_values(file, entered_by):
    """Import values from CSV with columns plan, ref, month, value (and optional note).

    All or nothing: every line is checked first, and one refused line imports none.
    """
    try:
        rows = read_csv(file.read(), ("plan", "ref", "month", "value"))
    except CsvFileError as error:
        raise click.ClickException(f"{error} Nothing was imported.") from None
    with reading() as session:
        plans = {p.slug: p for p in dao.plans(session)}
    values, refused, seen = [], [], {}
    for line, row in rows:
        try:
            values.append(_checked_value(plans, row, seen, line))
        except (ValueError, MonthError) as error:
            refused.append(f"Line {line} refused: {error}.")
    for message in refused[:50]:
        click.echo(message, err=True)
    if refused:
        more = f" ({len(refused) - 50} more not shown)" if len(refused) > 50 else ""
        raise click.ClickException(
            f"{len(refused)} of {len(rows)} lines refused{more}; nothing was imported."
        )
    with transaction() as session:
        for plan_slug, ref, month, value, note in values:
            dao.save_manual_value(session, plan_slug, ref, month, value, entered_by, note)
    click.echo(f"Saved {len(values)} values.")


def _checked_value(plans, row, seen, line):
    """Return (plan, ref, month, value, note) for a line, or raise ValueError saying why not."""
    if any(unstorable(v) for v in row.values()):
        raise ValueError(f"it {MESSAGE}")
    plan_slug, ref = row["plan"].strip(), row["ref"].strip()
    plan = plans.get(plan_slug)
    kpi = plan.kpi(ref) if plan else None
    if kpi is None:
        raise ValueError(f"no KPI {ref!r} in plan {plan_slug!r}")
    if kpi.surveyed:
        raise ValueError(f"{ref} is worked out from answers and cannot be entered by hand")
    month = scorecard_reads.parse_month(row["month"].strip())
    first = seen.setdefault((plan_slug, ref, month), line)
    if first != line:
        raise ValueError(f"{ref} for {month:%B %Y} is already on line {first}")
    note = (row.get("note") or "").strip() or None
    if note and len(note) > 500:
        raise ValueError("the note is longer than 500 characters")
    return plan_slug, ref, month, parse_value(row["value"]), note
