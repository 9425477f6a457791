"""`feedback waitlist import` and `feedback letters due|print|mark-sent|mark-returned`."""

import csv
import json
import sys
import time
from datetime import date
from pathlib import Path

import click

from feedback import audit, clock
from feedback.db import reading, transaction
from feedback.waitlist import crypto, dao, extract, letters, references, tracker


def _today():
    return clock.today()


def _date(_ctx, _param, value):
    if value is None:
        return _today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD") from None


def _key():
    try:
        return crypto.configured_key()
    except crypto.DataKeyError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)


IMPORT_BATCH = 500  # rows per write transaction: each holds SQLite's write lock for milliseconds


@click.group("waitlist")
def waitlist():
    """The assessment waiting list."""


@waitlist.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows; report the others.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write rejected rows (default: FILE.rejected.csv).",
)
def import_extract(file, skip_invalid, report):
    """Load or update the waiting list from a provider's CSV extract."""
    fernet = _key()
    with reading() as session:
        districts = dao.district_slugs(session)
        _check_existing_key(session, fernet)
    try:
        rows, rejected = extract.read_extract(
            file.read_bytes(), tracker.policy().pathways, districts, _today()
        )
    except extract.ExtractError as error:
        click.echo(f"Nothing imported: {error}.", err=True)
        sys.exit(1)
    if rejected:
        report = report or file.with_suffix(".rejected.csv")
        _write_report(report, rejected)
        for item in rejected[:10]:
            click.echo(f"Line {item.line} ({item.reference or 'no reference'}): {item.reason}", err=True)
        if not skip_invalid:
            click.echo(
                f"Nothing imported: {len(rejected)} row(s) have problems, listed in {report}. "
                "Fix them, or use --skip-invalid to import the valid rows.",
                err=True,
            )
            sys.exit(1)
    # Checked, compared and encrypted before any write; then written in short transactions, so
    # parents' survey answers never wait long behind an import. Re-running an import that stopped
    # part way finishes it (entries are matched by reference).
    with reading() as session:
        plan = dao.plan_import(session, fernet, rows)
    for inserts, updates in plan.batches(IMPORT_BATCH):
        started = time.perf_counter()
        with transaction() as session:
            dao.write_import(session, inserts, updates)
        # Leave the lock free as long as it was held, so a waiting writer's retry finds it free.
        time.sleep(time.perf_counter() - started)
    # The new and changed families' next letters, stored for the letters-due query (likewise in
    # short transactions; any other entry out of date is brought up to date too).
    stored = IMPORT_BATCH
    while stored == IMPORT_BATCH:
        started = time.perf_counter()
        with transaction() as session:
            stored = tracker.refresh_next_letters(session, limit=IMPORT_BATCH)
        time.sleep(time.perf_counter() - started)
    added, changes = plan.added, plan.changes
    audit.record(
        "import_waiting_list",
        actor="command line",
        subject=file.name,
        detail=f"{added} added, {changes.get('entries', 0)} changed, {len(rejected)} rejected",
    )
    changed = changes.pop("entries", 0)
    detail = ", ".join(f"{field} {n}" for field, n in sorted(changes.items()))
    click.echo(
        f"Added {added}, changed {changed}{f' ({detail})' if detail else ''}, rejected {len(rejected)}."
    )
    with reading() as session:
        breaking = references.breakers(dao.references(session))
    if breaking:
        click.echo(
            f"Warning: {len(breaking)} stored reference(s) from earlier imports break the "
            f"rule ({extract.REFERENCE_RULE}), so those families' pages cannot be opened. "
            "`feedback waitlist references` lists them and how to fix them.",
            err=True,
        )


