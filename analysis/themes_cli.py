"""`feedback themes`: comment themes by month (and service), and `feedback themes check`."""

import json
import sys

import click

from analysis import scorecard_reads, themes, triage, triage_dao
from analysis.scorecard_reads import MonthError
from feedback.db import reading


def _month(_ctx, _param, value):
    if value is None:
        return None
    try:
        return scorecard_reads.parse_month(value)
    except MonthError as error:
        raise click.BadParameter(str(error)) from None


def theme_rows(counts, book, month, by_service):
    """Return one dict per theme (and service), most comments first, for a month's counts."""
    rows = []
    for key, comments in counts.items():
        _, slug, *rest = key
        row = {
            "month": f"{month:%Y-%m}",
            "theme": slug,
            "name": book.names().get(slug, slug) if book else slug,
        }
        if by_service:
            row["service"] = rest[0]
        rows.append({**row, "comments": comments})
    return sorted(rows, key=lambda r: (-r["comments"], r.get("service", ""), r["theme"]))


@click.group("themes", invoke_without_command=True)
@click.option("--month", callback=_month, help="YYYY-MM (required unless a command is given)")
@click.option("--by", type=click.Choice(["service"]), help="Break down by service.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def themes_group(ctx, month, by, fmt):
    """Print how many comments had each theme in a month (or run `feedback themes check`)."""
    if ctx.invoked_subcommand is not None:
        return
    if month is None:
        raise click.UsageError("give --month YYYY-MM, or a command such as `feedback themes check`")
    book = triage.codebook()
    with reading() as session:
        counts = triage_dao.theme_counts(session, [month], by_service=by == "service")
    rows = theme_rows(counts, book, month, by == "service")
    if fmt == "json":
        click.echo(json.dumps(rows, indent=1))
        return
    if not rows:
        click.echo(f"No themed comments in {month:%B %Y}.")
        return
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        where = f"  {row['service']}" if by else ""
        click.echo(f"{row['name']:{width}}  {row['comments']:>5}{where}")


@themes_group.command("check")
def check():
    """Load the theme codebook and say whether it is sound (exit 1 with the theme and line if not)."""
    from flask import current_app

    path = current_app.config.get("THEMES_FILE") or themes.CODEBOOK_FILE
    try:
        book = themes.load(path)
    except (OSError, themes.ThemeFileError) as error:
        click.echo(f"Not loaded: {error}", err=True)
        sys.exit(1)
    click.echo(f"{len(book.themes)} themes, codebook version {book.version}.")
