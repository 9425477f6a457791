"""Themes on stored comments, staff corrections that outlast a new codebook, triage (new first,
flagged comments only to those who may read them), counts by theme and `feedback themes`."""

import json
import uuid
from datetime import date

import pytest
from flask import url_for

from analysis import triage, triage_dao
from feedback import clock
from feedback.db import transaction
from feedback.models import Comment, CommentTheme, Response, StaffService
from surveys import dao as survey_dao
from surveys.collect import NewComment
from tests.conftest import create_response, create_staff, parse, rows, sign_in
from tests.feedback.test_cli import run

OCTOBER = date(2026, 10, 1)


def create_comment(text, service="camhs", flagged=False, month=OCTOBER):
    """Store a response with one comment (flagged for safeguarding if asked); return the comment."""
    with transaction() as session:
        instrument = survey_dao.latest_instrument(session, "service-experience")
        response = Response(
            submission_id=str(uuid.uuid4()),
            instrument_id=instrument.id,
            instrument_slug=instrument.slug,
            instrument_version=instrument.version,
            channel="form",
            service_slug=service,
            respondent_type="parent_carer",
            month=month,
        )
        survey_dao.add_response(session, response, {}, [NewComment("comment", text, -0.5, flagged=flagged)])
    return rows(Comment, response_id=response.id)[0]


def current_themes(comment):
    return {r.theme for r in rows(CommentTheme, comment_id=comment.id) if r.removed_at is None}


def test_a_comment_gets_its_themes_when_it_is_stored(app):
    comment = create_comment("We waited 18 months and nobody told us anything.")
    assert current_themes(comment) == {"waiting", "communication"}
    assert comment.codebook == triage.codebook().version and comment.state == "new"


def test_a_comment_stored_while_the_codebook_is_broken_is_themed_later_by_the_job(app, tmp_path):
    app.config["THEMES_FILE"] = str(tmp_path / "missing.toml")
    comment = create_comment("The appointment was cancelled twice.")
    assert current_themes(comment) == set() and rows(Comment, id=comment.id)[0].codebook is None
    app.config["THEMES_FILE"] = None
    assert "1 comments themed" in triage.retheme_comments()
    assert current_themes(comment) == {"appointments"}


def test_staff_corrections_are_kept_when_a_new_codebook_themes_the_comments_again(app, tmp_path):
    comment = create_comment("The wait was long and the parking was awful.")
    assert current_themes(comment) == {"waiting", "access"}
    with transaction() as session:
        assert triage_dao.correct_theme(session, comment.id, "access", False, "lead@example.org", clock.now())
        assert triage_dao.correct_theme(session, comment.id, "school", True, "lead@example.org", clock.now())
    edited = tmp_path / "themes.toml"
    edited.write_text(triage.themes.CODEBOOK_FILE.read_text() + "\n# edited\n", encoding="utf-8")
    app.config["THEMES_FILE"] = str(edited)
    triage.retheme_comments()
    assert current_themes(comment) == {"waiting", "school"}
    removed = rows(CommentTheme, comment_id=comment.id, theme="access")[0]
    assert removed.removed_by == "lead@example.org"  # the correction itself is kept
    assert rows(Comment, id=comment.id)[0].codebook == triage.codebook().version


def test_a_second_correction_changes_nothing_and_a_removed_theme_can_be_put_back(app):
    comment = create_comment("The wait was long.")
    with transaction() as session:
        assert triage_dao.correct_theme(session, comment.id, "waiting", False, "a@example.org", clock.now())
        assert not triage_dao.correct_theme(
            session, comment.id, "waiting", False, "a@example.org", clock.now()
        )
        assert triage_dao.correct_theme(session, comment.id, "waiting", True, "b@example.org", clock.now())
    assert current_themes(comment) == {"waiting"}
    assert rows(CommentTheme, comment_id=comment.id)[0].added_by == "b@example.org"


@pytest.fixture
def staff(app):
    app.config["WTF_CSRF_ENABLED"] = False
    for role in ("commissioner", "safeguarding_lead", "service_staff", "asd_team"):
        create_staff(f"{role}@example.org", role)
    return app


def link_service(email, service):
    from sqlmodel import select

    from feedback.models import StaffUser

    with transaction() as session:
        user = session.exec(select(StaffUser).where(StaffUser.email == email)).one()
        session.add(StaffService(staff_user_id=user.id, service_slug=service))


def signed_in(app, role):
    client = app.test_client()
    sign_in(client, f"{role}@example.org")
    return client


def test_triage_shows_new_comments_first_with_themes_sentiment_and_state(staff):
    older = create_comment("The staff were kind.")
    with transaction() as session:
        triage_dao.set_state(session, older.id, "reviewed", None)
    create_comment("Nobody rang us back about the appointment.")
    page = parse(signed_in(staff, "commissioner").get(url_for("triage.triage_list")))
    items = page.select(".comment")
    assert "Nobody rang us back" in items[0].get_text() and "New" in items[0].select_one(".meta").get_text()
    assert "Communication and being kept informed" in items[0].get_text()
    assert "Negative" in items[0].get_text() and "Reviewed" in items[1].get_text()


