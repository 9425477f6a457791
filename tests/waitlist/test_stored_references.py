"""References stored before the reference rule that break it: the import and a check say which
and how to fix them, the ASD team's pages say why instead of failing, and a change keeps the
family's letters."""

from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest

from feedback.models import AuditEvent, WaitingListEntry
from feedback.waitlist import crypto, references
from tests.conftest import create_staff, parse, rows, sign_in
from tests.feedback.test_cli import run
from tests.waitlist.test_import import family, write
from tests.waitlist.test_letters import create_family

BAD = ["ND/0042", 'ND"0042', "ND\n0042", "ND 0042", "ND#0042\x1b[2J"]


@pytest.fixture
def keyed(app, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    app.config["DATA_KEY"] = crypto.new_key()
    return app


@pytest.fixture
def asd_team(keyed, client):
    create_staff("asd@example.org", "asd_team")
    sign_in(client, "asd@example.org")
    return client


def entry_id(reference):
    [row] = rows(WaitingListEntry, reference=reference)
    return row.id


@pytest.mark.parametrize(
    ("reference", "problem"),
    [
        ("ND/0042", "a slash"),
        ('ND"0042', "a quote"),
        ("ND\n0042", "a line break"),
        ("ND 0042", "a space"),
        ("ND#0042", "other characters: #"),
        ("-ND0042", "a hyphen at the start"),
        ("N" * 41, "more than 40 characters"),
        ("", "it is empty"),
    ],
)
def test_each_way_a_reference_breaks_the_rule_is_named(reference, problem):
    assert any(p.startswith(problem) for p in references.problems(reference))


def test_a_reference_that_follows_the_rule_has_no_problems():
    assert references.problems("ND-2026-0042") == ()


def test_a_suggestion_follows_the_rule_and_is_nobody_else_s():
    found = references.breakers({1: "ND/0042", 2: "ND 0042", 3: "ND-0042", 4: "ND\n0042 ", 5: "//"})
    assert [(b.entry_id, b.suggestion) for b in found] == [
        (1, "ND-0042-2"),
        (2, "ND-0042-3"),
        (4, "ND-0042-4"),
        (5, "REF"),
    ]


def test_a_reference_is_shown_on_one_line_with_its_odd_characters_escaped():
    assert references.shown("ND-1") == "ND-1"
    assert references.shown('ND\n"1\x1b') == '"ND\\n\\"1\\u001b"'


def test_the_check_lists_each_stored_reference_that_breaks_the_rule_and_how_to_fix_it(keyed):
    create_family("ND-1", referral=date(2026, 11, 20))
    for number, reference in enumerate(BAD):
        create_family(reference, referral=date(2026, 11, 20 - number))
    result = run(keyed, "waitlist", "references")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("5 stored reference(s) break the rule (letters, digits")
    assert lines[1] == f'  id {entry_id("ND/0042")}: "ND/0042" has a slash; suggested: ND-0042'
    assert lines[3].startswith(f'  id {entry_id("ND" + chr(10) + "0042")}: "ND\\n0042" has a line break')
    assert "\x1b" not in result.output and len(lines) == 7
    assert "Change each one in the provider's system first" in lines[6]
    assert "feedback waitlist references --change ID NEW" in lines[6]


def test_the_check_says_all_is_well_when_every_reference_follows_the_rule(keyed):
    create_family("ND-1")
    result = run(keyed, "waitlist", "references")
    assert (result.exit_code, result.output.strip()) == (
        0,
        "All 1 stored references follow the rule "
        "(letters, digits and single hyphens between "
        "them, up to 40 characters).",
    )


def test_an_import_warns_about_stored_references_that_break_the_rule(keyed, tmp_path):
    create_family("ND/0042")
    result = run(keyed, "waitlist", "import", str(write(tmp_path / "a.csv", [family("ND-1")])))
    assert result.exit_code == 0
    assert "Added 1, changed 0" in result.output
    assert "Warning: 1 stored reference(s) from earlier imports break the rule" in result.output
    assert "`feedback waitlist references`" in result.output


def test_a_changed_reference_keeps_the_family_s_letters_and_is_audited(keyed):
    create_family("ND/0042", referral=date(2026, 5, 1), sent=[(1, date(2026, 5, 4))])
    family_id = entry_id("ND/0042")
    result = run(keyed, "waitlist", "references", "--change", str(family_id), "ND-0042")
    assert result.exit_code == 0, result.output
    assert 'from "ND/0042" to ND-0042' in result.output
    assert entry_id("ND-0042") == family_id
    due = run(keyed, "letters", "due", "--on", "2026-11-23").output
    assert "ND-0042" in due and "letter 1 " not in due  # letter 1 is still recorded as sent
    [event] = rows(AuditEvent, action="reference_changed")
    assert (event.subject, event.detail) == ("ND-0042", 'was "ND/0042"')
    assert run(keyed, "waitlist", "references").exit_code == 0


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        ("ND/42", "the new reference must be letters, digits"),
        ("ND-1", "ND-1 is already another family's"),
    ],
)
def test_a_change_to_a_reference_that_breaks_the_rule_or_is_taken_is_refused(keyed, new, reason):
    create_family("ND-1")
    create_family("ND 2")
    result = run(keyed, "waitlist", "references", "--change", str(entry_id("ND 2")), new)
    assert result.exit_code == 1 and reason in result.output
    assert rows(WaitingListEntry, reference="ND 2")


