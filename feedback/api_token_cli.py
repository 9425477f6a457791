"""`feedback api-tokens add/list/revoke`: read-only API tokens for BI tools."""

import sys

import click

from feedback import api_tokens, audit
from feedback.db import reading, transaction

ACTOR = "command line"


@click.group("api-tokens")
def api_tokens_group():
    """Make, list and revoke read-only API tokens for BI tools (/api/v1)."""


@api_tokens_group.command("add")
@click.option("--name", required=True, help="What uses it, e.g. 'Power BI board pack'.")
@click.option(
    "--role", required=True, type=click.Choice(api_tokens.ROLES), help="The staff role whose scope it has."
)
@click.option("--service", "services", multiple=True, help="Service staff only: a service (repeatable).")
def add(name, role, services):
    """Make a token; it is printed once, alone on the last line, and stored only as a hash."""
    try:
        with transaction() as session:
            row, token = api_tokens.create(session, name, role, services, ACTOR)
            token_id = row.id
    except api_tokens.TokenError as error:
        click.echo(f"Refused: {error}.", err=True)
        sys.exit(1)
    audit.record("api_token_made", subject=f"api token {token_id}", detail=f"{name} ({role})", actor=ACTOR)
    click.echo(
        f"API token {token_id} for {name} ({role}). It is shown this once: keep it in the "
        "BI tool's secret store. Send it as 'Authorization: Bearer <token>'."
    )
    click.echo(token)


@api_tokens_group.command("list")
def list_tokens():
    """List tokens: id, name, role, services, made, last used, revoked (never the tokens)."""
    with reading() as session:
        found = api_tokens.listing(session)
    if not found:
        click.echo("No API tokens.")
    for row in found:
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "live"
        click.echo(
            f"{row.id}\t{row.name}\t{row.role}\t{row.services or 'all services'}\t"
            f"made {row.created_at:%Y-%m-%d}\tlast used {used}\t{state}"
        )


@api_tokens_group.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id):
    """Revoke a token by its id; it stops working at once."""
    with transaction() as session:
        row = api_tokens.revoke(session, token_id)
        name = row.name if row else None
    if name is None:
        click.echo(f"Error: no API token {token_id}.", err=True)
        sys.exit(1)
    audit.record("api_token_revoked", subject=f"api token {token_id}", detail=name, actor=ACTOR)
    click.echo(f"Revoked API token {token_id} ({name}).")