def test_flagged_comments_are_shown_only_to_roles_that_may_read_them(staff):
    create_comment("I am scared to go home.", flagged=True)
    create_comment("The wait was long.")
    commissioner = parse(signed_in(staff, "commissioner").get(url_for("triage.triage_list")))
    assert "scared" not in commissioner.get_text() and "1 comment flagged" in commissioner.get_text()
    lead = parse(signed_in(staff, "safeguarding_lead").get(url_for("triage.triage_list")))
    assert "scared" in lead.get_text() and lead.select_one(".comment--flagged")


def test_a_flagged_comment_cannot_be_triaged_by_a_role_that_may_not_read_it(staff):
    flagged = create_comment("I am scared to go home.", flagged=True)
    client = signed_in(staff, "commissioner")
    response = client.post(
        url_for("triage.update_comment", comment_id=flagged.id), data={"state": "reviewed"}
    )
    assert response.status_code == 404
    assert rows(Comment, id=flagged.id)[0].state == "new"


def test_service_staff_triage_only_their_own_services_comments(staff):
    link_service("service_staff@example.org", "salt")
    theirs, other = (
        create_comment("Rushed session.", service="salt"),
        create_comment("Rushed.", service="camhs"),
    )
    client = signed_in(staff, "service_staff")
    page = parse(client.get(url_for("triage.triage_list")))
    assert "Rushed session." in page.get_text() and "Rushed.\n" not in page.get_text()
    assert (
        client.post(
            url_for("triage.update_comment", comment_id=other.id), data={"state": "reviewed"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            url_for("triage.update_comment", comment_id=theirs.id), data={"state": "acted_on"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            url_for("triage.update_comment", comment_id=theirs.id),
            data={"state": "reviewed", "owner": "camhs"},
        ).status_code
        == 400
    )
    assert rows(Comment, id=theirs.id)[0].state == "acted_on"


def test_staff_set_state_owner_and_themes_and_each_change_is_audited(staff):
    from feedback.models import AuditEvent

    comment = create_comment("The wait was long.")
    client = signed_in(staff, "safeguarding_lead")
    client.post(
        url_for("triage.update_comment", comment_id=comment.id), data={"state": "reviewed", "owner": "salt"}
    )
    client.post(
        url_for("triage.correct_themes", comment_id=comment.id), data={"theme": "school", "change": "add"}
    )
    client.post(
        url_for("triage.correct_themes", comment_id=comment.id), data={"theme": "waiting", "change": "remove"}
    )
    stored = rows(Comment, id=comment.id)[0]
    assert (stored.state, stored.owner_service_slug) == ("reviewed", "salt")
    assert current_themes(comment) == {"school"}
    assert {e.action for e in rows(AuditEvent)} >= {"triage_comment", "theme_add", "theme_remove"}


def test_a_role_without_triage_rights_is_refused(staff):
    comment = create_comment("The wait was long.")
    client = signed_in(staff, "asd_team")
    assert (
        client.post(
            url_for("triage.correct_themes", comment_id=comment.id), data={"theme": "school", "change": "add"}
        ).status_code
        == 403
    )


def test_the_themes_page_charts_the_month_s_counts_and_tabulates_six_months(staff, frozen_clock):
    from datetime import UTC, datetime

    frozen_clock(datetime(2026, 11, 15, 12, tzinfo=UTC))
    create_comment("The wait was long.", month=OCTOBER)
    create_comment("We waited for months and nobody called.", month=OCTOBER)
    create_comment("The wait was long.", month=date(2026, 9, 1))
    page = parse(signed_in(staff, "commissioner").get(url_for("triage.theme_counts", month="2026-10")))
    chart = page.select_one("svg[role=img]")
    assert "Comments by theme, October 2026" in chart.select_one("title").get_text()
    row = next(r for r in page.select("tbody tr") if "Waiting times" in r.th.get_text())
    assert [td.get_text() for td in row.select("td")][-2:] == ["1", "2"]


def test_feedback_themes_prints_the_month_s_counts_as_json_and_by_service(app):
    create_comment("The wait was long.", service="camhs")
    create_comment("The wait was long and the staff were rude.", service="salt")
    result = run(app, "themes", "--month", "2026-10", "--format", "json")
    assert result.exit_code == 0, result.output
    counts = {r["theme"]: r["comments"] for r in json.loads(result.output)}
    assert counts == {"waiting": 2, "staff_attitude": 1}
    by_service = json.loads(
        run(app, "themes", "--month", "2026-10", "--by", "service", "--format", "json").output
    )
    assert {(r["theme"], r["service"], r["comments"]) for r in by_service} == {
        ("waiting", "camhs", 1),
        ("waiting", "salt", 1),
        ("staff_attitude", "salt", 1),
    }
    table = run(app, "themes", "--month", "2026-10").output
    assert "Waiting times" in table and "2" in table


def test_feedback_themes_check_names_a_broken_pattern_and_fails(app, tmp_path):
    broken = tmp_path / "themes.toml"
    broken.write_text("[themes.waiting]\nname = \"W\"\npatterns = ['(unclosed']\n", encoding="utf-8")
    app.config["THEMES_FILE"] = str(broken)
    result = run(app, "themes", "check")
    assert result.exit_code == 1 and "line 3, theme 'waiting'" in result.output
    app.config["THEMES_FILE"] = None
    assert run(app, "themes", "check").exit_code == 0


def test_a_comment_stored_through_the_survey_is_themed(app):
    create_response(comment="The appointment was cancelled the day before.")
    assert current_themes(rows(Comment)[0]) >= {"appointments"}