def test_a_reference_that_follows_the_rule_is_not_changed_here(keyed):
    create_family("ND-1")
    result = run(keyed, "waitlist", "references", "--change", str(entry_id("ND-1")), "ND-2")
    assert result.exit_code == 1 and "already follows the rule" in result.output


def test_fix_gives_every_family_its_suggestion(keyed):
    for reference in ("ND/1", "ND 1"):
        create_family(reference)
    result = run(keyed, "waitlist", "references", "--fix")
    assert result.exit_code == 0, result.output
    assert sorted(r.reference for r in rows(WaitingListEntry)) == ["ND-1", "ND-1-2"]


@pytest.mark.parametrize("reference", BAD)
def test_the_asd_team_s_pages_say_why_instead_of_failing(asd_team, reference):
    create_family(reference, referral=date(2026, 11, 20))
    waiting = parse(asd_team.get("/asd/"))
    banner = waiting.select_one(".banner").get_text()
    assert "1 family has a reference that breaks the reference rule" in banner
    link = waiting.select_one("tbody th a")["href"]
    page = asd_team.get(link, follow_redirects=True)
    assert page.status_code == 200
    section = parse(page).select_one(f"#entry-{entry_id(reference)}")
    assert section.h2.get_text() == f"Reference {references.shown(reference)}"
    assert section.select_one("input[name=new_reference]")["value"].startswith("ND-0042")
    if "/" not in reference:  # a "/" cannot be part of one address; the others are sent on
        for suffix in ("", "/letter.pdf", "/record.json"):
            response = asd_team.get(f"/asd/family/{quote(reference, safe='')}{suffix}")
            assert response.status_code == 302
            assert response.headers["Location"].endswith(f"/asd/references#entry-{entry_id(reference)}")


def test_the_asd_team_changes_a_reference_and_the_family_s_pages_open_again(asd_team):
    create_family("ND/0042", referral=date(2026, 11, 20))
    page = asd_team.get("/asd/references")
    token = parse(page).select_one("input[name=csrf_token]")["value"]
    response = asd_team.post(
        f"/asd/references/{entry_id('ND/0042')}", data={"csrf_token": token, "new_reference": " ND-0042 "}
    )
    assert response.headers["Location"].endswith("/asd/family/ND-0042")
    assert asd_team.get("/asd/family/ND-0042").status_code == 200
    assert asd_team.get("/asd/family/ND-0042/letter.pdf").status_code == 200
    refused = asd_team.post(
        f"/asd/references/{entry_id('ND-0042')}",
        data={"csrf_token": token, "new_reference": "ND-0043"},
        follow_redirects=True,
    )
    assert "Not changed: ND-0042 already follows the rule" in parse(refused).get_text()
