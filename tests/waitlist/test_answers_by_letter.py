"""Answers that come from a waiting-list letter's short link record which letter the family had
received (with its pathway and district), never who they are, and APP 3.3 breaks down by it."""

import json
from datetime import UTC, date, datetime

import pytest

from analysis import dao as analysis_dao
from analysis import scorecard, scorecard_reads
from feedback.db import reading
from feedback.models import Answer, Comment, Response
from feedback.waitlist import crypto
from tests.conftest import create_staff, form_fields, parse, rows, sign_in
from tests.feedback.test_cli import run
from tests.waitlist.test_letters import PERSONAL, create_family, printed

NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def november(app, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    return app


def answer_from(client, link, waiting_experience="good", comment=""):
    """Follow a letter's short link to the survey and answer as a family still waiting."""
    page = client.get(link, follow_redirects=True)
    assert page.status_code == 200
    action = parse(page).select_one("form[method=post]")["action"]
    data = {
        **form_fields(page),
        "support": "good",
        "assessed": "no",
        "waiting_experience": waiting_experience,
        "comment": comment,
    }
    response = client.post(action, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return action


def by_letter(app, ref="APP 3.3"):
    result = run(app, "kpis", "--month", "2026-11", "--by", "letter", "--format", "json")
    assert result.exit_code == 0, result.output
    return {f["scope"]: f for f in json.loads(result.output) if f["ref"] == ref}


def test_a_family_answering_from_letter_2s_link_counts_under_letter_2(november, client):
    for value in ("good", "very_good", "good", "poor", "good"):
        answer_from(client, "/l/asd-2-burnley", value)
    for value in ("poor", "poor", "good", "neither", "very_poor", "poor"):
        answer_from(client, "/l/nd-1-all", value)
    figures = by_letter(november)
    assert set(figures) == {"letter:1", "letter:2"}
    assert (figures["letter:2"]["numerator"], figures["letter:2"]["denominator"]) == (4, 5)
    assert (figures["letter:1"]["numerator"], figures["letter:1"]["denominator"]) == (1, 6)
    [overall] = [
        f for f in scorecard_reads.figures(scorecard_reads.month_view(NOVEMBER)) if f.kpi.ref == "APP 3.3"
    ]
    assert (overall.cell.numerator, overall.cell.denominator) == (5, 11)


def test_the_answer_stores_the_letter_pathway_and_district_and_nothing_about_the_family(november, client):
    november.config["DATA_KEY"] = crypto.new_key()
    november.config["BASE_URL"] = "https://feedback.example.org"
    create_family("ND-2026-0042", referral=date(2026, 11, 20))
    [letter] = printed(date(2026, 11, 23))
    link = letter.survey_link.removeprefix("https://feedback.example.org")
    action = answer_from(client, link, comment="The letter was clear")
    [response] = rows(Response)
    assert (response.pathway, response.letter_number, response.district_slug) == ("asd", 1, "burnley")
    assert (response.service_slug, response.instrument_slug) == ("asd-nd-pathway", "asd-support")
    stored = " ".join(
        str(value)
        for model in (Response, Answer, Comment)
        for row in rows(model)
        for value in row.model_dump().values()
    )
    for personal in ("ND-2026-0042", *(v for v in PERSONAL.values() if v)):
        assert personal not in stored and personal not in link and personal not in action


def test_answers_without_a_letter_link_count_overall_but_under_no_letter(november, client):
    for _ in range(5):
        answer_from(client, "/s/asd-support?service=asd-nd-pathway&district=burnley")
    assert by_letter(november) == {}
    assert {r.letter_number for r in rows(Response)} == {None}


@pytest.mark.parametrize(
    ("query", "part"),
    [
        ("pathway=dentist&letter=2", "pathway"),
        ("pathway=asd&letter=0", "letter"),
        ("pathway=asd&letter=x", "letter"),
        ("letter=2", "pathway"),
        ("pathway=asd", "letter"),
    ],
)
def test_a_survey_link_with_an_unknown_pathway_or_letter_says_which_part(app, client, query, part):
    response = client.get(f"/s/asd-support?service=asd-nd-pathway&{query}")
    assert response.status_code == 404
    assert f"a {part} we do not know" in parse(response).get_text(" ", strip=True)


def test_the_kpi_page_breaks_app_3_3_down_by_letter_and_other_kpis_not(november, client):
    for value in ("good", "very_good", "good", "poor", "good"):
        answer_from(client, "/l/asd-2-burnley", value)
    for value in ("good", "poor", "good", "good", "good"):
        answer_from(client, "/l/asd-3-burnley", value)
    run(november, "kpis", "--month", "2026-11")  # works the month out
    create_staff("commissioner@example.org", "commissioner")
    sign_in(client)
    page = parse(client.get("/dashboard/kpi/app-2020/APP%203.3?month=2026-11"))
    table = page.find("caption", string="By letter, November 2026").find_parent("table")
    cells = [[c.get_text(strip=True) for c in r.select("th, td")][:4] for r in table.select("tbody tr")]
    assert [row[0] for row in cells] == ["2", "3"]
    assert [row[3] for row in cells] == ["4 of 5", "4 of 5"]
    other = parse(client.get("/dashboard/kpi/app-2020/APP%201b?month=2026-11"))
    assert other.find("caption", string="By letter, November 2026") is None
    export = client.get("/dashboard/export/scorecard.csv?by=letter&month=2026-11")
    assert export.status_code == 200 and "letter:2" in export.get_data(as_text=True)


def test_letters_are_listed_by_number_so_letter_10_comes_after_letter_2(app):
    with reading() as session:
        plan = next(p for p in analysis_dao.plans(session) if p.slug == "app-2020")
    kpi = plan.kpi("APP 3.3")
    counts = {("app-2020", "APP 3.3", NOVEMBER, key): (5, 10) for key in ("10", "2", "1")}
    figures = scorecard.breakdown(plan, kpi, NOVEMBER, counts, "letter")
    assert [f.scope for f in figures] == ["letter:1", "letter:2", "letter:10"]