@waitlist.command("references")
@click.option(
    "--change",
    nargs=2,
    type=(int, str),
    metavar="ID NEW",
    help="Give the family with this id the new reference NEW.",
)
@click.option("--fix", is_flag=True, help="Give every one its suggested reference.")
def stored_references(change, fix):
    """List stored references that break the reference rule (exit 1 if any), and change them."""
    with reading() as session:
        by_id = dao.references(session)
    if change:
        _change_reference(by_id, *change)
        return
    breaking = references.breakers(by_id)
    if fix:
        for breaker in breaking:
            _change_reference(by_id, breaker.entry_id, breaker.suggestion)
            by_id[breaker.entry_id] = breaker.suggestion
        return
    if not breaking:
        click.echo(f"All {len(by_id)} stored references follow the rule ({extract.REFERENCE_RULE}).")
        return
    click.echo(
        f"{len(breaking)} stored reference(s) break the rule ({extract.REFERENCE_RULE}); "
        "those families still get their letters, but their pages cannot be opened:"
    )
    for b in breaking:
        click.echo(f"  id {b.entry_id}: {b.shown} has {'; '.join(b.problems)}; suggested: {b.suggestion}")
    click.echo(
        f"{references.HOW_TO_FIX} Here: `feedback waitlist references --change ID NEW` "
        "(or `--fix` to take every suggestion), or the ASD team's page /asd/references."
    )
    sys.exit(1)


def _change_reference(by_id, entry_id, new):
    try:
        old = references.check_change(entry_id, new.strip(), by_id)
    except ValueError as error:
        click.echo(f"Not changed: {error}.", err=True)
        sys.exit(1)
    with transaction() as session:
        dao.change_reference(session, entry_id, new.strip())
    audit.record(
        "reference_changed",
        actor="command line",
        subject=new.strip(),
        detail=f"was {references.shown(old)}"[:300],
    )
    click.echo(
        f"Changed family {entry_id}'s reference from {references.shown(old)} to "
        f"{new.strip()}. Change it in the provider's system too, so the next extract "
        "carries the new one."
    )


def _check_existing_key(session, fernet):
    token = dao.any_personal_token(session)
    if token:
        try:
            crypto.unseal(fernet, token)
        except crypto.DataKeyError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)


def _write_report(path, rejected):
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["line", "reference", "reason"])
        writer.writerows([r.line, r.reference, r.reason] for r in rejected)


@click.group("letters")
def letters_group():
    """Waiting-list letters: what is due, printing them, recording that they went."""


@letters_group.command("due")
@click.option("--on", "on", callback=_date, help="YYYY-MM-DD (default today).")
def due(on):
    """List the letters due (references only, no personal data)."""
    with reading() as session:
        found = [(f, d) for f in tracker.due_families(session, on) for d in f.due]
    overdue = 0
    for fam, letter in found:
        late = letter in fam.overdue
        overdue += late
        click.echo(
            f"{references.shown(fam.row.reference):14} letter {letter.sequence} "
            f"{letter.letter_type:16} "
            f"due {letter.due_on}{'  OVERDUE' if late else ''}"
        )
    click.echo(f"{len(found)} letters due on {on}, {overdue} overdue.")


@letters_group.command("backtest")
@click.option("--on", "on", callback=_date, help="Replay up to this day, YYYY-MM-DD (default today).")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
def backtest(on, output):
    """Replay the list's history: were children seen within the range their letters gave?"""
    with reading() as session:
        figures = tracker.backtest(session, on)
    if output == "json":
        click.echo(json.dumps(figures))
        return
    every = figures["every_letter"]
    click.echo(
        f"First letters: {figures['families']} families judged, {figures['within_range']} seen "
        f"within the range given ({_percent(figures['within_range_percent'])}); median width "
        f"{figures['median_width_months']} months; {figures['no_estimate']} first letters "
        "could give no reliable estimate."
    )
    click.echo(
        f"Every letter: {every['letters']} judged, {every['within_range']} within range "
        f"({_percent(every['within_range_percent'])}); median width "
        f"{every['median_width_months']} months."
    )


def _percent(value):
    return "no figure" if value is None else f"{value}%"


