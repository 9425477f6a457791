"""`feedback appointments import FILE` and `feedback appointments status`."""

import csv
import sys
from pathlib import Path

import click

from feedback import audit, clock
from feedback.db import reading
from surveys import appointments, contact, intake
from surveys import sending_dao as dao


@click.group("appointments")
def appointments_group():
    """Appointments whose families are asked for feedback by text message or email."""


def keys_or_exit():
    """Return the contact keys, or stop with what to set."""
    try:
        return contact.configured_keys()
    except contact.DataKeyError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)


@appointments_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows; report the others.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write rejected rows (default: FILE.rejected.csv).",
)
def import_appointments(file, skip_invalid, report):
    """Load appointments (CSV: appointment_id, service, district, appointment_at, mobile and/or
    email, respondent, language, opted_out); each family is sent its invitation after the
    appointment. All or nothing, unless --skip-invalid."""
    keys, now = keys_or_exit(), clock.now()
    try:
        rows, rejected = intake.check(_records(file), intake.known(), now, first_line=2)
    except appointments.AppointmentFileError as error:
        click.echo(f"Nothing imported: {error}.", err=True)
        sys.exit(1)
    if rejected:
        report = report or file.with_suffix(".rejected.csv")
        write_report(report, rejected)
        for item in rejected[:10]:
            click.echo(f"Line {item.line} ({item.appointment_id or 'no usable id'}): {item.reason}", err=True)
        if not skip_invalid:
            click.echo(
                f"Nothing imported: {len(rejected)} row(s) have problems, listed in {report}. "
                "Fix them, or use --skip-invalid to import the valid rows.",
                err=True,
            )
            sys.exit(1)
    counts = intake.save(rows, keys, now)
    line = intake.summary(counts, rejected)
    audit.record("import_appointments", actor="command line", subject=file.name[:100], detail=line[:300])
    click.echo(line)


def _records(file):
    """Return the file's records, read and checked for shape (AppointmentFileError if it is not a CSV)."""
    text = appointments.decode(file.read_bytes())
    return appointments.read_records(text)


def write_report(path, rejected):
    """Write rejected rows (line, appointment id, reason: never a number or address)."""
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["line", "appointment_id", "reason"])
        writer.writerows([r.line, r.appointment_id, r.reason] for r in rejected)


@appointments_group.command("status")
def status():
    """Count the messages sent, by kind and status, and the contact details still held."""
    with reading() as session:
        counts, held = dao.message_counts(session), dao.held_contacts(session)
    for (kind, state), n in sorted(counts.items()):
        click.echo(f"{kind:<11} {state:<18} {n}")
    click.echo(f"Contact details held for {held} appointment(s) not yet finished.")
