"""The command line: invitations as CSV and PDF cards, and the demo year."""

import csv
import io

from click.testing import CliRunner

from feedback import cli
from feedback.models import Answer, Comment, Invitation, Response
from surveys import tokens
from tests.conftest import rows


def run(app, *args):
    """Run a `feedback` command against the test app."""
    runner = CliRunner()
    original = cli.create_app
    cli.create_app = lambda *_overrides: app
    try:
        return runner.invoke(cli.main, list(args), catch_exceptions=False)
    finally:
        cli.create_app = original


def test_invite_writes_single_use_links_as_csv_and_stores_only_their_hashes(app):
    result = run(
        app,
        "invite",
        "--survey",
        "service-experience",
        "--service",
        "camhs",
        "--district",
        "preston",
        "--appointment-date",
        "2026-11-20",
        "--count",
        "3",
    )
    assert result.exit_code == 0, result.output
    links = list(csv.DictReader(io.StringIO(result.output)))
    assert len(links) == 3
    stored = {i.token_hash for i in rows(Invitation)}
    for link in links:
        token = link["link"].rsplit("/i/", 1)[1]
        assert token not in stored
        assert tokens.hash_token(token) in stored
    assert {i.appointment_date.isoformat() for i in rows(Invitation)} == {"2026-11-20"}


def test_invite_writes_printable_pdf_cards(app, tmp_path):
    pdf = tmp_path / "cards.pdf"
    result = run(
        app,
        "invite",
        "--survey",
        "service-experience",
        "--service",
        "salt",
        "--count",
        "10",
        "--pdf",
        str(pdf),
        "--csv",
        str(tmp_path / "links.csv"),
    )
    assert result.exit_code == 0, result.output
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    assert content.count(b"/Type /Page\n") + content.count(b"/Type /Page ") >= 2  # 8 cards a page


def test_invite_refuses_unknown_service_with_a_clear_message(app):
    result = run(app, "invite", "--survey", "service-experience", "--service", "dentist")
    assert result.exit_code == 2
    assert "no service called 'dentist'" in result.output
    assert rows(Invitation) == []


def test_invite_refuses_a_malformed_date(app):
    result = run(
        app,
        "invite",
        "--survey",
        "service-experience",
        "--service",
        "camhs",
        "--appointment-date",
        "20/11/2026",
    )
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_demo_makes_a_year_of_answers_with_comments_and_invitations(app):
    result = run(app, "demo", "--responses", "600")
    assert result.exit_code == 0, result.output
    responses = rows(Response)
    assert len(responses) == 600
    assert len({r.month for r in responses}) == 12
    assert len({r.service_slug for r in responses}) >= 10
    assert rows(Answer) and rows(Comment)
    assert rows(Invitation, instrument_slug="ehcp-annual-review")
    again = run(app, "demo", "--responses", "600")
    assert "already holds 600 responses" in again.output
    assert len(rows(Response)) == 600
