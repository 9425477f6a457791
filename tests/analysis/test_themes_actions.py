""" "You said, we did": recorded by staff, approved by another lead, then public (plain, easy
read, JSON, embed) without a comment's text or a person; KPI before and after; group digests."""

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from flask import url_for

from analysis import actions, loop_jobs
from analysis.jobs import render_report
from feedback.models import ActionTaken, GroupDigest
from tests.analysis.test_themes_triage import create_comment, link_service, signed_in
from tests.conftest import create_response, create_staff, parse, rows

FIELDS = {
    "service": "salt",
    "theme": "waiting",
    "comments_behind": "14",
    "you_said": "The wait for a first appointment was too long and nobody told you how long.",
    "we_did": "We added a Saturday clinic and now write to every family with their likely wait.",
    "easy_you_said": "You waited a long time.",
    "easy_we_did": "We opened on Saturdays.",
    "changed_on": "2026-07-01",
    "kpi": "app-2020|APP 1b",
}


@pytest.fixture
def leads(app, frozen_clock):
    frozen_clock(datetime(2026, 11, 10, 12, tzinfo=UTC))
    app.config["WTF_CSRF_ENABLED"] = False
    for email, role in (
        ("commissioner@example.org", "commissioner"),
        ("admin@example.org", "admin"),
        ("service_staff@example.org", "service_staff"),
    ):
        create_staff(email, role)
    link_service("service_staff@example.org", "salt")
    return app


def record(app, role="service_staff", **changes):
    client = signed_in(app, role)
    response = client.post(url_for("actions.new"), data={**FIELDS, **changes})
    assert response.status_code == 302, parse(response).get_text()
    return rows(ActionTaken)[-1]


def public_text(app, **args):
    return parse(app.test_client().get(url_for("you_said.page", **args))).get_text()


def test_a_recorded_action_is_not_public_until_a_lead_approves_it(leads):
    action = record(leads)
    assert action.status == "draft" and "Saturday clinic" not in public_text(leads)
    assert leads.test_client().get(url_for("you_said.feed")).get_json() == {"actions": []}
    signed_in(leads, "commissioner").post(url_for("actions.approve", action_id=action.id))
    assert rows(ActionTaken, id=action.id)[0].status == "approved"
    text = public_text(leads)
    assert "Saturday clinic" in text and "14 comments" in text and "Waiting times" in text


def test_the_person_who_recorded_an_action_cannot_approve_it(leads):
    action = record(leads, role="commissioner")
    signed_in(leads, "commissioner").post(url_for("actions.approve", action_id=action.id))
    assert rows(ActionTaken, id=action.id)[0].status == "draft"
    signed_in(leads, "admin").post(url_for("actions.approve", action_id=action.id))
    assert rows(ActionTaken, id=action.id)[0].status == "approved"


def test_service_staff_cannot_approve_and_a_withdrawn_action_leaves_the_public_page(leads):
    action = record(leads)
    staff = signed_in(leads, "service_staff")
    assert staff.post(url_for("actions.approve", action_id=action.id)).status_code == 403
    signed_in(leads, "admin").post(url_for("actions.approve", action_id=action.id))
    staff.post(url_for("actions.withdraw", action_id=action.id))
    assert "Saturday clinic" not in public_text(leads)


def test_service_staff_record_actions_only_for_their_own_services(leads):
    client = signed_in(leads, "service_staff")
    page = parse(client.post(url_for("actions.new"), data={**FIELDS, "service": "camhs"}))
    assert "Choose the service." in page.get_text() and rows(ActionTaken) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"you_said": "  "}, "Enter what families said."),
        ({"easy_we_did": ""}, "Enter what changed in easy-read words."),
        ({"comments_behind": "many"}, "whole number"),
        ({"changed_on": "2031-01-01"}, "within the next year"),
        ({"kpi": "app-2020|NOT A KPI"}, "Choose a KPI"),
        ({"we_did": "x" * 601}, "600 characters or fewer"),
    ],
)
def test_an_action_with_a_missing_or_wrong_field_is_not_stored(change, problem):
    draft, problems = actions.check(
        {**FIELDS, **change}, {"salt"}, {"waiting"}, {("app-2020", "APP 1b")}, date(2026, 11, 10)
    )
    assert draft is None and any(problem in p for p in problems)


def test_the_public_page_never_shows_a_comment_or_who_recorded_or_approved_it(leads):
    comment = create_comment("Our son Sky waited 20 months at 1 Test Row.", service="salt")
    client = signed_in(leads, "service_staff")
    client.post(url_for("actions.new"), data={**FIELDS, "comment_id": comment.id})
    action = rows(ActionTaken)[-1]
    assert action.comment_id == comment.id
    signed_in(leads, "admin").post(url_for("actions.approve", action_id=action.id))
    for body in (
        public_text(leads),
        public_text(leads, easy="1"),
        leads.test_client().get(url_for("you_said.feed")).get_data(as_text=True),
    ):
        assert "Sky" not in body and "Test Row" not in body and "@example.org" not in body
    assert "comment_id" not in leads.test_client().get(url_for("you_said.feed")).get_json()["actions"][0]