@letters_group.command("print")
@click.option("--on", "on", callback=_date, help="YYYY-MM-DD (default today).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--reference", default=None, help="Only this family's letters.")
def print_letters(on, out, reference):
    """Write every letter due on a day to one PDF (A4, address for a windowed envelope)."""
    fernet = _key()
    with reading() as session:
        contents = tracker.letter_contents(session, on, fernet, reference)
    if not contents:
        click.echo(f"No letters are due on {on}.")
        return
    audit.record(
        "print_personal_data",
        actor="command line",
        subject=reference or "all due",
        detail=f"{len(contents)} letters for {on}",
    )
    with click.progressbar(length=len(contents), label=f"Writing {len(contents)} letters") as bar:
        letters.write_pdf(contents, out, progress=bar.update)
    click.echo(f"Wrote {len(contents)} letters to {out}. Record them with `feedback letters mark-sent`.")


@letters_group.command("mark-sent")
@click.option("--on", "on", callback=_date, help="The day they were posted (default today).")
@click.option("--by", "by", required=True, help="Who sent them.")
@click.option("--reference", default=None)
@click.option("--sequence", type=int, default=None)
@click.option("--all-due", is_flag=True, help="Every letter due on that day (after printing them).")
def mark_sent(on, by, reference, sequence, all_due):
    """Record letters as sent, with who and when."""
    if all_due == bool(reference):
        raise click.UsageError("give either --all-due or --reference with --sequence")
    if reference and sequence is None:
        raise click.UsageError("--reference needs --sequence")
    if on > _today():
        raise click.UsageError(f"{on} is in the future: record letters once they are posted")
    with transaction() as session:
        if all_due:
            count = tracker.mark_all_due_sent(session, on, by)
        else:
            try:
                tracker.mark_sent(session, reference, sequence, on, by)
            except tracker.LetterRefused as error:
                click.echo(f"Refused: {error}. Nothing recorded.", err=True)
                sys.exit(1)
            count = 1
    click.echo(f"Recorded {count} letter(s) as sent on {on} by {by}.")


@letters_group.command("send")
@click.option("--on", "on", callback=_date, help="YYYY-MM-DD (default today).")
@click.option("--by", "by", required=True, help="Who is sending them.")
@click.option("--reference", default=None, help="Only this family's letters.")
def send(on, by, reference):
    """Send the letters due through GOV.UK Notify (precompiled letters) and record them as sent."""
    from feedback.waitlist import notify, sending

    if on > _today():
        raise click.UsageError(f"{on} is in the future: letters are sent on the day")
    fernet = _key()
    try:
        api = notify.client()
    except notify.NotifyUnavailable as error:
        raise click.ClickException(str(error)) from None
    sent, problems = sending.send_due(api, on, by, fernet, reference)
    for problem in problems[:10]:
        click.echo(problem, err=True)
    click.echo(f"Sent {sent} letter(s) through GOV.UK Notify; {len(problems)} refused.")
    if problems:
        sys.exit(1)


@letters_group.command("notify-status")
def notify_status():
    """Ask GOV.UK Notify what became of the letters sent through it, and record it."""
    from feedback.waitlist import notify, sending

    try:
        seen = sending.check_statuses(notify.client())
    except notify.NotifyUnavailable as error:
        raise click.ClickException(str(error)) from None
    detail = ", ".join(f"{status} {count}" for status, count in sorted(seen.items())) or "none to check"
    click.echo(f"Letters checked with GOV.UK Notify: {detail}.")


@letters_group.command("mark-returned")
@click.option("--reference", required=True)
@click.option("--sequence", type=int, required=True)
@click.option("--on", "on", callback=_date)
def mark_returned(reference, sequence, on):
    """Record that a letter came back (wrong address)."""
    with transaction() as session:
        try:
            tracker.mark_returned(session, reference, sequence, on)
        except tracker.LetterRefused as error:
            click.echo(f"Refused: {error}.", err=True)
            sys.exit(1)
    click.echo(f"Recorded letter {sequence} for {reference} as returned.")
