"""What `feedback init` does: migrate the schema, then load reference data and instruments."""

from flask import current_app

from analysis import dao as analysis_dao
from analysis import definitions as kpi_definitions
from feedback import migrate, reference
from feedback.db import get_engine, transaction
from feedback.waitlist import jobs as waitlist_jobs
from surveys import dao as survey_dao
from surveys import definitions


def initialise(echo=print):
    """Migrate and load everything; return the list of definition errors (empty when clean)."""
    migrate.upgrade(get_engine())
    with transaction() as session:
        counts = reference.load(session, current_app.config.get("REFERENCE_FILE") or reference.REFERENCE_FILE)
    echo(
        f"Reference data: {counts['services']} services, {counts['providers']} providers, "
        f"{counts['districts']} districts."
    )
    instruments_dir = current_app.config.get("INSTRUMENTS_DIR") or definitions.INSTRUMENTS_DIR
    echo(f"Survey instruments from {instruments_dir} (FEEDBACK_INSTRUMENTS_DIR to use your own).")
    found, errors = definitions.load_directory(instruments_dir)
    with transaction() as session:
        for definition in found:
            row, created = survey_dao.save_instrument_version(session, definition)
            state = "new version" if created else "unchanged"
            echo(f"Instrument {row.slug}: version {row.version} ({state}).")
        # KPIs are checked against every instrument in use, including one whose file was refused.
        known = {d.slug: d for d in survey_dao.latest_definitions(session)}
    kpi_dir = current_app.config.get("KPI_DIR") or kpi_definitions.KPI_DIR
    echo(f"KPI plans from {kpi_dir} (FEEDBACK_KPI_DIR to use your own).")
    plans, kpi_errors = kpi_definitions.load_directory(known, kpi_dir)
    with transaction() as session:
        analysis_dao.save_plans(session, plans)
    for plan in plans:
        echo(f"Plan {plan.slug}: {len(plan.kpis)} KPIs.")
    _check_plans(known, echo)
    stored = waitlist_jobs.store_next_letters()
    if stored:
        echo(f"Waiting list: next letter worked out and stored for {stored} families.")
    errors = errors + kpi_errors
    for error in errors:
        echo(f"Not loaded: {error}")
    return errors


def _check_plans(instruments, echo):
    """Print the plan check's problems (the whole report is `feedback kpis check`)."""
    from analysis import plan_check

    reports = plan_check.check_directory(
        instruments, current_app.config.get("KPI_DIR") or kpi_definitions.KPI_DIR
    )
    for report in reports:
        echo(
            f"Plan check {report.source}: {len(report.problems)} problems, "
            f"{len(report.of_kind('conflict'))} recorded disagreements between sources "
            "(feedback kpis check lists them)."
        )
        for finding in report.problems:
            echo(f"  {finding.ref}: {finding.text}")