def test_html_in_any_field_is_shown_as_text(leads):
    action = record(leads, we_did="<script>alert(1)</script> We <b>changed</b> it.")
    signed_in(leads, "admin").post(url_for("actions.approve", action_id=action.id))
    html = leads.test_client().get(url_for("you_said.page")).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_easy_read_page_uses_the_easy_words_and_filters_by_service(leads):
    action = record(leads)
    signed_in(leads, "admin").post(url_for("actions.approve", action_id=action.id))
    easy = parse(leads.test_client().get(url_for("you_said.easy_read", service="salt")))
    assert easy.select_one(".easy-read") and "We opened on Saturdays." in easy.get_text()
    assert "Saturday clinic" not in easy.get_text()
    assert "We opened on Saturdays." not in public_text(leads, service="camhs", easy="1")
    assert leads.test_client().get(url_for("you_said.page", service="nope")).status_code == 404


def test_the_kpi_is_shown_before_and_after_the_change_with_its_interval(leads):
    from analysis.jobs import rebuild

    for month, answers in (
        (date(2026, 5, 1), ["poor"] * 6 + ["good"] * 4),
        (date(2026, 9, 1), ["good"] * 8 + ["poor"] * 2),
    ):
        for value in answers:
            create_response(answers={"overall": value}, service="salt", month=month)
    rebuild([date(2026, 5, 1), date(2026, 9, 1)])
    action = record(leads)
    signed_in(leads, "admin").post(url_for("actions.approve", action_id=action.id))
    kpi = leads.test_client().get(url_for("you_said.feed")).get_json()["actions"][0]["kpi"]
    assert (kpi["ref"], kpi["scope"]) == ("APP 1b", "service")
    assert (kpi["before"]["from"], kpi["before"]["to"], kpi["before"]["value"]) == (
        "2026-04",
        "2026-06",
        40.0,
    )
    assert (kpi["after"]["from"], kpi["after"]["value"], kpi["after"]["answers"]) == ("2026-08", 80.0, 10)
    assert kpi["after"]["ci_low"] < 80 < kpi["after"]["ci_high"]
    assert kpi["before"]["label"] == "April to June 2026"
    assert "Before (April to June 2026): 40% (95% range" in public_text(leads)


def test_fewer_than_five_answers_are_not_shown_as_a_figure():
    period = actions.period([date(2026, 1, 1)], {date(2026, 1, 1): (3, 4)})
    assert period.value is None and period.as_dict()["answers"] is None


def test_the_windows_are_the_three_months_before_the_change_and_the_three_after():
    before, after = actions.windows(date(2026, 1, 15))
    assert before == [date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)]
    assert after == [date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]


def test_the_embeddable_block_is_a_script_that_sets_no_cookie_and_the_feed_is_open_to_any_site(leads):
    client = leads.test_client()
    script = client.get(url_for("you_said.embed"))
    assert script.mimetype == "text/javascript" and "Set-Cookie" not in script.headers
    assert script.headers["Access-Control-Allow-Origin"] == "*"
    assert 'credentials: "omit"' in script.get_data(as_text=True)
    assert "innerHTML" not in script.get_data(as_text=True)  # feed text is only ever text
    script.close()
    feed = client.get(url_for("you_said.feed"))
    assert feed.headers["Access-Control-Allow-Origin"] == "*" and "Set-Cookie" not in feed.headers


def test_each_delivery_group_gets_a_digest_its_members_can_read(leads):
    create_comment("The wait was far too long.", service="salt", month=date(2026, 11, 1))
    create_comment("I am scared at home.", service="salt", flagged=True, month=date(2026, 11, 1))
    action = record(leads)
    signed_in(leads, "admin").post(url_for("actions.approve", action_id=action.id))
    assert "8 delivery-group digests" in loop_jobs.group_digests()
    assert len(rows(GroupDigest)) == 8
    member = signed_in(leads, "service_staff")  # linked to salt: the health and therapies group
    listing = parse(member.get(url_for("groups.list_groups"))).get_text()
    assert "Health and therapies" in listing and "Neurodevelopmental" not in listing
    page = parse(member.get(url_for("groups.digest", group="health-and-therapies", month="2026-11")))
    text = page.get_text()
    assert "Waiting times: 1 comment" in text and "1 comment flagged" in text and "scared" not in text
    assert "Saturday clinic" in text and "APP 1b" in text
    assert (
        member.get(url_for("groups.digest", group="neurodevelopmental", month="2026-11")).status_code == 404
    )


def test_the_board_report_has_a_you_said_we_did_section(leads):
    action = record(leads)
    signed_in(leads, "admin").post(url_for("actions.approve", action_id=action.id))
    report = BeautifulSoup(render_report(date(2026, 11, 1)), "html.parser").get_text()
    assert "You said, we did" in report and "Saturday clinic" in report
    october = BeautifulSoup(render_report(date(2026, 10, 1)), "html.parser").get_text()
    assert "No actions were approved" in october
